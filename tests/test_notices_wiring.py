"""A resolution issued at the meeting is noticed without anyone copying it （三通报）."""

from decisions.models import MajorKind, State
from meetings import services
from notices.models import Notice
from notices.selectors import for_meeting
from tests.factories import all_opinions, at_state, meeting_for, running_meeting, vote_all


def test_a_pc_resolution_is_noticed_and_queued_for_the_next_school_affairs_meeting(
    people, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""
    partyoffice, affairsoffice = people("partyoffice"), people("affairsoffice")
    item = at_state(
        State.READY, submitter=people("staff"), consultees=[people("member1")], major_kind=MajorKind.PROJECT
    )
    meeting, (entry,) = running_meeting([item], "PC")
    all_opinions(entry, meeting)
    vote_all(entry, meeting, "for")

    with django_capture_on_commit_callbacks(execute=True):
        services.entry_decide(actor=partyoffice, entry_id=entry.pk, outcome="passed")
    notice = Notice.objects.get(resolution__entry=entry)
    assert notice.meeting is None  # no school affairs meeting is planned yet

    with django_capture_on_commit_callbacks(execute=True):
        sa = meeting_for("SA")
    notice.refresh_from_db()
    assert notice.meeting_id == sa.pk
    # The SA meeting's organiser finds it among the notices to read out there (三通报).
    assert list(for_meeting(affairsoffice, sa.pk)) == [notice]


def test_a_po_outcome_on_a_two_deliberation_item_is_not_noticed(people, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""
    item = at_state(
        State.READY,
        submitter=people("staff"),
        consultees=[people("member1")],
        body_code="PO",
        major_kind=MajorKind.PROJECT,
    )
    meeting, (entry,) = running_meeting([item], "PO")
    all_opinions(entry, meeting)
    vote_all(entry, meeting, "for")

    with django_capture_on_commit_callbacks(execute=True):
        services.entry_decide(actor=people("affairsoffice"), entry_id=entry.pk, outcome="passed_to_pc")

    assert not Notice.objects.exists()
