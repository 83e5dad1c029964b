"""Random walks through the school's decision workflow, with the rules checked after every step.

A hypothesis state machine (`SchoolMachine`) acts as the demo accounts do through the pages: it
calls the same service functions the views call (decisions, meetings, notices, supervision), with
the same keyword arguments, as a randomly drawn person. Each single-step rule (submit, review,
screen, consult, schedule, put on the agenda, open, roll call, recusal, opinions, votes, decide,
adjourn, co-sign, notice, task, report, review, ...) draws its actor either as "the person whose
turn it is" (the department head, the screener, the meeting's office, ...) or as any demo account,
and `someone_tries` has anyone try any step on anything. A refused step must raise
`InvalidTransition` and leave every table of the workflow exactly as it was; a step by someone the
rules do not allow (worked out here from DOMAIN.md, not asked of the code's access functions)
must be refused. So that examples get as far as resolutions, minutes and tasks, three rules
(`item_goes_on`, `meeting_goes_on`, `follow_up`) take an item, a meeting or a resolution several
steps along its usual course, as the right people, with drawn variations: a return, a concern, a
recusal, absences that break the quorum, the chair trying to speak first, votes against, the
outcome.

After every service call (not only after every rule: a roll call or a round of opinions is one
call per person) the database is read afresh and these must hold:

1. No decision （a resolution, or any other conclusion but 暂缓） at a meeting that decides,
   without its quorum: more than half of the members who should attend (members less those
   recused) present; two thirds for an appointment （干部任免） item. The counting is redone here
   from the attendance rows with fractions, from the body's admin-editable shares. A passing
   vote carries more than half of those who should attend （应到会）， not of those present.
2. 一把手末位表态： the chair's opinion on an agenda entry is the last one on it, and when it is
   recorded every other present, non-recused member has already spoken.
3. 两议： nothing is implemented on a two-deliberation item （三重一大， or sent on by the principal's
   office) before the PC resolution: no notice and no supervision task on it, and no resolution
   on it other than the Party committee's.
4. History is append-only: no `core.AuditEvent` row is changed or deleted (each row's fields are
   hashed and compared with the snapshot of the step before) and their number only grows.
5. Cheaper ones from DOMAIN.md: a recused member has no opinion and no vote on the entry; only
   members present speak and vote; every item, meeting, minutes, notice and task state is a
   known one, reached by a chain of recorded steps (one audit event per state change, and the
   row's version counts them); a resolution exists exactly for a passed entry of a deciding
   body, with numbers 1..n per body and year; an item with an open concern （意见不一） is on no
   agenda; a scheduled item is on exactly one agenda; an item decided at a meeting had its
   materials; nothing but an emergency item joins a published agenda; locked minutes carry
   every present member's signature of the text as locked; a closed item's tasks are all closed.

Each example runs in a savepoint that is rolled back at its end (`transaction.atomic()` entered in
the machine's constructor, rolled back in `teardown`, which hypothesis calls even when a step
fails), inside the test's own transaction from pytest-django: the demo school is seeded once per
test and every example starts from it. `django.test.TestCase` subclasses are not used because
hypothesis runs all the examples of a stateful test inside one `runTest`, so the test case's
transaction would not reset between them. Jobs queued on commit (notices of resolutions,
notifications, search) are run in process right after each call, as they would be after its
commit (`REDIS_URL` is empty). The clock is frozen (time-machine) at a fixed day and moves only
when a rule says time passes, so material deadlines and dates are reproducible.

Size: the `dev` profile (the default: 25 examples of up to 50 rules, each rule one to ~30
service calls) runs in under a minute on SQLite and is what `make test` (and so CI) runs. A
longer search, 200 examples of up to 80 rules, is
`HYPOTHESIS_PROFILE=ci pytest tests/test_properties.py` (it prints a `@reproduce_failure` blob
when one fails). Failing examples are kept in `.pytest_cache/hypothesis` and replayed first on the
next run. `pytest -s` prints what the walks did: calls done and refused per service, and how many
examples reached a resolution, a task, locked minutes.
"""

import datetime as dt
import hashlib
import os
from collections import Counter, defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import TestCase as DjangoTestCase
from hypothesis import HealthCheck, event
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from core.errors import InvalidTransition
from core.models import AuditEvent
from decisions import services as item_services
from decisions.models import ALL_STEPS, MATERIALS_STATES, AgendaItem, Attachment, Consultation, MajorKind, State
from meetings import services as meeting_services
from meetings.jobs import check_materials_due
from meetings.models import (
    AgendaEntry,
    Attendance,
    BallotCast,
    Meeting,
    Minutes,
    MinutesSignature,
    Opinion,
    Recusal,
    Resolution,
    SecretBallot,
)
from meetings.models import Vote as Ballot
from notices import services as notice_services
from notices.models import Notice
from org.models import Department, MeetingBody, Role, RoleAssignment, User
from supervision import services as supervision_services
from supervision.models import TRACK_SUPERVISOR_ROLES, Task, Track
from supervision.models import TRANSITIONS as TASK_TRANSITIONS
from tests.factories import at_state, running_meeting

hsettings.register_profile(
    "dev",
    max_examples=25,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    database=DirectoryBasedExampleDatabase(
        str(Path(__file__).resolve().parent.parent / ".pytest_cache" / "hypothesis")
    ),
)
hsettings.register_profile(
    "ci", parent=hsettings.get_profile("dev"), max_examples=200, stateful_step_count=80, print_blob=True
)
PROFILE = hsettings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday morning in term

USERNAMES = [
    "secretary",
    "principal",
    "member1",
    "member2",
    "vice",
    "discipline",
    "partyoffice",
    "affairsoffice",
    "depthead",
    "staff",
    "finance",
    "dean",
    "teacher",
    "admin",
]
LEADERS = ["secretary", "principal", "member1", "member2", "vice", "discipline"]
ASSIGNER_ROLES = {Role.PARTY_OFFICE, Role.AFFAIRS_OFFICE, Role.DISCIPLINE}

# (category, 三重一大 kind, amount): the kinds of item the school writes.
KINDS = [
    ("decision", "", None),
    ("decision", MajorKind.APPOINTMENT, None),
    ("proposal", "", None),
    ("decision", "", Decimal("500000")),  # over the threshold: 三重一大 (funds) by itself
    ("decision", MajorKind.PROJECT, None),
    ("study", "", None),
    ("report", "", None),
    ("briefing", "", None),
]
FINAL_PASSES = {AgendaEntry.Outcome.PASSED, AgendaEntry.Outcome.PASSED_WITH_CHANGES}
PASSES = FINAL_PASSES | {AgendaEntry.Outcome.PASSED_TO_PC}
OUTCOMES = [o for o in AgendaEntry.Outcome.values if o]

# What the walks did, printed after the run (pytest -s): calls done and refused per service,
# examples and steps, and how far the examples got.
STATS: Counter = Counter()

# Who acts: None is "whoever's turn it is", a name is that demo account, right or wrong.
who = st.one_of(st.none(), st.sampled_from(USERNAMES))
pick = st.integers(min_value=0, max_value=9)
order = st.permutations(range(8))
# The drives' steps: one number per service call, 0-7 the usual course, 8 and 9 a variation. Fewer
# and smaller numbers shrink to fewer steps along the usual course.
turn = st.integers(min_value=0, max_value=9)
# someone_tries: (rule, its target argument, what must exist, the rule's other arguments).
ATTEMPTS = [
    ("add_materials", "n", "items", {}),
    ("submit", "n", "items", {}),
    ("department_review", "n", "items", {"approve": True}),
    ("screening", "n", "items", {"decision": "accept", "consultees": ["member1"]}),
    ("consultation", "n", "items", {"agree": True}),
    ("resubmit", "n", "items", {}),
    ("publish", "m", "meetings", {}),
    ("open_meeting", "m", "meetings", {}),
    ("recusal", "e", "entries", {"person": 1}),
    ("open_vote", "e", "entries", {}),
    ("close_vote", "e", "entries", {}),
    ("decide", "e", "entries", {"outcome": 0}),
    ("send_minutes", "n", "minutes", {}),
    ("create_task", "n", "resolutions", {"track": "task", "department": "教务处"}),
    ("report_task", "n", "tasks_total", {"final": False}),
    ("review_task", "n", "tasks_total", {"decision": "accept"}),
]
MOVING = {State.DRAFT, State.RETURNED, State.DEPT_REVIEW, State.SCREENING, State.CONSULTING, State.REVISING}

# Everything the workflow writes: a refused step must leave all of it as it was.
TRACKED_APPS = ("core", "decisions", "meetings", "notices", "supervision", "search")


def _tracked_models():
    return [m for m in apps.get_models() if m._meta.app_label in TRACKED_APPS and not m._meta.proxy]


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def _pdf(name: str = "会议材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 materials", content_type="application/pdf")


