"""Writes to org data that the workflow reads by date: who is in charge of which department (分管)."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.errors import conflict, forbidden
from org import access
from org.models import Department, Portfolio, User


@transaction.atomic
def portfolio_assign(*, actor: User | None, leader: User, department: Department, starts_on: dt.date) -> Portfolio:
    """From `starts_on`, `leader` is in charge of `department`. The current row ends the day before,
    so who was in charge on any day stays answerable (a mid-year change keeps its history)."""
    if actor is not None and not access.may_assign_portfolio(actor):
        raise forbidden(_("只有党委办公室可以调整分管关系"))
    if not leader.is_leader:
        raise conflict(_("%(name)s不是校领导班子成员，不能分管部门") % {"name": leader})
    current = Portfolio.objects.select_for_update().filter(department=department, ends_on__isnull=True).first()
    if current is not None:
        if current.starts_on >= starts_on:
            raise conflict(_("新的分管起始日期须晚于现任分管的起始日期（%(day)s）") % {"day": current.starts_on})
        if current.leader_id == leader.pk:
            raise conflict(_("%(name)s已分管%(dept)s") % {"name": leader, "dept": department})
        current.ends_on = starts_on - dt.timedelta(days=1)
        current.save(update_fields=["ends_on"])
        audit.record(actor=actor, verb="portfolio.end", target=current, data={"ends_on": str(current.ends_on)})
    row = Portfolio.objects.create(leader=leader, department=department, starts_on=starts_on)
    audit.record(
        actor=actor,
        verb="portfolio.start",
        target=row,
        data={"leader": leader.pk, "department": department.pk, "starts_on": str(starts_on)},
    )
    return row
