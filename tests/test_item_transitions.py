"""Every allowed and every refused step of an agenda item, at the service and at the HTTP layer.

The table is STEPS (decisions.models): a step is allowed from exactly its `sources`; the right
person is decided by decisions.access. 403 = not this person, 409 = wrong state / rule broken.
"""

from decimal import Decimal

import pytest
from django.db import transaction

from core import audit
from core.errors import InvalidTransition
from core.models import AuditEvent
from decisions import selectors, services
from decisions.access import can_view
from decisions.models import STEPS, AgendaItem, Category, Consultation, DecisionPolicy, MajorKind, ScopeRule, State
from org.models import Role, RoleAssignment
from tests.factories import ItemFields, at_state, body, draft

REASON = "说明理由"


# --- helpers ----------------------------------------------------------------------------


def take(step: str, item: AgendaItem, actor, *, reason: str = REASON, consultees=None, agree=True, text=""):
    """Take `step` on `item` as `actor` through the service, with otherwise valid input."""
    pk = item.pk
    if step == "submit":
        return services.item_submit(actor=actor, item_id=pk)
    if step == "dept_approve":
        return services.item_dept_approve(actor=actor, item_id=pk, comment=reason)
    if step == "dept_return":
        return services.item_dept_return(actor=actor, item_id=pk, reason=reason)
    if step == "screen_accept":
        return services.item_screen_accept(actor=actor, item_id=pk, consultees=consultees or [], comment=reason)
    if step == "screen_return":
        return services.item_screen_return(actor=actor, item_id=pk, reason=reason)
    if step == "screen_reject":
        return services.item_screen_reject(actor=actor, item_id=pk, reason=reason)
    if step == "consult_answer":
        return services.item_consult_answer(actor=actor, item_id=pk, agree=agree, text=text)
    if step == "resubmit":
        return services.item_resubmit(actor=actor, item_id=pk, reason=reason)
    if step == "withdraw":
        return services.item_withdraw(actor=actor, item_id=pk, reason=reason)
    if step == "edit":
        return services.item_update(
            actor=actor, item_id=pk, version=item.version, **fields_of(item, title="改后的标题")
        )
    raise AssertionError(f"no helper for step {step!r}")


def fields_of(item: AgendaItem, **changes) -> dict:
    fields = {name: getattr(item, name) for name in services.ITEM_FIELDS}
    fields.update(changes)
    return fields


def snapshot(item: AgendaItem):
    """Everything a refused step must leave as it was."""
    item = AgendaItem.objects.get(pk=item.pk)
    return (
        item.state,
        item.version,
        item.consultation_round,
        item.title,
        AuditEvent.objects.count(),
        sorted(Consultation.objects.filter(item=item).values_list("id", "round", "answer", "text")),
    )


def refused(item: AgendaItem, status: int, fn, *args, **kwargs) -> InvalidTransition:
    before = snapshot(item)
    with pytest.raises(InvalidTransition) as exc:
        fn(*args, **kwargs)
    assert exc.value.status == status, exc.value.reason
    assert snapshot(item) == before
    return exc.value


# Who is the right person for each step, on a PC item submitted by `staff` of 教务处 and
# consulted with member1 and member2 (member1 answers first when an answer is needed).
RIGHT_ACTOR = {
    "submit": "staff",
    "dept_approve": "depthead",
    "dept_return": "depthead",
    "screen_accept": "secretary",
    "screen_return": "secretary",
    "screen_reject": "secretary",
    "consult_answer": "member2",
    "resubmit": "staff",
    "withdraw": "staff",
}


def test_the_table_names_a_right_actor_for_every_step():
    assert set(RIGHT_ACTOR) == set(STEPS)


# --- 1. the state table -----------------------------------------------------------------------


@pytest.mark.parametrize("step", list(STEPS))
@pytest.mark.parametrize("state", State.values)
def test_a_step_is_allowed_exactly_from_its_source_states(people, state, step):
    staff = people("staff")
    item = at_state(state, submitter=staff, consultees=[people("member1"), people("member2")])
    assert item.state == state
    actor = people(RIGHT_ACTOR[step])
    kwargs = {"consultees": [people("vice")]} if step == "screen_accept" else {}

    if state in STEPS[step].sources:
        events = AuditEvent.objects.count()
        take(step, item, actor, **kwargs)
        after = AgendaItem.objects.get(pk=item.pk)
        assert after.state in STEPS[step].targets
        assert after.version == item.version + 1
        last = AuditEvent.objects.order_by("-id").first()
        assert AuditEvent.objects.count() == events + 1
        assert (last.verb, last.actor_id, last.from_state, last.to_state) == (
            f"item.{step}",
            actor.pk,
            state,
            after.state,
        )
    else:
        refused(item, 409, take, step, item, actor, **kwargs)


