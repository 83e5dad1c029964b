"""工作台： what waits on one person, their next meetings, what is overdue, what is unread.

Every list is one query, whatever its length: the rows shown (at most sections.LIMIT) carry the total of
the whole list as a window count, so the page never asks twice. Which lists a person gets
depends on their roles only (a department head always sees "待部门审核", even when it is empty);
the lists a person may happen to be on (their own returned items, minutes to co-sign) appear
when something is on them. Each list is read with the visibility function of the app it
belongs to, so the page never shows a row its own list page would not.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.selectors.sections import Entry, Section, firsts_together, make_section
from decisions import access as item_access
from decisions import selectors as item_selectors
from decisions.models import State
from meetings import access as meeting_access
from meetings.models import Attendance, Meeting, Minutes, MinutesSignature
from notices import selectors as notice_selectors
from org.models import User
from supervision import access as supervision_access
from supervision.models import Letter, ProgressReport, Task
from supervision.selectors.mailbox import visible_letters
from supervision.selectors.tasks import overdue_q, visible_tasks

# The tasks a lead department still has to report on (报送进展): not waiting for review, not closed.
TO_REPORT = (Task.State.ASSIGNED, Task.State.IN_PROGRESS, Task.State.RETURNED)


@dataclass
class Personal:
    waiting: list[Section]  # 等我处理
    meetings: Section
    overdue: Section | None  # only for those who answer for tasks (leaders, department heads)
    notices: Section
    recent: Section  # my latest items, as the old 工作台 had

    @property
    def waiting_total(self) -> int:
        return sum(s.total for s in self.waiting)


def _days_overdue(deadline: dt.date, today: dt.date) -> str:
    return _("逾期 %(days)s 天") % {"days": (today - deadline).days}


# --- waiting on me -------------------------------------------------------------------------------


def _item_entry(item, detail: str, when=None, flag: str = "") -> Entry:
    return Entry(item.title, reverse("decisions:detail", args=[item.pk]), detail, when, flag)


REVISE_ORDER = ("-updated_at", "-id")
RECENT_ORDER = ("-updated_at", "-id")  # AgendaItem's own ordering, which my_items keeps


def _to_revise_q(user: User) -> Q:
    return item_selectors.my_items_q(user) & Q(state__in=[State.RETURNED, State.REVISING])


def my_items_to_revise(user: User, first=None) -> Section:
    qs = item_selectors.my_items(user).filter(_to_revise_q(user)).order_by(*REVISE_ORDER)
    return make_section(
        "revise",
        gettext_lazy("待我修改的议题"),
        gettext_lazy("修改"),
        gettext_lazy("没有退回修改的议题。"),
        reverse("decisions:mine"),
        qs,
        lambda i: _item_entry(i, i.requested_body.name, i.updated_at, i.get_state_display()),
        first=first,
    )


def review_queue(user: User, first=None) -> Section:
    return make_section(
        "review",
        gettext_lazy("审批待办"),
        gettext_lazy("审批"),
        gettext_lazy("暂无待审核的议题。"),
        reverse("decisions:review"),
        item_selectors.review_queue(user),
        lambda i: _item_entry(i, f"{i.submitter} · {i.requested_body.name}", i.submitted_at),
        first=first,
    )


def screening_queue(user: User, first=None) -> Section:
    return make_section(
        "screening",
        gettext_lazy("待研判"),
        gettext_lazy("研判"),
        gettext_lazy("暂无待研判的议题。"),
        reverse("decisions:screening"),
        item_selectors.screening_queue(user),
        lambda i: _item_entry(i, f"{i.department} · {i.requested_body.name}", i.submitted_at),
        first=first,
    )


def consultations(user: User) -> Section:
    return make_section(
        "consultations",
        gettext_lazy("待发表酝酿意见"),
        gettext_lazy("发表意见"),
        gettext_lazy("暂无待答复的会前酝酿。"),
        reverse("decisions:consultations"),
        item_selectors.consultation_inbox(user),
        lambda c: _item_entry(
            c.item, _("%(who)s征求意见 · 第%(round)s轮") % {"who": c.requested_by, "round": c.round}, c.requested_at
        ),
    )


def minutes_to_sign(user: User) -> Section:
    """Minutes in co-signature （会签） of a meeting where `user` was a member present, not yet
    signed by them in the current round (an objection starts a new round)."""
    present = Attendance.objects.filter(meeting_access.SIGNS, meeting=OuterRef("meeting"), person=user)
    signed = MinutesSignature.objects.filter(minutes=OuterRef("pk"), member=user, round=OuterRef("signing_round"))
    qs = (
        Minutes.objects.filter(state=Minutes.State.SIGNING)
        .filter(Exists(present))
        .exclude(Exists(signed))
        .select_related("meeting", "meeting__body")
        .order_by("meeting__starts_at", "id")
    )
    return make_section(
        "minutes",
        gettext_lazy("待会签的纪要"),
        gettext_lazy("会签"),
        gettext_lazy("没有待您会签的纪要。"),
        reverse("meetings:list"),
        qs,
        lambda m: Entry(
            m.meeting.title, reverse("meetings:minutes", args=[m.pk]), m.meeting.body.name, m.meeting.starts_at
        ),
    )


TASK_ORDER = ("deadline", "id")


def _tasks(user: User) -> QuerySet:
    return visible_tasks(user).select_related("lead_department")


def _progress_reports_to_review_q(tracks: list[str]) -> Q:
    return Q(track__in=tracks) & Q(Exists(ProgressReport.objects.filter(task=OuterRef("pk"), review__isnull=True)))


def _progress_reports_to_review(user: User, tracks: list[str]) -> QuerySet:
    return _tasks(user).filter(_progress_reports_to_review_q(tracks)).order_by(*TASK_ORDER)


def progress_reports_to_review(user: User, tracks: list[str]) -> Section:
    """Progress reports waiting for the supervisor of their track （督查审核）."""
    qs = _progress_reports_to_review(user, tracks)
    return make_section(
        "task_reviews",
        gettext_lazy("待审核的进展报告"),
        gettext_lazy("审核"),
        gettext_lazy("暂无待审核的进展报告。"),
        reverse("supervision:list") + "?tab=review",
        qs,
        lambda t: Entry(
            t.title, reverse("supervision:detail", args=[t.pk]), f"{t.lead_department} · {t.get_track_display()}"
        ),
    )


def _to_report_q(user: User) -> Q:
    return Q(lead_department__in=user.headed_department_ids, state__in=TO_REPORT)


def _to_report(user: User) -> QuerySet:
    return _tasks(user).filter(_to_report_q(user)).order_by(*TASK_ORDER)


def tasks_to_report(user: User, today: dt.date) -> Section:
    """Tasks my department leads that are not waiting for review and not closed: the head reports."""
    qs = _to_report(user)

    def entry(t: Task) -> Entry:
        flag = _days_overdue(t.deadline, today) if t.deadline < today else ""
        if t.state == Task.State.RETURNED:
            flag = flag or t.get_state_display()
        return Entry(
            t.title,
            reverse("supervision:detail", args=[t.pk]),
            _("%(dept)s · 时限 %(deadline)s") % {"dept": t.lead_department, "deadline": f"{t.deadline:%Y-%m-%d}"},
            None,
            flag,
        )

    return make_section(
        "tasks_to_report",
        gettext_lazy("本部门待报送的督查任务"),
        gettext_lazy("报送进展"),
        gettext_lazy("本部门暂无待报送的督查任务。"),
        reverse("supervision:list") + "?tab=mine",
        qs,
        entry,
    )


def letters_to_reply(user: User) -> Section:
    qs = visible_letters(user).filter(state=Letter.State.OPEN).select_related("author").order_by("created_at", "id")
    return make_section(
        "letters",
        gettext_lazy("待回复的来信"),
        gettext_lazy("回复"),
        gettext_lazy("书记信箱的来信均已回复。"),
        reverse("mailbox:list"),
        qs,
        lambda v: Entry(v.subject, reverse("mailbox:detail", args=[v.pk]), str(v.author), v.created_at),
    )


# --- meetings, overdue, unread, my items -----------------------------------------------------------


def next_meetings(user: User, now: dt.datetime) -> Section:
    """Published meetings still to come that `user` attends (member or observer) or records."""
    attends = Attendance.objects.filter(meeting=OuterRef("pk"), person=user)
    qs = (
        Meeting.objects.filter(state=Meeting.State.PUBLISHED, starts_at__gt=now)
        .filter(Q(Exists(attends)) | Q(secretary=user))
        .select_related("body")
        .order_by("starts_at", "id")
    )
    return make_section(
        "meetings",
        gettext_lazy("我的近期会议"),
        gettext_lazy("查看议程"),
        gettext_lazy("近期没有您要参加的会议。"),
        reverse("meetings:list"),
        qs,
        lambda m: Entry(m.title, reverse("meetings:detail", args=[m.pk]), m.place, m.starts_at),
        highlight=False,
    )


def _overdue_q(user: User, today: dt.date) -> Q:
    return overdue_q(today) & (Q(responsible_leader=user) | Q(lead_department__in=user.headed_department_ids))


def _overdue(user: User, today: dt.date) -> QuerySet:
    return _tasks(user).filter(_overdue_q(user, today)).order_by(*TASK_ORDER)


def my_overdue_tasks(user: User, today: dt.date) -> Section:
    """Tasks past their deadline and not closed that `user` answers for: as responsible leader,
    or as head of the lead department."""
    qs = _overdue(user, today)
    return make_section(
        "overdue",
        gettext_lazy("我的逾期任务"),
        gettext_lazy("查看"),
        gettext_lazy("没有逾期的督查任务。"),
        reverse("supervision:list") + "?tab=mine&overdue=1",
        qs,
        lambda t: Entry(
            t.title,
            reverse("supervision:detail", args=[t.pk]),
            _("%(dept)s · 时限 %(deadline)s") % {"dept": t.lead_department, "deadline": f"{t.deadline:%Y-%m-%d}"},
            None,
            _days_overdue(t.deadline, today),
        ),
    )


def unread_notices(user: User) -> Section:
    qs = notice_selectors.inbox(user).filter(read_at__isnull=True)
    return make_section(
        "notices",
        gettext_lazy("未读通报"),
        gettext_lazy("阅读"),
        gettext_lazy("通报均已阅读。"),
        reverse("notices:list"),
        qs,
        lambda r: Entry(
            r.notice.title,
            reverse("notices:detail", args=[r.notice_id]),
            r.notice.get_level_display(),
            r.notice.published_at,
        ),
    )


def recent_items(user: User, first=None) -> Section:
    return make_section(
        "recent",
        gettext_lazy("我最近的议题"),
        gettext_lazy("查看"),
        gettext_lazy("您还没有议题。需要提交党委会或校长办公会研究的事项，请点击“新建议题”。"),
        reverse("decisions:mine"),
        item_selectors.my_items(user),
        lambda i: _item_entry(i, i.get_state_display(), i.updated_at),
        highlight=False,
        first=first,
    )


def personal_dashboard(user: User, *, now: dt.datetime | None = None) -> Personal:
    """Everything the 工作台 shows `user`: the item lists in one query, and one query for each
    other list. The task lists stay apart: OR-ing their conditions over every task the person may
    see costs a scan of the whole table (2 s at 60,000 tasks), each alone an index range (40 ms)."""
    from dashboard.context_processors import navigation_row

    now = now or timezone.now()
    today = timezone.localdate(now)
    headed = user.headed_department_ids
    tracks = supervision_access.supervised_tracks(user)
    navigation_row(user)  # the navigation's one query also tells whether this person chairs a body

    item_lists = {
        "revise": (_to_revise_q(user), REVISE_ORDER),
        "recent": (item_selectors.my_items_q(user), RECENT_ORDER),
    }
    if item_access.can_use_review_queue(user):
        item_lists["review"] = (item_selectors.review_queue_q(user), item_selectors.QUEUE_ORDER)
    if item_access.can_use_screening_queue(user):
        item_lists["screening"] = (item_selectors.screening_queue_q(user), item_selectors.QUEUE_ORDER)
    items = firsts_together(item_selectors.item_rows(), item_lists)

    waiting = []
    revise = my_items_to_revise(user, first=items["revise"])
    if revise.total:
        waiting.append(revise)
    if "review" in items:
        waiting.append(review_queue(user, first=items["review"]))
    if "screening" in items:
        waiting.append(screening_queue(user, first=items["screening"]))
    if item_access.can_use_consultation_inbox(user):
        waiting.append(consultations(user))
    minutes = minutes_to_sign(user)
    if minutes.total or user.is_leader:
        waiting.append(minutes)
    if tracks:
        waiting.append(progress_reports_to_review(user, tracks))
    if headed:
        waiting.append(tasks_to_report(user, today))
    if supervision_access.can_answer(user):
        waiting.append(letters_to_reply(user))
    if supervision_access.watches_unfollowed(user):
        from dashboard.selectors.followup import unfollowed_resolutions

        waiting.append(unfollowed_resolutions(user, now))

    return Personal(
        waiting=waiting,
        meetings=next_meetings(user, now),
        overdue=my_overdue_tasks(user, today) if (user.is_leader or headed) else None,
        notices=unread_notices(user),
        recent=recent_items(user, first=items["recent"]),
    )
