"""Reads of the party-building report: a stage's table (departments × indicators), with the
targets beside progress and results, and each column's outliers (reports.rules).

A table costs four queries however many departments and indicators: the settings row, the
indicators, the departments and the current values (the rows nothing supersedes).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.figures import Figure, figure_url
from org.models import Department
from reports import rules
from reports.models import (
    STAGE_ORDER,
    Indicator,
    OutlierMethod,
    ReportEntry,
    ReportSettings,
    Stage,
    Window,
)

ONE_DECIMAL = Decimal("0.1")


def plain(d: Decimal) -> str:
    """2.00 → "2", 30.0 → "30", 1.50 → "1.5"."""
    return format(d.normalize(), "f")


def rule_text(settings: ReportSettings) -> str:
    """The outlier rule in words, as the page and the workbook state it."""
    if settings.outlier_method == OutlierMethod.SIGMA:
        return _(
            "对每个指标、每个阶段，在已填报的 n 个部门中计算平均值 m 与总体标准差 σ（离差平方和除以 n）；"
            "|数值 − m| 大于 %(k)s × σ 的数值标记为异常（恰好等于不标记；各部门数值全部相同时 σ = 0，不标记）；"
            "未填报的部门一律标记为“未填报”。n 个数值中 |数值 − m| ÷ σ 的上限 √(n − 1) 不超过 %(k)s 时"
            "（即填报的部门不超过 %(n)s 个），不可能出现偏离超过 %(k)s 个标准差的数值。"
        ) % {"k": plain(settings.outlier_k), "n": rules.largest_n_without_outliers(settings.outlier_k)}
    return _(
        "对每个指标、每个阶段，在已填报的部门中计算平均值 m;|数值 − m| 大于 |m| × %(p)s%% 的数值标记为异常"
        "（恰好等于不标记）；未填报的部门一律标记为“未填报”。"
    ) % {"p": plain(settings.outlier_percent)}


def report_settings() -> ReportSettings:
    return ReportSettings.current()


def windows_open_on(day: dt.date, settings: ReportSettings) -> list[Window]:
    """The stages that may be filled in on `day` (last year's results may still be open in January)."""
    return [
        w
        for year in (day.year - 1, day.year)
        for stage in STAGE_ORDER
        if (w := settings.window(year, stage)).contains(day)
    ]


def default_stage(day: dt.date, settings: ReportSettings) -> Stage:
    """This year's stage open on `day`, else the last one that has opened (else the target)."""
    chosen = Stage.TARGET
    for stage in STAGE_ORDER:
        if settings.window(day.year, stage).opens <= day:
            chosen = stage
    return chosen


@dataclass(frozen=True)
class Cell:
    indicator: Indicator
    entry: ReportEntry | None
    target: ReportEntry | None = None
    flag: rules.Flag | None = None
    method: str = rules.SIGMA

    @property
    def value(self) -> Decimal | None:
        return self.entry.value if self.entry else None

    @property
    def corrected(self) -> bool:
        return bool(self.entry and self.entry.supersedes_id)

    @property
    def percent_of_target(self) -> Decimal | None:
        """value ÷ target × 100, one decimal; None without a value or a positive target."""
        if self.entry is None or self.target is None or self.target.value <= 0:
            return None
        return (self.entry.value * 100 / self.target.value).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)

    group: str = ""  # the unit's kind, when values are compared within kinds

    @property
    def flag_text(self) -> str:
        return flag_text(self.flag, self.method, self.group)


def flag_text(flag: rules.Flag | None, method: str, group: str = "") -> str:
    """Why a value is flagged, briefly: the minimum it is below, or how far from which mean."""
    if flag is None:
        return ""
    if flag.kind == rules.MISSING:
        return _("未填报")
    if flag.kind == rules.BELOW_MIN:
        return _("低于最低要求 %(min)s") % {"min": plain(flag.minimum)}
    word = _("高于") if flag.kind == rules.HIGH else _("低于")
    among = _("%(group)s均值") % {"group": group} if group else _("均值")
    if method == rules.SIGMA and flag.z is not None:
        return _("%(word)s%(among)s %(z)s 个标准差") % {"word": word, "among": among, "z": f"{abs(flag.z):.2f}"}
    p = f"{abs(flag.deviation_percent or 0):.1f}"
    return _("%(word)s%(among)s %(p)s%%") % {"word": word, "among": among, "p": p}