WRONG_ACTOR = [
    # (step, state, requested body, who tries)
    ("submit", State.DRAFT, "PC", "depthead"),
    ("submit", State.RETURNED, "PC", "secretary"),
    ("dept_approve", State.DEPT_REVIEW, "PC", "staff"),
    ("dept_approve", State.DEPT_REVIEW, "PC", "finance"),  # heads another department
    ("dept_approve", State.DEPT_REVIEW, "PC", "secretary"),  # the top leader is not the department head
    ("dept_return", State.DEPT_REVIEW, "PC", "staff"),
    ("dept_return", State.DEPT_REVIEW, "PC", "finance"),
    ("screen_accept", State.SCREENING, "PC", "depthead"),
    ("screen_accept", State.SCREENING, "PC", "principal"),  # chairs PO, not PC
    ("screen_accept", State.SCREENING, "PO", "secretary"),  # a PO item is the principal's to screen
    ("screen_return", State.SCREENING, "PC", "member1"),
    ("screen_return", State.SCREENING, "PO", "secretary"),
    ("screen_reject", State.SCREENING, "PC", "staff"),
    ("screen_reject", State.SCREENING, "PO", "secretary"),
    ("consult_answer", State.CONSULTING, "PC", "vice"),  # a leader not asked
    ("consult_answer", State.CONSULTING, "PC", "secretary"),  # the screener, not named
    ("consult_answer", State.CONSULTING, "PC", "staff"),
    ("consult_answer", State.REVISING, "PC", "vice"),
    ("resubmit", State.REVISING, "PC", "member1"),
    ("resubmit", State.REVISING, "PC", "depthead"),
    ("withdraw", State.DRAFT, "PC", "depthead"),
    ("withdraw", State.SCREENING, "PC", "depthead"),
    ("withdraw", State.READY, "PC", "secretary"),
    ("edit", State.DRAFT, "PC", "depthead"),
    ("edit", State.RETURNED, "PC", "depthead"),
    ("edit", State.REVISING, "PC", "member1"),
]


@pytest.mark.parametrize(("step", "state", "body_code", "who"), WRONG_ACTOR)
def test_a_step_by_the_wrong_person_is_forbidden(people, step, state, body_code, who):
    item = at_state(
        state, submitter=people("staff"), consultees=[people("member1"), people("member2")], body_code=body_code
    )
    kwargs = {"consultees": [people("vice")]} if step == "screen_accept" else {}
    refused(item, 403, take, step, item, people(who), **kwargs)


def test_every_step_has_a_wrong_actor_case():
    assert {case[0] for case in WRONG_ACTOR} == set(STEPS) | {"edit"}


# --- reasons ---------------------------------------------------------------------------------

REASON_SETUP = {
    # step: (state the item is in, who takes the step)
    "dept_return": (State.DEPT_REVIEW, "depthead"),
    "screen_return": (State.SCREENING, "secretary"),
    "screen_reject": (State.SCREENING, "secretary"),
    "resubmit": (State.REVISING, "staff"),
    "withdraw": (State.DRAFT, "staff"),
}


def test_the_steps_that_need_a_reason_are_the_ones_steps_says():
    assert set(REASON_SETUP) == {name for name, step in STEPS.items() if step.needs_reason}


@pytest.mark.parametrize("blank", ["", "   \n "])
@pytest.mark.parametrize("step", sorted(REASON_SETUP))
def test_a_step_that_needs_a_reason_is_refused_without_one(people, step, blank):
    state, who = REASON_SETUP[step]
    item = at_state(state, submitter=people("staff"), consultees=[people("member1")])
    refused(item, 409, take, step, item, people(who), reason=blank)


@pytest.mark.parametrize("step", sorted(REASON_SETUP))
def test_the_reason_given_is_recorded_stripped(people, step):
    state, who = REASON_SETUP[step]
    item = at_state(state, submitter=people("staff"), consultees=[people("member1")])
    take(step, item, people(who), reason="  预算明细不全  ")
    assert AuditEvent.objects.order_by("-id").first().reason == "预算明细不全"