def _quorum(body: MeetingBody, *, present: int, should: int, appointment: bool) -> bool:
    """DOMAIN.md: more than half of the members present; two thirds for appointments (defaults)."""
    if should <= 0:
        return False
    share = Fraction(present, should)
    if appointment:
        return share >= Fraction(body.appointment_quorum_num, body.appointment_quorum_den)
    need = Fraction(body.quorum_num, body.quorum_den)
    return share > need if body.quorum_strict else share >= need


def _chain(events, start: str, current: str, label: str) -> None:
    """The recorded steps lead from `start` to `current`, each starting where the last ended."""
    state = start
    for ev in events:
        assert ev.from_state == state, f"{label}: step {ev.verb} starts at {ev.from_state!r}, record was at {state!r}"
        state = ev.to_state
    assert state == current, f"{label}: history ends at {state!r} but the row says {current!r}"


def _ayes(entry) -> int:
    """Votes for on a closed vote: the count of a secret ballot, or the named ballots for."""
    if entry.vote_mode == AgendaEntry.VoteMode.SECRET:
        return SecretBallot.objects.get(entry=entry).votes_for
    return entry.votes.filter(choice=Ballot.Choice.FOR).count()


class SchoolMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.clock = time_machine.travel(START, tick=False)
        self.coords = self.clock.start()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.users = {name: User.objects.get(username=name) for name in USERNAMES}
        self.by_pk = {u.pk: u for u in self.users.values()}
        self.bodies = {b.code: b for b in MeetingBody.objects.all()}
        self.models = _tracked_models()
        self.audit: dict[int, str] = {}
        self.chair_opinions_seen: set[int] = set()
        self.time_moves = 0
        self.summary: dict = {}
        self.tables = self._fingerprint()
        self._check_all()
        STATS["examples"] += 1

    def teardown(self):
        for key in ("resolutions", "tasks_total", "minutes_locked", "notices"):
            if self.summary.get(key):
                STATS[f"examples reaching {key}"] += 1
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)
        self.clock.stop()

    # --- calling the services -------------------------------------------------------------

    def _fingerprint(self) -> dict[str, str]:
        """Every row of every table the workflow writes, hashed per table (plain SQL: this runs
        before and after each step, and the ORM's per-query cost would dominate the run)."""
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            prints = {}
            for m in self.models:
                cursor.execute(f"SELECT * FROM {qn(m._meta.db_table)} ORDER BY {qn(m._meta.pk.column)}")  # noqa: S608
                prints[m._meta.label] = _digest(cursor.fetchall())
        return prints

    def _call(self, label: str, fn, *, actor: User, may: bool = True, **kwargs):
        """One step, as a view takes it. `may` is False when the rules say this person may not."""
        before = self.tables  # as the last step left them: reading writes nothing
        try:
            with DjangoTestCase.captureOnCommitCallbacks(execute=True):
                result = fn(actor=actor, **kwargs)
        except InvalidTransition as exc:
            self.tables = self._fingerprint()
            changed = sorted(k for k in before if before[k] != self.tables[k])
            assert not changed, f"{label} by {actor} was refused ({exc.reason}) but changed {changed}"
            event(f"refused {label}")
            STATS[f"refused {label}"] += 1
            self._check_all()
            return None
        self.tables = self._fingerprint()
        assert may, f"{label} by {actor.username} succeeded, but the rules do not let them take this step"
        event(f"done {label}")
        STATS[f"done {label}"] += 1
        self._check_all()
        return result

    def _actor(self, name: str | None, right: User | None) -> User:
        if name is None and right is not None:
            return right
        return self.users[name or "staff"]

    # --- who may act, from DOMAIN.md ------------------------------------------------------

    def _heads(self, department_id: int) -> set[int]:
        return set(
            RoleAssignment.objects.filter(role=Role.DEPT_HEAD, department_id=department_id).values_list(
                "user_id", flat=True
            )
        )

    def _organizers(self, body: MeetingBody) -> set[int]:
        office = set(RoleAssignment.objects.filter(role=body.secretary_role).values_list("user_id", flat=True))
        return office | {body.chair_id}

    def _runners(self, meeting: Meeting) -> set[int]:
        return self._organizers(meeting.body) | {meeting.chair_id, meeting.secretary_id}

    def _first(self, pks) -> User | None:
        pks = sorted(pks)
        return self.by_pk.get(pks[0]) if pks else None

    def _organizer(self, body: MeetingBody) -> User:
        office = "partyoffice" if body.secretary_role == Role.PARTY_OFFICE else "affairsoffice"
        return self.users[office]

    # --- choosing what to act on ------------------------------------------------------------

    @staticmethod
    def _choose(preferred, others, n: int):
        """The n-th candidate: those the step fits first, then the rest (wrong-state attempts)."""
        seen = {o.pk for o in preferred}
        rows = list(preferred) + [o for o in others if o.pk not in seen]
        return rows[n % len(rows)] if rows else None

    def _item(self, states, n: int) -> AgendaItem | None:
        items = AgendaItem.objects.select_related("requested_body").order_by("pk")
        return self._choose(items.filter(state__in=states), items, n)

    def _meeting(self, states, n: int) -> Meeting | None:
        meetings = Meeting.objects.select_related("body").order_by("pk")
        return self._choose(meetings.filter(state__in=states), meetings, n)

    def _entry(self, n: int, **filters) -> AgendaEntry | None:
        entries = AgendaEntry.objects.select_related("item", "meeting__body").order_by("pk")
        live = entries.filter(meeting__state=Meeting.State.IN_PROGRESS, dropped_at__isnull=True, outcome="")
        return self._choose(live.filter(**filters), entries, n)

    def _people_for(self, entry: AgendaEntry, permutation) -> list[User]:
        """Everyone on the meeting's list, the present non-recused members first (the chair last
        of them), then the others; then shuffled by `permutation` (the identity keeps it)."""
        meeting = entry.meeting
        recused = set(entry.recusals.values_list("member_id", flat=True))
        rows = list(meeting.attendance.order_by("pk"))
        speaking = [
            a.person_id
            for a in rows
            if a.kind == Attendance.Kind.MEMBER and a.status == Attendance.Status.PRESENT and a.person_id not in recused
        ]
        speaking.sort(key=lambda pk: pk == meeting.chair_id)
        rest = [a.person_id for a in rows if a.person_id not in speaking]
        people = speaking + rest
        shuffled = [people[i] for i in permutation if i < len(people)]
        return [self.by_pk[pk] for pk in shuffled]

    def _present_members(self, meeting: Meeting, recused=()) -> set[int]:
        return set(
            meeting.attendance.filter(kind=Attendance.Kind.MEMBER, status=Attendance.Status.PRESENT)
            .exclude(person_id__in=list(recused))
            .values_list("person_id", flat=True)
        )

    # --- agenda items -----------------------------------------------------------------------------

    @precondition(lambda self: self.summary["items_moving"] < 2 and self.summary["items"] < 6)
    @rule(actor=who, body=st.sampled_from(["PC", "PO"]), kind=st.sampled_from(KINDS), secret=st.booleans())
    def create_item(self, actor, body, kind, secret):
        category, major_kind, amount = kind
        user = self._actor(actor, self.users["staff"])
        self._call(
            "item_create",
            item_services.item_create,
            actor=user,
            may=user.department_id is not None,
            requested_body=self.bodies[body],
            title=f"关于{category}事项的请示",
            category=category,
            background="现行做法需要调整。",
            proposal="按新办法执行。",
            amount=amount,
            major_kind=major_kind,
            confidential=secret and category == "decision",
        )

    @precondition(lambda self: self.summary["need_materials"])
    @rule(n=pick, actor=who)
    def add_materials(self, n, actor):
        states = [State.DRAFT, State.RETURNED, State.REVISING, State.READY, State.SCHEDULED]
        item = self._item(states, n)
        user = self._actor(actor, self.by_pk[item.submitter_id])
        self._call(
            "attachment_add",
            item_services.attachment_add,
            actor=user,
            may=user.pk == item.submitter_id,
            item_id=item.pk,
            upload=_pdf(),
        )

    @precondition(
        lambda self: self.summary["items_in"].get(State.DRAFT) or self.summary["items_in"].get(State.RETURNED)
    )
    @rule(n=pick, actor=who)
    def submit(self, n, actor):
        item = self._item([State.DRAFT, State.RETURNED], n)
        user = self._actor(actor, self.by_pk[item.submitter_id])
        self._call(
            "item_submit", item_services.item_submit, actor=user, may=user.pk == item.submitter_id, item_id=item.pk
        )

    @precondition(lambda self: self.summary["items_in"].get(State.DEPT_REVIEW))
    @rule(n=pick, actor=who, approve=st.sampled_from([True, True, False]))
    def department_review(self, n, actor, approve):
        item = self._item([State.DEPT_REVIEW], n)
        heads = self._heads(item.department_id)
        user = self._actor(actor, self._first(heads))
        if approve:
            self._call(
                "item_dept_approve",
                item_services.item_dept_approve,
                actor=user,
                may=user.pk in heads,
                item_id=item.pk,
                comment="同意",
            )
        else:
            self._call(
                "item_dept_return",
                item_services.item_dept_return,
                actor=user,
                may=user.pk in heads,
                item_id=item.pk,
                reason="请补充依据",
            )

    @precondition(lambda self: self.summary["items_in"].get(State.SCREENING))
    @rule(
        n=pick,
        actor=who,
        decision=st.sampled_from(["accept", "accept", "accept", "return", "reject"]),
        consultees=st.lists(st.sampled_from(LEADERS), max_size=2, unique=True),
    )
    def screening(self, n, actor, decision, consultees):
        item = self._item([State.SCREENING], n)
        chair = self.by_pk[item.requested_body.chair_id]
        user = self._actor(actor, chair)
        may = user.pk == chair.pk
        if decision == "accept":
            # Nobody named (refused unless a study, report or briefing), or the submitter named
            # (refused), or leaders to consult.
            people = [self.users[c] for c in consultees]
            self._call(
                "item_screen_accept",
                item_services.item_screen_accept,
                actor=user,
                may=may,
                item_id=item.pk,
                consultees=people,
            )
        elif decision == "return":
            self._call(
                "item_screen_return",
                item_services.item_screen_return,
                actor=user,
                may=may,
                item_id=item.pk,
                reason="请完善方案",
            )
        else:
            self._call(
                "item_screen_reject",
                item_services.item_screen_reject,
                actor=user,
                may=may,
                item_id=item.pk,
                reason="不属于会议研究范围",
            )

    @precondition(lambda self: self.summary["items_in"].get(State.CONSULTING))
    @rule(n=pick, actor=who, agree=st.sampled_from([True, True, True, False]))
    def consultation(self, n, actor, agree):
        item = self._item([State.CONSULTING, State.REVISING], n)
        pending = set(
            Consultation.objects.filter(
                item=item, round=item.consultation_round, answer=Consultation.Answer.PENDING
            ).values_list("consultee_id", flat=True)
        )
        user = self._actor(actor, self._first(pending))
        self._call(
            "item_consult_answer",
            item_services.item_consult_answer,
            actor=user,
            may=user.pk in pending and item.state in (State.CONSULTING, State.REVISING),
            item_id=item.pk,
            agree=agree,
            text="" if agree else "请补充比价材料",
        )

    @precondition(lambda self: self.summary["items_in"].get(State.REVISING))
    @rule(n=pick, actor=who)
    def resubmit(self, n, actor):
        item = self._item([State.REVISING], n)
        user = self._actor(actor, self.by_pk[item.submitter_id])
        self._call(
            "item_resubmit",
            item_services.item_resubmit,
            actor=user,
            may=user.pk == item.submitter_id,
            item_id=item.pk,
            reason="已补充比价材料",
        )

    # --- meetings ---------------------------------------------------------------------------------

    @precondition(lambda self: self.summary["meetings_moving"] < 2 and self.summary["meetings"] < 4)
    @rule(actor=who, body=st.sampled_from(["PC", "PO", "PC", "PO", "SA"]), days=st.sampled_from([3, 5, 1]))
    def schedule_meeting(self, actor, body, days):
        b = self.bodies[body]
        user = self._actor(actor, self._organizer(b))
        self._call(
            "meeting_schedule",
            meeting_services.meeting_schedule,
            actor=user,
            may=user.pk in self._organizers(b),
            body=b,
            starts_at=_now() + dt.timedelta(days=days),
            place="行政楼第一会议室",
        )

    @precondition(
        lambda self: (
            self.summary["meetings_in"].get(Meeting.State.PLANNING) and self.summary["items_in"].get(State.READY)
        )
    )
    @rule(m=pick, n=pick, actor=who)
    def put_on_agenda(self, m, n, actor):
        meeting = self._meeting([Meeting.State.PLANNING], m)
        items = AgendaItem.objects.select_related("requested_body").order_by("pk")
        item = self._choose(items.filter(state=State.READY, requested_body=meeting.body), items, n)
        user = self._actor(actor, self._organizer(meeting.body))
        self._call(
            "agenda_add",
            meeting_services.agenda_add,
            actor=user,
            may=user.pk in self._organizers(meeting.body),
            meeting_id=meeting.pk,
            item_id=item.pk,
        )

    @precondition(lambda self: self.summary["publishable"])
    @rule(m=pick, actor=who)
    def publish(self, m, actor):
        meeting = self._meeting([Meeting.State.PLANNING], m)
        user = self._actor(actor, self._organizer(meeting.body))
        self._call(
            "meeting_publish",
            meeting_services.meeting_publish,
            actor=user,
            may=user.pk in self._organizers(meeting.body),
            meeting_id=meeting.pk,
        )

    @precondition(lambda self: self.summary["meetings_in"].get(Meeting.State.PUBLISHED))
    @rule(m=pick, actor=who)
    def open_meeting(self, m, actor):
        meeting = self._meeting([Meeting.State.PUBLISHED], m)
        user = self._actor(actor, self._organizer(meeting.body))
        self._call(
            "meeting_open",
            meeting_services.meeting_open,
            actor=user,
            may=user.pk in self._runners(meeting),
            meeting_id=meeting.pk,
        )

    @precondition(lambda self: self.summary["unmarked"])
    @rule(
        m=pick,
        actor=who,
        marks=st.lists(st.sampled_from(["present", "present", "present", "absent", "skip"]), min_size=6, max_size=6),
    )
    def roll_call(self, m, actor, marks):
        """The roll: each person on the list marked present or absent (or not yet), one call each."""
        meeting = self._meeting([Meeting.State.IN_PROGRESS, Meeting.State.PUBLISHED], m)
        user = self._actor(actor, self._organizer(meeting.body))
        for row, mark in zip(meeting.attendance.order_by("pk"), marks, strict=False):
            if mark == "skip":
                continue
            self._call(
                "attendance_mark",
                meeting_services.attendance_mark,
                actor=user,
                may=user.pk in self._runners(meeting),
                meeting_id=meeting.pk,
                person_id=row.person_id,
                present=mark == "present",
                reason="" if mark == "present" else "出差",
            )

    @precondition(lambda self: self.summary["meetings_in"].get(Meeting.State.IN_PROGRESS))
    @rule(m=pick, person=st.integers(0, 5), present=st.booleans(), actor=who)
    def change_attendance(self, m, person, present, actor):
        """A late arrival or an early departure, at any point of the meeting."""
        meeting = self._meeting([Meeting.State.IN_PROGRESS], m)
        rows = list(meeting.attendance.order_by("pk"))
        row = rows[person % len(rows)]
        user = self._actor(actor, self._organizer(meeting.body))
        self._call(
            "attendance_mark",
            meeting_services.attendance_mark,
            actor=user,
            may=user.pk in self._runners(meeting),
            meeting_id=meeting.pk,
            person_id=row.person_id,
            present=present,
            reason="" if present else "临时有事离会",
        )

    @precondition(lambda self: self.summary["open_entries"])
    @rule(e=pick, person=st.integers(0, 5), actor=who)
    def recusal(self, e, person, actor):
        entry = self._entry(e)
        rows = list(entry.meeting.attendance.order_by("pk"))
        row = rows[person % len(rows)]
        user = self._actor(actor, self._organizer(entry.meeting.body))
        self._call(
            "entry_recuse",
            meeting_services.entry_recuse,
            actor=user,
            may=user.pk in self._runners(entry.meeting),
            entry_id=entry.pk,
            member_id=row.person_id,
            reason="与本人近亲属有关",
        )

    @precondition(lambda self: self.summary["open_entries"])
    @rule(
        e=pick,
        permutation=order,
        count=st.integers(1, 6),
        actor=st.one_of(st.none(), st.just("self"), st.sampled_from(USERNAMES)),
        stance=st.sampled_from(["agree", "agree", "agree_with_changes", "disagree", "reserve"]),
    )
    def opinions(self, e, permutation, count, actor, stance):
        """A round of opinions, one call per speaker, in an order that may put the chair early."""
        entry = self._entry(e)
        for person in self._people_for(entry, permutation)[:count]:
            user = person if actor == "self" else self._actor(actor, self._organizer(entry.meeting.body))
            self._call(
                "opinion_record",
                meeting_services.opinion_record,
                actor=user,
                may=user.pk == person.pk or user.pk in self._runners(entry.meeting),
                entry_id=entry.pk,
                member_id=person.pk,
                stance=stance,
                text="同意该方案。",
            )

    @precondition(lambda self: self.summary["open_entries"])
    @rule(e=pick, actor=who)
    def open_vote(self, e, actor):
        entry = self._entry(e, vote_state="")
        user = self._actor(actor, self._organizer(entry.meeting.body))
        self._call(
            "vote_open",
            meeting_services.vote_open,
            actor=user,
            may=user.pk in self._runners(entry.meeting),
            entry_id=entry.pk,
        )

    @precondition(lambda self: self.summary["open_votes"])
    @rule(
        e=pick,
        permutation=order,
        count=st.integers(1, 6),
        choices=st.lists(st.sampled_from(["for", "for", "for", "against", "abstain"]), min_size=6, max_size=6),
        stranger=st.one_of(st.none(), st.sampled_from(USERNAMES)),
    )
    def ballots(self, e, permutation, count, choices, stranger):
        """Members (and perhaps someone else) cast their votes, one call each."""
        entry = self._entry(e, vote_state=AgendaEntry.VoteState.OPEN)
        recused = set(entry.recusals.values_list("member_id", flat=True))
        voters = self._people_for(entry, permutation)[:count]
        if stranger:
            voters.append(self.users[stranger])
        for voter, choice in zip(voters, choices + ["for"], strict=False):
            present = self._present_members(entry.meeting, recused)
            self._call(
                "vote_cast",
                meeting_services.vote_cast,
                actor=voter,
                may=voter.pk in present,
                entry_id=entry.pk,
                choice=choice,
            )

    @precondition(lambda self: self.summary["open_votes"])
    @rule(e=pick, actor=who)
    def close_vote(self, e, actor):
        entry = self._entry(e, vote_state=AgendaEntry.VoteState.OPEN)
        user = self._actor(actor, self._organizer(entry.meeting.body))
        self._call(
            "vote_close",
            meeting_services.vote_close,
            actor=user,
            may=user.pk in self._runners(entry.meeting),
            entry_id=entry.pk,
        )

    @precondition(lambda self: self.summary["open_entries"])
    @rule(e=pick, outcome=st.integers(0, 9), actor=who)
    def decide(self, e, outcome, actor):
        entry = self._entry(e)
        allowed = meeting_services.allowed_outcomes(entry, entry.meeting)
        chosen = allowed[outcome % len(allowed)] if outcome < 8 else OUTCOMES[outcome % len(OUTCOMES)]
        user = self._actor(actor, self._organizer(entry.meeting.body))
        self._call(
            "entry_decide",
            meeting_services.entry_decide,
            actor=user,
            may=user.pk in self._runners(entry.meeting),
            entry_id=entry.pk,
            outcome=chosen,
            note="按讨论意见修改后执行",
        )

    @precondition(
        lambda self: (
            self.summary["meetings_in"].get(Meeting.State.IN_PROGRESS) and self.summary["items_in"].get(State.READY)
        )
    )
    @rule(m=pick, n=pick, actor=who)
    def emergency_item(self, m, n, actor):
        meeting = self._meeting([Meeting.State.IN_PROGRESS], m)
        items = AgendaItem.objects.order_by("pk")
        # Ready items first, among them one this meeting deferred (refused: it has its entry here).
        item = self._choose(items.filter(state=State.READY, requested_body=meeting.body), items, n)
        user = self._actor(actor, self.by_pk[meeting.chair_id])
        self._call(
            "emergency_add",
            meeting_services.emergency_add,
            actor=user,
            may=user.pk == meeting.chair_id,
            meeting_id=meeting.pk,
            item_id=item.pk,
            reason="上级要求本周内报送",
        )

    @precondition(lambda self: self.summary["meetings_in"].get(Meeting.State.IN_PROGRESS))
    @rule(m=pick, actor=who, early=st.sampled_from([False, False, False, True]))
    def adjourn(self, m, actor, early):
        meetings = Meeting.objects.select_related("body").filter(state=Meeting.State.IN_PROGRESS).order_by("pk")
        if not early:
            meetings = [mt for mt in meetings if not mt.entries.filter(dropped_at__isnull=True, outcome="").exists()]
        if not meetings:
            event("nothing to adjourn")
            return
        meeting = meetings[m % len(meetings)]
        user = self._actor(actor, self._organizer(meeting.body))
        self._call(
            "meeting_adjourn",
            meeting_services.meeting_adjourn,
            actor=user,
            may=user.pk in self._runners(meeting),
            meeting_id=meeting.pk,
        )

    @precondition(lambda self: self.summary["minutes_draft"])
    @rule(n=pick, actor=who)
    def send_minutes(self, n, actor):
        minutes_all = Minutes.objects.select_related("meeting__body").order_by("pk")
        minutes = self._choose(minutes_all.filter(state=Minutes.State.DRAFT), minutes_all, n)
        meeting = minutes.meeting
        user = self._actor(actor, self.by_pk[meeting.secretary_id])
        self._call(
            "minutes_send",
            meeting_services.minutes_send,
            actor=user,
            may=user.pk in self._organizers(meeting.body) | {meeting.secretary_id},
            minutes_id=minutes.pk,
        )

    @precondition(lambda self: self.summary["minutes_signing"])
    @rule(n=pick, permutation=order, count=st.integers(1, 6))
    def sign_minutes(self, n, permutation, count):
        """会签： the people on the meeting's list sign, one call each (only present members may)."""
        minutes_all = Minutes.objects.select_related("meeting").order_by("pk")
        minutes = self._choose(minutes_all.filter(state=Minutes.State.SIGNING), minutes_all, n)
        rows = list(minutes.meeting.attendance.order_by("pk"))
        present = [a.person_id for a in rows if a.kind == Attendance.Kind.MEMBER and a.status == "present"]
        people = present + [a.person_id for a in rows if a.person_id not in present]
        for i in [i for i in permutation if i < len(people)][:count]:
            signer = self.by_pk[people[i]]
            self._call(
                "minutes_sign",
                meeting_services.minutes_sign,
                actor=signer,
                may=signer.pk in present,
                minutes_id=minutes.pk,
            )

    # --- notices, supervision, the clock --------------------------------------------------------------

    @precondition(lambda self: self.summary["upper_notices"] < 1)
    @rule(actor=who, audience=st.sampled_from(["everyone", "role", "department"]))
    def issue_notice(self, actor, audience):
        user = self._actor(actor, self.users["partyoffice"])
        may = user.has_role(Role.PARTY_OFFICE)
        kwargs = {
            "everyone": {"everyone": True},
            "role": {"roles": [Role.PC_MEMBER]},
            "department": {"departments": [Department.objects.get(name="教务处")]},
        }[audience]
        notice = self._call(
            "notice_create_upper_document",
            notice_services.notice_create_upper_document,
            actor=user,
            may=may,
            title="传达上级会议精神",
            body="认真学习贯彻上级会议精神。",
            **kwargs,
        )
        publisher = notice and self._actor(actor, self.users["partyoffice"])
        if notice:
            self._call(
                "notice_publish",
                notice_services.notice_publish,
                actor=publisher,
                may=publisher.has_role(Role.PARTY_OFFICE),
                notice_id=notice.pk,
            )

    @precondition(lambda self: self.summary["items_in"].get(State.RESOLVED))
    @rule(
        n=pick,
        actor=who,
        track=st.sampled_from([Track.TASK, Track.PROJECT, Track.PERFORMANCE]),
        department=st.sampled_from(["教务处", "财务处"]),
    )
    def create_task(self, n, actor, track, department):
        resolutions = list(Resolution.objects.order_by("pk"))
        resolution = resolutions[n % len(resolutions)]
        user = self._actor(actor, self.users["discipline"])
        self._call(
            "task_create",
            supervision_services.task_create,
            actor=user,
            may=bool(user.roles & ASSIGNER_ROLES),
            resolution_id=resolution.pk,
            track=track,
            title="落实决议事项",
            lead_department_id=Department.objects.get(name=department).pk,
            responsible_leader_id=self.users["member1"].pk,
            deadline=_now().date() + dt.timedelta(days=30),
        )

    @precondition(lambda self: self.summary["tasks_to_report"])
    @rule(n=pick, actor=who, final=st.booleans())
    def report_task(self, n, actor, final):
        tasks = Task.objects.order_by("pk")
        task = self._choose(tasks.filter(state__in=TASK_TRANSITIONS["report"][0]), tasks, n)
        heads = self._heads(task.lead_department_id)
        user = self._actor(actor, self._first(heads))
        self._call(
            "task_report",
            supervision_services.task_report,
            actor=user,
            may=user.pk in heads,
            task_id=task.pk,
            text="已按计划推进。",
            is_final=final,
            files=[_pdf("佐证材料.pdf")] if final else [],
        )

    @precondition(lambda self: self.summary["tasks_reported"])
    @rule(n=pick, actor=who, decision=st.sampled_from(["accept", "close", "close", "return"]))
    def review_task(self, n, actor, decision):
        tasks = Task.objects.order_by("pk")
        task = self._choose(tasks.filter(state=Task.State.REPORTED), tasks, n)
        supervisors = set(
            RoleAssignment.objects.filter(role=TRACK_SUPERVISOR_ROLES[task.track]).values_list("user_id", flat=True)
        )
        author = task.reports.order_by("-pk").values_list("author_id", flat=True).first()
        user = self._actor(actor, self._first(supervisors - {author}))
        self._call(
            "task_review",
            supervision_services.task_review,
            actor=user,
            may=user.pk in supervisors and user.pk != author,
            task_id=task.pk,
            decision=decision,
            comment="请补充材料" if decision == "return" else "同意",
        )

    @precondition(lambda self: self.time_moves < 2)
    @rule(hours=st.sampled_from([6, 24, 49]))
    def time_passes(self, hours):
        """The clock moves on and the materials sweep runs, as rq's cron would run it."""
        self.time_moves += 1
        self.coords.shift(dt.timedelta(hours=hours))
        with DjangoTestCase.captureOnCommitCallbacks(execute=True):
            dropped = check_materials_due()
        event(f"materials sweep dropped {min(dropped, 2)}+")
        before, self.tables = self.tables, self._fingerprint()
        if not dropped:
            assert self.tables == before, "a materials sweep that dropped nothing changed the records"
        self._check_all()

    @initialize(
        kinds=st.lists(st.sampled_from(KINDS), min_size=0, max_size=2),
        body=st.sampled_from(["PC", "PO"]),
        coins=st.lists(turn, min_size=4, max_size=8),
    )
    def items_on_the_way(self, kinds, body, coins):
        """Some examples start with items already written and taken towards a meeting."""
        for category, major_kind, amount in kinds:
            item = self._call(
                "item_create",
                item_services.item_create,
                actor=self.users["staff"],
                requested_body=self.bodies[body],
                title=f"关于{category}事项的请示",
                category=category,
                background="现行做法需要调整。",
                proposal="按新办法执行。",
                amount=amount,
                major_kind=major_kind,
                confidential=False,
            )
            if item is not None:
                self._item_goes_on(item, coins)

    @rule(attempt=st.sampled_from(ATTEMPTS), n=pick, actor=st.sampled_from(USERNAMES))
    def someone_tries(self, attempt, n, actor):
        """Anyone tries any step on anything, whatever its state: mostly refused."""
        name, target, needs, extra = attempt
        if not self.summary[needs]:
            name, target, extra = "create_item", None, {"body": "PC", "kind": KINDS[0], "secret": False}
        kwargs = {target: n} if target else {}
        getattr(self, name)(actor=actor, **kwargs, **extra)

    # --- the usual course of business -------------------------------------------------------------
    # The rules above take one step each, by anyone, and are mostly refused. These take an item, a
    # meeting or a resolution a few steps along its usual course, as the people whose turn it is,
    # with drawn variations (a return, a concern, absences, a recusal, the chair speaking early,
    # votes against, the outcome), so that examples reach meetings, resolutions and tasks.

    @precondition(lambda self: self.summary["items_moving"])
    @rule(n=pick, coins=st.lists(turn, min_size=3, max_size=10))
    def item_goes_on(self, n, coins):
        ready = _with_materials()
        items = [i for i in AgendaItem.objects.select_related("requested_body").order_by("pk") if _moving(i, ready)]
        self._item_goes_on(items[n % len(items)], coins)

    def _item_goes_on(self, item: AgendaItem, coins) -> None:
        for coin in coins:
            item.refresh_from_db()
            submitter = self.by_pk[item.submitter_id]
            if (
                item.state in (State.DRAFT, State.RETURNED, State.REVISING, State.READY)
                and not item.attachments.exists()
            ):
                self._call(
                    "attachment_add", item_services.attachment_add, actor=submitter, item_id=item.pk, upload=_pdf()
                )
            elif item.state in (State.DRAFT, State.RETURNED):
                self._call("item_submit", item_services.item_submit, actor=submitter, item_id=item.pk)
            elif item.state == State.DEPT_REVIEW:
                head = self._first(self._heads(item.department_id))
                if coin == 9:
                    self._call(
                        "item_dept_return",
                        item_services.item_dept_return,
                        actor=head,
                        item_id=item.pk,
                        reason="请补充依据",
                    )
                else:
                    self._call("item_dept_approve", item_services.item_dept_approve, actor=head, item_id=item.pk)
            elif item.state == State.SCREENING:
                chair = self.by_pk[item.requested_body.chair_id]
                if coin == 9:
                    self._call(
                        "item_screen_return",
                        item_services.item_screen_return,
                        actor=chair,
                        item_id=item.pk,
                        reason="请完善方案",
                    )
                    continue
                leaders = [
                    self.users[u] for u in ("member1", "member2", "vice") if self.users[u].pk != item.submitter_id
                ]
                consultees = leaders[: 1 + (coin == 8)]
                if item.category in ("study", "report", "briefing") and not item.major_kind and coin < 5:
                    consultees = []
                self._call(
                    "item_screen_accept",
                    item_services.item_screen_accept,
                    actor=chair,
                    item_id=item.pk,
                    consultees=consultees,
                )
            elif item.state == State.CONSULTING:
                pending = Consultation.objects.filter(
                    item=item, round=item.consultation_round, answer=Consultation.Answer.PENDING
                ).values_list("consultee_id", flat=True)
                self._call(
                    "item_consult_answer",
                    item_services.item_consult_answer,
                    actor=self._first(pending),
                    item_id=item.pk,
                    agree=coin != 9,
                    text="请补充比价材料" if coin == 9 else "同意",
                )
            elif item.state == State.REVISING:
                self._call(
                    "item_resubmit", item_services.item_resubmit, actor=submitter, item_id=item.pk, reason="已补充材料"
                )
            else:
                return

    @precondition(lambda self: self.summary["meetings_moving"] or self.summary["items_in"].get(State.READY))
    @rule(m=pick, coins=st.lists(turn, min_size=8, max_size=30))
    def meeting_goes_on(self, m, coins):
        unsigned = set(Minutes.objects.exclude(state=Minutes.State.LOCKED).values_list("meeting_id", flat=True))
        meetings = [mt for mt in Meeting.objects.select_related("body").order_by("pk") if _meeting_moving(mt, unsigned)]
        if not meetings or coins[0] == 9 and len(meetings) < 3:
            ready = AgendaItem.objects.filter(state=State.READY).select_related("requested_body").order_by("pk")
            body = ready[m % len(ready)].requested_body if ready else self.bodies["PC"]
            meeting = self._call(
                "meeting_schedule",
                meeting_services.meeting_schedule,
                actor=self._organizer(body),
                body=body,
                starts_at=_now() + dt.timedelta(days=3),
                place="行政楼第一会议室",
            )
            if meeting is None:
                return
        else:
            meeting = meetings[m % len(meetings)]
        for coin in coins:
            meeting.refresh_from_db()
            if not self._meeting_step(meeting, coin):
                return

    def _meeting_step(self, meeting: Meeting, coin: int) -> bool:
        """The next thing the meeting's office does; False when there is nothing left to do."""
        office = self._organizer(meeting.body)
        if meeting.state == Meeting.State.PLANNING:
            on = meeting.entries.filter(dropped_at__isnull=True)
            waiting = AgendaItem.objects.filter(state=State.READY, requested_body=meeting.body).order_by("pk")
            if waiting and not (coin == 9 and on.exists()):
                self._call(
                    "agenda_add",
                    meeting_services.agenda_add,
                    actor=office,
                    meeting_id=meeting.pk,
                    item_id=waiting[0].pk,
                )
            elif on.exists():
                self._call("meeting_publish", meeting_services.meeting_publish, actor=office, meeting_id=meeting.pk)
            else:
                return False
        elif meeting.state == Meeting.State.PUBLISHED:
            self._call("meeting_open", meeting_services.meeting_open, actor=office, meeting_id=meeting.pk)
        elif meeting.state == Meeting.State.IN_PROGRESS:
            rows = list(meeting.attendance.order_by("pk"))
            unmarked = [a for a in rows if a.status == Attendance.Status.UNKNOWN]
            if unmarked:
                row = unmarked[0]
                away = coin >= 8
                self._call(
                    "attendance_mark",
                    meeting_services.attendance_mark,
                    actor=office,
                    meeting_id=meeting.pk,
                    person_id=row.person_id,
                    present=not away,
                    reason="出差" if away else "",
                )
                return True
            entry = meeting.entries.filter(dropped_at__isnull=True, outcome="").select_related("item").first()
            if entry is None:
                self._call("meeting_adjourn", meeting_services.meeting_adjourn, actor=office, meeting_id=meeting.pk)
                return True
            self._entry_step(meeting, entry, rows, coin)
        elif meeting.state == Meeting.State.ADJOURNED:
            minutes = meeting.minutes.order_by("-pk").first()
            if minutes.state == Minutes.State.DRAFT:
                self._call(
                    "minutes_send",
                    meeting_services.minutes_send,
                    actor=self.by_pk[meeting.secretary_id],
                    minutes_id=minutes.pk,
                )
            elif minutes.state == Minutes.State.SIGNING:
                signed = set(minutes.signatures.filter(round=minutes.signing_round).values_list("member_id", flat=True))
                waiting = sorted(self._present_members(meeting) - signed)
                if not waiting:
                    # No member was present (a meeting opened and adjourned with nobody marked
                    # present): nobody may co-sign, and the minutes stay waiting.
                    event("minutes nobody may sign")
                    return False
                member = self.by_pk[waiting[0]]
                if coin == 9:
                    self._call(
                        "minutes_object",
                        meeting_services.minutes_object,
                        actor=member,
                        minutes_id=minutes.pk,
                        reason="第二项表述不准确",
                    )
                else:
                    self._call("minutes_sign", meeting_services.minutes_sign, actor=member, minutes_id=minutes.pk)
            else:
                return False
        else:
            return False
        return True

    def _entry_step(self, meeting: Meeting, entry: AgendaEntry, rows, coin: int) -> None:
        office = self._organizer(meeting.body)
        item = entry.item
        recused = set(entry.recusals.values_list("member_id", flat=True))
        members = [a for a in rows if a.kind == Attendance.Kind.MEMBER]
        should = {a.person_id for a in members} - recused
        present = [a.person_id for a in members if a.status == Attendance.Status.PRESENT and a.person_id not in recused]
        spoken = set(entry.opinions.values_list("member_id", flat=True))
        quorate = _quorum(
            meeting.body,
            present=len(present),
            should=len(should),
            appointment=item.major_kind == MajorKind.APPOINTMENT,
        )
        if not quorate:
            # Without a quorum: someone away arrives late (a change that waits until no item is
            # under discussion), or the item is deferred, or the meeting carries on regardless
            # (and the services must refuse every decision).
            away = [a for a in members if a.status == Attendance.Status.ABSENT]
            if away and coin < 4:
                self._call(
                    "attendance_mark",
                    meeting_services.attendance_mark,
                    actor=office,
                    meeting_id=meeting.pk,
                    person_id=away[0].person_id,
                    present=True,
                )
                return
            if coin >= 7:
                self._call(
                    "entry_decide",
                    meeting_services.entry_decide,
                    actor=office,
                    entry_id=entry.pk,
                    outcome=AgendaEntry.Outcome.DEFERRED,
                    note="到会人数不足，下次再议",
                )
                return
        if coin == 9 and not spoken and not entry.vote_state and len(present) > 1:
            member = next(pk for pk in reversed(present) if pk != meeting.chair_id)
            self._call(
                "entry_recuse",
                meeting_services.entry_recuse,
                actor=office,
                entry_id=entry.pk,
                member_id=member,
                reason="与本人近亲属有关",
            )
            return
        deliberated = item.category in ("proposal", "decision") or item.major_kind
        to_speak = [pk for pk in present if pk not in spoken]
        if deliberated and to_speak and not entry.vote_state:
            to_speak.sort(key=lambda pk: pk == meeting.chair_id)
            speaker = meeting.chair_id if coin == 8 and meeting.chair_id in to_speak else to_speak[0]
            self._call(
                "opinion_record",
                meeting_services.opinion_record,
                actor=office,
                entry_id=entry.pk,
                member_id=speaker,
                stance="agree",
                text="同意。",
            )
            return
        if entry.vote_state == "" and (item.major_kind or (deliberated and coin == 7)):
            self._call("vote_open", meeting_services.vote_open, actor=office, entry_id=entry.pk)
            return
        if entry.vote_state == AgendaEntry.VoteState.OPEN:
            voted = set(entry.votes.values_list("member_id", flat=True))
            voted |= set(entry.ballots_cast.values_list("member_id", flat=True))  # a secret ballot
            voters = [pk for pk in present if pk not in voted]
            if voters:
                choice = {9: Ballot.Choice.AGAINST, 8: Ballot.Choice.ABSTAIN}.get(coin, Ballot.Choice.FOR)
                self._call(
                    "vote_cast",
                    meeting_services.vote_cast,
                    actor=self.by_pk[voters[0]],
                    entry_id=entry.pk,
                    choice=choice,
                )
            else:
                self._call("vote_close", meeting_services.vote_close, actor=office, entry_id=entry.pk)
            return
        allowed = meeting_services.allowed_outcomes(entry, meeting)
        outcome = allowed[0]
        if coin == 9:
            outcome = AgendaEntry.Outcome.DEFERRED
        elif entry.vote_state == AgendaEntry.VoteState.CLOSED:
            ayes = _ayes(entry)
            if not Fraction(ayes, max(len(should), 1)) > Fraction(meeting.body.pass_num, meeting.body.pass_den):
                outcome = AgendaEntry.Outcome.NOT_PASSED
        self._call(
            "entry_decide",
            meeting_services.entry_decide,
            actor=office,
            entry_id=entry.pk,
            outcome=outcome,
            note="按讨论意见执行",
        )

    @precondition(lambda self: self.summary["items_in"].get(State.RESOLVED) or self.summary["tasks"])
    @rule(n=pick, coins=st.lists(turn, min_size=2, max_size=8))
    def follow_up(self, n, coins):
        """A resolution is split into tasks; the departments report, the supervisors review."""
        for coin in coins:
            tasks = list(Task.objects.exclude(state=Task.State.CLOSED).order_by("pk"))
            fresh = list(Resolution.objects.filter(item__state=State.RESOLVED, tasks__isnull=True).order_by("pk"))
            if fresh and (not tasks or coin == 9):
                resolution = fresh[n % len(fresh)]
                track = Track.PROJECT if coin == 8 else Track.TASK
                self._call(
                    "task_create",
                    supervision_services.task_create,
                    actor=self.users["affairsoffice" if track == Track.PROJECT else "discipline"],
                    resolution_id=resolution.pk,
                    track=track,
                    title="落实决议事项",
                    lead_department_id=Department.objects.get(name="教务处" if coin % 2 else "财务处").pk,
                    responsible_leader_id=self.users["member1"].pk,
                    deadline=_now().date() + dt.timedelta(days=30),
                )
                continue
            if not tasks:
                return
            task = tasks[n % len(tasks)]
            if task.state == Task.State.REPORTED:
                supervisors = set(
                    RoleAssignment.objects.filter(role=TRACK_SUPERVISOR_ROLES[task.track]).values_list(
                        "user_id", flat=True
                    )
                )
                report = task.reports.order_by("-pk").first()
                decision = "return" if coin == 9 else ("close" if report.is_final else "accept")
                self._call(
                    "task_review",
                    supervision_services.task_review,
                    actor=self._first(supervisors - {report.author_id}),
                    task_id=task.pk,
                    decision=decision,
                    comment="请补充材料" if decision == "return" else "同意",
                )
            else:
                final = coin >= 4
                self._call(
                    "task_report",
                    supervision_services.task_report,
                    actor=self._first(self._heads(task.lead_department_id)),
                    task_id=task.pk,
                    text="已按计划推进。",
                    is_final=final,
                    files=[_pdf("佐证材料.pdf")] if final else [],
                )

    @invariant()
    def count_steps(self):
        STATS["steps"] += 1

    # --- the rules ------------------------------------------------------------------------------------

    def _check_all(self) -> None:
        data = self._load()
        self._check_history_is_append_only(data)
        self._check_quorum_and_votes(data)
        self._check_chair_speaks_last(data)
        self._check_two_deliberations(data)
        self._check_who_speaks_and_votes(data)
        self._check_state_histories(data)
        self._check_resolutions(data)
        self._check_agenda(data)
        self._check_minutes(data)
        self._summarise(data)

    def _check_history_is_append_only(self, data) -> None:
        rows = {
            ev.pk: _digest(
                (ev.created_at, ev.actor_id, ev.verb, ev.target_type, ev.target_id)
                + (ev.from_state, ev.to_state, ev.reason, ev.data)
            )
            for ev in data["audit"]
        }
        gone = [pk for pk in self.audit if pk not in rows]
        assert not gone, f"history rows deleted: {gone}"
        changed = [pk for pk, h in self.audit.items() if rows[pk] != h]
        assert not changed, f"history rows changed: {changed}"
        newest = max(self.audit, default=0)
        assert all(pk > newest for pk in set(rows) - set(self.audit)), "history rows inserted out of order"
        self.audit = rows

    def _load(self) -> dict:
        """One read of everything the rules look at."""
        attendance = defaultdict(list)
        for a in Attendance.objects.all():
            attendance[a.meeting_id].append(a)
        recusals = defaultdict(set)
        for entry_id, member_id in Recusal.objects.values_list("entry_id", "member_id"):
            recusals[entry_id].add(member_id)
        opinions = defaultdict(list)
        for o in Opinion.objects.order_by("pk"):
            opinions[o.entry_id].append(o)
        votes = defaultdict(list)
        for v in Ballot.objects.order_by("pk"):
            votes[v.entry_id].append(v)
        secret = defaultdict(list)  # who has voted in a secret ballot (never how)
        for b in BallotCast.objects.order_by("pk"):
            secret[b.entry_id].append(b)
        boxes = {b.entry_id: b.votes_for for b in SecretBallot.objects.all()}
        audit = list(
            AuditEvent.objects.order_by("pk").values_list(
                "pk",
                "created_at",
                "actor_id",
                "verb",
                "target_type",
                "target_id",
                "from_state",
                "to_state",
                "reason",
                "data",
                named=True,
            )
        )
        events = defaultdict(list)
        for ev in audit:
            events[(ev.target_type, ev.target_id)].append(ev)
        return {
            "bodies": {b.pk: b for b in MeetingBody.objects.all()},
            "items": {i.pk: i for i in AgendaItem.objects.all()},
            "meetings": {m.pk: m for m in Meeting.objects.all()},
            "entries": list(AgendaEntry.objects.order_by("pk")),
            "attendance": attendance,
            "recusals": recusals,
            "opinions": opinions,
            "votes": votes,
            "secret": secret,
            "boxes": boxes,
            "resolutions": list(Resolution.objects.order_by("pk")),
            "minutes": list(Minutes.objects.order_by("pk")),
            "tasks": list(Task.objects.order_by("pk")),
            "notices": list(Notice.objects.order_by("pk")),
            "with_materials": _with_materials(),
            "audit": audit,
            "events": events,
        }

    def _members(self, data, meeting_id: int, recused=()) -> tuple[set[int], set[int]]:
        """(should attend, present): the meeting's members, less those recused."""
        rows = [a for a in data["attendance"][meeting_id] if a.kind == Attendance.Kind.MEMBER]
        should = {a.person_id for a in rows} - set(recused)
        present = {a.person_id for a in rows if a.status == Attendance.Status.PRESENT} - set(recused)
        return should, present

    def _check_quorum_and_votes(self, data) -> None:
        for entry in data["entries"]:
            if not entry.outcome or entry.outcome == AgendaEntry.Outcome.DEFERRED:
                continue
            meeting = data["meetings"][entry.meeting_id]
            body = data["bodies"][meeting.body_id]
            if not body.decides:
                continue
            item = data["items"][entry.item_id]
            should, present = self._members(data, meeting.pk, data["recusals"][entry.pk])
            appointment = item.major_kind == MajorKind.APPOINTMENT
            assert _quorum(body, present=len(present), should=len(should), appointment=appointment), (
                f"{body.code} entry {entry.pk} decided {entry.outcome!r} with {len(present)} of {len(should)} present"
            )
            voted = item.major_kind or entry.vote_state
            if voted and (entry.outcome in PASSES or entry.outcome == AgendaEntry.Outcome.NOT_PASSED):
                assert entry.vote_state == AgendaEntry.VoteState.CLOSED, f"entry {entry.pk} decided without a vote"
                if entry.vote_mode == AgendaEntry.VoteMode.SECRET:
                    ayes = data["boxes"][entry.pk]
                else:
                    ayes = sum(v.choice == Ballot.Choice.FOR for v in data["votes"][entry.pk] if not v.corrects_id)
                passed = Fraction(ayes, len(should)) > Fraction(body.pass_num, body.pass_den)
                assert passed == (entry.outcome in PASSES), (
                    f"entry {entry.pk}: {ayes} for of {len(should)} should attend, outcome {entry.outcome!r}"
                )

    def _check_chair_speaks_last(self, data) -> None:
        for entry in data["entries"]:
            opinions = data["opinions"][entry.pk]
            meeting = data["meetings"][entry.meeting_id]
            chair = [o for o in opinions if o.member_id == meeting.chair_id]
            if not chair:
                continue
            (said,) = chair
            assert said.pk == max(o.pk for o in opinions), f"entry {entry.pk}: an opinion recorded after the chair's"
            if said.pk in self.chair_opinions_seen and entry.outcome:
                continue  # checked when it was recorded; late arrivals after the decision do not count
            _, present = self._members(data, meeting.pk, data["recusals"][entry.pk])
            before = {o.member_id for o in opinions if o.pk < said.pk}
            waiting = present - before - {meeting.chair_id}
            assert not waiting, f"entry {entry.pk}: the chair spoke before members {sorted(waiting)}"
            self.chair_opinions_seen.add(said.pk)

    def _check_two_deliberations(self, data) -> None:
        forwarded = {
            e.item_id
            for e in data["entries"]
            if e.outcome == AgendaEntry.Outcome.PASSED_TO_PC
            and data["bodies"][data["meetings"][e.meeting_id].body_id].code == "PO"
        }
        two = forwarded | {pk for pk, i in data["items"].items() if i.major_kind}
        pc = self.bodies["PC"].pk
        for r in data["resolutions"]:
            if r.item_id in two:
                assert r.body_id == pc, f"item {r.item_id} needs PC, resolved by body {r.body_id}"
        pc_resolved = {r.item_id for r in data["resolutions"] if r.body_id == pc}
        waiting = two - pc_resolved
        early_notices = Notice.objects.filter(resolution__item__in=waiting)
        assert not early_notices.exists(), f"notice before the PC resolution: {list(early_notices)}"
        early_tasks = Task.objects.filter(item__in=waiting) | Task.objects.filter(resolution__item__in=waiting)
        assert not early_tasks.exists(), f"task before the PC resolution: {list(early_tasks)}"
        assert not Notice.objects.filter(level=Notice.Level.PC_RESOLUTION).exclude(resolution__body_id=pc).exists()

    def _check_who_speaks_and_votes(self, data) -> None:
        for entry in data["entries"]:
            recused = data["recusals"][entry.pk]
            _, present = self._members(data, entry.meeting_id)
            for o in data["opinions"][entry.pk]:
                assert o.member_id not in recused, f"entry {entry.pk}: recused member {o.member_id} has an opinion"
                assert o.member_id in present, f"entry {entry.pk}: opinion of {o.member_id}, not a member present"
            for v in data["votes"][entry.pk] + data["secret"][entry.pk]:
                assert v.member_id not in recused, f"entry {entry.pk}: recused member {v.member_id} voted"
                assert v.member_id in present, f"entry {entry.pk}: vote of {v.member_id}, not a member present"
                assert entry.vote_state, f"entry {entry.pk}: a vote without a vote being opened"

    def _check_state_histories(self, data) -> None:
        events = data["events"]
        step_verbs = {f"item.{s}" for s in ALL_STEPS}
        for item in data["items"].values():
            history = events[("decisions.agendaitem", item.pk)]
            assert history and history[0].verb == "item.create" and history[0].to_state == State.DRAFT
            steps = [ev for ev in history if ev.verb in step_verbs]
            assert item.state in State.values
            _chain(steps, State.DRAFT, item.state, f"item {item.pk}")
            assert item.version == 1 + len(steps), f"item {item.pk}: version {item.version}, {len(steps)} steps"
        meeting_verbs = {"meeting.publish", "meeting.open", "meeting.adjourn", "meeting.cancel"}
        for meeting in data["meetings"].values():
            history = events[("meetings.meeting", meeting.pk)]
            assert history[0].verb == "meeting.schedule" and history[0].to_state == Meeting.State.PLANNING
            steps = [ev for ev in history if ev.verb in meeting_verbs]
            _chain(steps, Meeting.State.PLANNING, meeting.state, f"meeting {meeting.pk}")
            assert meeting.version == 1 + len(steps)
        for minutes in data["minutes"]:
            history = events[("meetings.minutes", minutes.pk)]
            assert history[0].to_state == Minutes.State.DRAFT
            steps = [ev for ev in history if ev.verb in ("minutes.send", "minutes.object", "minutes.lock")]
            _chain(steps, Minutes.State.DRAFT, minutes.state, f"minutes {minutes.pk}")
        task_verbs = {f"task.{s}" for s in TASK_TRANSITIONS}
        for task in data["tasks"]:
            history = events[("supervision.task", task.pk)]
            assert history[0].verb == "task.create" and history[0].to_state == Task.State.ASSIGNED
            steps = [ev for ev in history if ev.verb in task_verbs]
            _chain(steps, Task.State.ASSIGNED, task.state, f"task {task.pk}")
            assert task.version == 1 + len(steps)
        for notice in data["notices"]:
            history = events[("notices.notice", notice.pk)]
            assert history[0].verb == "notice.create" and history[0].to_state == Notice.State.DRAFT
            _chain([ev for ev in history if ev.verb == "notice.publish"], "draft", notice.state, f"notice {notice.pk}")

    def _check_resolutions(self, data) -> None:
        by_entry = {r.entry_id: r for r in data["resolutions"]}
        for entry in data["entries"]:
            meeting = data["meetings"][entry.meeting_id]
            decides = data["bodies"][meeting.body_id].decides
            if entry.outcome in FINAL_PASSES and decides:
                assert entry.pk in by_entry, f"entry {entry.pk} passed without a resolution"
            else:
                assert entry.pk not in by_entry, f"entry {entry.pk} ({entry.outcome!r}) has a resolution"
        series = defaultdict(list)
        for r in data["resolutions"]:
            series[(r.body_id, r.year)].append(r.seq)
            assert r.item_id == next(e.item_id for e in data["entries"] if e.pk == r.entry_id)
            assert data["items"][r.item_id].state in (State.RESOLVED, State.CLOSED)
        for key, seqs in series.items():
            assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"resolution numbers {key}: {sorted(seqs)}"
        resolved = defaultdict(int)
        for r in data["resolutions"]:
            resolved[r.item_id] += 1
        for item in data["items"].values():
            if item.state in (State.RESOLVED, State.CLOSED):
                assert resolved[item.pk] == 1, f"item {item.pk} is {item.state} with {resolved[item.pk]} resolutions"
            if item.state == State.CLOSED:
                states = set(Task.objects.filter(item=item).values_list("state", flat=True))
                assert states == {Task.State.CLOSED}, f"item {item.pk} closed with tasks {states}"

    def _check_agenda(self, data) -> None:
        undecided = defaultdict(int)
        for entry in data["entries"]:
            item = data["items"][entry.item_id]
            if entry.dropped_at is None and not entry.outcome:
                undecided[entry.item_id] += 1
            if entry.dropped_at is None and item.consultation_round:
                answers = set(
                    Consultation.objects.filter(item=item, round=item.consultation_round).values_list(
                        "answer", flat=True
                    )
                )
                assert answers == {Consultation.Answer.AGREE}, f"item {item.pk} on an agenda with answers {answers}"
            history = data["events"][("meetings.meeting", entry.meeting_id)]
            added = next(
                ev.pk
                for ev in history
                if ev.verb in ("meeting.agenda_add", "meeting.emergency_item") and ev.data.get("entry") == entry.pk
            )
            published = [ev.pk for ev in history if ev.verb == "meeting.publish"]
            if not entry.emergency and published:
                assert added < published[0], f"entry {entry.pk} joined the agenda after it was published"
            decided = [ev for ev in history if ev.verb == "meeting.decide" and ev.data.get("entry") == entry.pk]
            assert len(decided) <= 1
            if decided and not entry.emergency:
                assert Attachment.objects.filter(item_id=entry.item_id, removed_at__isnull=True).exists(), (
                    f"entry {entry.pk} decided without materials"
                )
        for item in data["items"].values():
            expected = 1 if item.state == State.SCHEDULED else 0
            assert undecided[item.pk] == expected, f"item {item.pk} ({item.state}) on {undecided[item.pk]} agendas"

    def _check_minutes(self, data) -> None:
        for minutes in data["minutes"]:
            _, present = self._members(data, minutes.meeting_id)
            signatures = list(MinutesSignature.objects.filter(minutes=minutes))
            assert {s.member_id for s in signatures} <= present
            if minutes.state == Minutes.State.LOCKED:
                final = [s for s in signatures if s.round == minutes.signing_round]
                assert {s.member_id for s in final} == present, f"minutes {minutes.pk} locked without every signature"
                digest = hashlib.sha256(minutes.text.encode()).hexdigest()
                assert {s.text_sha256 for s in final} == {digest}
                assert minutes.number

    def _summarise(self, data) -> None:
        """What the preconditions look at, counted once per step."""
        items_in = defaultdict(int)
        for item in data["items"].values():
            items_in[item.state] += 1
        meetings_in = defaultdict(int)
        for meeting in data["meetings"].values():
            meetings_in[meeting.state] += 1
        running = {pk for pk, m in data["meetings"].items() if m.state == Meeting.State.IN_PROGRESS}
        live = [e for e in data["entries"] if e.meeting_id in running and e.dropped_at is None and not e.outcome]
        unmarked = any(
            a.status == Attendance.Status.UNKNOWN
            for pk, m in data["meetings"].items()
            if m.state in (Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS)
            for a in data["attendance"][pk]
        )
        minutes = [m.state for m in data["minutes"]]
        unsigned = {m.meeting_id for m in data["minutes"] if m.state != Minutes.State.LOCKED}
        tasks = [t.state for t in data["tasks"]]
        self.summary = {
            "items_moving": sum(_moving(i, data["with_materials"]) for i in data["items"].values()),
            "meetings_moving": sum(_meeting_moving(m, unsigned) for m in data["meetings"].values()),
            "items": len(data["items"]),
            "entries": len(data["entries"]),
            "items_in": items_in,
            "meetings": len(data["meetings"]),
            "meetings_in": meetings_in,
            "open_entries": len(live),
            "open_votes": sum(e.vote_state == AgendaEntry.VoteState.OPEN for e in live),
            "unmarked": unmarked,
            "minutes": len(minutes),
            "minutes_signing": sum(s == Minutes.State.SIGNING for s in minutes),
            "upper_notices": sum(n.level == Notice.Level.UPPER_DOCUMENT for n in data["notices"]),
            "resolutions": len(data["resolutions"]),
            "tasks": sum(t != Task.State.CLOSED for t in tasks),
            "tasks_reported": sum(t == Task.State.REPORTED for t in tasks),
            "tasks_total": len(tasks),
            "tasks_to_report": sum(t in TASK_TRANSITIONS["report"][0] for t in tasks),
            "minutes_draft": sum(s == Minutes.State.DRAFT for s in minutes),
            "need_materials": sum(
                i.state in MATERIALS_STATES and i.pk not in data["with_materials"] for i in data["items"].values()
            ),
            "publishable": sum(
                e.dropped_at is None and data["meetings"][e.meeting_id].state == Meeting.State.PLANNING
                for e in data["entries"]
            ),
            "minutes_locked": sum(s == Minutes.State.LOCKED for s in minutes),
            "notices": len(data["notices"]),
        }


