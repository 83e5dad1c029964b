from datetime import timedelta

import time_machine

from decisions.models import State
from meetings import jobs, services
from meetings.models import AgendaEntry
from tests.factories import at_state, meeting_for, with_materials


def test_the_materials_sweep_drops_late_items_once_the_deadline_passes(people):
    partyoffice = people("partyoffice")
    bare = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
    ready = with_materials(at_state(State.READY, submitter=people("staff"), consultees=[people("member1")]))
    meeting = meeting_for("PC", days_ahead=3)
    for item in (bare, ready):
        services.agenda_add(actor=partyoffice, meeting_id=meeting.pk, item_id=item.pk)

    assert jobs.check_materials_due() == 0  # the deadline is a day away

    with time_machine.travel(services.materials_deadline(meeting) + timedelta(minutes=1)):
        assert jobs.check_materials_due() == 1
        assert jobs.check_materials_due() == 0  # nothing twice

    dropped = AgendaEntry.objects.get(meeting=meeting, item=bare)
    assert dropped.dropped_at and "会议材料未在" in dropped.dropped_reason
    assert AgendaEntry.objects.get(meeting=meeting, item=ready).dropped_at is None
