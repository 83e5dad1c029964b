"""Before and after the day (issue 14, point 5): rescheduling and cancelling with a reason, the
attendees told; the materials lead-time warning naming the items that would leave the agenda;
「全部出席」 and per-person absence without a page reload (htmx); 未登记 in the minutes for members
never marked; observers (列席) recorded without a vote."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import InvalidTransition
from core.models import AuditEvent, Notification
from decisions.models import MajorKind, State
from meetings import services
from meetings.models import Attendance, Meeting, Minutes
from org.models import MeetingBody
from tests.factories import all_opinions, at_state, meeting_for, running_meeting, with_materials

PC_PEOPLE = {"secretary", "principal", "member1", "member2", "discipline"}


def refused(status: int, call, /, contains: str = "", **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(**kwargs)
    assert caught.value.status == status, caught.value.reason
    assert contains in caught.value.reason
    return caught.value


def ready_item(people, title="关于修订实训室管理办法的请示", **fields):
    return at_state(State.READY, submitter=people("staff"), consultees=[people("member1")], title=title, **fields)


def notified(meeting, key_part: str) -> set[str]:
    rows = Notification.objects.filter(key__startswith=f"meeting:{meeting.pk}:{key_part}")
    return {n.recipient.username for n in rows.select_related("recipient")}


# --- reschedule and cancel ------------------------------------------------------------------------


def test_the_office_reschedules_with_a_reason_and_every_attendee_is_told(
    people, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""
    meeting = meeting_for("PC", days_ahead=5)
    new_time = meeting.starts_at + timedelta(days=2)

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_reschedule(
            actor=people("partyoffice"),
            meeting_id=meeting.pk,
            starts_at=new_time,
            reason="书记参加上级会议",
            version=meeting.version,
        )

    meeting.refresh_from_db()
    assert meeting.starts_at == new_time
    event = AuditEvent.objects.get(verb="meeting.reschedule", target_id=meeting.pk)
    assert event.reason == "书记参加上级会议" and event.actor.username == "partyoffice"
    assert notified(meeting, "reschedule") == PC_PEOPLE
    text = Notification.objects.filter(key__startswith=f"meeting:{meeting.pk}:reschedule").first().text
    assert "改期" in text and "书记参加上级会议" in text


def test_rescheduling_is_refused_to_a_member_without_a_reason_and_on_a_stale_version(people):
    meeting = meeting_for("PC", days_ahead=5)
    later = meeting.starts_at + timedelta(days=1)
    refused(
        403, services.meeting_reschedule, actor=people("member1"), meeting_id=meeting.pk, starts_at=later, reason="x"
    )
    refused(
        409,
        services.meeting_reschedule,
        "改期须写明理由",
        actor=people("partyoffice"),
        meeting_id=meeting.pk,
        starts_at=later,
        reason="　 ",
    )
    refused(
        409,
        services.meeting_reschedule,
        "已被他人修改",
        actor=people("partyoffice"),
        meeting_id=meeting.pk,
        starts_at=later,
        reason="改期",
        version=meeting.version + 1,
    )
    meeting.refresh_from_db()
    assert meeting.starts_at < later


def test_cancelling_from_the_page_needs_a_reason_and_tells_the_attendees(
    client, people, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""
    meeting = meeting_for("PC", days_ahead=5)
    client.force_login(people("partyoffice"))
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'data-testid="cancel"' in page and 'data-testid="reschedule"' in page

    blank = client.post(f"/meetings/{meeting.pk}/act/cancel/", {"reason": ""})
    assert blank.status_code == 409 and "取消会议须写明理由" in blank.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/meetings/{meeting.pk}/act/cancel/", {"reason": "与上级检查冲突"})

    assert done.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).state == Meeting.State.CANCELLED
    assert notified(meeting, "cancel") == PC_PEOPLE


def test_a_member_is_not_shown_the_cancel_and_reschedule_buttons_and_is_refused(client, people):
    meeting = meeting_for("PC", days_ahead=5)
    client.force_login(people("member1"))
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'data-testid="cancel"' not in page and 'data-testid="reschedule"' not in page
    response = client.get(f"/meetings/{meeting.pk}/reschedule/")
    assert response.status_code == 403 and "只有会务部门或主持人可以改期" in response.content.decode()


# --- the materials lead time ----------------------------------------------------------------------


def test_rescheduling_inside_the_lead_time_warns_and_lists_the_items_without_materials(client, people):
    bare, ready = ready_item(people, "无材料的议题"), ready_item(people, "已交材料的议题")
    meeting = meeting_for("PC", days_ahead=6)
    for item in (bare, ready):
        services.agenda_add(actor=people("partyoffice"), meeting_id=meeting.pk, item_id=item.pk)
    with_materials(ready)
    tomorrow = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    form = {"starts_at": f"{tomorrow:%Y-%m-%dT%H:%M}", "reason": "提前召开", "version": meeting.version}
    client.force_login(people("partyoffice"))

    warned = client.post(f"/meetings/{meeting.pk}/reschedule/", form)

    html = warned.content.decode()
    assert warned.status_code == 200 and 'data-testid="lead-time-warning"' in html
    assert "无材料的议题" in html and "已交材料的议题" not in html
    assert Meeting.objects.get(pk=meeting.pk).starts_at == meeting.starts_at  # nothing changed yet
    assert [i.title for i in services.materials_shortfall(meeting=meeting, starts_at=tomorrow)] == ["无材料的议题"]

    confirmed = client.post(f"/meetings/{meeting.pk}/reschedule/", {**form, "short_notice": "on"})
    assert confirmed.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).starts_at == tomorrow


def test_outside_the_lead_time_nothing_is_listed(people):
    meeting = meeting_for("PC", days_ahead=6)
    services.agenda_add(actor=people("partyoffice"), meeting_id=meeting.pk, item_id=ready_item(people).pk)
    assert services.materials_shortfall(meeting=meeting, starts_at=meeting.starts_at) == []


def test_scheduling_a_meeting_inside_the_lead_time_asks_for_confirmation(client, people):
    waiting = ready_item(people, "待上会且无材料的议题")
    client.force_login(people("partyoffice"))
    soon = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    pc = MeetingBody.objects.get(code="PC")
    form = {"body": pc.pk, "starts_at": f"{soon:%Y-%m-%dT%H:%M}", "place": "第一会议室"}

    warned = client.post("/meetings/new/", form)
    assert warned.status_code == 200
    html = warned.content.decode()
    assert 'data-testid="lead-time-warning"' in html and waiting.title in html
    assert not Meeting.objects.exists()

    assert client.post("/meetings/new/", {**form, "short_notice": "on"}).status_code == 302
    assert Meeting.objects.get().starts_at == soon


# --- attendance -------------------------------------------------------------------------------------


def published_pc(people):
    item = ready_item(people)
    meeting = meeting_for("PC")
    services.agenda_add(actor=people("partyoffice"), meeting_id=meeting.pk, item_id=item.pk)
    with_materials(item)
    services.meeting_publish(actor=people("partyoffice"), meeting_id=meeting.pk)
    return meeting


def test_all_present_marks_everyone_unmarked_and_keeps_a_recorded_absence(people):
    meeting = published_pc(people)
    office = people("partyoffice")
    services.attendance_mark(
        actor=office, meeting_id=meeting.pk, person_id=people("member2").pk, present=False, reason="病假"
    )

    rows = services.attendance_all_present(actor=office, meeting_id=meeting.pk)

    statuses = {a.person.username: (a.status, a.absence_reason) for a in meeting.attendance.select_related("person")}
    assert statuses["member2"] == ("absent", "病假")
    assert {u for u, (s, _r) in statuses.items() if s == "present"} == PC_PEOPLE - {"member2"}
    assert len(rows) == 4
    assert AuditEvent.objects.filter(verb="meeting.attendance", target_id=meeting.pk).count() == 5
    refused(409, services.attendance_all_present, "已全部登记", actor=office, meeting_id=meeting.pk)
    refused(403, services.attendance_all_present, actor=people("member1"), meeting_id=meeting.pk)


def test_attendance_is_marked_through_htmx_with_the_card_alone(client, people):
    meeting = published_pc(people)
    client.force_login(people("partyoffice"))
    hx = {"HTTP_HX_REQUEST": "true"}
    member2 = people("member2")

    no_reason = client.post(f"/meetings/{meeting.pk}/attendance/absent/", {"person": member2.pk}, **hx)
    html = no_reason.content.decode()
    assert "<html" not in html and 'id="attendance-card"' in html
    assert "缺席须登记原因" in html and no_reason["X-Yishi-Status"] == "409"

    absent = client.post(f"/meetings/{meeting.pk}/attendance/absent/", {"person": member2.pk, "reason": "出差"}, **hx)
    assert "已登记缺席及原因" in absent.content.decode()
    everyone = client.post(f"/meetings/{meeting.pk}/attendance/all_present/", **hx)
    html = everyone.content.decode()
    assert "<html" not in html and "未登记的人员已全部登记为出席" in html
    present = set(
        meeting.attendance.filter(status=Attendance.Status.PRESENT).values_list("person__username", flat=True)
    )
    assert present == PC_PEOPLE - {"member2"}


def test_a_member_cannot_mark_attendance(client, people):
    meeting = published_pc(people)
    client.force_login(people("member1"))
    response = client.post(f"/meetings/{meeting.pk}/attendance/all_present/")
    assert response.status_code == 403
    assert "只有会议主持人、记录人或会务部门可以进行此操作" in response.content.decode()
    assert not meeting.attendance.filter(status=Attendance.Status.PRESENT).exists()
    assert 'data-testid="all-present"' not in client.get(f"/meetings/{meeting.pk}/").content.decode()


def test_minutes_say_unregistered_for_members_never_marked(people):
    meeting2 = published_pc(people)
    office = people("partyoffice")
    services.meeting_open(actor=office, meeting_id=meeting2.pk)
    for name in ("secretary", "principal", "discipline"):
        services.attendance_mark(actor=office, meeting_id=meeting2.pk, person_id=people(name).pk, present=True)
    services.meeting_adjourn(actor=office, meeting_id=meeting2.pk)

    text = Minutes.objects.get(meeting=meeting2).text
    assert "缺席：无" not in text and "缺席：无" not in text
    assert "未登记" in text and str(people("member1")) in text.split("未登记", 1)[1].splitlines()[0]


# --- observers --------------------------------------------------------------------------------------


def test_the_items_department_head_is_added_as_an_observer_without_a_vote(people):
    item = ready_item(people, major_kind=MajorKind.PROJECT)
    meeting, (entry,) = running_meeting([item], "PC")
    office, depthead = people("partyoffice"), people("depthead")
    assert [u.username for u in services.observer_candidates(meeting)] == ["depthead"]

    refused(
        409, services.observer_add, "列席事由", actor=office, meeting_id=meeting.pk, person_id=depthead.pk, reason=""
    )
    row = services.observer_add(actor=office, meeting_id=meeting.pk, person_id=depthead.pk, reason="汇报议题")
    services.attendance_mark(actor=office, meeting_id=meeting.pk, person_id=depthead.pk, present=True)

    assert row.kind == Attendance.Kind.OBSERVER
    assert AuditEvent.objects.get(verb="meeting.observer").reason == "汇报议题"
    assert depthead.pk not in services.entry_facts(entry, meeting)["present"]
    refused(
        409,
        services.opinion_record,
        "只有出席会议的成员",
        actor=office,
        entry_id=entry.pk,
        member_id=depthead.pk,
        stance="agree",
    )
    all_opinions(entry, meeting)
    services.vote_open(actor=office, entry_id=entry.pk)
    refused(403, services.vote_cast, actor=depthead, entry_id=entry.pk, choice="for")
    refused(
        409, services.observer_add, "已在", actor=office, meeting_id=meeting.pk, person_id=depthead.pk, reason="再次"
    )
    refused(403, services.observer_add, actor=people("member1"), meeting_id=meeting.pk, person_id=1, reason="x")