def test_approving_and_accepting_need_no_comment(people):
    item = at_state(State.DEPT_REVIEW, submitter=people("staff"), category=Category.STUDY)
    services.item_dept_approve(actor=people("depthead"), item_id=item.pk, comment="")
    services.item_screen_accept(actor=people("secretary"), item_id=item.pk, consultees=[], comment="")
    item.refresh_from_db()
    assert item.state == State.READY


# --- screening and consultation --------------------------------------------------------------


@pytest.mark.parametrize("category", [Category.STUDY, Category.REPORT, Category.BRIEFING])
def test_screening_may_skip_consultation_for_a_study_report_or_briefing(people, category):
    item = at_state(State.SCREENING, submitter=people("staff"), category=category)
    services.item_screen_accept(actor=people("secretary"), item_id=item.pk, consultees=[])
    item.refresh_from_db()
    assert item.state == State.READY
    assert item.consultation_round == 0
    assert not item.consultations.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"category": Category.PROPOSAL},
        {"category": Category.DECISION},
        {"category": Category.STUDY, "major_kind": MajorKind.DECISION},
        {"category": Category.BRIEFING, "major_kind": MajorKind.APPOINTMENT},
        {"category": Category.REPORT, "amount": Decimal("100000")},  # 三重一大 by its amount
    ],
    ids=["proposal", "decision", "major-study", "major-briefing", "large-amount-report"],
)
def test_screening_without_consultees_is_refused_for_other_items(people, fields):
    item = at_state(State.SCREENING, submitter=people("staff"), **fields)
    refused(item, 409, services.item_screen_accept, actor=people("secretary"), item_id=item.pk, consultees=[])


def test_screening_opens_round_one_for_the_named_leaders(people):
    m1, m2 = people("member1"), people("member2")
    item = at_state(State.SCREENING, submitter=people("staff"))
    services.item_screen_accept(actor=people("secretary"), item_id=item.pk, consultees=[m1, m2, m1])
    item.refresh_from_db()
    assert item.state == State.CONSULTING
    assert item.consultation_round == 1
    rows = Consultation.objects.filter(item=item)
    assert sorted(rows.values_list("consultee__username", "round", "answer")) == [
        ("member1", 1, "pending"),
        ("member2", 1, "pending"),
    ]
    assert set(rows.values_list("requested_by__username", flat=True)) == {"secretary"}


@pytest.mark.parametrize("who", ["depthead", "partyoffice", "teacher", "finance"])
def test_consultees_must_be_leaders(people, who):
    item = at_state(State.SCREENING, submitter=people("staff"))
    exc = refused(
        item,
        409,
        services.item_screen_accept,
        actor=people("secretary"),
        item_id=item.pk,
        consultees=[people("member1"), people(who)],
    )
    assert "不是班子成员" in exc.reason


def test_an_inactive_leader_cannot_be_consulted(people):
    member2 = people("member2")
    member2.is_active = False
    member2.save()
    item = at_state(State.SCREENING, submitter=people("staff"))
    refused(item, 409, services.item_screen_accept, actor=people("secretary"), item_id=item.pk, consultees=[member2])


def test_the_submitter_cannot_be_consulted_on_their_own_item(people):
    # depthead is also made a committee member: a leader, submitting for their department.
    depthead = people("depthead")
    RoleAssignment.objects.create(user=depthead, role=Role.PC_MEMBER)
    depthead = people("depthead")
    assert depthead.is_leader
    item = at_state(State.SCREENING, submitter=depthead)
    exc = refused(
        item,
        409,
        services.item_screen_accept,
        actor=people("secretary"),
        item_id=item.pk,
        consultees=[people("member1"), depthead],
    )
    assert "提交人" in exc.reason
    services.item_screen_accept(actor=people("secretary"), item_id=item.pk, consultees=[people("member1")])


@pytest.mark.parametrize("text", ["", "   "])
def test_a_concern_needs_text(people, text):
    m1 = people("member1")
    item = at_state(State.CONSULTING, submitter=people("staff"), consultees=[m1])
    refused(item, 409, services.item_consult_answer, actor=m1, item_id=item.pk, agree=False, text=text)


def test_a_concern_sends_the_item_back_for_revision_with_its_text(people):
    m1, m2 = people("member1"), people("member2")
    item = at_state(State.CONSULTING, submitter=people("staff"), consultees=[m1, m2])
    services.item_consult_answer(actor=m1, item_id=item.pk, agree=False, text="  预算偏高 ")
    item.refresh_from_db()
    assert item.state == State.REVISING
    c = Consultation.objects.get(item=item, consultee=m1)
    assert (c.answer, c.text) == (Consultation.Answer.CONCERN, "预算偏高")
    assert c.answered_at is not None


