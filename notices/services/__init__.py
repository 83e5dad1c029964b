"""Every write to a notice goes through here （三通报）.

    notice_create_upper_document   the party office writes a notice of an upper-level document (draft)
    notice_publish                 the party office publishes a draft: recipients, in-app notifications
    notice_mark_read               a recipient has read it (the read receipt, once)
    notice_urge                    催阅: those who have not read it are reminded, each once a day
    notice_viewed                  a view of a confidential notice, on record
    notice_for_resolution          a PC resolution is noticed, queued for the next school affairs meeting
    attach_pending_to_meeting      a meeting scheduled or cancelled: waiting notices move to the next one
    digest_compile                 the monthly all-staff digest of the month's PC resolutions

Each writes one audit event per change. Stored texts (titles, bodies, notifications) are
written in the site's language, whoever acts.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition, conflict, forbidden
from core.jobs import enqueue
from core.models import Notification
from core.text import check_text, clean_text
from meetings.models import Attendance, Meeting
from notices import access
from notices.models import NOTICE_TRANSITIONS, Notice, NoticeAudience, NoticeRecipient
from org.models import Department, Role, User

Audience = NoticeAudience.Kind
# Meetings still to be held: a notice queued for one of these has not been noticed yet.
UPCOMING = (Meeting.State.PLANNING, Meeting.State.PUBLISHED)


def _recorded(message: str, **values) -> str:
    """A stored text, in the site's language. `message` is marked with gettext_noop."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _(message)
        return text % values if values else text


def _locked(notice_id: int) -> Notice:
    try:
        return Notice.objects.select_for_update().get(pk=notice_id)
    except Notice.DoesNotExist as exc:
        raise InvalidTransition(_("通报不存在"), status=404) from exc


# --- who a notice reaches --------------------------------------------------------------------


def recipients_of(notice: Notice) -> list[int]:
    """The people the notice's audience names, today: active accounts, each once.

    "Everyone" is the school's staff: the system administrator's account is not one of them.
    A department is the people in it and its heads.
    """
    people = User.objects.filter(is_active=True)
    wanted = Q(pk__in=[])
    for a in notice.audiences.all():
        if a.kind == Audience.EVERYONE:
            wanted |= Q(is_superuser=False)
        elif a.kind == Audience.DEPARTMENT:
            wanted |= Q(department_id=a.department_id) | Q(
                role_assignments__role=Role.DEPT_HEAD, role_assignments__department_id=a.department_id
            )
        elif a.kind == Audience.ROLE:
            wanted |= Q(role_assignments__role=a.role)
        elif a.kind == Audience.PERSON:
            wanted |= Q(pk=a.person_id)
        elif a.kind == Audience.ATTENDEES:
            wanted |= Q(pk__in=_attendees(a.meeting_id))
    return sorted(set(people.filter(wanted).values_list("pk", flat=True)))


def _attendees(meeting_id: int) -> set[int]:
    """Those at a meeting: its members and observers, its chair and its recorder."""
    ids = set(Attendance.objects.filter(meeting_id=meeting_id).values_list("person_id", flat=True))
    ids.update(*Meeting.objects.filter(pk=meeting_id).values_list("chair_id", "secretary_id"))
    return ids


def _add_audience(
    notice: Notice,
    *,
    everyone: bool = False,
    departments: Iterable[Department] = (),
    roles: Iterable[str] = (),
    people: Iterable[User] = (),
    attendees_of: Meeting | None = None,
) -> list[NoticeAudience]:
    rows = []
    if everyone:
        rows.append(NoticeAudience(notice=notice, kind=Audience.EVERYONE))
    rows += [NoticeAudience(notice=notice, kind=Audience.DEPARTMENT, department=d) for d in _unique(departments)]
    for role in dict.fromkeys(roles):
        if role not in Role.values:
            raise conflict(_("未知角色：%(role)s") % {"role": role})
        rows.append(NoticeAudience(notice=notice, kind=Audience.ROLE, role=role))
    rows += [NoticeAudience(notice=notice, kind=Audience.PERSON, person=p) for p in _unique(people)]
    if attendees_of is not None:
        rows.append(NoticeAudience(notice=notice, kind=Audience.ATTENDEES, meeting=attendees_of))
    if not rows:
        raise conflict(_("请选择通报范围：全体、部门、角色或人员"))
    return NoticeAudience.objects.bulk_create(rows)


