"""Every write to the party-building report: one function per action, each value on record.

A value is written as a new ReportEntry: the first for its key (department, indicator, year,
stage), or a correction that supersedes the current one. The writer says which row they saw
(`replaces`: its id, or None for "no value yet"); if another row has come since, the write is
refused rather than merged. Writes to one department are serialised by locking its row, and
the database's constraints (the first row once per key, each row superseded at most once)
hold even without the lock.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import conflict
from core.text import check_text, clean_text
from org.models import Department, User
from reports import access
from reports.models import FlagAnswer, Indicator, ReportEntry, ReportSettings, Stage, Window
from reports.selectors import flag_reason, stage_table

MAX_VALUE = Decimal("9999999999.99")


def window_refusal(window: Window, day: dt.date) -> str | None:
    """Why the stage cannot be filled in on `day`, or None when it can."""
    status = window.status(day)
    if status == "open":
        return None
    reason = {
        "not_yet": _("%(year)s年度%(stage)s的填报时间为 %(opens)s 至 %(closes)s，尚未开始。"),
        "closed": _("%(year)s年度%(stage)s的填报时间为 %(opens)s 至 %(closes)s，已经截止。"),
    }[status]
    return reason % {
        "year": window.opens.year,
        "stage": Stage(window.stage).label,
        "opens": f"{window.opens:%Y-%m-%d}",
        "closes": f"{window.closes:%Y-%m-%d}",
    }


def _stage(stage: str) -> Stage:
    try:
        return Stage(stage)
    except ValueError as exc:
        raise conflict(_("报表阶段无效")) from exc


def _year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError) as exc:
        raise conflict(_("年度无效")) from exc
    if not 2000 <= year <= 2100:
        raise conflict(_("年度无效"))
    return year


def _value(value) -> Decimal:
    try:
        value = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise conflict(_("数值无效")) from exc
    if not value.is_finite() or value < 0 or value > MAX_VALUE:
        raise conflict(_("数值须在 0 至 9999999999.99 之间"))
    if value != value.quantize(Decimal("0.01")):
        raise conflict(_("数值最多保留两位小数"))
    return value.quantize(Decimal("0.01"))


def _moment(at: dt.datetime | None) -> dt.datetime:
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        raise ValueError("`at` must be an aware datetime")
    if at > now:
        raise conflict(_("填报时间不能晚于现在"))
    return at


@dataclass(frozen=True)
class _Key:
    department: Department
    year: int
    stage: Stage


def _open(*, actor: User, department_id: int, year, stage: str, at: dt.datetime | None):
    """Checks common to every write; returns the key, the moment and the locked department."""
    year, stage = _year(year), _stage(stage)
    moment = _moment(at)
    # Lock the department: its values are written one writer at a time (PostgreSQL; SQLite
    # serialises writers anyway).
    department = Department.objects.select_for_update().filter(pk=department_id).first()
    if department is None:
        raise conflict(_("部门不存在"))
    access.check_enter(actor, department)
    refusal = window_refusal(ReportSettings.current().window(year, stage), timezone.localdate(moment))
    if refusal:
        raise conflict(refusal)
    return _Key(department, year, stage), moment


def _current(key: _Key, indicator_ids) -> dict[int, ReportEntry]:
    rows = ReportEntry.objects.filter(
        department=key.department,
        year=key.year,
        stage=key.stage,
        indicator_id__in=list(indicator_ids),
        superseded_by__isnull=True,
    ).select_related("entered_by")
    return {row.indicator_id: row for row in rows}


def _write(
    *,
    actor: User,
    key: _Key,
    indicator: Indicator,
    value: Decimal,
    current: ReportEntry | None,
    replaces: int | None,
    reason: str,
    moment: dt.datetime,
) -> ReportEntry | None:
    """One value: None when it equals the current one (nothing written)."""
    if (current.pk if current else None) != replaces:
        if current is None:
            raise conflict(_("%(indicator)s的数值与页面所示不一致，请刷新后再填") % {"indicator": indicator.name})
        raise conflict(
            _("%(indicator)s已由%(who)s于 %(when)s 更新为 %(value)s，请刷新页面核对后再填")
            % {
                "indicator": indicator.name,
                "who": current.entered_by,
                "when": f"{timezone.localtime(current.entered_at):%Y-%m-%d %H:%M}",
                "value": current.value,
            }
        )
    if current is not None and current.value == value:
        return None
    if current is not None and not reason:
        raise conflict(_("更正已填报的数值（%(indicator)s）须说明理由") % {"indicator": indicator.name})
    try:
        with transaction.atomic():
            entry = ReportEntry.objects.create(
                indicator=indicator,
                department=key.department,
                year=key.year,
                stage=key.stage,
                value=value,
                reason=reason,
                supersedes=current,
                entered_by=actor,
                entered_at=moment,
            )
    except IntegrityError as exc:  # another writer got there first (without the lock: SQLite tests, raw SQL)
        raise conflict(_("%(indicator)s刚刚已被他人填报，请刷新后再填") % {"indicator": indicator.name}) from exc
    audit.record(
        actor=actor,
        verb="report.correct" if current else "report.enter",
        target=entry,
        reason=reason,
        data={
            "department": key.department.pk,
            "indicator": indicator.pk,
            "year": key.year,
            "stage": str(key.stage),
            "value": str(value),
            "previous": str(current.value) if current else None,
            "supersedes": current.pk if current else None,
            "at": moment.isoformat(),
        },
    )
    return entry


def _indicators(ids) -> dict[int, Indicator]:
    found = {i.pk: i for i in Indicator.objects.filter(pk__in=list(ids))}
    for pk in ids:
        indicator = found.get(pk)
        if indicator is None:
            raise conflict(_("考核指标不存在"))
        if not indicator.active:
            raise conflict(_("考核指标“%(indicator)s”已停用，不再填报") % {"indicator": indicator.name})
    return found


@transaction.atomic
def entry_record(
    *,
    actor: User,
    department_id: int,
    indicator_id: int,
    year: int,
    stage: str,
    value: Decimal | int | str,
    replaces: int | None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> ReportEntry | None:
    """Report one value （填报） or correct it （更正： `replaces` is the current row's id, a reason
    is required). Returns the new row, or None when the value equals the current one.

    `at` writes the value as of that (past) moment, its window checked on that day: for the
    demo and for loading records kept elsewhere, never from a request."""
    key, moment = _open(actor=actor, department_id=department_id, year=year, stage=stage, at=at)
    indicator = _indicators([indicator_id])[indicator_id]
    current = _current(key, [indicator_id]).get(indicator_id)
    return _write(
        actor=actor,
        key=key,
        indicator=indicator,
        value=_value(value),
        current=current,
        replaces=replaces,
        reason=clean_text(reason),
        moment=moment,
    )


@transaction.atomic
def department_values_record(
    *,
    actor: User,
    department_id: int,
    year: int,
    stage: str,
    values: dict[int, Decimal | None],
    replaces: dict[int, int | None],
    reason: str = "",
    at: dt.datetime | None = None,
) -> list[ReportEntry]:
    """A department's form: several indicators at once, all or nothing. A value of None leaves
    the indicator as it is if nothing was reported yet; a reported value cannot be emptied (a
    correction gives a new value). `replaces` maps each indicator to the row the writer saw.
    Each value written is one row and one audit event; unchanged values write nothing."""
    key, moment = _open(actor=actor, department_id=department_id, year=year, stage=stage, at=at)
    indicators = _indicators(list(values))
    current = _current(key, values)
    reason = clean_text(reason)
    written = []
    for indicator_id, raw in values.items():
        indicator, row = indicators[indicator_id], current.get(indicator_id)
        if raw is None or str(raw).strip() == "":
            if row is not None:
                raise conflict(
                    _("%(indicator)s已填报，不能清空；如需更正请填写新的数值") % {"indicator": indicator.name}
                )
            continue
        entry = _write(
            actor=actor,
            key=key,
            indicator=indicator,
            value=_value(raw),
            current=row,
            replaces=replaces.get(indicator_id),
            reason=reason,
            moment=moment,
        )
        if entry is not None:
            written.append(entry)
    return written


@transaction.atomic
def flag_answer(*, actor: User, department_id: int, indicator_id: int, year, stage: str, text: str) -> FlagAnswer:
    """A department explains a flagged value (异常说明): its head or the party office, while the
    value is flagged. The answer is kept with the flag's reason as it stood and the value it
    explains; a later answer is a new row."""
    stage, year = _stage(stage), _year(year)
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise conflict(_("部门不存在"))
    access.check_answer_flag(actor, department)
    text = clean_text(text)
    if not text:
        raise conflict(_("请填写说明"))
    check_text(FlagAnswer, text=text)
    table = stage_table(year, stage)
    cell = next(
        (c for r in table.rows if r.department.pk == department.pk for c in r.cells if c.indicator.pk == indicator_id),
        None,
    )
    if cell is None or cell.flag is None:
        raise conflict(_("该数值没有被标记，无需说明"))
    answer = FlagAnswer.objects.create(
        indicator=cell.indicator,
        department=department,
        year=year,
        stage=stage,
        entry=cell.entry,
        flag=cell.flag.kind,
        flag_text=flag_reason(cell.flag, table.settings, cell.group)[:300],
        text=text,
        answered_by=actor,
    )
    audit.record(
        actor=actor,
        verb="report.flag_answer",
        target=answer,
        data={
            "department": department.pk,
            "indicator": indicator_id,
            "year": year,
            "stage": stage,
            "flag": cell.flag.kind,
        },
    )
    return answer