def test_one_agreement_of_two_keeps_the_item_consulting_and_both_make_it_ready(people):
    m1, m2 = people("member1"), people("member2")
    item = at_state(State.CONSULTING, submitter=people("staff"), consultees=[m1, m2])
    services.item_consult_answer(actor=m1, item_id=item.pk, agree=True)
    assert AgendaItem.objects.get(pk=item.pk).state == State.CONSULTING
    services.item_consult_answer(actor=m2, item_id=item.pk, agree=True)
    assert AgendaItem.objects.get(pk=item.pk).state == State.READY


def test_an_agreement_after_a_concern_does_not_make_the_item_ready(people):
    m1, m2 = people("member1"), people("member2")
    item = at_state(State.REVISING, submitter=people("staff"), consultees=[m1, m2])
    services.item_consult_answer(actor=m2, item_id=item.pk, agree=True)
    assert AgendaItem.objects.get(pk=item.pk).state == State.REVISING


@pytest.mark.parametrize("second_agree", [True, False])
def test_a_consultee_answers_once_per_round(people, second_agree):
    m1, m2 = people("member1"), people("member2")
    item = at_state(State.CONSULTING, submitter=people("staff"), consultees=[m1, m2])
    services.item_consult_answer(actor=m1, item_id=item.pk, agree=True)
    item.refresh_from_db()
    exc = refused(
        item, 403, services.item_consult_answer, actor=m1, item_id=item.pk, agree=second_agree, text="改变主意"
    )
    assert "已答复" in exc.reason
    assert Consultation.objects.get(item=item, consultee=m1).answer == Consultation.Answer.AGREE


def test_resubmitting_opens_the_next_round_for_the_same_leaders(people):
    staff, m1, m2 = people("staff"), people("member1"), people("member2")
    item = at_state(State.REVISING, submitter=staff, consultees=[m1, m2])
    round_one = sorted(Consultation.objects.filter(item=item).values_list("id", "answer", "text"))

    services.item_resubmit(actor=staff, item_id=item.pk, reason="已补充比价材料")

    item.refresh_from_db()
    assert item.state == State.CONSULTING
    assert item.consultation_round == 2
    assert sorted(Consultation.objects.filter(item=item, round=2).values_list("consultee__username", "answer")) == [
        ("member1", "pending"),
        ("member2", "pending"),
    ]
    assert sorted(Consultation.objects.filter(item=item, round=1).values_list("id", "answer", "text")) == round_one
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.verb, event.data["round"], sorted(event.data["consultees"])) == (
        "item.resubmit",
        2,
        sorted([m1.pk, m2.pk]),
    )
    # member1, who had a concern in round 1, answers again in round 2.
    services.item_consult_answer(actor=m1, item_id=item.pk, agree=True)
    services.item_consult_answer(actor=m2, item_id=item.pk, agree=True)
    assert AgendaItem.objects.get(pk=item.pk).state == State.READY


def test_after_resubmit_and_agreement_nothing_waits_on_the_leaders(people):
    staff, m1, m2 = people("staff"), people("member1"), people("member2")
    item = at_state(State.REVISING, submitter=staff, consultees=[m1, m2])  # member2 never answered round 1
    services.item_resubmit(actor=staff, item_id=item.pk, reason="已修改")
    services.item_consult_answer(actor=m1, item_id=item.pk, agree=True)
    services.item_consult_answer(actor=m2, item_id=item.pk, agree=True)
    assert AgendaItem.objects.get(pk=item.pk).state == State.READY
    assert list(selectors.consultation_inbox(m2)) == []
    assert selectors.queue_counts(m2)["consultations"] == 0


def test_a_withdrawn_item_no_longer_waits_on_its_consultees(people):
    staff, m1 = people("staff"), people("member1")
    item = at_state(State.CONSULTING, submitter=staff, consultees=[m1])
    services.item_withdraw(actor=staff, item_id=item.pk, reason="情况变化")
    assert selectors.queue_counts(m1)["consultations"] == 0


# --- amount and scope (一定) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "major_kind", "expected"),
    [
        (None, "", ""),
        (Decimal("99999.99"), "", ""),
        (Decimal("100000"), "", MajorKind.FUNDS),
        (Decimal("2500000"), "", MajorKind.FUNDS),
        (Decimal("2500000"), MajorKind.PROJECT, MajorKind.PROJECT),
        (Decimal("10"), MajorKind.APPOINTMENT, MajorKind.APPOINTMENT),
    ],
)
def test_an_amount_at_the_threshold_makes_the_item_major_funds(people, amount, major_kind, expected):
    item = draft(people("staff"), amount=amount, major_kind=major_kind)
    assert AgendaItem.objects.get(pk=item.pk).major_kind == expected


