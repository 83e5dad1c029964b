"""The year's study as a spreadsheet: per body, per person and the sessions (core.exports)."""

from openpyxl import Workbook

from core.exports import workbook_bytes
from meetings.selectors_study import StudyYear


def study_year_xlsx(report: StudyYear) -> bytes:
    from django.utils.translation import gettext as _

    wb = Workbook()
    ws = wb.active
    ws.title = _("按会议机构")
    ws.append([_("会议机构"), _("学习次数"), _("参学人次"), _("心得体会篇数")])
    for line in report.bodies:
        ws.append([line.body.name, line.sessions, line.person_times, line.reflections])
    if report.bodies:
        t = report.totals
        ws.append([_("合计"), t.sessions, t.person_times, t.reflections])
    people = wb.create_sheet(_("按人员"))
    people.append([_("姓名"), _("部门"), _("职务"), _("参学次数"), _("心得体会篇数")])
    for line in report.people:
        p = line.person
        people.append([str(p), str(p.department or ""), p.title, line.sessions, line.reflections])
    sessions = wb.create_sheet(_("学习记录"))
    sessions.append([_("日期"), _("会议机构"), _("会议"), _("学习篇目"), _("参学人数"), _("心得体会篇数"), _("状态")])
    for s in report.sessions:
        sessions.append(
            [
                s.held_on,
                s.body.name,
                s.meeting.title,
                ";".join(s.text_list),
                s.n_people,
                s.n_wrote,
                s.get_state_display(),
            ]
        )
    for sheet, widths in (
        (ws, (24, 10, 10, 14)),
        (people, (12, 20, 24, 10, 14)),
        (sessions, (12, 18, 28, 60, 10, 14, 8)),
    ):
        for col, width in zip("ABCDEFG", widths, strict=False):
            sheet.column_dimensions[col].width = width
    return workbook_bytes(wb)