def _with_materials() -> set[int]:
    """The items whose meeting materials are in."""
    return set(Attachment.objects.filter(removed_at__isnull=True).values_list("item_id", flat=True))


def _moving(item: AgendaItem, with_materials: set[int]) -> bool:
    """An item on its way to a meeting: before it is ready, or ready without its materials."""
    return item.state in MOVING or (item.state == State.READY and item.pk not in with_materials)


def _meeting_moving(meeting: Meeting, unsigned: set[int]) -> bool:
    """A meeting still to be held, or held with its minutes (`unsigned`: meeting ids) not locked."""
    if meeting.state in (Meeting.State.PLANNING, Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS):
        return True
    return meeting.state == Meeting.State.ADJOURNED and meeting.pk in unsigned


def _now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()


def test_random_walks_through_the_workflow_keep_the_rules(school, settings):
    settings.REDIS_URL = ""  # jobs queued on commit run in process, right after each step
    STATS.clear()
    run_state_machine_as_test(SchoolMachine, settings=PROFILE)
    print("\n".join(f"{n:6d}  {key}" for key, n in sorted(STATS.items())))


def test_an_item_deferred_at_a_meeting_cannot_crash_its_emergency_readdition(people, settings):
    """Found by the random walks: the chair re-adds as an emergency item one the same meeting has just
    deferred (back in the queue, READY). The step must be refused with a reason, or allowed; it must
    not fail in the database."""
    settings.REDIS_URL = ""
    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
    meeting, (entry,) = running_meeting([item], "PC")
    meeting_services.entry_decide(
        actor=people("partyoffice"), entry_id=entry.pk, outcome=AgendaEntry.Outcome.DEFERRED, note="材料需补充"
    )
    with pytest.raises(InvalidTransition, match="已在本次会议的议程上"):
        meeting_services.emergency_add(
            actor=people("secretary"), meeting_id=meeting.pk, item_id=item.pk, reason="补充材料已到，今天议定"
        )
