"""全教会通报: the month's major department work for the monthly all-staff digest.

    major_work_submit   a department head reports a major work item of their department for a month
    major_work_select   the party office selects an item for the digest (placed last), or declines it
    major_work_move     the party office moves a selected item up or down
    digest_publish      the party office compiles and publishes an ended month's digest now
                        (the nightly job does it on the 1st otherwise: notices.jobs)

A month's items are open until its digest is compiled: then the selected ones are carried by it, in
their order (notices.services.automatic.digest_compile), and nothing on them changes.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition, conflict, forbidden
from core.text import check_text, required
from notices import access
from notices.models import MAJOR_WORK_TRANSITIONS, MajorWork, Notice
from org.models import Department, User


def period_of(year: int, month: int) -> dt.date:
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise conflict(_("月份须在 1 至 12 之间"))
    return dt.date(year, month, 1)


def _digested(period: dt.date) -> bool:
    return Notice.objects.filter(level=Notice.Level.MONTHLY_DIGEST, period=period).exists()


def _locked(work_id: int) -> MajorWork:
    try:
        return MajorWork.objects.select_for_update().select_related("department").get(pk=work_id)
    except MajorWork.DoesNotExist as exc:
        raise InvalidTransition(_("工作事项不存在"), status=404) from exc


def _open_month(work: MajorWork) -> None:
    if work.notice_id or _digested(work.period):
        raise conflict(_("%(year)s年%(month)s月的全教会通报已发布，不能再调整") % _ym(work.period))


def _ym(period: dt.date) -> dict:
    return {"year": period.year, "month": period.month}


@transaction.atomic
def major_work_submit(*, actor: User, department_id: int, year: int, month: int, title: str, summary: str) -> MajorWork:
    period = period_of(year, month)
    if department_id not in access.submits_work_for(actor):
        raise forbidden(_("只有本部门负责人可以报送部门重要工作"))
    department = Department.objects.filter(pk=department_id, active=True).first()
    if department is None:
        raise InvalidTransition(_("部门不存在"), status=404)
    today = timezone.localdate()
    if period > today.replace(day=1):
        raise conflict(_("只能报送本月或以前月份的重要工作"))
    if _digested(period):
        raise conflict(_("%(year)s年%(month)s月的全教会通报已发布，不能再报送") % _ym(period))
    title = required(title, missing=_("请填写工作事项"))
    summary = required(summary, missing=_("请填写工作情况"))
    check_text(MajorWork, title=title, summary=summary)
    work = MajorWork.objects.create(
        period=period, department=department, title=title, summary=summary, submitted_by=actor
    )
    audit.record(
        actor=actor,
        verb="major_work.submit",
        target=work,
        to_state=work.state,
        data={"department": department.pk, "period": period.isoformat(), "title": title},
    )
    return work


@transaction.atomic
def major_work_select(*, actor: User, work_id: int, selected: bool, reason: str = "") -> MajorWork:
    work = _locked(work_id)
    action = "select" if selected else "decline"
    MAJOR_WORK_TRANSITIONS.check(actor, work, action)
    _open_month(work)
    fields = ["version", "decided_reason", "position"]
    if selected:
        last = MajorWork.objects.filter(period=work.period, state=MajorWork.State.SELECTED).aggregate(n=Max("position"))
        work.position = (last["n"] or 0) + 1
        work.decided_reason = ""
    else:
        reason = required(reason, missing=_("不选入须写明理由"))
        check_text(MajorWork, decided_reason=reason)
        work.decided_reason = reason
        work.position = 0
    work.version += 1
    MAJOR_WORK_TRANSITIONS.apply(work, actor=actor, action=action, reason=work.decided_reason, fields=fields)
    return work


@transaction.atomic
def major_work_move(*, actor: User, work_id: int, up: bool) -> None:
    work = _locked(work_id)
    MAJOR_WORK_TRANSITIONS.check(actor, work, "order")
    _open_month(work)
    selected = list(
        MajorWork.objects.select_for_update()
        .filter(period=work.period, state=MajorWork.State.SELECTED)
        .order_by("position", "id")
    )
    i = next(n for n, w in enumerate(selected) if w.pk == work.pk)
    j = i - 1 if up else i + 1
    if not 0 <= j < len(selected):
        return
    selected[i], selected[j] = selected[j], selected[i]
    for n, w in enumerate(selected, start=1):
        if w.position != n:
            w.position = n
            w.version += 1
            w.save(update_fields=["position", "version"])
    audit.record(actor=actor, verb="major_work.order", target=work, data={"order": [w.pk for w in selected]})


def selected_for(period: dt.date) -> list[MajorWork]:
    """The items the digest of `period` carries, in the party office's order (locked)."""
    return list(
        MajorWork.objects.select_for_update(of=("self",))
        .select_related("department")
        .filter(period=period, state=MajorWork.State.SELECTED, notice__isnull=True)
        .order_by("position", "id")
    )


@transaction.atomic
def digest_publish(*, actor: User, year: int, month: int) -> Notice:
    """The party office compiles and publishes an ended month's digest now, rather than wait for
    the nightly job."""
    if not access.is_party_office(actor):
        raise forbidden(_("只有党委办公室可以发布全教会通报"))
    from notices.services.automatic import digest_compile

    return digest_compile(year=year, month=month, actor=actor)