def test_the_threshold_is_the_policy_row(people):
    DecisionPolicy.objects.update(major_amount_threshold=Decimal("50000"))
    assert draft(people("staff"), amount=Decimal("60000")).major_kind == MajorKind.FUNDS
    assert draft(people("staff"), amount=Decimal("49999")).major_kind == ""


def test_raising_the_amount_in_an_edit_makes_the_item_major(people):
    staff = people("staff")
    item = draft(staff, amount=Decimal("1000"))
    services.item_update(actor=staff, item_id=item.pk, version=item.version, **fields_of(item, amount=Decimal("1e5")))
    assert AgendaItem.objects.get(pk=item.pk).major_kind == MajorKind.FUNDS


@pytest.mark.parametrize(
    ("body_code", "fields"),
    [
        ("SA", {"category": Category.DECISION}),
        ("SA", {"category": Category.PROPOSAL}),
        ("AS", {"category": Category.STUDY}),
        ("PO", {"category": Category.BRIEFING}),
        ("SA", {"category": Category.STUDY, "major_kind": MajorKind.DECISION}),
        ("SA", {"category": Category.REPORT, "amount": Decimal("200000")}),
        ("AS", {"category": Category.BRIEFING, "major_kind": MajorKind.APPOINTMENT}),
    ],
    ids=["SA-decision", "SA-proposal", "AS-study", "PO-briefing", "SA-major", "SA-large-amount", "AS-major"],
)
def test_an_item_outside_the_meetings_scope_is_refused(people, body_code, fields):
    items = AgendaItem.objects.count()
    with pytest.raises(InvalidTransition) as exc:
        draft(people("staff"), body_code=body_code, **fields)
    assert exc.value.status == 409
    assert AgendaItem.objects.count() == items


@pytest.mark.parametrize(
    ("body_code", "category"),
    [("PC", c) for c in Category.values] + [("PO", "decision"), ("SA", "report"), ("AS", "briefing")],
)
def test_an_item_inside_the_scope_is_accepted(people, body_code, category):
    item = draft(people("staff"), body_code=body_code, category=category)
    assert item.state == State.DRAFT


def test_a_major_item_is_accepted_by_the_party_committee(people):
    item = draft(people("staff"), body_code="PC", category=Category.DECISION, major_kind=MajorKind.PROJECT)
    assert item.is_major


def test_removing_a_scope_row_refuses_that_category(people):
    staff = people("staff")
    earlier = draft(staff, body_code="PC", category=Category.STUDY)
    ScopeRule.objects.filter(body=body("PC"), category=Category.STUDY).delete()

    with pytest.raises(InvalidTransition) as exc:
        draft(staff, body_code="PC", category=Category.STUDY)
    assert exc.value.status == 409
    # A draft written before the change can no longer be submitted to that meeting.
    refused(earlier, 409, services.item_submit, actor=staff, item_id=earlier.pk)


def test_adding_a_scope_row_admits_that_category(people):
    staff = people("staff")
    with pytest.raises(InvalidTransition):
        draft(staff, body_code="SA", category=Category.DECISION)
    ScopeRule.objects.create(body=body("SA"), category=Category.DECISION)
    assert draft(staff, body_code="SA", category=Category.DECISION).pk
    # 三重一大 still never goes to a meeting that does not decide.
    with pytest.raises(InvalidTransition):
        draft(staff, body_code="SA", category=Category.DECISION, major_kind=MajorKind.DECISION)


def test_editing_an_item_out_of_scope_is_refused(people):
    staff = people("staff")
    item = draft(staff, body_code="PC", category=Category.DECISION)
    refused(
        item,
        409,
        services.item_update,
        actor=staff,
        item_id=item.pk,
        version=item.version,
        **fields_of(item, requested_body=body("SA")),
    )


# --- submitting ------------------------------------------------------------------------------


def test_a_staff_submission_waits_for_department_review(people):
    staff = people("staff")
    item = draft(staff)
    services.item_submit(actor=staff, item_id=item.pk)
    item.refresh_from_db()
    assert item.state == State.DEPT_REVIEW
    assert item.submitted_at is not None
    assert list(AuditEvent.objects.filter(target_id=item.pk).values_list("verb", flat=True)) == [
        "item.create",
        "item.submit",
    ]


