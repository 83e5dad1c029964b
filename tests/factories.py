"""Agenda items at any stage, built through the services so their history is real."""

import factory

from decisions import services
from decisions.models import Category, State
from org.models import MeetingBody, User


def body(code: str) -> MeetingBody:
    return MeetingBody.objects.get(code=code)


class ItemFields(factory.DictFactory):
    title = factory.Sequence(lambda n: f"关于第{n}号事项的请示")
    category = Category.DECISION
    background = "背景:现行做法需要调整。"
    proposal = "方案:按新办法执行。"
    amount = None
    major_kind = ""
    confidential = False


def draft(submitter: User, *, body_code: str = "PC", **fields):
    data = ItemFields(**fields)
    return services.item_create(actor=submitter, requested_body=body(body_code), **data)


def at_state(state: str, *, submitter: User, consultees=(), body_code: str = "PC", **fields):
    """An item brought to `state` by the real steps. Consulting needs named consultees."""
    item = draft(submitter, body_code=body_code, **fields)
    if state == State.DRAFT:
        return item
    services.item_submit(actor=submitter, item_id=item.pk)
    item.refresh_from_db()
    if state in (State.DEPT_REVIEW, State.SCREENING) and item.state == state:
        return item
    head = User.objects.filter(role_assignments__role="dept_head", role_assignments__department=item.department).first()
    if item.state == State.DEPT_REVIEW:
        if state == State.RETURNED:
            services.item_dept_return(actor=head, item_id=item.pk, reason="材料不全")
            return _fresh(item)
        services.item_dept_approve(actor=head, item_id=item.pk)
    if state == State.SCREENING:
        return _fresh(item)
    screener = item.requested_body.chair
    if state == State.REJECTED:
        services.item_screen_reject(actor=screener, item_id=item.pk, reason="不属于会议研究范围")
        return _fresh(item)
    if state == State.READY and not consultees:
        services.item_screen_accept(actor=screener, item_id=item.pk, consultees=[])
        return _fresh(item)
    services.item_screen_accept(actor=screener, item_id=item.pk, consultees=list(consultees))
    if state == State.CONSULTING:
        return _fresh(item)
    if state == State.REVISING:
        services.item_consult_answer(actor=consultees[0], item_id=item.pk, agree=False, text="请补充比价材料")
        return _fresh(item)
    if state == State.READY:
        for c in consultees:
            services.item_consult_answer(actor=c, item_id=item.pk, agree=True)
        return _fresh(item)
    if state == State.WITHDRAWN:
        services.item_withdraw(actor=submitter, item_id=item.pk, reason="情况变化")
        return _fresh(item)
    raise ValueError(state)


def _fresh(item):
    item.refresh_from_db()
    return item
