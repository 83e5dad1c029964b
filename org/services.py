"""Writes to org data that the workflow reads by date: who is in charge of which department (分管)."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.errors import conflict, forbidden
from org import access
from org.models import Department, Portfolio, User


def _overlaps(row: Portfolio, starts_on: dt.date, ends_on: dt.date | None) -> bool:
    return (ends_on is None or row.starts_on <= ends_on) and (row.ends_on is None or row.ends_on >= starts_on)


@transaction.atomic
def portfolio_assign(
    *,
    actor: User | None,
    leader: User,
    department: Department,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
) -> Portfolio:
    """From `starts_on` (to `ends_on`, or open), `leader` is in charge of `department`. The current
    row ends the day before, so who was in charge on any day stays answerable (a mid-year change
    keeps its history). A closed period may also be added before the current one (the staff
    workbook's history); periods of one department never overlap."""
    if actor is not None and not access.may_assign_portfolio(actor):
        raise forbidden(_("只有党委办公室可以调整分管关系"))
    if not leader.is_leader:
        raise conflict(_("%(name)s不是校领导班子成员，不能分管部门") % {"name": leader})
    if ends_on is not None and ends_on < starts_on:
        raise conflict(_("截止日期不能早于起始日期"))
    rows = list(Portfolio.objects.select_for_update().filter(department=department).select_related("leader"))
    current = next((row for row in rows if row.ends_on is None), None)
    ending = None
    if current is not None and _overlaps(current, starts_on, ends_on):
        if current.starts_on >= starts_on:
            raise conflict(_("新的分管起始日期须晚于现任分管的起始日期（%(day)s）") % {"day": current.starts_on})
        if current.leader_id == leader.pk:
            raise conflict(_("%(name)s已分管%(dept)s") % {"name": leader, "dept": department})
        ending = current
    for row in rows:  # the current row either ends above or does not overlap: these are closed
        if row is not ending and _overlaps(row, starts_on, ends_on):
            raise conflict(
                _("与%(name)s分管%(dept)s的时段（%(from)s至%(to)s）重叠")
                % {"name": row.leader, "dept": department, "from": row.starts_on, "to": row.ends_on}
            )
    if ending is not None:
        ending.ends_on = starts_on - dt.timedelta(days=1)
        ending.save(update_fields=["ends_on"])
        audit.record(actor=actor, verb="portfolio.end", target=ending, data={"ends_on": str(ending.ends_on)})
    row = Portfolio.objects.create(leader=leader, department=department, starts_on=starts_on, ends_on=ends_on)
    data = {"leader": leader.pk, "department": department.pk, "starts_on": str(starts_on)}
    if ends_on is not None:
        data["ends_on"] = str(ends_on)
    audit.record(actor=actor, verb="portfolio.start", target=row, data=data)
    return row


@transaction.atomic
def portfolio_end(*, actor: User | None, portfolio_id: int, ends_on: dt.date) -> Portfolio:
    """The current leader in charge stops on `ends_on` with nobody after (yet): retired, or the
    department closed. An ended period is history and is not moved."""
    if actor is not None and not access.may_assign_portfolio(actor):
        raise forbidden(_("只有党委办公室可以调整分管关系"))
    row = Portfolio.objects.select_for_update().select_related("leader", "department").get(pk=portfolio_id)
    if row.ends_on is not None:
        raise conflict(
            _("%(name)s分管%(dept)s已于%(day)s截止，不能再修改")
            % {"name": row.leader, "dept": row.department, "day": row.ends_on}
        )
    if ends_on < row.starts_on:
        raise conflict(_("截止日期不能早于起始日期"))
    row.ends_on = ends_on
    row.save(update_fields=["ends_on"])
    audit.record(actor=actor, verb="portfolio.end", target=row, data={"ends_on": str(ends_on)})
    return row
