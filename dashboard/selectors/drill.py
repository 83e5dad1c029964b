"""The list behind a figure of 学校数据 (数字可点开): the rows its count counted, from the same
queryset (`dashboard.selectors.scopes`), each shown as the viewer may see it. A confidential task,
a letter or a notice the viewer may not read is listed without its title or link: it is counted
for everyone, its content is not shown.

A figure is named by `kind` and a few parameters, as the page's links give them:
items[state], meetings[body], decided[body], resolutions[body], tasks[track|lead, measure],
notices[level], receipts[level, unread], letters[scope, replied].
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from dashboard.selectors import scopes
from dashboard.selectors.scopes import TASK_MEASURES, Window
from decisions.models import State
from meetings.models import AgendaEntry
from notices.access import visibility_filter as notice_visibility_filter
from notices.models import Notice
from org.models import MeetingBody
from supervision.access import task_visibility_filter
from supervision.access import visibility_filter as letter_visibility_filter
from supervision.models import Letter, Task, Track
from supervision.selectors.quarterly import CONFIDENTIAL_TITLE

MEASURE_LABELS = {
    "total": "任务总数",
    "closed": "已办结",
    "on_time": "按期办结",
    "still_open": "在办",
    "overdue_open": "逾期未办结",
}


class UnknownFigure(ValueError):
    """A kind or parameter that names no figure."""


@dataclass(frozen=True)
class Row:
    title: str
    url: str  # "" where the viewer may not open it
    detail: str
    when: object = None


@dataclass
class Drill:
    title: str
    rows: QuerySet  # the counted rows, ordered; shown page by page through `present`
    present: callable

    def count(self) -> int:
        return self.rows.count()


def _body(params) -> MeetingBody | None:
    code = params.get("body")
    if not code:
        return None
    body = MeetingBody.objects.filter(code=code).first()
    if body is None:
        raise UnknownFigure(code)
    return body


def _choice(params, name: str, choices) -> str | None:
    value = params.get(name) or None
    if value is not None and value not in dict(choices):
        raise UnknownFigure(value)
    return value


def _flag(params, name: str) -> bool:
    return params.get(name) == "1"


def _items(w: Window, params) -> Drill:
    state = _choice(params, "state", State.choices)
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


def _tasks(w: Window, params) -> Drill:
    track = _choice(params, "track", Track.choices)
    lead = params.get("lead") or None
    if lead is not None and not str(lead).isdigit():
        raise UnknownFigure(lead)
    measure = params.get("measure") or "total"
    if measure not in TASK_MEASURES:
        raise UnknownFigure(measure)
    visible = set(Task.objects.filter(task_visibility_filter(w.user)).values_list("pk", flat=True).order_by())

    def present(page):
        out = []
        for t in page:
            shown = t.pk in visible or not t.confidential
            title = t.title if shown else str(CONFIDENTIAL_TITLE)
            url = reverse("supervision:detail", args=[t.pk]) if t.pk in visible else ""
            out.append(Row(title, url, f"{t.lead_department or ''} · {_('完成时限')} {t.deadline:%Y-%m-%d}", None))
        return out

    rows = scopes.tasks(w, track=track, lead_department_id=int(lead) if lead else None, measure=measure)
    title = _("督查任务") + f" · {_(MEASURE_LABELS[measure])}"
    return Drill(title, rows.select_related("lead_department").order_by("deadline", "pk"), present)


def _receipts(w: Window, params, *, per_notice: bool) -> Drill:
    level = _choice(params, "level", Notice.Level.choices)
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

    rows = scopes.letters(w, all_time=all_time, replied=replied).order_by("-created_at", "-pk")
    title = (
        _("书记信箱")
        + " · "
        + (_("累计") if all_time else _("统计期内"))
        + " · "
        + (_("已回复") if replied else _("来信"))
    )
    return Drill(title, rows, present)


KINDS = {
    "items": _items,
    "meetings": _meetings,
    "decided": _decided,
    "resolutions": _resolutions,
    "tasks": _tasks,
    "notices": lambda w, p: _receipts(w, p, per_notice=True),
    "receipts": lambda w, p: _receipts(w, p, per_notice=False),
    "letters": _letters,
}


def drill(kind: str, w: Window, params) -> Drill:
    if kind not in KINDS:
        raise UnknownFigure(kind)
    return KINDS[kind](w, params)