@pytest.mark.parametrize("head", ["depthead", "finance", "partyoffice"])
def test_a_submission_by_the_department_head_goes_straight_to_screening(people, head):
    head = people(head)
    item = draft(head)
    services.item_submit(actor=head, item_id=item.pk)
    item.refresh_from_db()
    assert item.state == State.SCREENING
    assert item.version == 3
    steps = list(
        AuditEvent.objects.filter(target_type="decisions.agendaitem", target_id=item.pk)
        .exclude(verb="item.create")
        .values_list("verb", "actor_id", "from_state", "to_state")
    )
    assert steps == [
        ("item.submit", head.pk, State.DRAFT, State.DEPT_REVIEW),
        ("item.dept_approve", head.pk, State.DEPT_REVIEW, State.SCREENING),
    ]


def test_a_returned_item_is_submitted_again_after_editing(people):
    staff = people("staff")
    item = at_state(State.RETURNED, submitter=staff)
    services.item_update(actor=staff, item_id=item.pk, version=item.version, **fields_of(item, proposal="新方案"))
    services.item_submit(actor=staff, item_id=item.pk)
    assert AgendaItem.objects.get(pk=item.pk).state == State.DEPT_REVIEW


# --- editing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", sorted(set(State.values) - {State.DRAFT, State.RETURNED, State.REVISING}))
def test_an_item_is_not_editable_once_it_has_moved_on(people, state):
    staff = people("staff")
    item = at_state(state, submitter=staff, consultees=[people("member1")])
    refused(item, 409, take, "edit", item, staff)


@pytest.mark.parametrize("state", [State.DRAFT, State.RETURNED, State.REVISING])
def test_the_submitter_edits_in_an_editable_state(people, state):
    staff = people("staff")
    item = at_state(state, submitter=staff, consultees=[people("member1")])
    take("edit", item, staff)
    after = AgendaItem.objects.get(pk=item.pk)
    assert (after.title, after.version, after.state) == ("改后的标题", item.version + 1, state)
    event = AuditEvent.objects.order_by("-id").first()
    assert event.verb == "item.edit"
    assert event.data["changed"] == {"title": [item.title, "改后的标题"]}


def test_an_edit_from_a_stale_version_is_refused_and_changes_nothing(people):
    staff = people("staff")
    item = draft(staff)
    services.item_update(actor=staff, item_id=item.pk, version=1, **fields_of(item, title="第一次修改"))
    exc = refused(
        item, 409, services.item_update, actor=staff, item_id=item.pk, version=1, **fields_of(item, title="过时的修改")
    )
    assert "已被他人修改" in exc.reason
    assert AgendaItem.objects.get(pk=item.pk).title == "第一次修改"


def test_an_edit_that_changes_nothing_records_nothing(people):
    staff = people("staff")
    item = draft(staff)
    before = snapshot(item)
    services.item_update(actor=staff, item_id=item.pk, version=item.version, **fields_of(item))
    assert snapshot(item) == before


# --- 2. over HTTP ------------------------------------------------------------------------------


def act_url(item, step):
    return f"/items/{item.pk}/act/{step}/"


def login(client, user):
    client.force_login(user)
    return client


HTTP_ALLOWED = {
    # step: (state, actor, POST data (callable of people), expected state)
    "submit": (State.DRAFT, "staff", lambda p: {}, State.DEPT_REVIEW),
    "dept_approve": (State.DEPT_REVIEW, "depthead", lambda p: {"comment": "同意"}, State.SCREENING),
    "dept_return": (State.DEPT_REVIEW, "depthead", lambda p: {"reason": "补充材料"}, State.RETURNED),
    "screen_accept": (
        State.SCREENING,
        "secretary",
        lambda p: {"consultees": [p("member1").pk, p("member2").pk], "comment": ""},
        State.CONSULTING,
    ),
    "screen_return": (State.SCREENING, "secretary", lambda p: {"reason": "再论证"}, State.RETURNED),
    "screen_reject": (State.SCREENING, "secretary", lambda p: {"reason": "不属于本会范围"}, State.REJECTED),
    "consult_answer": (State.CONSULTING, "member1", lambda p: {"answer": "agree", "text": ""}, State.READY),
    "resubmit": (State.REVISING, "staff", lambda p: {"reason": "已修改"}, State.CONSULTING),
    "withdraw": (State.SCREENING, "staff", lambda p: {"reason": "情况变化"}, State.WITHDRAWN),
}


def test_every_step_has_an_http_case():
    assert set(HTTP_ALLOWED) == set(STEPS)


