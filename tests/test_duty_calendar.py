"""行事历 by year, month, week and day: each period of a duty linked to the record that discharges
it (its task closed; every branch checked; every branch's 三会一课 held), flagged when its day
has passed undischarged; the posts' 党建履职说明书 shown to the holders of their roles."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from org.models import Department, Role
from supervision import services
from supervision.models import BranchCheckItem, Duty, DutyStatement, OrgLife, Task
from supervision.selectors.duty_calendar import by_month, duty_entries, span, step
from supervision.services.calendar import calendar_sweep
from tests.factories import closed_task

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 7, 15)


def at(y, m, d):
    return time_machine.travel(dt.datetime(y, m, d, 10, tzinfo=SH), tick=False)


@pytest.fixture(autouse=True)
def _today():
    with at(2026, 7, 15):
        yield


@pytest.fixture
def duties(school):
    return {
        "check": Duty.objects.create(
            title="党支部建设月度检查",
            role=Role.PARTY_OFFICE,
            track="branch",
            rhythm="monthly",
            day=25,
            discharge=Duty.Discharge.BRANCH_CHECK,
        ),
        "lecture": Duty.objects.create(
            title="督促各支部讲党课",
            role=Role.PARTY_OFFICE,
            track="branch",
            rhythm="quarterly",
            month=3,
            day=25,
            discharge=Duty.Discharge.ORG_LIFE,
            org_life_kind=OrgLife.LECTURE,
        ),
    }


def branches():
    return list(Department.objects.filter(kind=Department.Kind.BRANCH, active=True))


def entries_of(roles, start, end):
    return {(e.duty.title, e.period): e for e in duty_entries(roles, start, end, TODAY)}


def test_a_branch_check_period_is_discharged_when_every_branch_is_checked(people, duties):
    item = BranchCheckItem.objects.create(title="三会一课", points=10)
    for b in branches():
        services.branch_check_record(
            actor=people("partyoffice"), branch_id=b.pk, year=2026, month=6, met={item.pk: True}
        )
    services.branch_check_record(
        actor=people("partyoffice"), branch_id=branches()[0].pk, year=2026, month=5, met={item.pk: True}
    )
    found = entries_of({Role.PARTY_OFFICE}, dt.date(2026, 5, 1), dt.date(2026, 7, 31))

    june, may, july = (found[("党支部建设月度检查", p)] for p in ("2026-06", "2026-05", "2026-07"))
    assert (june.state, june.record_label) == ("done", "支部检查：2 / 2 个党支部")
    assert june.record_url == "/branches/?year=2026"
    assert (may.state, may.record_label) == ("overdue", "支部检查：1 / 2 个党支部")
    assert july.state == "open"


def test_an_org_life_period_needs_every_branch_to_hold_the_meeting(people, duties):
    for b in branches():
        services.org_life_record(
            actor=people("partyoffice"), branch_id=b.pk, kind="lecture", held_on=dt.date(2026, 5, 8), topic="党课"
        )
    found = entries_of({Role.PARTY_OFFICE}, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert found[("督促各支部讲党课", "2026-Q2")].state == "done"
    assert found[("督促各支部讲党课", "2026-Q1")].state == "overdue"
    assert found[("督促各支部讲党课", "2026-Q1")].record_url == "/branches/org-life/?year=2026"


def test_a_task_duty_is_discharged_when_its_task_is_closed(people, school):
    duty = Duty.objects.create(
        title="督查任务季度复盘",
        role=Role.DISCIPLINE,
        track="task",
        rhythm="monthly",
        day=20,
        lead_days=10,
        lead_department=Department.objects.get(name="教务处"),
        responsible_leader=people("discipline"),
    )
    calendar_sweep(TODAY)
    task = Task.objects.get(occurrence__duty=duty)
    found = entries_of({Role.DISCIPLINE}, dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    entry = found[("督查任务季度复盘", "2026-07")]
    assert (entry.state, entry.record_url) == ("open", f"/supervision/tasks/{task.pk}/")
    closed_task(task)
    entry = entries_of({Role.DISCIPLINE}, dt.date(2026, 7, 1), dt.date(2026, 7, 31))[("督查任务季度复盘", "2026-07")]
    assert entry.state == "done" and "已办结" in entry.record_label


def test_the_spans_and_steps_of_each_view():
    day = dt.date(2026, 7, 15)  # a Wednesday
    assert span("year", day) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert span("month", day) == (dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    assert span("week", day) == (dt.date(2026, 7, 13), dt.date(2026, 7, 19))
    assert span("day", day) == (day, day)
    assert step("month", dt.date(2026, 12, 1), 1) == dt.date(2027, 1, 1)
    assert step("week", day, -1) == dt.date(2026, 7, 8)


def test_the_year_breaks_down_into_months_with_overdue_counts(duties):
    entries = duty_entries({Role.PARTY_OFFICE}, dt.date(2026, 1, 1), dt.date(2026, 12, 31), TODAY)
    months = by_month(entries, 2026)
    assert [len(b.entries) for b in months] == [1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2]
    assert [b.overdue for b in months][:7] == [1, 1, 2, 1, 1, 2, 0]


# --- pages -------------------------------------------------------------------------------------


def test_the_week_view_is_the_default_and_links_each_duty_to_its_record(client, people, duties):
    DutyStatement.objects.create(role=Role.PARTY_OFFICE, post="党委办公室主任", duties="组织支部月度检查\n督促三会一课")
    with at(2026, 7, 22):
        client.force_login(people("partyoffice"))
        html = client.get("/calendar/duties/").content.decode()
    assert "2026-07-20 — 2026-07-26" in html
    assert html.count('data-testid="duty"') == 1  # 月度检查 due 7-25 (党课 falls in each quarter's third month)
    assert 'href="/branches/?year=2026"' in html
    assert "党委办公室主任" in html and "督促三会一课" in html


def test_the_year_month_and_day_views_flag_what_is_overdue(client, people, duties):
    client.force_login(people("partyoffice"))
    html = client.get("/calendar/duties/?view=year&date=2026-07-15").content.decode()
    assert html.count('data-testid="month"') == 12
    assert "本期有 8 项职责已过期限仍未履职" in html
    html = client.get("/calendar/duties/?view=month&date=2026-06-01").content.decode()
    assert html.count('data-testid="overdue"') == 2
    html = client.get("/calendar/duties/?view=day&date=2026-06-25").content.decode()
    assert html.count('data-testid="duty"') == 2
    html = client.get("/calendar/duties/?view=day&date=2026-06-24").content.decode()
    assert 'data-testid="empty"' in html


def test_others_see_the_duties_and_statements_of_their_own_roles_only(client, people, duties):
    DutyStatement.objects.create(role=Role.PARTY_OFFICE, post="党委办公室主任", duties="组织支部月度检查")
    DutyStatement.objects.create(role=Role.DEPT_HEAD, post="部门负责人", duties="落实一岗双责")
    client.force_login(people("depthead"))
    html = client.get("/calendar/duties/?view=year&date=2026-07-15&role=party_office").content.decode()
    assert 'data-testid="duty"' not in html and 'data-testid="overdue' not in html
    assert "部门负责人" in html and "党委办公室主任" not in html
    client.force_login(people("partyoffice"))
    html = client.get("/calendar/duties/?view=month&date=2026-06-01&role=dept_head").content.decode()
    assert 'data-testid="duty"' not in html and "落实一岗双责" in html


def test_a_day_out_of_range_falls_back_to_today(client, people, duties):
    client.force_login(people("partyoffice"))
    for query in ("view=year&date=9999-12-31", "view=day&date=0001-01-01", "view=week&date=abc&role=nobody"):
        r = client.get(f"/calendar/duties/?{query}")
        assert r.status_code == 200
        assert "2026-07-13 — 2026-07-19" in r.content.decode() or "2026-01-01" in r.content.decode()
