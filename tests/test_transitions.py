"""The transition tables (core.transitions): every stateful model has one, the services obey it
(who first, then the state), the pages' buttons come from it, and docs/architecture.md shows it.

The walks take each state-changing row of a table through its service: an allowed person
succeeds (the state moves, the row's audit verb is written) and a refused one gets 403 with the
reason, whatever the record's state. The agenda item's page steps are walked row by row in
tests/test_item_transitions.py (it iterates the same table, decisions.models.STEPS).
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.errors import InvalidTransition
from core.models import AuditEvent
from core.transitions import REGISTRY, Move, Transitions, allowed_actions, check_references, stateful_models
from decisions.models import ITEM_TRANSITIONS, Category, State
from meetings import services as meeting_services
from meetings.models import Meeting, Minutes, Resolution
from meetings.transitions import MEETING_TRANSITIONS, MINUTES_TRANSITIONS
from notices import services as notice_services
from notices.models import NOTICE_TRANSITIONS, Notice
from org.models import User
from supervision import services as supervision_services
from supervision.models import LETTER_TRANSITIONS, TASK_TRANSITIONS, Letter, Task
from tests.factories import (
    at_state,
    closed_task,
    head_of,
    meeting_for,
    organizer_of,
    reported_task,
    resolution_task,
    running_meeting,
    supervisor_of,
    with_materials,
)

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def refused(status: int, fn, **kwargs) -> str:
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidTransition) as exc:
        fn(**kwargs)
    assert exc.value.status == status, exc.value.reason
    assert AuditEvent.objects.count() == events, "a refused step writes nothing"
    return exc.value.reason


def moved(table: Transitions, action: str, obj, before: str, actor) -> None:
    """The row's audit verb was written by `actor`, from `before` to the row's target state."""
    obj.refresh_from_db()
    move = table[action]
    assert before in move.sources
    assert getattr(obj, table.field) in move.targets
    last = AuditEvent.objects.filter(verb=move.verb).order_by("-id").first()
    assert last is not None, move.verb
    assert (last.actor_id, last.from_state, last.to_state) == (actor.pk, before, getattr(obj, table.field))


# --- the tables themselves ------------------------------------------------------------------------


def test_every_model_with_a_state_declares_its_table():
    stateful = set(stateful_models())
    assert stateful, "no model with a state column found"
    assert {m._meta.label for m in stateful} - {m._meta.label for m in REGISTRY} == set()
    assert {
        "decisions.AgendaItem",
        "meetings.Meeting",
        "meetings.Minutes",
        "supervision.Task",
        "notices.Notice",
    } <= {m._meta.label for m in REGISTRY}


def test_every_rule_a_table_names_is_an_importable_function():
    assert check_references() == []
    for table in REGISTRY.values():
        for action, move in table.items():
            assert move.who or move.system, f"{table.name}.{action}"


def test_a_table_refuses_a_state_its_model_does_not_have():
    with pytest.raises(ValueError, match="unknown states"):
        Transitions(
            model=Task,
            moves={"x": Move("x", frozenset({"nowhere"}), who="supervision.access.can_review", verb="task.x")},
            state_refusal="%(state)s",
        )


def test_a_table_refuses_a_row_without_a_rule_for_who():
    with pytest.raises(ValueError, match="who may"):
        Transitions(
            model=Task, moves={"x": Move("x", frozenset({Task.State.ASSIGNED}), verb="task.x")}, state_refusal=""
        )


def test_the_architecture_document_shows_the_tables_the_code_declares():
    call_command("describe_transitions", "--check")
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for table in REGISTRY.values():
        assert f"#### {table.name} " in text
        for action in table:
            assert f"| `{action}` " in text


def test_the_document_check_fails_when_a_table_changes(monkeypatch):
    monkeypatch.setitem(
        TASK_TRANSITIONS.moves,
        "reopen",
        Move("重新打开", frozenset({Task.State.CLOSED}), frozenset({Task.State.ASSIGNED}), system=True, verb="task.x"),
    )
    with pytest.raises(CommandError, match="out of date"):
        call_command("describe_transitions", "--check")


# State values are the enums: a literal compared with a state (or written as one into a query or
# the audit log) is a second spelling of the table that nothing checks.
APP_DIRS = ["core", "decisions", "meetings", "notices", "supervision", "dashboard", "reports", "search", "org"]
# Database declarations (check constraints, the append-only triggers' SQL) name the stored values.
DECLARATIONS = ("models.Q(", "settled=", "Opening(", "OLD.", "condition=")


def _state_literals(root: Path = ROOT, apps=APP_DIRS) -> list[str]:
    values = set()
    for table in REGISTRY.values():
        values |= set(table.states.values)
    alt = "|".join(sorted(map(re.escape, values), key=len, reverse=True))
    q = "[\"']"
    patterns = [
        rf"\w*state(?:__in)?\s*(?:==|!=|=)\s*[\[\(\{{]?\s*{q}(?:{alt}){q}",
        rf"\w*state\s+(?:not\s+)?in\s*[\[\(\{{]\s*{q}(?:{alt}){q}",
        rf"{q}(?:{alt}){q}\s*(?:==|!=)\s*[\w.]*state\b",
    ]
    found = []
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if any(d in line for d in DECLARATIONS):
                    continue
                if any(re.search(p, line) for p in patterns):
                    found.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    return found


def test_no_app_code_compares_a_state_with_a_string_literal():
    assert _state_literals() == []


@pytest.mark.parametrize(
    "line",
    [
        'return meeting.state == "planning"',
        'if "locked" != minutes.state:',
        'Task.objects.filter(state="closed")',
        'qs.exclude(state__in=["draft", "published"])',
        'audit.record(actor=a, verb="v", target=m, from_state="in_progress", to_state=m.state)',
        'if notice.state in ("draft",):',
    ],
)
def test_the_literal_search_finds_a_literal_state(tmp_path, line):
    # The search itself must see what it forbids (here in a copy of an app, not in the code).
    (tmp_path / "meetings").mkdir()
    (tmp_path / "meetings" / "probe.py").write_text(f"def f(meeting, minutes, notice, m, a, qs):\n    {line}\n")
    assert _state_literals(tmp_path, ["meetings"]) == [f"meetings/probe.py:2: {line}"]


# --- meetings ------------------------------------------------------------------------------------------


def _planned(people, *, with_item=True):
    meeting = meeting_for("PC")
    if with_item:
        item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
        meeting_services.agenda_add(actor=organizer_of("PC"), meeting_id=meeting.pk, item_id=item.pk)
        with_materials(item)
    return Meeting.objects.get(pk=meeting.pk)


def test_publish_moves_a_planned_meeting_for_its_organiser_and_refuses_a_member(people):
    meeting = _planned(people)
    reason = refused(403, meeting_services.meeting_publish, actor=people("member1"), meeting_id=meeting.pk)
    assert reason == "只有会务部门或主持人可以发布议程"
    meeting_services.meeting_publish(actor=people("partyoffice"), meeting_id=meeting.pk)
    moved(MEETING_TRANSITIONS, "publish", meeting, Meeting.State.PLANNING, people("partyoffice"))
    # Now the state refuses even the organiser, with the table's words.
    reason = refused(409, meeting_services.meeting_publish, actor=people("partyoffice"), meeting_id=meeting.pk)
    assert "不能发布议程" in reason
    # …and who is still asked first.
    refused(403, meeting_services.meeting_publish, actor=people("member1"), meeting_id=meeting.pk)


def test_cancel_moves_a_planned_meeting_for_its_organiser_and_refuses_staff(people):
    meeting = _planned(people)
    refused(403, meeting_services.meeting_cancel, actor=people("staff"), meeting_id=meeting.pk, reason="改期")
    meeting_services.meeting_cancel(actor=people("partyoffice"), meeting_id=meeting.pk, reason="改期")
    moved(MEETING_TRANSITIONS, "cancel", meeting, Meeting.State.PLANNING, people("partyoffice"))


def test_open_and_adjourn_move_the_meeting_for_who_runs_it_and_refuse_a_member(people):
    meeting = _planned(people)
    meeting_services.meeting_publish(actor=people("partyoffice"), meeting_id=meeting.pk)
    refused(403, meeting_services.meeting_open, actor=people("member2"), meeting_id=meeting.pk)
    meeting_services.meeting_open(actor=people("partyoffice"), meeting_id=meeting.pk)
    moved(MEETING_TRANSITIONS, "open", meeting, Meeting.State.PUBLISHED, people("partyoffice"))
    refused(403, meeting_services.meeting_adjourn, actor=people("member2"), meeting_id=meeting.pk)
    meeting_services.meeting_adjourn(actor=people("partyoffice"), meeting_id=meeting.pk)
    moved(MEETING_TRANSITIONS, "adjourn", meeting, Meeting.State.IN_PROGRESS, people("partyoffice"))


def test_the_meeting_page_buttons_are_the_tables_allowed_actions(people):
    meeting = _planned(people)
    meeting_services.meeting_publish(actor=people("partyoffice"), meeting_id=meeting.pk)
    meeting.refresh_from_db()
    assert allowed_actions(meeting, people("partyoffice")) >= {"open", "cancel", "agenda_drop", "attendance"}
    assert allowed_actions(meeting, people("partyoffice")).isdisjoint({"publish", "adjourn", "agenda_add"})
    assert allowed_actions(meeting, people("staff")) == set()


def _adjourned_minutes(people) -> Minutes:
    item = at_state(State.READY, submitter=people("staff"), category=Category.STUDY)
    meeting, (entry,) = running_meeting([item])
    organizer = organizer_of("PC")
    meeting_services.entry_decide(actor=organizer, entry_id=entry.pk, outcome="noted")
    meeting_services.meeting_adjourn(actor=organizer, meeting_id=meeting.pk)
    return Minutes.objects.get(meeting=meeting)


def test_minutes_go_to_signing_lock_with_the_last_signature_and_refuse_who_did_not_attend(people):
    minutes = _adjourned_minutes(people)
    recorder = minutes.meeting.secretary
    refused(403, meeting_services.minutes_send, actor=people("member1"), minutes_id=minutes.pk)
    meeting_services.minutes_send(actor=recorder, minutes_id=minutes.pk)
    moved(MINUTES_TRANSITIONS, "send", minutes, Minutes.State.DRAFT, recorder)

    signers = meeting_services.signers(minutes)
    # The discipline secretary observes: not a co-signer, in any state of the minutes.
    reason = refused(403, meeting_services.minutes_sign, actor=people("discipline"), minutes_id=minutes.pk)
    assert reason == "只有出席会议的成员会签纪要"
    first = User.objects.get(pk=signers[0])
    meeting_services.minutes_object(actor=first, minutes_id=minutes.pk, reason="第二项表述不准确")
    moved(MINUTES_TRANSITIONS, "object", minutes, Minutes.State.SIGNING, first)
    meeting_services.minutes_send(actor=recorder, minutes_id=minutes.pk)
    for pk in signers:
        meeting_services.minutes_sign(actor=User.objects.get(pk=pk), minutes_id=minutes.pk)
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.LOCKED
    # Locked now: an observer is still told who may sign (403), not that the minutes moved on.
    refused(403, meeting_services.minutes_sign, actor=people("discipline"), minutes_id=minutes.pk)
    reason = refused(409, meeting_services.minutes_sign, actor=first, minutes_id=minutes.pk)
    assert "不在会签阶段" in reason


def test_a_vote_is_refused_to_who_may_not_vote_before_its_state_is_asked(people):
    item = at_state(State.READY, submitter=people("staff"), category=Category.STUDY)
    meeting, (entry,) = running_meeting([item])
    meeting_services.entry_decide(actor=organizer_of("PC"), entry_id=entry.pk, outcome="noted")
    # The entry is decided and no vote is open; an observer still hears who may vote (403).
    reason = refused(403, meeting_services.vote_cast, actor=people("discipline"), entry_id=entry.pk, choice="")
    assert reason == "只有出席会议的成员可以表决"
    reason = refused(409, meeting_services.vote_cast, actor=people("member1"), entry_id=entry.pk, choice="for")
    assert "已有结果" in reason


# --- supervision tasks and letters ---------------------------------------------------------------------


@pytest.fixture
def task(people):
    item = at_state(State.RESOLVED, submitter=people("staff"), consultees=[people("member1")])
    return resolution_task(Resolution.objects.get(item=item))


def test_report_moves_a_task_for_its_department_head_and_refuses_the_supervisor(people, task):
    reason = refused(403, supervision_services.task_report, actor=supervisor_of(task), task_id=task.pk, text="进展")
    assert reason == "只有牵头部门负责人可以报送进展"
    reported_task(task)
    moved(TASK_TRANSITIONS, "report", task, Task.State.ASSIGNED, head_of(task))


@pytest.mark.parametrize(("decision", "final"), [("accept", False), ("return", False), ("close", True)])
def test_a_review_moves_a_reported_task_for_the_supervisor_and_refuses_the_head(people, task, decision, final):
    reported_task(task, final=final)
    kwargs = {"task_id": task.pk, "decision": decision, "comment": "请补充"}
    reason = refused(403, supervision_services.task_review, actor=head_of(task), **kwargs)
    assert reason == "只有本类督查的督查部门可以审核"
    supervision_services.task_review(actor=supervisor_of(task), **kwargs)
    moved(TASK_TRANSITIONS, decision, task, Task.State.REPORTED, supervisor_of(task))


def test_urging_a_closed_task_is_refused_by_its_state_and_a_stranger_by_who(people, task):
    closed_task(task)
    refused(403, supervision_services.task_urge, actor=people("staff"), task_id=task.pk)
    assert refused(409, supervision_services.task_urge, actor=supervisor_of(task), task_id=task.pk) == (
        "任务已办结，无需催办"
    )
    assert TASK_TRANSITIONS.allowed_actions(supervisor_of(task), task) == set()


def test_the_overdue_policy_lives_in_the_supervision_service_and_the_job_only_calls_it():
    job = (ROOT / "supervision" / "jobs.py").read_text(encoding="utf-8")
    assert "_escalate" not in job.replace("task_escalate_overdue", "")
    assert "task_escalate_overdue" in job


def test_a_reply_marks_a_letter_replied_for_the_secretary_and_refuses_staff(people):
    letter = supervision_services.letter_write(actor=people("staff"), subject="食堂", body="希望增加窗口")
    reason = refused(403, supervision_services.letter_reply, actor=people("member1"), letter_id=letter.pk, body="收到")
    assert reason == "只有党委书记、党委办公室或来信转交部门的负责人可以回复来信"
    supervision_services.letter_reply(actor=people("secretary"), letter_id=letter.pk, body="已转后勤处")
    moved(LETTER_TRANSITIONS, "reply", letter, Letter.State.OPEN, people("secretary"))


# --- notices -----------------------------------------------------------------------------------------------


def test_publish_moves_a_notice_for_the_party_office_and_refuses_staff(people):
    notice = notice_services.notice_create_upper_document(
        actor=people("partyoffice"), title="学习上级文件", body="全文见附件", everyone=True
    )
    reason = refused(403, notice_services.notice_publish, actor=people("staff"), notice_id=notice.pk)
    assert reason == "只有党委办公室可以发布通报"
    notice_services.notice_publish(actor=people("partyoffice"), notice_id=notice.pk)
    moved(NOTICE_TRANSITIONS, "publish", notice, Notice.State.DRAFT, people("partyoffice"))
    assert refused(409, notice_services.notice_publish, actor=people("partyoffice"), notice_id=notice.pk).startswith(
        "通报已于"
    )


# --- agenda items: the rows the item's own page does not take ------------------------------------------


def test_the_item_table_is_the_one_the_item_services_ask(people):
    item = at_state(State.DRAFT, submitter=people("staff"))
    assert ITEM_TRANSITIONS.allowed_actions(people("staff"), item) == {"submit", "withdraw"}
    assert ITEM_TRANSITIONS.allowed_actions(people("depthead"), item) == set()
    # The system's row (办结) is nobody's button.
    resolved = at_state(State.RESOLVED, submitter=people("staff"), consultees=[people("member1")])
    assert "close" not in ITEM_TRANSITIONS.allowed_actions(people("discipline"), resolved)
    assert ITEM_TRANSITIONS.who_refuses(None, resolved, "close") is None


# --- reminder deliveries ---------------------------------------------------------------------------------


def test_the_keeper_sends_a_delivery_again_and_a_member_of_staff_may_not(people, rf):
    from django.contrib import admin as django_admin
    from django.contrib.messages.storage.fallback import FallbackStorage

    from core.admin import DeliveryAdmin
    from core.models import DELIVERY_TRANSITIONS, Delivery
    from core.reminders import remind

    remind(recipient=people("staff"), key="probe", text="有一条待办")
    delivery = Delivery.objects.filter(reminder__key="probe").first()
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.GAVE_UP)
    delivery.refresh_from_db()
    admin_user = people("admin")
    assert DELIVERY_TRANSITIONS.allowed_actions(admin_user, delivery) == {"retry_now"}
    assert DELIVERY_TRANSITIONS.who_refuses(people("staff"), delivery, "retry_now") == "只有系统管理员可以重新发送提醒"
    request = rf.post("/admin/core/delivery/")
    request.user = admin_user
    request.session = {}
    request._messages = FallbackStorage(request)
    DeliveryAdmin(Delivery, django_admin.site).retry_now(request, Delivery.objects.filter(pk=delivery.pk))
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.PENDING
    # A delivery on its way is left alone: not a source state of the row.
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.SENDING)
    DeliveryAdmin(Delivery, django_admin.site).retry_now(request, Delivery.objects.filter(pk=delivery.pk))
    assert Delivery.objects.get(pk=delivery.pk).state == Delivery.State.SENDING


# --- every row is walked somewhere ----------------------------------------------------------------------

# Where each row of each table is taken by an allowed person and refused to another. A new row
# fails here until a test walks it.
WALKED = {
    "decisions.AgendaItem": {
        **dict.fromkeys(
            ["submit", "dept_approve", "dept_return", "screen_accept", "screen_return", "screen_reject"],
            "tests/test_item_transitions.py",
        ),
        **dict.fromkeys(["consult_answer", "resubmit", "withdraw"], "tests/test_item_transitions.py"),
        **dict.fromkeys(["schedule", "unschedule", "decide"], "tests/test_meeting_rules.py"),
        "forward_to_pc": "tests/test_two_deliberations.py",
        "close": "tests/test_supervision_services.py",
    },
    # The review chain: each step's holder approves, returns or asks for a countersign, another is
    # refused with the reason; the system opens the chain at submission.
    "decisions.ItemReview": dict.fromkeys(
        ["open", "approve", "return", "countersign", "countersign_done"], "tests/test_review_chain.py"
    ),
    "meetings.Meeting": {
        **dict.fromkeys(["publish", "cancel", "open", "adjourn"], "tests/test_transitions.py"),
        # Every account against every step of a meeting, in each of its states.
        **dict.fromkeys(
            [
                "agenda_add",
                "agenda_drop",
                "agenda_order",
                "attendance",
                "recuse",
                "emergency_item",
                "opinion",
                "vote_open",
                "vote_cast",
                "vote_close",
                "decide",
            ],
            "tests/test_meeting_pages.py",
        ),
        # Allowed to the office and refused to a member, with the record checked.
        **dict.fromkeys(["reschedule", "observer"], "tests/test_meeting_day.py"),
        **dict.fromkeys(["vote_enter", "correct"], "tests/test_meeting_record.py"),
        "study_record": "tests/test_study.py",
    },
    "meetings.StudySession": dict.fromkeys(["texts", "reflect", "archive"], "tests/test_study.py"),
    "notices.MajorWork": dict.fromkeys(["select", "decline", "order"], "tests/test_digest_work.py"),
    "meetings.Minutes": {
        **dict.fromkeys(["send", "sign", "object"], "tests/test_transitions.py"),
        **dict.fromkeys(["edit", "amend"], "tests/test_minutes.py"),
    },
    "supervision.Task": {
        **dict.fromkeys(["report", "accept", "return", "close", "urge"], "tests/test_transitions.py"),
        "escalate": "tests/test_supervision_services.py",
    },
    "supervision.Letter": {"reply": "tests/test_transitions.py"},
    "supervision.CommitteeReport": dict.fromkeys(["edit", "file"], "tests/test_committee_report.py"),
    "notices.Notice": {"publish": "tests/test_transitions.py", "urge": "tests/test_notice_urge.py"},
    "core.Delivery": {
        **dict.fromkeys(["claim", "sent", "retry", "give_up"], "tests/test_reminders.py"),
        "retry_now": "tests/test_transitions.py",
    },
}


def test_every_row_of_every_table_is_walked_by_a_test():
    assert {t.name: set(t) for t in REGISTRY.values()} == {name: set(rows) for name, rows in WALKED.items()}
    for rows in WALKED.values():
        for where in rows.values():
            assert (ROOT / where).exists(), where