@pytest.mark.parametrize("step", sorted(HTTP_ALLOWED))
def test_an_allowed_step_over_http_redirects_and_moves_the_item(client, people, step):
    state, who, data, expected = HTTP_ALLOWED[step]
    item = at_state(state, submitter=people("staff"), consultees=[people("member1")])
    response = login(client, people(who)).post(act_url(item, step), data(people))
    assert response.status_code == 302
    assert response.url == f"/items/{item.pk}/"
    assert AgendaItem.objects.get(pk=item.pk).state == expected
    # The step is on the item's history, as the person who took it.
    event = audit.history_of(item).latest("pk")
    assert (event.verb, event.actor_id, event.from_state, event.to_state) == (
        f"item.{step}",
        people(who).pk,
        state,
        expected,
    )


@pytest.mark.parametrize(
    ("step", "state", "who", "data", "message"),
    [
        ("submit", State.SCREENING, "staff", {}, "不能提交"),
        ("dept_approve", State.SCREENING, "depthead", {}, "不能部门审核通过"),
        ("dept_return", State.RETURNED, "depthead", {"reason": "x"}, "不能部门退回"),
        ("screen_accept", State.READY, "secretary", {}, "不能研判同意上会"),
        ("screen_reject", State.CONSULTING, "secretary", {"reason": "x"}, "不能研判不予上会"),
        ("consult_answer", State.READY, "member1", {"answer": "agree"}, "不在会前酝酿阶段"),
        ("resubmit", State.CONSULTING, "staff", {"reason": "x"}, "不能修改后重新酝酿"),
        ("withdraw", State.REJECTED, "staff", {"reason": "x"}, "不能撤回"),
    ],
)
def test_a_step_in_the_wrong_state_over_http_is_409_with_the_reason(client, people, step, state, who, data, message):
    item = at_state(state, submitter=people("staff"), consultees=[people("member1")])
    before = snapshot(item)
    response = login(client, people(who)).post(act_url(item, step), data)
    assert response.status_code == 409
    content = response.content.decode()
    assert message in content
    assert "可能已被他人处理" in content or "不在会前酝酿阶段" in content
    assert snapshot(item) == before


def test_a_missing_reason_over_http_is_409_with_the_reason(client, people):
    item = at_state(State.DEPT_REVIEW, submitter=people("staff"))
    response = login(client, people("depthead")).post(act_url(item, "dept_return"), {"reason": "   "})
    assert response.status_code == 409
    assert "部门退回须填写理由" in response.content.decode()
    assert AgendaItem.objects.get(pk=item.pk).state == State.DEPT_REVIEW


def test_a_concern_without_text_over_http_is_refused(client, people):
    m1 = people("member1")
    item = at_state(State.CONSULTING, submitter=people("staff"), consultees=[m1])
    response = login(client, m1).post(act_url(item, "consult_answer"), {"answer": "concern", "text": ""})
    assert response.status_code == 400
    assert "有不同意见时须写明意见内容" in response.content.decode()
    assert Consultation.objects.get(item=item).answer == Consultation.Answer.PENDING


@pytest.mark.parametrize(
    ("step", "state", "who", "data", "body_code"),
    [
        ("dept_approve", State.DEPT_REVIEW, "member1", {}, "PC"),
        ("dept_return", State.DEPT_REVIEW, "secretary", {"reason": "x"}, "PC"),
        ("screen_accept", State.SCREENING, "principal", {}, "PC"),
        ("screen_return", State.SCREENING, "secretary", {"reason": "x"}, "PO"),
        ("screen_reject", State.SCREENING, "depthead", {"reason": "x"}, "PC"),
        ("consult_answer", State.CONSULTING, "vice", {"answer": "agree"}, "PC"),
        ("resubmit", State.REVISING, "member1", {"reason": "x"}, "PC"),
        ("withdraw", State.SCREENING, "depthead", {"reason": "x"}, "PC"),
        ("submit", State.RETURNED, "depthead", {}, "PC"),
    ],
)
def test_a_step_by_someone_who_sees_the_item_but_may_not_take_it_is_403(
    client, people, step, state, who, data, body_code
):
    item = at_state(state, submitter=people("staff"), consultees=[people("member1")], body_code=body_code)
    assert can_view(people(who), item)
    before = snapshot(item)
    response = login(client, people(who)).post(act_url(item, step), data)
    assert response.status_code == 403
    assert snapshot(item) == before


