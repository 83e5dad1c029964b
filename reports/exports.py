"""The year's party-building report as an Excel workbook (openpyxl): one sheet per stage with
the same table as the page, flagged cells filled （异常值 red, 未填报 yellow） and explained in the
row's last column, and a sheet 说明 with the legend and the rule."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.exports import workbook_bytes
from reports import rules
from reports.selectors import StageTable, plain, rule_text

OUTLIER_FILL = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")  # light red
MISSING_FILL = PatternFill(fill_type="solid", start_color="FFFFEB9C", end_color="FFFFEB9C")  # light yellow
BOLD = Font(bold=True)


def fill_for(flag: rules.Flag | None) -> PatternFill | None:
    if flag is None:
        return None
    return MISSING_FILL if flag.kind == rules.MISSING else OUTLIER_FILL


def _number(value):
    return None if value is None else float(value)


def year_xlsx(tables: list[StageTable]) -> bytes:
    """A document of record: written in the site's language whatever the reader's."""
    with translation.override(settings.LANGUAGE_CODE):
        return _workbook(tables)


def _header(ws, names: list[str]) -> None:
    ws.append(names)
    for cell in ws[ws.max_row]:
        cell.font = BOLD
        cell.alignment = Alignment(vertical="center", wrap_text=True)


def _stage_sheet(wb: Workbook, t: StageTable) -> None:
    ws = wb.create_sheet(str(t.stage.label))
    names = [_("部门")]
    for i in t.indicators:
        label = str(i)
        if t.with_target:
            names += [
                _("%(indicator)s · 目标") % {"indicator": label},
                _("%(indicator)s · %(stage)s") % {"indicator": label, "stage": t.stage.label},
                _("%(indicator)s · 完成率（%%）") % {"indicator": label},
            ]
        else:
            names.append(label)
    names.append(_("异常说明"))
    _header(ws, names)
    per = 3 if t.with_target else 1
    for row in t.rows:
        values: list = [row.department.name]
        for c in row.cells:
            shown = _number(c.value) if c.entry else _("未填报")
            if t.with_target:
                values += [_number(c.target.value) if c.target else None, shown, _number(c.percent_of_target)]
            else:
                values.append(shown)
        values.append(_(";").join(f"{c.indicator.name}:{c.flag_text}" for c in row.flagged))
        ws.append(values)
        for n, c in enumerate(row.cells):
            fill = fill_for(c.flag)
            if fill:
                # The value's own cell: column 2 + n (target only) or the middle of three.
                ws.cell(row=ws.max_row, column=2 + n * per + (1 if t.with_target else 0)).fill = fill
    ws.append([])
    for label, get in [
        (_("填报数 n"), lambda s: s.n),
        (_("平均值"), lambda s: _number(s.mean)),
        (_("标准差 σ（总体）"), lambda s: _number(s.sd)),
        (_("标记阈值：|数值 − 均值| >"), lambda s: _number(s.threshold)),
    ]:
        line: list = [label]
        for col in t.columns:
            cells = [get(col.spread)]
            line += ([None, *cells, None]) if t.with_target else cells
        ws.append(line)
        ws.cell(row=ws.max_row, column=1).font = BOLD
        for cell in ws[ws.max_row][1:]:
            cell.number_format = "0.00"
    if t.too_few:
        ws.append(
            [
                _("注：部门数不超过 %(n)s 时，没有数值可能偏离均值超过 %(k)s 个标准差：%(columns)s")
                % {
                    "n": t.impossible_up_to,
                    "k": plain(t.settings.outlier_k),
                    "columns": _("、").join(c.indicator.name for c in t.too_few),
                }
            ]
        )
    ws.column_dimensions["A"].width = 20
    for n in range(2, len(names)):
        ws.column_dimensions[get_column_letter(n)].width = 14
    ws.column_dimensions[get_column_letter(len(names))].width = 48
    ws.freeze_panes = "B2"


def _legend(wb: Workbook, tables: list[StageTable]) -> None:
    t = tables[0]
    ws = wb.create_sheet(_("说明"))
    _header(ws, [_("项目"), _("说明")])
    ws.append([_("异常值"), _("数值偏离本指标、本阶段各部门的平均值过远（规则见下）")])
    ws.cell(row=ws.max_row, column=1).fill = OUTLIER_FILL
    ws.append([_("未填报"), _("该部门本阶段未填报此项")])
    ws.cell(row=ws.max_row, column=1).fill = MISSING_FILL
    ws.append([_("规则"), rule_text(t.settings)])
    ws.append([_("部门范围"), _("除“校领导”外的全部在用部门")])
    ws.append([_("完成率"), _("本阶段数值 ÷ 年初目标 × 100，保留一位小数；无目标或目标为 0 时不计算")])
    for table in tables:
        ws.append(
            [
                _("%(stage)s填报时间") % {"stage": table.stage.label},
                f"{table.window.opens:%Y-%m-%d} — {table.window.closes:%Y-%m-%d}",
            ]
        )
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 100
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _workbook(tables: list[StageTable]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for t in tables:
        _stage_sheet(wb, t)
    _legend(wb, tables)
    return workbook_bytes(wb)
