"""The supervision services （四督查） from the outside, adversarially: every (state × step) of the
transition table, who may take each step, the rules on creating, reporting and reviewing,
progress from milestones, the item's closure （办结）， 两议， escalation, urging, bulk actions,
notifications and the append-only history."""

import datetime as dt
import hashlib
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from core.errors import InvalidTransition
from core.models import AuditEvent, Notification, Reminder
from decisions.models import AgendaItem, MajorKind
from decisions.models import State as ItemState
from meetings import services as meeting_services
from meetings.models import AgendaEntry, Resolution
from org.models import Department, User
from supervision import services
from supervision.jobs import remind_tasks
from supervision.models import (
    TRANSITIONS,
    Evidence,
    Follow,
    Milestone,
    ProgressReport,
    ReportReview,
    Task,
    TaskEscalation,
)
from supervision.selectors import progress_of, tasks_with_progress
from supervision.selectors.tasks import with_progress
from supervision.services.patrols import finding_record
from tests.factories import (
    all_opinions,
    at_state,
    closed_task,
    evidence_file,
    head_of,
    meeting_for,
    reported_task,
    resolution_task,
    running_meeting,
    supervisor_of,
    vote_all,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = Task.State

# The table as docs/architecture.md states it; the model's TRANSITIONS must be exactly this.
EXPECTED = {
    "report": ({S.ASSIGNED, S.IN_PROGRESS, S.RETURNED}, S.REPORTED),
    "accept": ({S.REPORTED}, S.IN_PROGRESS),
    "close": ({S.REPORTED}, S.CLOSED),
    "return": ({S.REPORTED}, S.RETURNED),
}


# --- helpers ---------------------------------------------------------------------------------------


def refused(status: int, call, /, contains: str = "", **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(**kwargs)
    assert caught.value.status == status, caught.value.reason
    assert contains in caught.value.reason, caught.value.reason
    return caught.value


def snapshot(task: Task | None = None) -> dict:
    counts = {
        model.__name__: model.objects.count()
        for model in (Task, Milestone, ProgressReport, Evidence, ReportReview, TaskEscalation, AuditEvent, Reminder)
    }
    counts["milestones done"] = Milestone.objects.filter(done_at__isnull=False).count()
    counts["items closed"] = AgendaItem.objects.filter(state=ItemState.CLOSED).count()
    if task is not None:
        counts["task"] = Task.objects.values("state", "version", "escalation_level", "closed_at").get(pk=task.pk)
    return counts


@contextmanager
def writes_nothing(task: Task | None = None):
    """Nothing is added or changed: no report, review, evidence, escalation, audit event, reminder."""
    before = snapshot(task)
    yield
    assert snapshot(task) == before


def resolved(people, submitter: str = "staff", **fields) -> AgendaItem:
    return at_state(ItemState.RESOLVED, submitter=people(submitter), **fields)


def new_task(people, **kw) -> Task:
    """A task on a fresh PC resolution: track 任务布置 （纪委）， lead 教务处 (depthead), leader member1."""
    return resolution_task(resolved(people).resolutions.get(), **kw)


def letter_task(people, **kw) -> Task:
    letter = services.letter_write(actor=people("teacher"), subject="食堂排队", body="午餐排队太久。")
    return services.task_create(
        actor=people("secretary"),
        letter_id=letter.pk,
        track=kw.pop("track", "task"),
        title="缩短食堂排队时间",
        lead_department_id=Department.objects.get(name=kw.pop("department", "教务处")).pk,
        responsible_leader_id=people("member1").pk,
        deadline=timezone.localdate() + dt.timedelta(days=kw.pop("days", 10)),
        **kw,
    )


def patrol_task(people, **kw) -> Task:
    leader = people("member1")
    finding = finding_record(actor=leader, patrolled_on=timezone.localdate(), place="实训楼", text="消防通道堆物")
    return services.task_create(
        actor=leader,
        finding_id=finding.pk,
        track=kw.pop("track", "task"),
        title="清理消防通道",
        lead_department_id=Department.objects.get(name="教务处").pk,
        responsible_leader_id=leader.pk,
        deadline=timezone.localdate() + dt.timedelta(days=kw.pop("days", 10)),
        **kw,
    )


def create_kwargs(people, resolution, **overrides) -> dict:
    kwargs = {
        "actor": people("discipline"),
        "resolution_id": resolution.pk,
        "track": "task",
        "title": "落实决议",
        "lead_department_id": Department.objects.get(name="教务处").pk,
        "responsible_leader_id": people("member1").pk,
        "deadline": day(30),
    }
    return {**kwargs, **overrides}


def report(task: Task, text: str = "本周进展情况。", **kw) -> ProgressReport:
    """The lead department's head (or `actor`) reports on `task`."""
    return services.task_report(actor=kw.pop("actor", None) or head_of(task), task_id=task.pk, text=text, **kw)


def final(task: Task, **kw) -> ProgressReport:
    return report(task, "已全部完成。", is_final=True, files=[evidence_file()], **kw)


def review(task: Task, decision: str, comment: str = "意见", **kw) -> ReportReview:
    return services.task_review(
        actor=kw.pop("actor", None) or supervisor_of(task), task_id=task.pk, decision=decision, comment=comment, **kw
    )


def bring_to(task: Task, state: str) -> Task:
    """`task` moved to `state` by real steps. A reported task carries a final report with evidence,
    so that every review decision is possible from it."""
    if state == S.CLOSED:
        return closed_task(task)
    if state != S.ASSIGNED:
        reported_task(task, final=True)
    if state == S.IN_PROGRESS:
        review(task, "accept")
    elif state == S.RETURNED:
        review(task, "return", "请补充照片")
    task.refresh_from_db()
    assert task.state == state
    return task


def take(step: str, task: Task):
    if step == "report":
        return report(task)
    return review(task, step)


def day(n: int) -> dt.date:
    """`n` days from today, school time."""
    return timezone.localdate() + dt.timedelta(days=n)


def at(date: dt.date, hour: int = 9):
    """The clock stopped at `hour` o'clock of `date`, school time."""
    return time_machine.travel(dt.datetime.combine(date, dt.time(hour), tzinfo=SHANGHAI), tick=False)


def milestone(task: Task, title: str) -> Milestone:
    return task.milestones.get(title=title)


# --- the transition table ---------------------------------------------------------------------------


def test_the_transition_table_is_the_documented_one():
    assert {step: (set(sources), target) for step, (sources, target) in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize("step", list(EXPECTED))
@pytest.mark.parametrize("state", list(S.values))
def test_every_state_and_step_either_moves_as_the_table_says_or_is_refused_writing_nothing(people, state, step):
    task = bring_to(new_task(people), state)
    sources, target = EXPECTED[step]

    if state in sources:
        events = AuditEvent.objects.filter(verb=f"task.{step}", target_id=task.pk)
        take(step, task)
        moved = Task.objects.get(pk=task.pk)
        assert (moved.state, moved.version) == (target, task.version + 1)
        assert events.filter(from_state=state, to_state=target).count() == 1
        assert (moved.closed_at is not None) == (target == S.CLOSED)
    else:
        with writes_nothing(task):
            refused(409, take, step=step, task=task)


@pytest.mark.parametrize("state", [S.ASSIGNED, S.IN_PROGRESS, S.RETURNED])
def test_a_report_from_an_open_state_writes_the_report_and_its_audit_event(people, state):
    task = bring_to(new_task(people), state)
    reports = ProgressReport.objects.filter(task=task).count()

    written = report(task, "  已完成方案起草。  ")

    assert ProgressReport.objects.filter(task=task).count() == reports + 1
    assert (written.author, written.text, written.is_final) == (people("depthead"), "已完成方案起草。", False)
    event = AuditEvent.objects.filter(verb="task.report", target_id=task.pk).latest("id")
    assert event.data["report"] == written.pk and event.actor == people("depthead")


@pytest.mark.parametrize("step", ["urge", "escalate"])
def test_a_closed_task_is_neither_urged_nor_escalated(people, step):
    task = closed_task(new_task(people))
    call = services.task_urge if step == "urge" else services.task_escalate
    extra = {"note": "请尽快"} if step == "urge" else {"reason": "不落实"}

    with writes_nothing(task):
        refused(409, call, "已办结", actor=people("discipline"), task_id=task.pk, **extra)


def test_an_unknown_task_is_404(people):
    refused(404, services.task_report, actor=people("depthead"), task_id=987654, text="进展")
    refused(404, services.task_review, actor=people("discipline"), task_id=987654, decision="accept")
    refused(404, services.task_escalate, actor=people("discipline"), task_id=987654, reason="不落实")


# --- who may take each step -----------------------------------------------------------------------


@pytest.mark.parametrize("username", ["staff", "finance", "dean", "teacher", "discipline", "member1", "partyoffice"])
def test_only_the_lead_departments_head_reports(people, username):
    task = new_task(people)

    with writes_nothing(task):
        refused(403, report, task=task, actor=people(username))
        refused(403, final, task=task, actor=people(username))


@pytest.mark.parametrize(
    "track, username",
    [
        ("task", "affairsoffice"),
        ("task", "partyoffice"),
        ("task", "secretary"),
        ("task", "depthead"),
        ("performance", "discipline"),
        ("performance", "partyoffice"),
        ("project", "discipline"),
        ("branch", "affairsoffice"),
        ("branch", "discipline"),
    ],
)
@pytest.mark.parametrize("decision", ["accept", "close", "return"])
def test_a_report_is_reviewed_only_by_its_tracks_supervisor(people, track, username, decision):
    task = reported_task(new_task(people, track=track), final=True)

    with writes_nothing(task):
        refused(403, review, task=task, decision=decision, actor=people(username))


@pytest.mark.parametrize(
    "track, username",
    [("task", "discipline"), ("performance", "affairsoffice"), ("project", "affairsoffice"), ("branch", "partyoffice")],
)
def test_each_tracks_supervisor_closes_its_tasks(people, track, username):
    task = reported_task(new_task(people, track=track), final=True)

    review(task, "close", actor=people(username))

    assert Task.objects.get(pk=task.pk).state == S.CLOSED
    assert ReportReview.objects.get(report__task=task).reviewer == people(username)


@pytest.mark.parametrize("username", ["staff", "depthead", "finance", "teacher", "principal", "secretary", "member1"])
def test_only_the_offices_and_the_discipline_secretary_assign_tasks_on_a_resolution(people, username):
    resolution = resolved(people).resolutions.get()

    with writes_nothing():
        refused(403, services.task_create, **create_kwargs(people, resolution, actor=people(username)))


@pytest.mark.parametrize("username", ["partyoffice", "affairsoffice", "discipline"])
def test_the_offices_and_the_discipline_secretary_assign_tasks(people, username):
    resolution = resolved(people).resolutions.get()

    task = services.task_create(**create_kwargs(people, resolution, actor=people(username)))

    assert (task.source, task.resolution, task.item, task.state) == (
        "resolution",
        resolution,
        resolution.item,
        S.ASSIGNED,
    )
    assert task.created_by == people(username) and task.version == 1 and task.escalation_level == 0
    assert AuditEvent.objects.filter(verb="task.create", target_id=task.pk, actor=people(username)).count() == 1


@pytest.mark.parametrize("username", ["depthead", "affairsoffice", "partyoffice", "member1", "secretary"])
@pytest.mark.parametrize("step", ["urge", "escalate"])
def test_only_the_tracks_supervisor_urges_or_escalates(people, username, step):
    task = new_task(people)  # 任务布置: 纪委
    call = services.task_urge if step == "urge" else services.task_escalate
    extra = {"note": "请尽快"} if step == "urge" else {"reason": "不落实"}

    with writes_nothing(task):
        refused(403, call, actor=people(username), task_id=task.pk, **extra)


# --- creating: the rules --------------------------------------------------------------------------


def test_a_deadline_in_the_past_is_refused_today_is_not(people):
    resolution = resolved(people).resolutions.get()
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    with writes_nothing():
        refused(409, services.task_create, "完成时限", **create_kwargs(people, resolution, deadline=yesterday))
    task = services.task_create(**create_kwargs(people, resolution, deadline=timezone.localdate()))
    assert task.deadline == timezone.localdate()


def test_a_milestone_due_after_the_deadline_is_refused(people):
    resolution = resolved(people).resolutions.get()
    deadline = day(10)
    late = services.MilestoneSpec("验收", deadline + dt.timedelta(days=1))

    with writes_nothing():
        refused(
            409,
            services.task_create,
            "晚于任务完成时限",
            **create_kwargs(people, resolution, deadline=deadline, milestones=[late]),
        )
    on_time = services.MilestoneSpec("验收", deadline)
    task = services.task_create(**create_kwargs(people, resolution, deadline=deadline, milestones=[on_time]))
    assert list(task.milestones.values_list("title", "due")) == [("验收", deadline)]


@pytest.mark.parametrize("spec", [("", 3, 1), ("  ", 3, 1), ("节点", 3, 0)])
def test_a_milestone_needs_a_title_and_a_positive_weight(people, spec):
    resolution = resolved(people).resolutions.get()
    title, days, weight = spec
    bad = services.MilestoneSpec(title, timezone.localdate() + dt.timedelta(days=days), weight)

    with writes_nothing():
        refused(409, services.task_create, **create_kwargs(people, resolution, milestones=[bad]))


@pytest.mark.parametrize("username", ["depthead", "staff", "partyoffice", "affairsoffice", "admin"])
def test_a_responsible_leader_who_is_not_a_school_leader_is_refused(people, username):
    resolution = resolved(people).resolutions.get()

    with writes_nothing():
        refused(
            409,
            services.task_create,
            "责任领导",
            **create_kwargs(people, resolution, responsible_leader_id=people(username).pk),
        )


def test_an_inactive_leader_or_department_is_refused(people):
    resolution = resolved(people).resolutions.get()
    User.objects.filter(username="vice").update(is_active=False)
    Department.objects.filter(name="财务处").update(active=False)

    with writes_nothing():
        refused(409, services.task_create, **create_kwargs(people, resolution, responsible_leader_id=people("vice").pk))
        refused(
            409,
            services.task_create,
            "牵头部门",
            **create_kwargs(people, resolution, lead_department_id=Department.objects.get(name="财务处").pk),
        )


@pytest.mark.parametrize("field, value", [("title", "   "), ("track", "sports"), ("deadline", None)])
def test_a_task_needs_a_title_a_known_track_and_a_deadline(people, field, value):
    resolution = resolved(people).resolutions.get()

    with writes_nothing():
        refused(409, services.task_create, **create_kwargs(people, resolution, **{field: value}))


def test_a_task_comes_from_exactly_one_source(people):
    resolution = resolved(people).resolutions.get()
    letter = services.letter_write(actor=people("staff"), subject="建议", body="内容")

    with writes_nothing():
        refused(409, services.task_create, "一项决议", **create_kwargs(people, resolution, letter_id=letter.pk))
        refused(409, services.task_create, "一项决议", **create_kwargs(people, resolution, resolution_id=None))
        refused(404, services.task_create, **create_kwargs(people, resolution, resolution_id=987654))


def test_milestones_are_kept_in_order_of_due_date(people):
    task = new_task(
        people,
        milestones=[("验收", day(20), 1), ("招标", day(5), 2)],
    )

    assert list(task.milestones.values_list("title", "position", "weight")) == [("招标", 0, 2), ("验收", 1, 1)]


def test_a_confidential_resolutions_task_is_confidential(people):
    item = resolved(people, confidential=True)

    task = resolution_task(item.resolutions.get())

    assert task.confidential


# --- reporting: the rules --------------------------------------------------------------------------


def test_a_final_report_without_evidence_is_refused(people):
    task = new_task(people)

    with writes_nothing(task):
        refused(409, report, "佐证材料", task=task, is_final=True)


def test_a_report_needs_its_text(people):
    task = new_task(people)

    with writes_nothing(task):
        refused(409, report, "进展情况", task=task, text="   ")


def test_evidence_of_a_refused_type_refuses_the_whole_report(people):
    task = new_task(people)
    good, bad = evidence_file(), evidence_file("setup.exe")

    with writes_nothing(task):
        refused(409, report, "不支持的文件类型", task=task, is_final=True, files=[good, bad])


def test_one_report_waits_for_review_at_a_time(people):
    task = reported_task(new_task(people))

    with writes_nothing(task):
        refused(409, report, "尚待审核", task=task, text="又一份")
        refused(409, final, "尚待审核", task=task)


def test_milestones_of_another_task_or_already_done_are_refused(people):
    task = new_task(people, milestones=[("方案", day(5), 1)])
    other = new_task(people, milestones=[("别的", day(5), 1)])
    mine, theirs = milestone(task, "方案"), milestone(other, "别的")

    with writes_nothing(task):
        refused(409, report, "不属于本任务", task=task, milestone_ids=[theirs.pk])
        refused(409, report, "不属于本任务", task=task, milestone_ids=[mine.pk, theirs.pk])

    report(task, "方案完成", milestone_ids=[mine.pk])
    review(task, "accept")
    with writes_nothing(task):
        refused(409, report, "已完成", task=task, milestone_ids=[mine.pk])


def test_a_final_report_claims_every_open_milestone(people):
    task = new_task(people, milestones=[("一", day(3), 1), ("二", day(6), 1)])

    written = final(task)

    assert sorted(written.milestones_done) == sorted(task.milestones.values_list("pk", flat=True))
    (evidence,) = written.evidence.all()
    assert (evidence.name, evidence.size, evidence.content_type) == ("佐证材料.pdf", 17, "application/pdf")
    assert evidence.sha256 == hashlib.sha256(b"%PDF-1.4 evidence").hexdigest()
    assert evidence.file.read() == b"%PDF-1.4 evidence"


# --- reviewing: the rules --------------------------------------------------------------------------


@pytest.mark.parametrize("comment", ["", "   "])
def test_returning_needs_a_written_reason(people, comment):
    task = reported_task(new_task(people))

    with writes_nothing(task):
        refused(409, review, "退回须写明", task=task, decision="return", comment=comment)


def test_closing_on_a_report_that_is_not_final_is_refused(people):
    task = reported_task(new_task(people))

    with writes_nothing(task):
        refused(409, review, "办结报告", task=task, decision="close")


@pytest.mark.parametrize("decision, rating", [("reject", ""), ("accept", "superb")])
def test_an_unknown_decision_or_rating_is_refused(people, decision, rating):
    task = reported_task(new_task(people))

    with writes_nothing(task):
        refused(409, review, task=task, decision=decision, rating=rating)


def test_a_review_of_a_stale_report_is_refused(people):
    task = reported_task(new_task(people))
    first = ProgressReport.objects.get(task=task)
    review(task, "return", "请补充数据")
    second = report(task, "补充了数据")
    other_task = reported_task(new_task(people))
    elsewhere = ProgressReport.objects.get(task=other_task)

    with writes_nothing(task):
        refused(409, review, "已变化", task=task, decision="accept", report_id=first.pk)
        refused(409, review, "已变化", task=task, decision="accept", report_id=elsewhere.pk)
    answer = review(task, "accept", report_id=second.pk)
    assert answer.report == second


def test_accepting_marks_done_exactly_the_milestones_the_report_names(people):
    task = new_task(people, milestones=[("一", day(3), 1), ("二", day(6), 1)])
    one, two = milestone(task, "一"), milestone(task, "二")

    written = report(task, "一完成", milestone_ids=[one.pk])
    review(task, "accept", rating="good")

    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.done_report, one.done_at is not None) == (written, True)
    assert (two.done_report, two.done_at) == (None, None)
    assert ReportReview.objects.get(report=written).rating == "good"


def test_returning_marks_no_milestone_done(people):
    task = new_task(people, milestones=[("一", day(3), 1)])
    report(task, "一完成", milestone_ids=[milestone(task, "一").pk])

    review(task, "return", "材料不实")

    assert not Milestone.objects.filter(task=task, done_at__isnull=False).exists()
    assert Task.objects.get(pk=task.pk).state == S.RETURNED


def test_closing_marks_every_milestone_done(people):
    task = new_task(people, milestones=[("一", day(3), 1), ("二", day(6), 2)])

    closed_task(task)

    assert not Milestone.objects.filter(task=task, done_at__isnull=True).exists()
    assert progress_of(Task.objects.get(pk=task.pk)).percent == 100


# --- progress ------------------------------------------------------------------------------------


def test_progress_is_the_done_weight_over_the_total_weight(people):
    task = new_task(people, milestones=[("小", day(3), 1), ("大", day(6), 3)])
    assert progress_of(task).percent == 0

    report(task, "小完成", milestone_ids=[milestone(task, "小").pk])
    review(task, "accept")
    task = Task.objects.get(pk=task.pk)
    assert (progress_of(task).done_weight, progress_of(task).total_weight, progress_of(task).percent) == (1, 4, 25)

    closed_task(task)
    assert progress_of(Task.objects.get(pk=task.pk)).percent == 100


def test_a_task_without_milestones_is_zero_until_it_closes(people):
    task = bring_to(new_task(people), S.IN_PROGRESS)
    assert progress_of(task).percent == 0
    assert progress_of(closed_task(task)).percent == 100


def test_the_list_annotations_agree_with_the_milestones(people, django_assert_num_queries):
    soon, later = day(3), day(6)
    resolution = resolved(people).resolutions.get()
    bare = resolution_task(resolution, title="无节点")
    quarter = resolution_task(resolution, title="四分之一", milestones=[("小", soon, 1), ("大", later, 3)])
    third = resolution_task(resolution, title="三分之一", milestones=[("a", soon, 1), ("b", soon, 1), ("c", later, 1)])
    untouched = resolution_task(resolution, title="未开始", milestones=[("x", soon, 2), ("y", later, 5)])
    finished = closed_task(resolution_task(resolution, title="已办结", milestones=[("z", soon, 4)]))
    for task, names in ((quarter, ["小"]), (third, ["a"])):
        ids = [milestone(task, n).pk for n in names]
        report(task, milestone_ids=ids)
        review(task, "accept")
    all_done = resolution_task(resolution, title="节点全部完成", milestones=[("p", soon, 1)])
    report(all_done, milestone_ids=[milestone(all_done, "p").pk])
    review(all_done, "accept")
    waiting = resolution_task(resolution, title="待审核", milestones=[("w", day(3), 1)])
    report(waiting, milestone_ids=[milestone(waiting, "w").pk])  # claimed, not yet accepted

    user = people("discipline")
    user.roles  # noqa: B018 - roles loaded before counting
    with django_assert_num_queries(1):  # the tasks with both weight subqueries
        listed = {t.title: progress_of(t) for t in tasks_with_progress(user)}

    expected = {
        "无节点": 0,
        "四分之一": 25,
        "三分之一": 33,
        "未开始": 0,
        "已办结": 100,
        "节点全部完成": 100,
        "待审核": 0,
    }
    assert {title: p.percent for title, p in listed.items()} == expected
    assert {t.title for t in tasks_with_progress(user) if t.waiting} == {"待审核"}
    for task in (bare, quarter, third, untouched, finished, all_done, waiting):
        assert listed[task.title] == progress_of(Task.objects.get(pk=task.pk))  # computed from the milestones
    assert {t.pk: (t.done_weight, t.total_weight) for t in with_progress(Task.objects.all())}[quarter.pk] == (1, 4)


# --- closing the item (决策—执行—反馈—办结) ---------------------------------------------------------


def second_resolution(item: AgendaItem) -> Resolution:
    """The flow issues one resolution per item; a second one (a later PC meeting settling more of
    the same matter) is written directly so that the closure rule can be tested across two."""
    first = item.resolutions.get()
    meeting = meeting_for("PC", days_ahead=10)
    entry = AgendaEntry.objects.create(
        meeting=meeting, item=item, position=1, outcome="passed", decided_at=timezone.now(), decided_by=first.issued_by
    )
    return Resolution.objects.create(
        body=first.body,
        year=first.year,
        seq=first.seq + 1,
        number=f"{first.number}之二",
        meeting=meeting,
        entry=entry,
        item=item,
        outcome="passed",
        text="补充决议",
        issued_by=first.issued_by,
    )


def closes(item: AgendaItem) -> int:
    return AuditEvent.objects.filter(verb="item.close", target_id=item.pk).count()


def test_the_item_closes_once_when_every_task_of_every_resolution_is_closed(people):
    item = resolved(people)
    first, second = item.resolutions.get(), second_resolution(item)
    tasks = [
        resolution_task(first, title="甲"),
        resolution_task(first, title="乙", track="project", department="财务处"),
        resolution_task(second, title="丙", track="branch"),
        resolution_task(second, title="丁"),
    ]

    for task in tasks[:-1]:
        closed_task(task)
        assert AgendaItem.objects.get(pk=item.pk).state == ItemState.RESOLVED
        assert closes(item) == 0
    reported_task(tasks[-1], final=True)
    review(tasks[-1], "accept")  # accepted, not closed: the item stays open
    assert AgendaItem.objects.get(pk=item.pk).state == ItemState.RESOLVED

    closed_task(tasks[-1])

    item.refresh_from_db()
    assert item.state == ItemState.CLOSED
    assert closes(item) == 1
    event = AuditEvent.objects.get(verb="item.close", target_id=item.pk)
    assert (event.from_state, event.to_state, event.actor) == (
        ItemState.RESOLVED,
        ItemState.CLOSED,
        people("discipline"),
    )
    assert event.data == {"last_task": tasks[-1].pk} and "4" in event.reason


def test_a_closed_item_refuses_new_tasks(people):
    item = at_state(ItemState.CLOSED, submitter=people("staff"))

    with writes_nothing():
        refused(409, services.task_create, "已办结", **create_kwargs(people, item.resolutions.get()))


def test_refusing_a_task_on_a_closed_confidential_item_does_not_name_it(people):
    item = at_state(ItemState.CLOSED, submitter=people("staff"), confidential=True, title="某干部任免事项")
    resolution = item.resolutions.get()

    # 校务办 does not attend the PC and may not see the item: for it the resolution does not exist.
    caught = refused(404, services.task_create, **create_kwargs(people, resolution, actor=people("affairsoffice")))

    assert caught.reason == "决议不存在"
    # Who sees the item is told why, by the resolution's number.
    caught = refused(409, services.task_create, **create_kwargs(people, resolution, actor=people("partyoffice")))
    assert "某干部任免事项" not in caught.reason and resolution.number in caught.reason


@pytest.mark.parametrize("make", [letter_task, patrol_task])
def test_a_task_from_a_letter_or_a_patrol_closes_no_item(people, make):
    waiting = resolved(people)  # resolved, no tasks yet: nothing may close it by accident
    open_one = resolved(people)
    resolution_task(open_one.resolutions.get())

    task = closed_task(make(people))

    assert task.state == S.CLOSED and task.item_id is None
    assert not AuditEvent.objects.filter(verb="item.close").exists()
    assert set(AgendaItem.objects.filter(pk__in=[waiting.pk, open_one.pk]).values_list("state", flat=True)) == {
        ItemState.RESOLVED
    }


# --- 两议: nothing before the PC resolution ------------------------------------------------------------


def forwarded_to_pc(people) -> tuple[AgendaItem, AgendaEntry]:
    item = at_state(
        ItemState.READY,
        submitter=people("staff"),
        consultees=[people("member1")],
        body_code="PO",
        major_kind=MajorKind.FUNDS,
        amount=500000,
        title="关于购置实训设备的请示",
    )
    meeting, (entry,) = running_meeting([item], "PO")
    all_opinions(entry, meeting)
    vote_all(entry, meeting, "for")
    meeting_services.entry_decide(
        actor=people("affairsoffice"), entry_id=entry.pk, outcome="passed_to_pc", note="报党委会决议"
    )
    item.refresh_from_db()
    return item, entry


def test_an_item_the_po_passed_to_pc_has_no_resolution_and_no_task(people):
    item, po_entry = forwarded_to_pc(people)

    assert item.state == ItemState.READY and item.requested_body.code == "PC"
    assert not Resolution.objects.filter(item=item).exists()
    # Were a resolution ever to appear on the PO's entry, the task would still be refused.
    forged = Resolution.objects.create(
        body=po_entry.meeting.body,
        year=2099,
        seq=1,
        number="校长办公会〔2099〕1号",
        meeting=po_entry.meeting,
        entry=po_entry,
        item=item,
        outcome="passed_to_pc",
        text=item.proposal,
        issued_by=people("principal"),
    )
    for username in ("discipline", "affairsoffice", "partyoffice"):
        with writes_nothing():
            refused(
                409,
                services.task_create,
                "尚未形成决议",
                **create_kwargs(people, forged, actor=people(username)),
            )
    assert not Task.objects.filter(item=item).exists()


def test_after_the_pc_resolution_the_item_gets_its_tasks(people):
    item, _ = forwarded_to_pc(people)
    meeting, (entry,) = running_meeting([item], "PC")
    all_opinions(entry, meeting)
    vote_all(entry, meeting, "for")
    meeting_services.entry_decide(actor=people("partyoffice"), entry_id=entry.pk, outcome="passed")

    resolution = Resolution.objects.get(item=item)
    task = services.task_create(**create_kwargs(people, resolution))

    assert resolution.body.code == "PC" and task.resolution == resolution and task.item_id == item.pk


# --- escalation --------------------------------------------------------------------------------------


def test_the_supervisor_escalates_once(people, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""  # the on-commit jobs run here, in this process
    task = new_task(people)

    with django_capture_on_commit_callbacks(execute=True):
        escalation = services.task_escalate(actor=people("discipline"), task_id=task.pk, reason="  多次催办仍未落实 ")

    assert (escalation.task, escalation.level, escalation.by, escalation.reason) == (
        task,
        3,
        people("discipline"),
        "多次催办仍未落实",
    )
    assert Task.objects.get(pk=task.pk).escalation_level == 3
    keys = set(Reminder.objects.filter(key__startswith=f"task-escalation:{task.pk}:3:").values_list("key", flat=True))
    assert keys == {f"task-escalation:{task.pk}:3:{people(u).pk}" for u in ("secretary", "member1", "depthead")}

    with writes_nothing(task):
        refused(409, services.task_escalate, "已升级", actor=people("discipline"), task_id=task.pk, reason="再次升级")
    assert TaskEscalation.objects.filter(task=task).count() == 1


@pytest.mark.parametrize("reason", ["", "   "])
def test_escalating_needs_a_reason(people, reason):
    task = new_task(people)

    with writes_nothing(task):
        refused(409, services.task_escalate, "理由", actor=people("discipline"), task_id=task.pk, reason=reason)


def test_escalation_levels_only_rise(people):
    task = new_task(people, days=5)

    with at(task.deadline + dt.timedelta(days=1)):
        remind_tasks()
        assert Task.objects.get(pk=task.pk).escalation_level == 1
    with at(task.deadline + dt.timedelta(days=10)):
        remind_tasks()
        assert Task.objects.get(pk=task.pk).escalation_level == 2
        services.task_escalate(actor=people("discipline"), task_id=task.pk, reason="不落实")
    with at(task.deadline + dt.timedelta(days=40)):
        remind_tasks()

    assert Task.objects.get(pk=task.pk).escalation_level == 3
    levels = list(TaskEscalation.objects.filter(task=task).order_by("id").values_list("level", "by__username"))
    assert levels == [(1, None), (2, None), (3, "discipline")]


def test_a_task_escalated_by_hand_first_is_never_lowered_by_the_sweep(people):
    task = new_task(people, days=5)
    services.task_escalate(actor=people("discipline"), task_id=task.pk, reason="提前督办")

    with at(task.deadline + dt.timedelta(days=20)):
        remind_tasks()

    assert Task.objects.get(pk=task.pk).escalation_level == 3
    assert list(TaskEscalation.objects.filter(task=task).values_list("level", flat=True)) == [3]


# --- urging (催办) -----------------------------------------------------------------------------------


def urged(task: Task) -> list[tuple[str, str]]:
    rows = Reminder.objects.filter(key__startswith=f"task-urge:{task.pk}:").order_by("key")
    return [(r.key.split(":")[2], r.recipient.username) for r in rows.select_related("recipient")]


def test_urging_reminds_the_leader_and_the_head_once_a_day(people):
    task = new_task(people)
    day1, day2 = day(1), day(2)

    with at(day1, 9):
        assert services.task_urge(actor=people("discipline"), task_id=task.pk, note="请加快进度") == 2
    with at(day1, 17):
        assert services.task_urge(actor=people("discipline"), task_id=task.pk) == 0
    assert sorted(urged(task)) == [(day1.isoformat(), "depthead"), (day1.isoformat(), "member1")]
    with at(day2, 9):
        assert services.task_urge(actor=people("discipline"), task_id=task.pk) == 2

    assert len(urged(task)) == 4
    row = Reminder.objects.filter(key__startswith=f"task-urge:{task.pk}:").first()
    assert task.title in row.text and row.url == f"/supervision/tasks/{task.pk}/"


def test_urging_a_confidential_task_does_not_name_it(people):
    task = resolution_task(resolved(people, confidential=True).resolutions.get(), title="某专项核查")

    services.task_urge(actor=people("discipline"), task_id=task.pk)

    texts = list(Reminder.objects.filter(key__startswith=f"task-urge:{task.pk}:").values_list("text", flat=True))
    assert len(texts) == 2 and all("某专项核查" not in t and "涉密" in t for t in texts)


# --- bulk actions ----------------------------------------------------------------------------------


def test_bulk_accept_applies_the_allowed_and_returns_exactly_the_refused(people):
    resolution = resolved(people).resolutions.get()
    ok1 = reported_task(resolution_task(resolution, title="可通过一"))
    ok2 = reported_task(resolution_task(resolution, title="可通过二"))
    not_reported = resolution_task(resolution, title="未报送")
    other_track = reported_task(resolution_task(resolution, title="项目类", track="project"))
    missing = 987654

    refused_ = services.tasks_bulk(
        actor=people("discipline"),
        action="accept",
        task_ids=[ok1.pk, not_reported.pk, str(ok2.pk), other_track.pk, missing, ok1.pk],
    )

    assert [pk for pk, _ in refused_] == [not_reported.pk, other_track.pk, missing]
    reasons = dict(refused_)
    assert "不能执行此操作" in reasons[not_reported.pk]
    assert "督查部门" in reasons[other_track.pk]
    assert "不存在" in reasons[missing]
    states = dict(Task.objects.values_list("pk", "state"))
    assert (states[ok1.pk], states[ok2.pk]) == (S.IN_PROGRESS, S.IN_PROGRESS)
    assert (states[not_reported.pk], states[other_track.pk]) == (S.ASSIGNED, S.REPORTED)
    assert ReportReview.objects.filter(report__task=ok1).count() == 1  # listed twice, accepted once


def test_bulk_close_closes_final_reports_only(people):
    resolution = resolved(people).resolutions.get()
    final = reported_task(resolution_task(resolution, title="办结"), final=True)
    progress = reported_task(resolution_task(resolution, title="进展"))

    refused_ = services.tasks_bulk(
        actor=people("discipline"), action="close", task_ids=[final.pk, progress.pk], comment="同意"
    )

    assert [(pk, "办结报告" in reason) for pk, reason in refused_] == [(progress.pk, True)]
    assert Task.objects.get(pk=final.pk).state == S.CLOSED
    assert Task.objects.get(pk=progress.pk).state == S.REPORTED
    assert AgendaItem.objects.get(pk=resolution.item_id).state == ItemState.RESOLVED


def test_bulk_escalate_refuses_the_escalated_and_the_closed(people):
    resolution = resolved(people).resolutions.get()
    fresh = resolution_task(resolution, title="新")
    already = resolution_task(resolution, title="已升级")
    services.task_escalate(actor=people("discipline"), task_id=already.pk, reason="不落实")
    done = closed_task(resolution_task(resolution, title="已办结"))

    refused_ = services.tasks_bulk(
        actor=people("discipline"), action="escalate", task_ids=[fresh.pk, already.pk, done.pk], comment="长期未落实"
    )

    assert [pk for pk, _ in refused_] == [already.pk, done.pk]
    assert dict(Task.objects.values_list("pk", "escalation_level")) == {fresh.pk: 3, already.pk: 3, done.pk: 0}
    assert TaskEscalation.objects.filter(task=fresh, reason="长期未落实").count() == 1


def test_bulk_escalate_without_a_reason_escalates_nothing(people):
    resolution = resolved(people).resolutions.get()
    tasks = [resolution_task(resolution, title=t) for t in ("一", "二")]

    with writes_nothing():
        refused_ = services.tasks_bulk(actor=people("discipline"), action="escalate", task_ids=[t.pk for t in tasks])

    assert [pk for pk, _ in refused_] == [t.pk for t in tasks]
    assert all("理由" in reason for _, reason in refused_)


def test_bulk_urge_skips_closed_tasks(people):
    resolution = resolved(people).resolutions.get()
    open_ = resolution_task(resolution, title="进行中")
    done = closed_task(resolution_task(resolution, title="已办结"))

    refused_ = services.tasks_bulk(actor=people("discipline"), action="urge", task_ids=[done.pk, open_.pk])

    assert [pk for pk, _ in refused_] == [done.pk]
    assert {u for _, u in urged(open_)} == {"member1", "depthead"} and urged(done) == []


@pytest.mark.parametrize("action", ["return", "delete", ""])
def test_an_unknown_bulk_action_is_refused(people, action):
    task = reported_task(new_task(people))

    with writes_nothing(task):
        refused(409, services.tasks_bulk, actor=people("discipline"), action=action, task_ids=[task.pk])


# --- following and notifications ----------------------------------------------------------------------


def test_following_is_once_and_can_be_undone(people):
    item = resolved(people)
    leader = people("member2")

    assert services.item_follow(actor=leader, item_id=item.pk, follow=True) is True
    services.item_follow(actor=leader, item_id=item.pk, follow=True)
    assert Follow.objects.filter(item=item, person=leader).count() == 1
    assert services.item_follow(actor=leader, item_id=item.pk, follow=False) is False
    assert not Follow.objects.filter(item=item, person=leader).exists()


def notified(key_prefix: str) -> set[str]:
    return set(Notification.objects.filter(key__startswith=key_prefix).values_list("recipient__username", flat=True))


def test_the_next_actor_the_submitter_and_followers_are_told_once(people, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""  # the on-commit jobs run here, in this process
    item = resolved(people, submitter="staff")
    services.item_follow(actor=people("vice"), item_id=item.pk, follow=True)

    with django_capture_on_commit_callbacks(execute=True):
        task = resolution_task(item.resolutions.get())
    assert notified(f"task:{task.pk}:v1:create") == {"member1", "depthead", "staff", "vice"}

    with django_capture_on_commit_callbacks(execute=True):
        reported_task(task)
    task.refresh_from_db()
    assert notified(f"task:{task.pk}:v2:report") == {"discipline", "staff", "vice"}

    before = Notification.objects.count()
    assert services.notify_task_step(task.pk, "report", 2, S.REPORTED) == 0  # the job, run again
    assert services.notify_task_step(task.pk, "create", 1, S.ASSIGNED) == 0
    assert Notification.objects.count() == before


def test_followers_of_a_confidential_task_are_not_told(people, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""
    item = resolved(people, submitter="staff", confidential=True)
    services.item_follow(actor=people("member2"), item_id=item.pk, follow=True)

    with django_capture_on_commit_callbacks(execute=True):
        task = resolution_task(item.resolutions.get(), title="涉密任务甲")

    assert notified(f"task:{task.pk}:") == {"member1", "depthead"}


# --- append-only history -------------------------------------------------------------------------------


CHANGES = {
    ProgressReport: ("text", "改过的"),
    Evidence: ("name", "改过的.pdf"),
    ReportReview: ("comment", "改过的"),
    TaskEscalation: ("reason", "改过的"),
}


def history(people) -> dict:
    """One row of each append-only model of supervision."""
    task = reported_task(new_task(people), final=True)
    review(task, "accept")
    services.task_escalate(actor=people("discipline"), task_id=task.pk, reason="不落实")
    report = ProgressReport.objects.get(task=task)
    return {
        ProgressReport: report,
        Evidence: report.evidence.get(),
        ReportReview: ReportReview.objects.get(report=report),
        TaskEscalation: TaskEscalation.objects.get(task=task),
    }


@pytest.mark.parametrize("model", list(CHANGES), ids=lambda m: m.__name__)
def test_the_orm_refuses_to_change_or_remove_the_history(people, model):
    row = history(people)[model]
    field, value = CHANGES[model]
    original = getattr(row, field)
    setattr(row, field, value)
    attempts = [
        row.save,
        lambda: row.save(update_fields=[field]),
        row.delete,
        lambda: model.objects.filter(pk=row.pk).update(**{field: value}),
        lambda: model.objects.update(**{field: value}),
        lambda: model.objects.bulk_update([row], [field]),
        lambda: model.objects.update_or_create(pk=row.pk, defaults={field: value}),
        lambda: model.objects.filter(pk=row.pk).delete(),
        lambda: model.objects.all().delete(),
    ]
    for attempt in attempts:
        # A savepoint each: bulk_update's own atomic block marks the enclosing one broken.
        with pytest.raises(TypeError, match="append-only"), transaction.atomic():
            attempt()
    assert model.objects.filter(pk=row.pk, **{field: original}).exists()


@pytest.mark.postgres
def test_postgres_refuses_to_change_or_remove_the_history(people):
    for model, row in history(people).items():
        table, column = model._meta.db_table, model._meta.get_field(CHANGES[model][0]).column
        # Table and column names come from the models, not from input.
        update = f"UPDATE {table} SET {column} = %s WHERE id = %s"  # noqa: S608
        delete = f"DELETE FROM {table} WHERE id = %s"  # noqa: S608
        for sql, params in ((update, ["x", row.pk]), (delete, [row.pk])):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
                c.execute(sql, params)
        assert model.objects.filter(pk=row.pk).exists()


def test_nobody_reviews_their_own_report(people):
    """The party office heads 党委办公室 and supervises the branch track: its own report on a
    branch task waits for another supervisor."""
    item = at_state(ItemState.RESOLVED, submitter=people("staff"))
    task = services.task_create(
        actor=people("discipline"),
        resolution_id=item.resolutions.get().pk,
        track="branch",
        title="支部标准化建设",
        lead_department_id=Department.objects.get(name="党委办公室").pk,
        responsible_leader_id=people("member2").pk,
        deadline=timezone.localdate() + dt.timedelta(days=20),
    )
    services.task_report(actor=people("partyoffice"), task_id=task.pk, text="已完成自查")
    with pytest.raises(InvalidTransition) as caught:
        services.task_review(actor=people("partyoffice"), task_id=task.pk, decision="accept")
    assert caught.value.status == 403 and "本人" in caught.value.reason


def test_a_milestone_due_before_today_or_an_id_that_is_no_number_is_refused(people):
    item = at_state(ItemState.RESOLVED, submitter=people("staff"))
    with pytest.raises(InvalidTransition, match="不能早于今天"):
        resolution_task(
            item.resolutions.get(), milestones=[("已过期节点", timezone.localdate() - dt.timedelta(days=1), 1)]
        )
    task = resolution_task(item.resolutions.get())
    with pytest.raises(InvalidTransition) as caught:
        services.task_report(actor=people("depthead"), task_id=task.pk, text="进展", milestone_ids=["x"])
    assert caught.value.status == 409
    assert services.tasks_bulk(actor=people("discipline"), action="urge", task_ids=[task.pk]) == []
    with pytest.raises(InvalidTransition):
        services.tasks_bulk(actor=people("discipline"), action="urge", task_ids=["1; DROP TABLE"])