def _audience_data(audiences: list[NoticeAudience]) -> list[list]:
    """The audience as the record keeps it: [kind, department/role/person/meeting] pairs."""
    return [[a.kind, a.department_id or a.role or a.person_id or a.meeting_id] for a in audiences]


def _unique(objs: Iterable) -> list:
    return list({o.pk: o for o in objs}.values())


def _next_meeting(level: str, *, after: dt.datetime) -> Meeting | None:
    """The meeting at which a notice of `level` is read out: the next one of its body still to come."""
    return (
        Meeting.objects.filter(body__code=Notice.NOTICED_AT[level], state__in=UPCOMING, starts_at__gt=after)
        .order_by("starts_at", "id")
        .first()
    )


# --- writing and publishing --------------------------------------------------------------------


@transaction.atomic
def notice_create_upper_document(
    *,
    actor: User,
    title: str,
    body: str,
    everyone: bool = False,
    departments: Iterable[Department] = (),
    roles: Iterable[str] = (),
    people: Iterable[User] = (),
    confidential: bool = False,
) -> Notice:
    """上级文件精神： the party office writes the notice (a draft) and says whom it is for."""
    access.check_create(actor)
    title, body = clean_text(title), clean_text(body)
    if not title or not body:
        raise conflict(_("请填写通报标题和正文"))
    check_text(Notice, title=title, body=body)
    if confidential and everyone:
        raise conflict(_("涉密通报不能发给全体教职工，请指定部门、角色或人员"))
    notice = Notice.objects.create(
        level=Notice.Level.UPPER_DOCUMENT, title=title, body=body, confidential=confidential, created_by=actor
    )
    audiences = _add_audience(notice, everyone=everyone, departments=departments, roles=roles, people=people)
    audit.record(
        actor=actor,
        verb="notice.create",
        target=notice,
        to_state=notice.state,
        data={"title": title, "level": notice.level, "audience": _audience_data(audiences)},
    )
    return notice


@transaction.atomic
def notice_publish(*, actor: User, notice_id: int) -> Notice:
    notice = _locked(notice_id)
    # Who first; the notices Yishi writes itself are published by their own service (no person).
    reason = NOTICE_TRANSITIONS.who_refuses(actor, notice, "publish")
    if reason:
        raise forbidden(reason)
    return _publish(notice, actor=actor)


def _publish(notice: Notice, *, actor: User | None) -> Notice:
    """Publish a locked draft: its audience becomes recipients (the read receipts), it is queued
    for the meeting at which it is read out, and everyone it reaches is told after the commit."""
    if NOTICE_TRANSITIONS.state_refuses(notice, "publish"):
        raise conflict(
            _("通报已于 %(when)s 发布") % {"when": f"{timezone.localtime(notice.published_at):%Y-%m-%d %H:%M}"}
        )
    people = recipients_of(notice)
    if not people:
        raise conflict(_("通报范围内没有人员，请调整范围后再发布"))
    now = timezone.now()
    notice.published_at = now
    if notice.meeting_id is None:
        notice.meeting = _next_meeting(notice.level, after=now)
    NOTICE_TRANSITIONS.apply(
        notice,
        actor=actor,
        action="publish",
        data={"recipients": len(people), "meeting": notice.meeting_id},
        fields=("published_at", "meeting"),
    )
    NoticeRecipient.objects.bulk_create([NoticeRecipient(notice=notice, person_id=pk) for pk in people])
    enqueue(notify_recipients, notice.pk)
    enqueue("search.services.index_object", "notice", notice.pk)
    return notice


