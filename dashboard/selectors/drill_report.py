"""The lists behind the counts of 党建工作年度报表 (a year and a stage), from the report's own table:
each list is what the report's figure counted, so the two cannot disagree."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.selectors.drill_base import Drill, Row, UnknownFigure, choice, number
from dashboard.selectors.scopes import Window
from reports import rules as report_rules
from reports import selectors as report_selectors
from reports.models import Stage


def _stage_table(w: Window, params):
    stage = choice(params, "stage", Stage.choices)
    if stage is None:
        raise UnknownFigure("stage")
    return report_selectors.stage_table(w.start.year, stage)


def _report_title(table, what: str) -> str:
    return _("%(year)s年度%(stage)s") % {"year": table.year, "stage": table.stage.label} + " · " + what


def _history_url(table, department) -> str:
    return reverse("party_building:history", args=[table.year, table.stage, department.pk])


def report_departments(w: Window, params) -> Drill:
    table = _stage_table(w, params)

    def present(page):
        return [
            Row(
                r.department.name,
                _history_url(table, r.department),
                _("已填报 %(n)s / %(total)s 项") % {"n": sum(1 for c in r.cells if c.entry), "total": len(r.cells)},
            )
            for r in page
        ]

    return Drill(_report_title(table, _("统计范围")), list(table.rows), present)


def report_values(w: Window, params) -> Drill:
    table = _stage_table(w, params)
    indicator = number(params, "indicator")
    if indicator not in {i.pk for i in table.indicators}:
        raise UnknownFigure(indicator)
    cells = [(r.department, c) for r in table.rows for c in r.cells if c.indicator.pk == indicator and c.entry]
    name = next(i.name for i in table.indicators if i.pk == indicator)

    def present(page):
        return [
            Row(d.name, _history_url(table, d), f"{name}：{c.value.normalize():f}", c.entry.entered_at) for d, c in page
        ]

    return Drill(_report_title(table, _("%(name)s · 填报数") % {"name": name}), cells, present)


FLAG_KINDS = {"outlier": gettext_lazy("异常值"), "missing": gettext_lazy("未填报")}


def report_flags(w: Window, params) -> Drill:
    table = _stage_table(w, params)
    flag = params.get("flag") or None
    if flag is not None and flag not in FLAG_KINDS:
        raise UnknownFigure(flag)
    cells = [
        (r.department, c)
        for r in table.rows
        for c in r.cells
        if c.flag and (flag is None or (c.flag.kind == report_rules.MISSING) == (flag == "missing"))
    ]
    flags_url = reverse("party_building:flags", args=[table.year, table.stage])

    def present(page):
        return [
            Row(f"{d.name} · {c.indicator.name}", f"{flags_url}#flag-{d.pk}-{c.indicator.pk}", c.flag_text)
            for d, c in page
        ]

    what = str(FLAG_KINDS[flag]) if flag else _("标记的数值")
    return Drill(_report_title(table, what), cells, present)