def flag_reason(flag: rules.Flag | None, settings: ReportSettings, group: str = "") -> str:
    """The brief text with the figures it was decided on: the mean, n and the rule's line."""
    text = flag_text(flag, settings.outlier_method, group)
    if flag is None or flag.kind in (rules.MISSING, rules.BELOW_MIN) or flag.mean is None:
        return text
    if settings.outlier_method == rules.SIGMA:
        line = _("超过 %(k)s 个标准差即标记") % {"k": plain(settings.outlier_k)}
    else:
        line = _("偏离超过 %(p)s%% 即标记") % {"p": plain(settings.outlier_percent)}
    return _("%(text)s（与 %(n)s 个%(group)s单位比较，均值 %(mean)s；%(line)s）") % {
        "text": text,
        "n": flag.n,
        "group": group,
        "mean": f"{flag.mean:.2f}",
        "line": line,
    }


@dataclass(frozen=True)
class Row:
    department: Department
    cells: list[Cell]

    @property
    def flagged(self) -> list[Cell]:
        return [c for c in self.cells if c.flag]


@dataclass(frozen=True)
class Column:
    indicator: Indicator
    spread: rules.Spread


@dataclass(frozen=True)
class StageTable:
    year: int
    stage: Stage
    window: Window
    settings: ReportSettings
    columns: list[Column]
    rows: list[Row]
    department_ids: list[int] = field(default_factory=list)

    @property
    def with_target(self) -> bool:
        return self.stage != Stage.TARGET

    @property
    def indicators(self) -> list[Indicator]:
        return [c.indicator for c in self.columns]

    @property
    def method(self) -> str:
        return self.settings.outlier_method

    @property
    def too_few(self) -> list[Column]:
        """Columns where the kσ rule cannot flag any value at their n."""
        if self.method != OutlierMethod.SIGMA:
            return []
        return [c for c in self.columns if c.spread.impossible]

    @property
    def impossible_up_to(self) -> int:
        """The largest n at which the kσ rule cannot flag anything (n − 1 ≤ k²)."""
        return rules.largest_n_without_outliers(self.settings.outlier_k)

    @property
    def missing(self) -> int:
        return sum(1 for r in self.rows for c in r.cells if c.flag and c.flag.kind == rules.MISSING)

    @property
    def outliers(self) -> int:
        return sum(1 for r in self.rows for c in r.cells if c.flag and c.flag.kind != rules.MISSING)


def _departments(year: int):
    """The departments concerned （all active ones but 校领导）， and any other with a value this year."""
    with_values = ReportEntry.objects.filter(year=year).values("department_id")
    return list(
        Department.objects.exclude(kind=Department.Kind.LEADERSHIP)
        .filter(Q(active=True) | Q(pk__in=with_values))
        .order_by("sort_order", "name")
    )


def _indicators(year: int):
    with_values = ReportEntry.objects.filter(year=year).values("indicator_id")
    return list(Indicator.objects.filter(Q(active=True) | Q(pk__in=with_values)).order_by("sort_order", "id"))


def _current_entries(year: int, stages) -> dict[tuple[str, int, int], ReportEntry]:
    rows = ReportEntry.objects.filter(year=year, stage__in=list(stages), superseded_by__isnull=True)
    return {(e.stage, e.department_id, e.indicator_id): e for e in rows}


def _build(
    year: int,
    stage: Stage,
    settings: ReportSettings,
    departments: list[Department],
    indicators: list[Indicator],
    entries: dict[tuple[str, int, int], ReportEntry],
) -> StageTable:
    # Inactive departments and indicators appear only where this stage has a value for them.
    in_stage = [(dept_id, ind_id) for s, dept_id, ind_id in entries if s == stage]
    dept_with = {dept_id for dept_id, ind_id in in_stage}
    ind_with = {ind_id for dept_id, ind_id in in_stage}
    departments = [d for d in departments if d.active or d.pk in dept_with]
    indicators = [i for i in indicators if i.active or i.pk in ind_with]
    columns, flags = [], {}
    # Comparable units: all departments, or each kind (职能部门, 二级学院, 党支部) apart.
    groups: dict[str, list[Department]] = {}
    for d in departments:
        groups.setdefault(d.kind if settings.compare_within_kind else "", []).append(d)
    for indicator in indicators:
        minimum = indicator.minimum if stage != Stage.PROGRESS else None

        def values(units, indicator=indicator):
            return {d.pk: (e.value if (e := entries.get((stage, d.pk, indicator.pk))) else None) for d in units}

        options = {"method": settings.outlier_method, "k": settings.outlier_k, "percent": settings.outlier_percent}
        found = rules.flag_outliers(values(departments), minimum=minimum, **options)
        columns.append(Column(indicator, found.spread))
        if settings.compare_within_kind:
            flags[indicator.pk] = {}
            for units in groups.values():
                flags[indicator.pk].update(rules.flag_outliers(values(units), minimum=minimum, **options).flags)
        else:
            flags[indicator.pk] = found.flags
    with_target = stage != Stage.TARGET
    rows = [
        Row(
            department=d,
            cells=[
                Cell(
                    indicator=i,
                    entry=entries.get((stage, d.pk, i.pk)),
                    target=entries.get((Stage.TARGET, d.pk, i.pk)) if with_target else None,
                    flag=flags[i.pk].get(d.pk),
                    method=settings.outlier_method,
                    group=d.get_kind_display() if settings.compare_within_kind else "",
                )
                for i in indicators
            ],
        )
        for d in departments
    ]
    return StageTable(
        year=year,
        stage=stage,
        window=settings.window(year, stage),
        settings=settings,
        columns=columns,
        rows=rows,
        department_ids=[d.pk for d in departments],
    )


