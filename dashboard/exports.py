"""导出 Excel: one table of the leaders' dashboard as a workbook (openpyxl), Chinese headers, the
same figures as the page; a second sheet says for which period and how they are computed."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.exports import workbook_bytes
from dashboard.selectors.school import SchoolFigures
from dashboard.tables import Cell, Table

MISSING = "—"
# Characters Excel refuses in a sheet name.
FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def cell(value: Cell):
    if value is None:
        return MISSING
    if isinstance(value, Decimal):
        return float(value)
    return value


def _header(ws) -> None:
    for c in ws[1]:
        c.font = Font(bold=True)
        c.alignment = Alignment(vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"


def table_xlsx(table: Table, figures: SchoolFigures) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = table.title.translate(FORBIDDEN)[:31]
    ws.append(table.headers)
    for row in table.rows:
        ws.append([cell(v) for v in row])
    if table.foot:
        ws.append([cell(v) for v in table.foot])
        for c in ws[ws.max_row]:
            c.font = Font(bold=True)
    _header(ws)
    ws.column_dimensions["A"].width = 26
    for i in range(2, len(table.headers) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 16

    about = wb.create_sheet(_("统计口径"))
    about.append([_("项目"), _("说明")])
    period = figures.period
    about.append([_("统计期间"), f"{period.label}（{period.start:%Y-%m-%d} — {period.end:%Y-%m-%d}）"])
    about.append([_("本表统计日"), f"{figures.as_of:%Y-%m-%d}"])
    about.append([_("部门"), figures.department.name if figures.department else _("全部部门")])
    about.append([_("生成时间"), f"{timezone.localtime(figures.generated_at):%Y-%m-%d %H:%M}"])
    if table.note:
        about.append([table.title, table.note])
    for term, text in figures.definitions:
        about.append([term, text])
    _header(about)
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 100

    return workbook_bytes(wb)