@pytest.mark.parametrize(
    ("state", "who", "body_code", "confidential"),
    [
        (State.DRAFT, "depthead", "PC", False),  # a draft is its submitter's only
        (State.DRAFT, "secretary", "PC", False),
        (State.SCREENING, "teacher", "PC", False),  # staff of another department
        (State.SCREENING, "finance", "PC", False),
        (State.SCREENING, "member2", "PO", True),  # a leader who does not attend PO
    ],
)
def test_a_step_by_someone_who_cannot_see_the_item_is_404(client, people, state, who, body_code, confidential):
    item = at_state(state, submitter=people("staff"), body_code=body_code, confidential=confidential)
    assert not can_view(people(who), item)
    before = snapshot(item)
    login(client, people(who))
    for step in STEPS:
        response = client.post(act_url(item, step), {"reason": "x", "answer": "agree"})
        assert response.status_code == 404, step
    assert snapshot(item) == before


@pytest.mark.parametrize("step", ["edit", "approve", "delete", "decide", "submit_"])
def test_an_unknown_step_is_404(client, people, step):
    staff = people("staff")
    item = draft(staff)
    response = login(client, staff).post(act_url(item, step), {"reason": "x"})
    assert response.status_code == 404
    assert AgendaItem.objects.get(pk=item.pk).state == State.DRAFT


def test_a_step_is_only_taken_by_post(client, people):
    staff = people("staff")
    item = draft(staff)
    assert login(client, staff).get(act_url(item, "submit")).status_code == 405
    assert AgendaItem.objects.get(pk=item.pk).state == State.DRAFT


def test_an_anonymous_step_goes_to_the_login_page(client, people):
    item = draft(people("staff"))
    response = client.post(act_url(item, "submit"))
    assert response.status_code == 302
    assert response.url.startswith("/login/")
    assert AgendaItem.objects.get(pk=item.pk).state == State.DRAFT


def test_a_missing_item_is_404(client, people):
    assert login(client, people("admin")).post("/items/999999/act/submit/").status_code == 404


NO_500_DATA = [
    {"reason": "理由", "comment": "意见", "answer": "agree", "text": "", "consultees": ["MEMBER1"]},
    {"answer": "concern", "text": "有顾虑", "reason": ""},
    {"consultees": ["x", "999999"], "answer": "maybe", "comment": "长" * 3000, "reason": "长" * 3000},
]


@pytest.mark.parametrize("username", ["staff", "depthead", "secretary", "member1", "teacher", "admin"])
def test_no_step_on_any_item_is_a_server_error(client, people, username):
    staff, m1, m2 = people("staff"), people("member1"), people("member2")
    items = [at_state(s, submitter=staff, consultees=[m1, m2]) for s in State.values]
    items.append(at_state(State.SCREENING, submitter=staff, body_code="PO", confidential=True))
    client.force_login(people(username))
    for item in items:
        for step in [*STEPS, "bogus"]:
            for data in NO_500_DATA:
                data = {k: ([str(m1.pk)] if v == ["MEMBER1"] else v) for k, v in data.items()}
                with transaction.atomic():  # each try starts from the same item
                    response = client.post(act_url(item, step), data)
                    transaction.set_rollback(True)
                assert response.status_code in (302, 400, 403, 404, 409), (item.state, step, data)


# --- the new-item form respects the scope too ------------------------------------------------


def form_data(**overrides):
    data = dict(ItemFields())
    data.update({"amount": "", "major_kind": ""})
    data.pop("confidential")
    data.update(overrides)
    return data


def test_the_new_item_form_refuses_an_item_outside_the_scope(client, people):
    response = login(client, people("staff")).post(
        "/items/new/", form_data(requested_body=body("SA").pk, category=Category.DECISION, save="1")
    )
    assert response.status_code == 400
    assert "不在校务会的议事范围内" in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_the_new_item_form_submits_straight_away(client, people):
    response = login(client, people("staff")).post(
        "/items/new/", form_data(requested_body=body("PC").pk, title="表单提交的议题", submit="1")
    )
    assert response.status_code == 302
    assert AgendaItem.objects.get(title="表单提交的议题").state == State.DEPT_REVIEW


def test_the_edit_form_refuses_a_stale_version(client, people):
    staff = people("staff")
    item = draft(staff)
    services.item_update(actor=staff, item_id=item.pk, version=1, **fields_of(item, title="别处已修改"))
    response = login(client, staff).post(
        f"/items/{item.pk}/edit/", form_data(requested_body=body("PC").pk, title="旧页面的修改", version=1)
    )
    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    assert AgendaItem.objects.get(pk=item.pk).title == "别处已修改"
