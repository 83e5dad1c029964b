"""My calendar: the /calendar/ page and the private iCal feed behind its token."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from core.models import AuditEvent
from meetings import services as meeting_services
from org.models import Department, Role, User
from supervision import services
from supervision.models import CalendarToken, Duty, Task, Track
from supervision.services.calendar import calendar_token_get
from supervision.services.patrols import finding_record
from tests.factories import meeting_for

SHANGHAI = ZoneInfo("Asia/Shanghai")


def patrol_task(people, *, days: int = 10, title: str = "清理实训楼消防通道", milestones=(), leader="member1"):
    leader = people(leader)
    today = timezone.localdate()
    finding = finding_record(actor=leader, patrolled_on=today, place="实训楼", text="消防通道堆放杂物")
    return services.task_create(
        actor=leader,
        finding_id=finding.pk,
        track="task",
        title=title,
        lead_department_id=Department.objects.get(name="教务处").pk,
        responsible_leader_id=leader.pk,
        deadline=today + dt.timedelta(days=days),
        milestones=[services.MilestoneSpec(t, today + dt.timedelta(days=d)) for t, d in milestones],
    )


def monthly_duty(role=Role.PC_MEMBER, title="党委委员联系支部") -> Duty:
    return Duty.objects.create(
        title=title, role=role, track=Track.BRANCH, rhythm=Duty.Rhythm.MONTHLY, day=25, lead_days=7
    )


def feed_of(client, person) -> Calendar:
    response = client.get(f"/calendar/{calendar_token_get(person=person).token}.ics")
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def events_of(cal: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


# --- the feed ---------------------------------------------------------------------------------------


def test_it_serves_a_persons_meetings_deadlines_and_duties_without_login(client, people):
    member1 = people("member1")
    meeting = meeting_for("PC", days_ahead=3)  # member1 is a PC member
    task = patrol_task(people, days=20, milestones=[("制定整改方案", 5)])
    milestone = task.milestones.get()
    duty = monthly_duty()
    token = calendar_token_get(person=member1).token

    response = client.get(f"/calendar/{token}.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    body = response.content.decode()
    assert "BEGIN:VTIMEZONE" in body and "TZID:Asia/Shanghai" in body
    events = events_of(Calendar.from_ical(response.content))
    m = events[f"meeting-{meeting.pk}@yishi"]
    assert m["DTSTART"].dt == meeting.starts_at.replace(microsecond=0)
    assert m["DTSTART"].dt.tzinfo.key == "Asia/Shanghai"
    assert f"DTSTART;TZID=Asia/Shanghai:{timezone.localtime(meeting.starts_at):%Y%m%dT%H%M%S}" in body
    assert str(m["LOCATION"]) == "行政楼第一会议室"
    assert str(m["SUMMARY"]) == meeting.title
    t = events[f"task-{task.pk}@yishi"]
    assert t["DTSTART"].dt == task.deadline and not isinstance(t["DTSTART"].dt, dt.datetime)  # all day
    assert t["DTEND"].dt == task.deadline + dt.timedelta(days=1)
    assert task.title in str(t["SUMMARY"])
    assert str(t["URL"]).endswith(f"/supervision/tasks/{task.pk}/")
    assert events[f"milestone-{milestone.pk}@yishi"]["DTSTART"].dt == milestone.due
    duty_uids = [uid for uid in events if uid.startswith(f"duty-{duty.pk}-")]
    assert len(duty_uids) >= 12  # a year of a monthly duty, before the sweep has made any


def test_the_uids_stay_the_same_from_one_fetch_to_the_next(client, people):
    meeting_for("PC")
    patrol_task(people)
    monthly_duty()
    member1 = people("member1")

    assert set(events_of(feed_of(client, member1))) == set(events_of(feed_of(client, member1)))


def test_the_department_head_has_the_task_deadline_too(client, people):
    task = patrol_task(people)

    assert f"task-{task.pk}@yishi" in events_of(feed_of(client, people("depthead")))
    assert f"task-{task.pk}@yishi" not in events_of(feed_of(client, people("staff")))


def test_a_confidential_task_is_only_called_confidential(client, people):
    task = patrol_task(people, title="某干部问题线索核查", milestones=[("约谈当事人", 3)])
    Task.objects.filter(pk=task.pk).update(confidential=True)

    response = client.get(f"/calendar/{calendar_token_get(person=people('member1')).token}.ics")

    assert "问题线索" not in response.content.decode() and "约谈" not in response.content.decode()
    events = events_of(Calendar.from_ical(response.content))
    assert str(events[f"task-{task.pk}@yishi"]["SUMMARY"]) == "涉密任务"
    assert "DESCRIPTION" not in events[f"task-{task.pk}@yishi"]
    assert str(events[f"milestone-{task.milestones.get().pk}@yishi"]["SUMMARY"]) == "涉密任务"

    client.force_login(people("member1"))
    page = client.get("/calendar/").content.decode()
    assert "涉密任务" in page and "问题线索" not in page and "约谈" not in page


def test_cancelled_meetings_and_closed_tasks_are_left_out(client, people):
    kept, cancelled = meeting_for("PC", days_ahead=3), meeting_for("PC", days_ahead=4)
    meeting_services.meeting_cancel(actor=people("partyoffice"), meeting_id=cancelled.pk, reason="改期")

    events = events_of(feed_of(client, people("member1")))

    assert f"meeting-{kept.pk}@yishi" in events
    assert f"meeting-{cancelled.pk}@yishi" not in events


def test_someone_without_a_role_has_no_duties(client, people):
    monthly_duty()
    admin = User.objects.get(username="admin")  # the superuser holds no school role

    assert not [uid for uid in events_of(feed_of(client, admin)) if uid.startswith("duty-")]


def test_an_unknown_token_or_a_person_who_left_finds_nothing(client, people):
    member1 = people("member1")
    token = calendar_token_get(person=member1).token

    assert client.get("/calendar/not-a-real-token-at-all.ics").status_code == 404
    User.objects.filter(pk=member1.pk).update(is_active=False)
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_feed_costs_the_same_queries_however_many_events(client, people, django_assert_num_queries):
    member1 = people("member1")
    token = calendar_token_get(person=member1).token
    meeting_for("PC")
    patrol_task(people, milestones=[("方案", 3)])
    monthly_duty()
    # 1 the token and its person, 2 the person's roles, 3 meetings, 4 tasks, 5 milestones, 6 duties
    with django_assert_num_queries(6):
        client.get(f"/calendar/{token}.ics")

    for days in (4, 5, 6):
        meeting_for("PC", days_ahead=days)
        patrol_task(people, days=days + 10, milestones=[("方案", days), ("实施", days + 1)])
    monthly_duty(title="党委委员谈心谈话")
    with django_assert_num_queries(6):
        response = client.get(f"/calendar/{token}.ics")
    assert len(events_of(Calendar.from_ical(response.content))) > 30


# --- the page ---------------------------------------------------------------------------------------


def test_the_page_shows_my_next_sixty_days_and_my_feed_link(client, people, settings):
    member1 = people("member1")
    meeting = meeting_for("PC", days_ahead=3)
    near = patrol_task(people, days=30, title="近期任务")
    far = patrol_task(people, days=61, title="远期任务")
    client.force_login(member1)

    response = client.get("/calendar/")

    assert response.status_code == 200
    text = response.content.decode()
    assert meeting.title in text and near.title in text
    assert far.title not in text
    token = CalendarToken.objects.get(person=member1).token
    assert f"{settings.SITE_URL}/calendar/{token}.ics" in text
    assert "重新生成链接" in text and "data-confirm" in text


def test_the_page_needs_a_login(client):
    response = client.get("/calendar/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_new_link_makes_the_old_one_stop_working(client, people):
    member1 = people("member1")
    client.force_login(member1)
    client.get("/calendar/")
    old = CalendarToken.objects.get(person=member1).token

    assert client.get("/calendar/token/").status_code == 405  # only by the form's POST
    response = client.post("/calendar/token/")

    assert response.status_code == 302 and response["Location"] == "/calendar/"
    new = CalendarToken.objects.get(person=member1).token
    assert new != old
    client.logout()
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    assert AuditEvent.objects.filter(verb="calendar.token_reset", actor=member1).count() == 1


@pytest.mark.parametrize("more", [0, 3])
def test_the_page_costs_the_same_queries_however_many_events(client, people, more, django_assert_num_queries):
    member1 = people("member1")
    client.force_login(member1)
    client.get("/calendar/")  # the token exists from now on
    meeting_for("PC")
    patrol_task(people, milestones=[("方案", 3)])
    monthly_duty()
    for days in range(more):
        meeting_for("PC", days_ahead=4 + days)
        patrol_task(people, days=14 + days, milestones=[("方案", 5), ("实施", 6)])

    # 1 session, 2 user with their roles, 3 meetings, 4 tasks, 5 milestones, 6 duties, 7 the feed
    # token; the base page: 8 the navigation (one query).
    with django_assert_num_queries(8):
        response = client.get("/calendar/")

    assert response.status_code == 200
    assert len(response.context["days"]) >= 3 + more