def notify_recipients(notice_id: int) -> int:
    """Job: an in-app notification to each recipient. Safe to run twice (keyed per notice)."""
    from core.notify import link_for, message, notify

    notice = Notice.objects.get(pk=notice_id)
    people = User.objects.filter(notice_receipts__notice=notice)
    with translation.override(settings.LANGUAGE_CODE):
        text = message("notice.new", confidential=notice.confidential, title=notice.title)
    link = link_for("notice.new", notice.pk)
    return notify(recipients=people, key=_notification_key(notice.pk), text=text, link=link)


def _notification_key(notice_id: int) -> str:
    return f"notice:{notice_id}"


# --- reading ---------------------------------------------------------------------------------------


@transaction.atomic
def notice_mark_read(*, actor: User, notice_id: int) -> bool:
    """The read receipt: set the first time the recipient opens the notice, never again.
    True if this call recorded it; False if it was read before or `actor` is no recipient."""
    now = timezone.now()
    # Compare-and-set: of two requests at once, one records the moment, the other finds it set.
    changed = NoticeRecipient.objects.filter(
        notice_id=notice_id, person=actor, read_at__isnull=True, notice__state=Notice.State.PUBLISHED
    ).update(read_at=now)
    if not changed:
        return False
    notice = Notice.objects.get(pk=notice_id)
    audit.record(actor=actor, verb="notice.read", target=notice)
    # The notice is read: its bell notification has nothing more to say.
    Notification.objects.filter(recipient=actor, key=_notification_key(notice_id), read_at__isnull=True).update(
        read_at=now
    )
    return True


@transaction.atomic
def notice_urge(*, actor: User, notice_id: int) -> tuple[int, int]:
    """催阅: everyone who has not read the notice is reminded through their channels (in-app,
    e-mail, DingTalk work notice or WeCom message), each at most once a day however often the
    sender asks. The deliveries leave with the next run of deliver_due (every minute), not in
    this request. Returns (reminded now, already reminded today)."""
    from core.notify import link_for, message
    from core.reminders import remind

    notice = _locked(notice_id)
    NOTICE_TRANSITIONS.check(actor, notice, "urge")
    unread = list(
        User.objects.filter(notice_receipts__notice=notice, notice_receipts__read_at__isnull=True).order_by("pk")
    )
    if not unread:
        raise conflict(_("全部人员均已阅读，无需催阅。"))
    day = timezone.localdate().isoformat()
    with translation.override(settings.LANGUAGE_CODE):
        text = message("notice.urge", confidential=notice.confidential, title=notice.title)
    link = link_for("notice.urge", notice.pk)
    reminded = 0
    for person in unread:
        reminded += remind(recipient=person, key=f"notice-urge:{notice.pk}:{day}:{person.pk}", text=text, link=link)
    if not reminded:
        raise conflict(_("今天已催阅过全部未读人员，每人每天最多催阅一次，请明天再试。"))
    audit.record(
        actor=actor,
        verb=NOTICE_TRANSITIONS["urge"].verb,
        target=notice,
        data={"day": day, "reminded": reminded, "already": len(unread) - reminded},
    )
    return reminded, len(unread) - reminded


def notice_viewed(*, actor: User, notice: Notice) -> None:
    """Every view of a confidential notice is on record."""
    if notice.confidential:
        audit.record(actor=actor, verb="notice.view", target=notice)


# The notices Yishi writes itself; imported last, since they use the helpers above.
from notices.services.automatic import (  # noqa: E402, F401
    attach_pending_to_meeting,
    digest_compile,
    month_bounds,
    notice_for_resolution,  # noqa: E402, F401
)
from notices.services.meeting import notice_attachment_add, notices_read_at_meeting  # noqa: E402, F401
