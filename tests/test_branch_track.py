"""The party-branch track end to end: a failed check item becomes a rectification task of the
branch; branches check themselves (not graded); 三会一课 are counted against their required
frequency and flagged where short; the year's checks grade each branch on the party office's screen."""

import datetime as dt

import pytest
import time_machine

from core.errors import InvalidTransition
from core.models import AuditEvent
from org.models import Department, Role, RoleAssignment
from supervision import services
from supervision.models import BranchCheck, BranchCheckItem, BranchMeeting, OrgLife, Task
from supervision.selectors import branches as selectors
from supervision.selectors import org_life

TODAY = dt.datetime(2026, 7, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def items(db):
    return [
        BranchCheckItem.objects.create(title="三会一课按时召开", points=60, position=1),
        BranchCheckItem.objects.create(title="党费按时收缴", points=40, position=2),
    ]


@pytest.fixture
def branch(school):
    return Department.objects.get(name="机关第一党支部")


@pytest.fixture
def secretary_of_branch(people, branch):
    """教师 teacher is made the branch's secretary (its head in Yishi)."""
    RoleAssignment.objects.create(user=people("teacher"), role=Role.DEPT_HEAD, department=branch)
    return people("teacher")


def refused(status, call, **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(**kwargs)
    assert caught.value.status == status, caught.value.reason
    return caught.value


# --- rectification ---------------------------------------------------------------------------


def test_every_failed_item_becomes_a_rectification_task_with_its_deadline(people, items, branch):
    check = services.branch_check_record(
        actor=people("partyoffice"),
        branch_id=branch.pk,
        year=2026,
        month=6,
        met={items[0].pk: False, items[1].pk: True},
        note="会议记录不全。",
        rectify_by=dt.date(2026, 8, 31),
    )

    task = Task.objects.get(source=Task.Source.CHECK)
    assert task.check_mark.check_row == check and task.check_mark.item == items[0]
    assert (task.track, task.lead_department, task.deadline) == ("branch", branch, dt.date(2026, 8, 31))
    assert task.responsible_leader == people("secretary")
    assert "三会一课按时召开" in task.title
    assert AuditEvent.objects.filter(verb="task.create", target_id=str(task.pk)).exists()


def test_a_check_with_every_item_met_makes_no_task_and_the_default_deadline_is_thirty_days(people, items, branch):
    services.branch_check_record(
        actor=people("partyoffice"), branch_id=branch.pk, year=2026, month=5, met={i.pk: True for i in items}
    )
    assert not Task.objects.exists()
    services.branch_check_record(actor=people("partyoffice"), branch_id=branch.pk, year=2026, month=6, met={})
    assert set(Task.objects.values_list("deadline", flat=True)) == {dt.date(2026, 8, 14)}
    assert Task.objects.count() == 2


def test_a_past_rectification_deadline_is_refused_and_nothing_is_kept(people, items, branch):
    e = refused(
        409,
        services.branch_check_record,
        actor=people("partyoffice"),
        branch_id=branch.pk,
        year=2026,
        month=6,
        met={},
        rectify_by=dt.date(2026, 7, 1),
    )
    assert "整改时限" in e.reason
    assert not BranchCheck.objects.exists()


# --- self-checks -------------------------------------------------------------------------------


def test_a_branch_secretary_checks_the_branch_and_it_is_not_graded(people, items, branch, secretary_of_branch):
    c = services.branch_self_check(
        actor=secretary_of_branch, branch_id=branch.pk, year=2026, month=6, met={items[0].pk: True}, note="已自查。"
    )

    assert (c.kind, c.score, c.full_score, c.checker) == (BranchCheck.Kind.SELF, 60, 100, secretary_of_branch)
    assert AuditEvent.objects.filter(verb="branch.self_check", target_id=str(c.pk)).exists()
    assert not Task.objects.exists()
    row = next(r for r in selectors.branch_year(2026).rows if r.branch == branch)
    assert row.checked == 0 and row.grade == "未检查"
    # The office's own check of the same month is still possible.
    services.branch_check_record(actor=people("partyoffice"), branch_id=branch.pk, year=2026, month=6, met={})


@pytest.mark.parametrize("username", ["partyoffice", "depthead", "staff"])
def test_only_the_branch_secretary_self_checks(people, items, branch, username):
    e = refused(
        403, services.branch_self_check, actor=people(username), branch_id=branch.pk, year=2026, month=6, met={}
    )
    assert "支部书记" in e.reason


# --- 三会一课 ------------------------------------------------------------------------------------


def test_org_life_is_counted_against_its_frequency_and_short_periods_are_named(people, branch, secretary_of_branch):
    for month in range(1, 7):
        services.org_life_record(
            actor=secretary_of_branch,
            branch_id=branch.pk,
            kind=OrgLife.COMMITTEE,
            held_on=dt.date(2026, month, 10),
            topic="研究月度工作",
            attendees=5,
        )
    services.org_life_record(
        actor=people("partyoffice"),
        branch_id=branch.pk,
        kind=OrgLife.LECTURE,
        held_on=dt.date(2026, 2, 20),
        topic="专题党课",
        attendees=30,
    )
    row = next(r for r in org_life.org_life_year(2026, dt.date(2026, 7, 15)) if r.branch == branch)
    counts = {c.kind: c for c in row.counts}

    assert (counts["committee"].held, counts["committee"].required, counts["committee"].short) == (6, 6, False)
    assert (counts["lecture"].held, counts["lecture"].required) == (1, 2)
    assert counts["lecture"].short_periods == ["第2季度"]
    assert counts["lecture"].reason == "党课应每季度至少召开一次，第2季度未召开"
    assert counts["group"].short_periods == [f"{m}月" for m in range(1, 7)]
    assert row.short
    assert AuditEvent.objects.filter(verb="branch.org_life").count() == 7


@pytest.mark.parametrize("username", ["depthead", "staff", "secretary"])
def test_only_the_branch_or_the_party_office_records_org_life(people, branch, username):
    refused(
        403,
        services.org_life_record,
        actor=people(username),
        branch_id=branch.pk,
        kind=OrgLife.GROUP,
        held_on=dt.date(2026, 7, 1),
        topic="学习",
    )
    assert not BranchMeeting.objects.exists()


def test_a_meeting_to_come_or_without_topic_is_refused(people, branch):
    for held_on, topic in ((dt.date(2026, 7, 16), "学习"), (dt.date(2026, 7, 1), "　")):
        refused(
            409,
            services.org_life_record,
            actor=people("partyoffice"),
            branch_id=branch.pk,
            kind=OrgLife.GROUP,
            held_on=held_on,
            topic=topic,
        )


# --- the grade and the party office's screen ---------------------------------------------------


def test_the_annual_grade_comes_from_the_years_checks(people, items, branch):
    for month, met in ((4, {items[0].pk: True, items[1].pk: True}), (5, {items[0].pk: True})):
        services.branch_check_record(actor=people("partyoffice"), branch_id=branch.pk, year=2026, month=month, met=met)
    row = next(r for r in selectors.branch_year(2026).rows if r.branch == branch)
    assert (row.annual, row.grade) == (80, "良好")
    assert selectors.grade(None) == "未检查" and selectors.grade(59.9) == "不合格"


def test_the_party_office_screen_shows_grades_short_branches_and_open_rectification(client, people, items, branch):
    services.branch_check_record(actor=people("partyoffice"), branch_id=branch.pk, year=2026, month=6, met={})
    client.force_login(people("partyoffice"))
    html = client.get("/").content.decode()
    assert 'data-testid="branch-panel"' in html
    assert "不合格 1" in html
    assert "整改任务未办结 2 项" in html
    assert "机关第一党支部：" in html and "党课应每季度至少召开一次" in html

    client.force_login(people("staff"))
    assert 'data-testid="branch-panel"' not in client.get("/").content.decode()


# --- pages ---------------------------------------------------------------------------------------


def test_the_pages_record_org_life_self_checks_and_show_rectification(
    client, people, items, branch, secretary_of_branch
):
    client.force_login(secretary_of_branch)
    r = client.post(
        "/branches/org-life/new/",
        {"branch": branch.pk, "kind": "members", "held_on": "2026-07-01", "topic": "支部党员大会", "attendees": "12"},
    )
    assert r.status_code == 302
    assert BranchMeeting.objects.get().recorded_by == secretary_of_branch
    html = client.get("/branches/org-life/?year=2026").content.decode()
    assert "机关第一党支部" in html and "智能制造学院党支部" not in html  # only the branch he keeps
    assert 'data-testid="short"' in html

    r = client.post(
        "/branches/self-check/", {"branch": branch.pk, "year": 2026, "month": 6, f"item_{items[1].pk}": "on"}
    )
    assert r.status_code == 302
    assert BranchCheck.objects.get(kind="self").score == 40

    client.force_login(people("partyoffice"))
    r = client.post(
        "/branches/check/",
        {"branch": branch.pk, "year": 2026, "month": 6, f"item_{items[1].pk}": "on", "rectify_by": "2026-08-01"},
    )
    assert r.status_code == 302
    check = BranchCheck.objects.get(kind="office")
    html = client.get(f"/branches/checks/{check.pk}/").content.decode()
    assert 'data-testid="rectification"' in html and "2026-08-01" in html
    html = client.get("/branches/?year=2026").content.decode()
    assert 'data-testid="grade"' in html and "1/1" in html


def test_org_life_pages_refuse_who_keeps_no_branch(client, people):
    client.force_login(people("staff"))
    assert client.get("/branches/org-life/").status_code == 403
    assert client.get("/branches/org-life/new/").status_code == 403
    assert client.get("/branches/self-check/").status_code == 403
    r = client.post("/branches/org-life/new/", {"topic": ""})
    assert r.status_code == 403
