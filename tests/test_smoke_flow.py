from decisions import services
from decisions.models import State
from tests.factories import at_state, draft


def test_it_takes_an_item_from_draft_to_ready(people):
    staff, depthead, secretary = people("staff"), people("depthead"), people("secretary")
    member1, member2 = people("member1"), people("member2")
    item = draft(staff)
    services.item_submit(actor=staff, item_id=item.pk)
    services.item_dept_approve(actor=depthead, item_id=item.pk, comment="同意")
    services.item_screen_accept(actor=secretary, item_id=item.pk, consultees=[member1, member2])
    services.item_consult_answer(actor=member1, item_id=item.pk, agree=False, text="预算偏高")
    item.refresh_from_db()
    assert item.state == State.REVISING
    services.item_resubmit(actor=staff, item_id=item.pk, reason="已压缩预算")
    services.item_consult_answer(actor=member1, item_id=item.pk, agree=True)
    item.refresh_from_db()
    assert item.state == State.CONSULTING
    services.item_consult_answer(actor=member2, item_id=item.pk, agree=True)
    item.refresh_from_db()
    assert item.state == State.READY
    assert item.consultation_round == 2


def test_factory_reaches_every_state(people):
    staff = people("staff")
    leaders = [people("member1")]
    for state in State.values:
        item = at_state(state, submitter=staff, consultees=leaders)
        assert item.state == state, state


def test_a_leaders_item_skips_department_review_with_the_reason_on_record(people):
    vice = people("vice")
    item = draft(vice, body_code="PO")
    services.item_submit(actor=vice, item_id=item.pk)
    item.refresh_from_db()
    assert item.state == State.SCREENING
    from decisions.selectors import item_history

    assert item_history(item)[-1].reason == "提交人为校领导班子成员，免部门审核"


def test_a_revision_after_consultation_changes_the_content_not_the_meeting_or_its_weight(people):
    import pytest

    from core.errors import InvalidTransition
    from decisions.models import Category, MajorKind

    staff = people("staff")
    item = at_state(State.REVISING, submitter=staff, consultees=[people("member1")], body_code="PO", amount=500000)
    assert item.major_kind == MajorKind.FUNDS
    fields = {name: getattr(item, name) for name in services.ITEM_FIELDS}

    pc = item.requested_body.__class__.objects.get(code="PC")
    for change in ({"requested_body": pc}, {"category": Category.PROPOSAL}, {"major_kind": MajorKind.PROJECT}):
        with pytest.raises(InvalidTransition, match="不能改变"):
            services.item_update(actor=staff, item_id=item.pk, version=item.version, **{**fields, **change})

    services.item_update(
        actor=staff,
        item_id=item.pk,
        version=item.version,
        **{**fields, "proposal": "压缩预算后的方案", "amount": 300000},
    )
    item.refresh_from_db()
    assert item.proposal == "压缩预算后的方案" and item.major_kind == MajorKind.FUNDS
