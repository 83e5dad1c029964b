"""One Party committee meeting from agenda to locked minutes and the archive PDF."""

import io

import pytest
from pypdf import PdfReader

from decisions.models import MajorKind, State
from meetings import services
from meetings.models import AgendaEntry, Meeting, Minutes, Resolution
from tests.factories import all_opinions, at_state, running_meeting, vote_all


def test_it_runs_a_pc_meeting_to_locked_minutes_and_an_archive(people, client):
    staff = people("staff")
    major = at_state(
        State.READY,
        submitter=staff,
        consultees=[people("member1")],
        major_kind=MajorKind.PROJECT,
        title="关于建设实训基地的请示",
    )
    meeting, (entry,) = running_meeting([major], "PC")
    partyoffice = people("partyoffice")

    all_opinions(entry, meeting)
    vote_all(entry, meeting, "for")
    services.entry_decide(actor=partyoffice, entry_id=entry.pk, outcome=AgendaEntry.Outcome.PASSED)
    services.meeting_adjourn(actor=partyoffice, meeting_id=meeting.pk)

    resolution = Resolution.objects.get(entry=entry)
    assert resolution.number.startswith("党委会〔") and resolution.number.endswith("1号")
    major.refresh_from_db()
    assert major.state == State.RESOLVED
    minutes = Minutes.objects.get(meeting=meeting)
    assert "关于建设实训基地的请示" in minutes.text and resolution.number in minutes.text

    services.minutes_send(actor=partyoffice, minutes_id=minutes.pk)
    for username in ("secretary", "principal", "member1", "member2"):
        services.minutes_sign(actor=people(username), minutes_id=minutes.pk)
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.LOCKED and minutes.number.startswith("党委会纪要〔")

    client.force_login(partyoffice)
    for url in (
        "/meetings/",
        f"/meetings/{meeting.pk}/",
        f"/meetings/entries/{entry.pk}/",
        f"/meetings/minutes/{minutes.pk}/",
    ):
        assert client.get(url).status_code == 200, url
    item_page = client.get(f"/items/{major.pk}/").content.decode()
    assert meeting.title in item_page and resolution.number in item_page  # the item shows its meetings
    response = client.get(f"/meetings/{meeting.pk}/archive.pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.getvalue())).pages)
    assert resolution.number in text
    assert "本文件由“决策一件事”系统根据会议记录生成" in text
    assert Meeting.objects.get(pk=meeting.pk).state == Meeting.State.ADJOURNED


@pytest.mark.postgres
def test_postgres_refuses_to_change_a_cast_vote_or_locked_minutes(people):
    from django.db import connection, transaction
    from django.db.utils import DatabaseError

    item = at_state(
        State.READY, submitter=people("staff"), consultees=[people("member1")], major_kind=MajorKind.PROJECT
    )
    meeting, (entry,) = running_meeting([item], "PC")
    all_opinions(entry, meeting)
    vote_all(entry, meeting, "for")
    for sql in ("UPDATE meetings_vote SET choice = 'against'", "DELETE FROM meetings_opinion"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    partyoffice = people("partyoffice")
    services.entry_decide(actor=partyoffice, entry_id=entry.pk, outcome=AgendaEntry.Outcome.PASSED)
    services.meeting_adjourn(actor=partyoffice, meeting_id=meeting.pk)
    minutes = Minutes.objects.get(meeting=meeting)
    services.minutes_send(actor=partyoffice, minutes_id=minutes.pk)
    for username in ("secretary", "principal", "member1", "member2"):
        services.minutes_sign(actor=people(username), minutes_id=minutes.pk)
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE meetings_minutes SET text = 'changed' WHERE id = %s", [minutes.pk])
    assert Minutes.objects.get(pk=minutes.pk).text != "changed"
