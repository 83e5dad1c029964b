"""The quarterly supervision report as an Excel workbook (openpyxl): one sheet per section,
Chinese headers, the same figures as the page (selectors.reports.quarterly_report)."""

from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.exports import workbook_bytes
from supervision.selectors.quarterly import QuarterReport, Tally

MISSING = "—"


def _number(value: Decimal | None):
    return MISSING if value is None else float(value)


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list], widths: list[int] | None = None):
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        ws.append(row)
    for i, width in enumerate(widths or [14] * len(header), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    return ws


def _tally_rows(rows: list[Tally], total: Tally) -> list[list]:
    return [
        [t.label, t.total, t.closed, t.on_time, t.still_open, t.overdue_open, _number(t.on_time_rate)]
        for t in [*rows, total]
    ]


def report_xlsx(report: QuarterReport) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return _workbook(report)


def _workbook(r: QuarterReport) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    t = r.total
    summary = _sheet(
        wb,
        _("概况"),
        [_("项目"), _("数值")],
        [
            [_("报告期间"), r.period.label],
            [_("统计期间"), f"{r.period.start:%Y-%m-%d} — {r.period.end:%Y-%m-%d}"],
            [_("统计日"), r.as_of],
            [_("督查任务总数"), t.total],
            [_("已办结"), t.closed],
            [_("按期办结"), t.on_time],
            [_("在办"), t.still_open],
            [_("逾期未办结"), t.overdue_open],
            [_("按时办结率（%）"), _number(t.on_time_rate)],
            [_("本季度督办次数"), len(r.escalations)],
            [_("书记信箱来信"), r.letters],
            [_("来信回复率（%）"), _number(r.letters_reply_rate)],
            [_("巡查发现"), r.findings],
            [_("巡查发现转为任务"), r.findings_tasked],
            [_("支部检查次数"), r.branch_checks],
            [_("支部平均得分（%）"), _number(r.branch_average)],
        ],
        widths=[22, 28],
    )
    summary["B4"].number_format = "yyyy-mm-dd"
    tally_header = [_("任务总数"), _("已办结"), _("按期办结"), _("在办"), _("逾期未办结"), _("按时办结率（%）")]
    _sheet(wb, _("按督查类别"), [_("督查类别"), *tally_header], _tally_rows(r.by_track, t), [20] + [12] * 6)
    _sheet(wb, _("按牵头部门"), [_("牵头部门"), *tally_header], _tally_rows(r.by_department, t), [20] + [12] * 6)
    overdue = _sheet(
        wb,
        _("逾期任务"),
        [
            _("任务"),
            _("督查类别"),
            _("牵头部门"),
            _("责任领导"),
            _("完成时限"),
            _("逾期天数"),
            _("督办等级"),
            _("督办情况"),
        ],
        [
            [o.title, o.track, o.department, o.leader, o.deadline, o.days_overdue, o.level, o.level_label]
            for o in r.overdue
        ],
        [36, 16, 16, 12, 12, 10, 10, 20],
    )
    for row in overdue.iter_rows(min_row=2, min_col=5, max_col=5):
        row[0].number_format = "yyyy-mm-dd"
    escalations = _sheet(
        wb,
        _("本季度督办"),
        [_("时间"), _("任务"), _("牵头部门"), _("督办等级"), _("督办情况"), _("督办人"), _("理由")],
        [
            [
                timezone.localtime(e.at).replace(tzinfo=None),
                e.title,
                e.department,
                e.level,
                e.level_label,
                e.by,
                e.reason,
            ]
            for e in r.escalations
        ],
        [17, 36, 16, 10, 20, 14, 40],
    )
    for row in escalations.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "yyyy-mm-dd hh:mm"
    _sheet(
        wb,
        _("书记信箱"),
        [_("来信数"), _("已回复"), _("回复率（%）"), _("转为督查任务")],
        [[r.letters, r.letters_replied, _number(r.letters_reply_rate), r.letters_tasked]],
    )
    _sheet(
        wb,
        _("校园周巡查"),
        [_("巡查发现"), _("转为督查任务"), _("转为任务比例（%）")],
        [[r.findings, r.findings_tasked, _number(r.findings_task_rate)]],
    )
    _sheet(
        wb,
        _("支部建设"),
        [_("党支部"), _("检查次数"), _("平均得分（%）")],
        [[b.branch.name, b.checks, _number(b.average)] for b in r.branch_rows]
        + [[_("全部支部"), r.branch_checks, _number(r.branch_average)]],
        [24, 12, 14],
    )
    _sheet(wb, _("统计口径"), [_("项目"), _("计算方法")], [list(d) for d in r.definitions], [16, 100])
    return workbook_bytes(wb)
