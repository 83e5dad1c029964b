"""The list behind a figure of 学校数据 (数字可点开): the rows its count counted, from the same
queryset (`dashboard.selectors.scopes`), each shown as the viewer may see it. A confidential task,
a letter or a notice the viewer may not read is listed without its title or link: it is counted
for everyone, its content is not shown.

A figure is named by `kind` and a few parameters, as the page's links give them:
items[state], meetings[body], decided[body], resolutions[body], tasks[track|lead, measure],
notices[level], receipts[level, unread], letters[scope, replied].

The reports' counts link here too, each kind belonging to one page (`PAGES`): whoever may read
that page reads its lists, and nobody else. 季度督查报告 (the quarter as the period):
quarterly-tasks[track|lead, measure], quarterly-escalations[level], quarterly-letters[replied|
tasked], quarterly-findings[tasked], quarterly-branch-checks[branch]. 党建工作年度报表 (a year and
a stage): party-building-departments, party-building-reported[indicator], party-building-flags[flag].
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from dashboard.selectors import drill_report, scopes
from dashboard.selectors.drill_base import Drill, Row, UnknownFigure, choice, number
from dashboard.selectors.scopes import TASK_MEASURES, Window
from decisions.models import State
from meetings.models import AgendaEntry
from notices.access import visibility_filter as notice_visibility_filter
from notices.models import Notice
from org.models import MeetingBody
from supervision.access import can_read_branches, finding_visibility_filter, task_visibility_filter
from supervision.access import visibility_filter as letter_visibility_filter
from supervision.models import Letter, PatrolFinding, Task, Track
from supervision.selectors.quarterly import CONFIDENTIAL_TITLE, ESCALATION_LABELS

MEASURE_LABELS = {
    "total": "任务总数",
    "closed": "已办结",
    "on_time": "按期办结",
    "still_open": "在办",
    "overdue_open": "逾期未办结",
}


def _body(params) -> MeetingBody | None:
    code = params.get("body")
    if not code:
        return None
    body = MeetingBody.objects.filter(code=code).first()
    if body is None:
        raise UnknownFigure(code)
    return body


def _flag(params, name: str) -> bool:
    return params.get(name) == "1"


def _items(w: Window, params) -> Drill:
    state = choice(params, "state", State.choices)
    title = _("提交议题") + (f" · {State(state).label}" if state else "")

    def present(page):
        return [
            Row(
                i.title,
                reverse("decisions:detail", args=[i.pk]),
                f"{i.department or ''} · {i.get_state_display()}",
                i.submitted_at,
            )
            for i in page
        ]

    rows = scopes.submitted_items(w, state).select_related("department").order_by("-submitted_at", "-pk")
    return Drill(title, rows, present)


def _meetings(w: Window, params) -> Drill:
    body = _body(params)

    def present(page):
        return [Row(str(m), reverse("meetings:detail", args=[m.pk]), m.body.name, m.opened_at) for m in page]

    rows = scopes.held_meetings(w, body.pk if body else None).select_related("body").order_by("-opened_at", "-pk")
    return Drill(_("召开会议") + (f" · {body.name}" if body else ""), rows, present)


def _decided(w: Window, params) -> Drill:
    body = _body(params)
    outcomes = dict(AgendaEntry._meta.get_field("outcome").choices)

    def present(page):
        return [
            Row(
                e.item.title,
                reverse("decisions:detail", args=[e.item_id]),
                f"{e.meeting} · {outcomes.get(e.outcome, e.outcome)}",
                e.decided_at,
            )
            for e in page
        ]

    rows = scopes.decided_entries(w, body.pk if body else None).select_related("item", "meeting", "meeting__body")
    return Drill(_("研究议题") + (f" · {body.name}" if body else ""), rows.order_by("-decided_at", "-pk"), present)


def _resolutions(w: Window, params) -> Drill:
    body = _body(params)

    def present(page):
        return [
            Row(f"{r.number} {r.item.title}", reverse("decisions:detail", args=[r.item_id]), r.body.name, r.issued_at)
            for r in page
        ]

    rows = scopes.resolutions(w, body.pk if body else None).select_related("item", "body")
    return Drill(_("形成决议") + (f" · {body.name}" if body else ""), rows.order_by("-issued_at", "-pk"), present)


def _visible_tasks(w: Window) -> set[int]:
    return set(Task.objects.filter(task_visibility_filter(w.user)).values_list("pk", flat=True).order_by())


def _task_shown(task: Task, visible: set[int]) -> tuple[str, str]:
    """A task's title and link as the viewer may see them: a confidential one they may not see is
    named only as such, and not linked."""
    shown = task.pk in visible or not task.confidential
    title = task.title if shown else str(CONFIDENTIAL_TITLE)
    return title, reverse("supervision:detail", args=[task.pk]) if task.pk in visible else ""


def _tasks(w: Window, params) -> Drill:
    track = choice(params, "track", Track.choices)
    lead = number(params, "lead")
    measure = params.get("measure") or "total"
    if measure not in TASK_MEASURES:
        raise UnknownFigure(measure)
    visible = _visible_tasks(w)

    def present(page):
        out = []
        for t in page:
            title, url = _task_shown(t, visible)
            out.append(Row(title, url, f"{t.lead_department or ''} · {_('完成时限')} {t.deadline:%Y-%m-%d}", None))
        return out

    rows = scopes.tasks(w, track=track, lead_department_id=lead, measure=measure)
    title = _("督查任务") + f" · {_(MEASURE_LABELS[measure])}"
    return Drill(title, rows.select_related("lead_department").order_by("deadline", "pk"), present)


def _receipts(w: Window, params, *, per_notice: bool) -> Drill:
    level = choice(params, "level", Notice.Level.choices)
    unread = _flag(params, "unread")
    readable = Notice.objects.filter(notice_visibility_filter(w.user)).values_list("pk", flat=True).order_by()
    readable = set(readable)

    def notice_row(notice, detail, when):
        url = reverse("notices:detail", args=[notice.pk]) if notice.pk in readable else ""
        return Row(notice.title if notice.pk in readable else _("（无权查阅的通报）"), url, detail, when)

    label = f" · {Notice.Level(level).label}" if level else ""
    rows = scopes.receipts(w, level=level, unread=unread)
    if per_notice:
        notices = Notice.objects.filter(pk__in=rows.values("notice_id")).order_by("-published_at", "-pk")
        return Drill(
            _("通报") + label,
            notices,
            lambda page: [notice_row(n, n.get_level_display(), n.published_at) for n in page],
        )

    def present(page):
        return [notice_row(r.notice, f"{r.person} · {_('未读') if unread else _('回执')}", r.read_at) for r in page]

    title = (_("通报未读") if unread else _("通报回执")) + label
    return Drill(
        title, rows.select_related("notice", "person").order_by("-notice__published_at", "notice_id", "pk"), present
    )


def _letters(w: Window, params) -> Drill:
    all_time = params.get("scope") == "all"
    replied = _flag(params, "replied")
    tasked = _flag(params, "tasked")
    if all_time and tasked:
        raise UnknownFigure("tasked")
    readable = set(Letter.objects.filter(letter_visibility_filter(w.user)).values_list("pk", flat=True).order_by())

    def present(page):
        return [
            Row(
                letter.subject if letter.pk in readable else _("来信"),
                reverse("mailbox:detail", args=[letter.pk]) if letter.pk in readable else "",
                letter.get_state_display(),
                letter.created_at,
            )
            for letter in page
        ]

    rows = scopes.letters(w, all_time=all_time, replied=replied, tasked=tasked).order_by("-created_at", "-pk")
    title = (
        _("书记信箱")
        + " · "
        + (_("累计") if all_time else _("统计期内"))
        + " · "
        + (_("转为督查任务") if tasked else _("已回复") if replied else _("来信"))
    )
    return Drill(title, rows, present)


def _escalations(w: Window, params) -> Drill:
    level = number(params, "level")
    if level is not None and level not in ESCALATION_LABELS:
        raise UnknownFigure(level)
    visible = _visible_tasks(w)

    def present(page):
        out = []
        for e in page:
            title, url = _task_shown(e.task, visible)
            by = str(e.by) if e.by else _("系统自动督办")
            detail = f"{e.task.lead_department} · {e.level} · {ESCALATION_LABELS.get(e.level, e.level)} · {by}"
            out.append(Row(title, url, detail, e.created_at))
        return out

    rows = scopes.escalations(w, level=level).select_related("task__lead_department", "by")
    title = _("督办升级") + (f" · {ESCALATION_LABELS[level]}" if level is not None else "")
    return Drill(title, rows.order_by("created_at", "pk"), present)


def _findings(w: Window, params) -> Drill:
    tasked = _flag(params, "tasked")
    readable = set(
        PatrolFinding.objects.filter(finding_visibility_filter(w.user)).values_list("pk", flat=True).order_by()
    )

    def present(page):
        return [
            Row(
                f.text if f.pk in readable else _("巡查发现"),
                reverse("patrols:detail", args=[f.pk]) if f.pk in readable else "",
                f"{f.patrolled_on:%Y-%m-%d} · {f.place}" if f.pk in readable else f"{f.patrolled_on:%Y-%m-%d}",
                None,
            )
            for f in page
        ]

    rows = scopes.findings(w, tasked=tasked).order_by("patrolled_on", "pk")
    return Drill(_("校园周巡查发现") + (" · " + _("转为督查任务") if tasked else ""), rows, present)


def _branch_checks(w: Window, params) -> Drill:
    branch = number(params, "branch")
    linked = can_read_branches(w.user)

    def present(page):
        return [
            Row(
                f"{c.branch} · {c.year}-{c.month:02d}",
                reverse("branches:detail", args=[c.pk]) if linked else "",
                _("得分 %(score)s / %(full)s") % {"score": c.score, "full": c.full_score},
                c.created_at,
            )
            for c in page
        ]

    rows = scopes.branch_checks(w, branch_id=branch).select_related("branch")
    rows = rows.order_by("branch__sort_order", "branch__name", "month", "pk")
    return Drill(_("支部月度检查"), rows, present)


# The pages whose figures link here: 学校数据, 季度督查报告, 党建工作年度报表.
SCHOOL, QUARTERLY, PARTY_BUILDING = "school", "quarterly", "party_building"

KINDS = {
    "items": (_items, SCHOOL),
    "meetings": (_meetings, SCHOOL),
    "decided": (_decided, SCHOOL),
    "resolutions": (_resolutions, SCHOOL),
    "tasks": (_tasks, SCHOOL),
    "notices": (lambda w, p: _receipts(w, p, per_notice=True), SCHOOL),
    "receipts": (lambda w, p: _receipts(w, p, per_notice=False), SCHOOL),
    "letters": (_letters, SCHOOL),
    "quarterly-tasks": (_tasks, QUARTERLY),
    "quarterly-escalations": (_escalations, QUARTERLY),
    "quarterly-letters": (_letters, QUARTERLY),
    "quarterly-findings": (_findings, QUARTERLY),
    "quarterly-branch-checks": (_branch_checks, QUARTERLY),
    "party-building-departments": (drill_report.report_departments, PARTY_BUILDING),
    "party-building-reported": (drill_report.report_values, PARTY_BUILDING),
    "party-building-flags": (drill_report.report_flags, PARTY_BUILDING),
}


def page_of(kind: str) -> str:
    """The page whose figure `kind` is: its readers read the list."""
    if kind not in KINDS:
        raise UnknownFigure(kind)
    return KINDS[kind][1]


def drill(kind: str, w: Window, params) -> Drill:
    if kind not in KINDS:
        raise UnknownFigure(kind)
    return KINDS[kind][0](w, params)
