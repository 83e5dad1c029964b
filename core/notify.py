"""Messages to people: in-app notifications, and the text reminders carry out of the server.

Every message Yishi writes to a person is made here, by `message(kind, confidential=…)`, from
the table KINDS: each kind has the text for an open object, which may name it, and the text for a
confidential one, which says only that there is something to do （「您有一项涉密议题待发表意见，请
登录查看。」）. A confidential form may use no field but those in SAFE_FIELDS (a deadline), so no
title, text, reason or file name of a confidential object reaches an e-mail, the DingTalk group
or a stored message row. Whether the object is confidential is asked where the rule lives (the
object's own `confidential`), by the producer, never decided here.

In-app notifications take the confidential form too: the notification list is the person's own,
not filtered by each object's visibility rule, and it outlives the right to see (a consultee of
an old round, a role given up), and the rows are kept like any other record. The page the link
opens names the object to whoever may see it.

Each kind names the page its message opens (a URL name); the producer gives the object's
arguments (`link_for(kind, pk)`). Rows keep the route name and arguments, never a path, so a
moved page moves its old links with it.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.links import Link
from core.models import Notification

# Fields a confidential form may show: they say when, never what.
SAFE_FIELDS = frozenset({"deadline"})


@dataclass(frozen=True)
class Kind:
    route: str  # the URL name of the page the message opens; its arguments come from the producer
    named: str  # for an open object: may name it (%(title)s, …)
    secret: str  # for a confidential object: only that there is something to do


KINDS: dict[str, Kind] = {
    # Agenda items (decisions).
    "item.dept_review": Kind(
        "decisions:detail", gettext_noop("待审核议题：%(title)s"), gettext_noop("您有一项涉密议题待审核，请登录查看。")
    ),
    "item.screening": Kind(
        "decisions:detail", gettext_noop("待研判议题：%(title)s"), gettext_noop("您有一项涉密议题待研判，请登录查看。")
    ),
    "item.consulting": Kind(
        "decisions:detail",
        gettext_noop("请对议题发表会前酝酿意见：%(title)s"),
        gettext_noop("您有一项涉密议题待发表会前酝酿意见，请登录查看。"),
    ),
    "item.consultation_pending": Kind(
        "decisions:detail",
        gettext_noop("请尽快对议题发表会前酝酿意见：%(title)s"),
        gettext_noop("您有一项涉密议题待发表意见，请登录查看。"),
    ),
    "item.review_pending": Kind(
        "decisions:detail",
        gettext_noop("议题“%(title)s”在“%(step)s”环节等待您办理，请尽快办理"),
        gettext_noop("您有一项涉密议题待审批，请登录查看。"),
    ),
    "item.review_escalated": Kind(
        "decisions:detail",
        gettext_noop("督办：议题“%(title)s”在“%(step)s”环节已等待 %(days)s 天，请督促办理"),
        gettext_noop("您有一项涉密议题的审批环节超期未办，请登录查看。"),
    ),
    "resolution.unfollowed": Kind(
        "supervision:unfollowed",
        gettext_noop("决而未果：决议%(number)s形成已 %(days)s 天，尚无督查任务，也未说明无需督查的理由"),
        gettext_noop("有一项涉密决议尚未布置督查任务，请登录查看。"),
    ),
    "item.step": Kind(
        "decisions:detail",
        gettext_noop("议题“%(title)s”:%(state)s"),
        gettext_noop("您提交的一项涉密议题有新进展，请登录查看。"),
    ),
    # Meetings: a meeting's title, time and place are not its items' content.
    "meeting.published": Kind(
        "meetings:detail",
        gettext_noop("%(meeting)s议程已发布：%(month)s月%(day)s日 %(time)s，%(place)s"),
        gettext_noop("您有一次会议的议程已发布，请登录查看。"),
    ),
    "meeting.cancelled": Kind(
        "meetings:detail",
        gettext_noop("%(meeting)s已取消。原因：%(reason)s"),
        gettext_noop("您参加的一次会议已取消，请登录查看。"),
    ),
    "meeting.rescheduled": Kind(
        "meetings:detail",
        gettext_noop("%(meeting)s改期至%(month)s月%(day)s日 %(time)s，%(place)s。原因：%(reason)s"),
        gettext_noop("您参加的一次会议已改期，请登录查看。"),
    ),
    "meeting.materials": Kind(
        "meetings:detail",
        gettext_noop("%(title)s的会议材料已可查阅"),
        gettext_noop("您参加的会议材料已可查阅，请登录查看。"),
    ),
    "meeting.tomorrow": Kind(
        "meetings:detail",
        gettext_noop("明天开会：%(title)s，%(when)s，%(place)s"),
        gettext_noop("您明天有一次会议，请登录查看。"),
    ),
    "minutes.cosign": Kind(
        "meetings:minutes",
        gettext_noop("%(meeting)s纪要待您会签"),
        gettext_noop("您有一份涉密会议纪要待会签，请登录查看。"),
    ),
    # Notices.
    "notice.new": Kind(
        "notices:detail", gettext_noop("新通报：%(title)s"), gettext_noop("您有一份涉密通报，请登录查看。")
    ),
    "notice.urge": Kind(
        "notices:detail",
        gettext_noop("请阅读通报：%(title)s"),
        gettext_noop("您有一份涉密通报尚未阅读，请登录查看。"),
    ),
    # Supervision tasks.
    "task.created": Kind(
        "supervision:detail",
        gettext_noop("新督查任务：%(title)s，时限 %(deadline)s"),
        gettext_noop("您有一项新的涉密督查任务，时限 %(deadline)s，请登录查看。"),
    ),
    "task.reported": Kind(
        "supervision:detail",
        gettext_noop("督查任务待审核：%(title)s"),
        gettext_noop("您有一项涉密督查任务待审核，请登录查看。"),
    ),
    "task.step": Kind(
        "supervision:detail",
        gettext_noop("督查任务“%(title)s”:%(state)s"),
        gettext_noop("您有一项涉密督查任务有新进展，请登录查看。"),
    ),
    "task.followed": Kind(
        "supervision:detail",
        gettext_noop("您关注的议题有任务更新：%(title)s,%(state)s"),
        gettext_noop("您关注的议题有任务更新，请登录查看。"),
    ),
    "task.due_soon": Kind(
        "supervision:detail",
        gettext_noop("督查任务即将到期：%(title)s（时限 %(deadline)s）"),
        gettext_noop("涉密督查任务即将到期（时限 %(deadline)s），请登录查看"),
    ),
    "task.urged": Kind(
        "supervision:detail",
        gettext_noop("督查催办：%(title)s（时限 %(deadline)s）"),
        gettext_noop("您有一项涉密督查任务被催办（时限 %(deadline)s），请登录查看。"),
    ),
    "task.overdue": Kind(
        "supervision:detail",
        gettext_noop("督查任务已逾期：%(title)s（时限 %(deadline)s）"),
        gettext_noop("您有一项涉密督查任务已逾期（时限 %(deadline)s），请登录查看。"),
    ),
    "task.overdue_supervise": Kind(
        "supervision:detail",
        gettext_noop("督查任务逾期未办结，请督办：%(title)s（时限 %(deadline)s）"),
        gettext_noop("有一项涉密督查任务逾期未办结（时限 %(deadline)s），请登录督办。"),
    ),
    "task.escalated": Kind(
        "supervision:detail",
        gettext_noop("督查任务升级督办（不落实）：%(title)s"),
        gettext_noop("有一项涉密督查任务升级督办（不落实），请登录查看。"),
    ),
    "duty.due": Kind(
        "calendar:page",
        gettext_noop("行事历提醒：%(title)s（%(period)s），%(due)s 到期"),
        gettext_noop("您有一项行事历职责即将到期，请登录查看。"),
    ),
    # Department performance: a rating names departments and scores, never a task.
    "directory.changes": Kind(
        "admin:org_user_directory",
        gettext_noop("钉钉通讯录有 %(count)s 项变化待确认同步"),
        gettext_noop("钉钉通讯录有变化待确认同步，请登录查看。"),
    ),
    "performance.published": Kind(
        "performance:detail",
        gettext_noop("校务办发布了部门绩效考评：%(title)s"),
        gettext_noop("校务办发布了部门绩效考评，请登录查看。"),
    ),
    # The secretary's mailbox: every letter is private to its author and those who answer it.
    "letter.new": Kind(
        "mailbox:detail",
        gettext_noop("书记信箱新来信：%(subject)s"),
        gettext_noop("书记信箱有一封新来信，请登录查看。"),
    ),
    "letter.replied": Kind(
        "mailbox:detail", gettext_noop("您的来信已回复：%(subject)s"), gettext_noop("您的来信已有回复，请登录查看。")
    ),
    "letter.forwarded": Kind(
        "mailbox:detail",
        gettext_noop("书记信箱来信转交您部门办理"),
        gettext_noop("书记信箱有一封来信转交您部门办理（回复期限 %(deadline)s），请登录查看。"),
    ),
    "letter.due_soon": Kind(
        "mailbox:detail",
        gettext_noop("书记信箱来信即将到回复期限"),
        gettext_noop("书记信箱有一封来信即将到回复期限（%(deadline)s），请登录回复。"),
    ),
    "letter.overdue": Kind(
        "mailbox:detail",
        gettext_noop("书记信箱来信逾期未回复"),
        gettext_noop("书记信箱有一封来信逾期未回复（期限 %(deadline)s），请督办。"),
    ),
}

_FIELD = re.compile(r"%\((\w+)\)")
for _name, _kind in KINDS.items():
    _unsafe = set(_FIELD.findall(_kind.secret)) - SAFE_FIELDS
    if _unsafe:
        raise ValueError(f"the confidential form of {_name} names {sorted(_unsafe)}")


def message(kind: str, *, confidential: bool, details: str = "", **fields) -> str:
    """The text of a message of `kind`, in the active language. `details` (a reason, a comment)
    follow an open object's text and are left out, with every field, for a confidential one."""
    form = KINDS[kind]
    if confidential:
        return _(form.secret) % {k: v for k, v in fields.items() if k in SAFE_FIELDS}
    text = _(form.named) % fields
    if details:
        text = _("%(text)s。%(reason)s") % {"text": text, "reason": details}
    return text


def link_for(kind: str, *args) -> Link:
    """The link of a message of `kind`: its page's URL name (KINDS) and the object's arguments."""
    return Link(KINDS[kind].route, tuple(args))


def notify(*, recipients: Iterable, key: str, text: str, link: Link | None = None) -> int:
    """Create one notification per recipient unless that key was already used. `text` comes
    from message(); `link` (from link_for) is stored as its route name and arguments, and reversed
    when the notification is shown or leaves the server (core.links).

    Returns how many were created; a repeated call creates none.
    """
    link = link or Link("")
    rows = [
        Notification(recipient=r, key=key, text=text[:500], route=link.route, args=list(link.args))
        for r in {r.pk: r for r in recipients}.values()
    ]
    before = Notification.objects.filter(key=key, recipient__in=[r.recipient for r in rows]).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    after = Notification.objects.filter(key=key, recipient__in=[r.recipient for r in rows]).count()
    return after - before


def unread_count_expression(user):
    """How many notifications this person has not read, as an expression for the navigation's query."""
    from core.db import SubqueryCount

    return SubqueryCount(Notification.objects.filter(recipient=user, read_at__isnull=True))