def stage_table(year: int, stage: str, *, settings: ReportSettings | None = None) -> StageTable:
    """One stage's table. Four queries (three when `settings` is given)."""
    stage = Stage(stage)
    settings = settings or report_settings()
    stages = {stage, Stage.TARGET}
    return _build(year, stage, settings, _departments(year), _indicators(year), _current_entries(year, stages))


def year_tables(year: int) -> list[StageTable]:
    """The three stages' tables of a year (the Excel workbook). Four queries."""
    settings = report_settings()
    departments, indicators = _departments(year), _indicators(year)
    entries = _current_entries(year, STAGE_ORDER)
    return [_build(year, stage, settings, departments, indicators, entries) for stage in STAGE_ORDER]


@dataclass(frozen=True)
class TableFigures:
    """The table's counts, each linked to the list of what it counts (数字可点开): the departments
    covered, the values flagged as outliers and those not reported, and each column's n."""

    departments: Figure
    outliers: Figure
    missing: Figure
    reported: list[Figure]  # per column, in the table's order


def table_figures(table: StageTable) -> TableFigures:
    query = {"year": table.year, "stage": str(table.stage)}
    return TableFigures(
        departments=Figure(len(table.rows), figure_url("party-building-departments", **query)),
        outliers=Figure(table.outliers, figure_url("party-building-flags", flag="outlier", **query)),
        missing=Figure(table.missing, figure_url("party-building-flags", flag="missing", **query)),
        reported=[
            Figure(c.spread.n, figure_url("party-building-reported", indicator=c.indicator.pk, **query))
            for c in table.columns
        ],
    )


# --- one department ------------------------------------------------------------------------------


def concerned_department(pk: int) -> Department | None:
    return Department.objects.exclude(kind=Department.Kind.LEADERSHIP).filter(pk=pk).first()


@dataclass(frozen=True)
class FormLine:
    indicator: Indicator
    current: ReportEntry | None
    target: ReportEntry | None


def department_lines(department: Department, year: int, stage: str) -> list[FormLine]:
    """The active indicators with the department's current value (and target). Two queries."""
    stage = Stage(stage)
    indicators = list(Indicator.objects.filter(active=True).order_by("sort_order", "id"))
    rows = ReportEntry.objects.filter(
        department=department, year=year, stage__in=[stage, Stage.TARGET], superseded_by__isnull=True
    ).select_related("entered_by")
    by_key = {(e.stage, e.indicator_id): e for e in rows}
    return [
        FormLine(
            indicator=i,
            current=by_key.get((stage, i.pk)),
            target=by_key.get((Stage.TARGET, i.pk)) if stage != Stage.TARGET else None,
        )
        for i in indicators
    ]


def department_history(department: Department, year: int, stage: str) -> list[tuple[Indicator, list[ReportEntry]]]:
    """Every row the department has for the year and stage by indicator, in the order written (the
    last is the current value). One query."""
    rows = (
        ReportEntry.objects.filter(department=department, year=year, stage=Stage(stage))
        .select_related("indicator", "entered_by")
        .order_by("indicator__sort_order", "indicator_id", "id")
    )
    grouped: dict[int, tuple[Indicator, list[ReportEntry]]] = {}
    for row in rows:
        grouped.setdefault(row.indicator_id, (row.indicator, []))[1].append(row)
    return list(grouped.values())


def today() -> dt.date:
    return timezone.localdate()
