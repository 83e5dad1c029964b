"""Every write to a notice goes through here (三通报).

    notice_create_upper_document   the party office writes a notice of an upper-level document (draft)
    notice_publish                 the party office publishes a draft: recipients, in-app notifications
    notice_mark_read               a recipient has read it (the read receipt, once)
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
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import audit
from core.errors import InvalidTransition, conflict
from core.jobs import enqueue
from core.models import Notification
from core.text import check_text, clean_text
from meetings.models import Attendance, Meeting, Resolution
from notices import access
from notices.models import Notice, NoticeAudience, NoticeRecipient
from org.models import Department, MeetingBody, Role, User

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
            raise conflict(_("未知角色:%(role)s") % {"role": role})
        rows.append(NoticeAudience(notice=notice, kind=Audience.ROLE, role=role))
    rows += [NoticeAudience(notice=notice, kind=Audience.PERSON, person=p) for p in _unique(people)]
    if attendees_of is not None:
        rows.append(NoticeAudience(notice=notice, kind=Audience.ATTENDEES, meeting=attendees_of))
    if not rows:
        raise conflict(_("请选择通报范围:全体、部门、角色或人员"))
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
    """上级文件精神: the party office writes the notice (a draft) and says whom it is for."""
    access.check_create(actor)
    title, body = clean_text(title), clean_text(body)
    if not title or not body:
        raise conflict(_("请填写通报标题和正文"))
    check_text(Notice, title=title, body=body)
    if confidential and everyone:
        raise conflict(_("涉密通报不能发给全体教职工,请指定部门、角色或人员"))
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
    access.check_publish(actor)
    return _publish(notice, actor=actor)


def _publish(notice: Notice, *, actor: User | None) -> Notice:
    """Publish a locked draft: its audience becomes recipients (the read receipts), it is queued
    for the meeting at which it is read out, and everyone it reaches is told after the commit."""
    if Notice.State.PUBLISHED not in Notice.TRANSITIONS[notice.state]:
        raise conflict(
            _("通报已于 %(when)s 发布") % {"when": f"{timezone.localtime(notice.published_at):%Y-%m-%d %H:%M}"}
        )
    people = recipients_of(notice)
    if not people:
        raise conflict(_("通报范围内没有人员,请调整范围后再发布"))
    now = timezone.now()
    before = notice.state
    notice.state, notice.published_at = Notice.State.PUBLISHED, now
    if notice.meeting_id is None:
        notice.meeting = _next_meeting(notice.level, after=now)
    notice.save(update_fields=["state", "published_at", "meeting"])
    NoticeRecipient.objects.bulk_create([NoticeRecipient(notice=notice, person_id=pk) for pk in people])
    audit.record(
        actor=actor,
        verb="notice.publish",
        target=notice,
        from_state=before,
        to_state=notice.state,
        data={"recipients": len(people), "meeting": notice.meeting_id},
    )
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


def notice_viewed(*, actor: User, notice: Notice) -> None:
    """Every view of a confidential notice is on record."""
    if notice.confidential:
        audit.record(actor=actor, verb="notice.view", target=notice)


# --- 党委会决议 → 校务会通报 -----------------------------------------------------------------------


@transaction.atomic
def notice_for_resolution(*, resolution_id: int, actor: User | None = None) -> Notice | None:
    """A Party committee resolution is noticed: published at once, queued for the next school
    affairs meeting. Called by meetings.services when it issues the resolution; once per
    resolution, however often it is called. Only PC resolutions are noticed (两议: what PO
    deliberates is noticed when PC resolves it), so anything else gives None.

    A confidential resolution is noticed in short form (its number, no title, no text) and only
    to those who attended the meeting that resolved it."""
    resolution = Resolution.objects.select_related("body", "meeting", "item").get(pk=resolution_id)
    if resolution.body.code != MeetingBody.Code.PC:
        return None
    existing = Notice.objects.filter(resolution=resolution).first()
    if existing is not None:
        return existing
    title, body = _resolution_text(resolution)
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                level=Notice.Level.PC_RESOLUTION,
                title=title,
                body=body,
                resolution=resolution,
                confidential=resolution.confidential,
                created_by=actor,
            )
    except IntegrityError:
        # Someone else noticed it at the same moment: theirs stands.
        return Notice.objects.get(resolution=resolution)
    if resolution.confidential:
        audiences = _add_audience(notice, attendees_of=resolution.meeting)
    else:
        audiences = _add_audience(notice, everyone=True)
    audit.record(
        actor=actor,
        verb="notice.create",
        target=notice,
        to_state=notice.state,
        data={
            "title": title,
            "level": notice.level,
            "resolution": resolution.pk,
            "audience": _audience_data(audiences),
        },
    )
    return _publish(notice, actor=actor)


def _resolution_text(resolution: Resolution) -> tuple[str, str]:
    held = timezone.localtime(resolution.meeting.opened_at or resolution.meeting.starts_at)
    when = {"year": held.year, "month": held.month, "day": held.day}
    if resolution.confidential:
        title = _short_form(resolution)
        body = _recorded(
            gettext_noop(
                "%(meeting)s(%(year)s年%(month)s月%(day)s日)形成涉密决议一项,文号%(number)s。"
                "按保密规定,决议内容不予通报;确需了解的,请向党委办公室查阅。"
            ),
            meeting=resolution.meeting.title,
            number=resolution.number,
            **when,
        )
        return title, body
    title = _recorded(gettext_noop("%(number)s:%(title)s"), number=resolution.number, title=resolution.item.title)
    body = _recorded(
        gettext_noop(
            "%(meeting)s(%(year)s年%(month)s月%(day)s日)审议通过《%(title)s》,形成决议%(number)s。\n\n决议内容:\n%(text)s"
        ),
        meeting=resolution.meeting.title,
        title=resolution.item.title,
        number=resolution.number,
        text=resolution.text,
        **when,
    )
    return title[:200], body


def _short_form(resolution: Resolution) -> str:
    """A confidential resolution, named without its content: 党委会决议〔2026〕3号(涉密)."""
    return _recorded(gettext_noop("党委会决议〔%(year)s〕%(seq)s号(涉密)"), year=resolution.year, seq=resolution.seq)


@transaction.atomic
def attach_pending_to_meeting(*, meeting_id: int, actor: User | None = None) -> int:
    """A meeting of a body that reads out notices (PC: upper-level documents, SA: PC
    resolutions, AS: the monthly digest) was scheduled, or cancelled: the published notices
    still waiting for that body's meeting are queued for the next one to come. Waiting: with no
    meeting yet, with a cancelled one, or with a later one than the next (an earlier meeting was
    scheduled). A notice whose meeting has been held stays with it.

    Called by meetings.services when it schedules (or cancels) a meeting. Returns how many
    notices moved; a second call moves none."""
    meeting = Meeting.objects.select_related("body").get(pk=meeting_id)
    levels = [level for level, code in Notice.NOTICED_AT.items() if code == meeting.body.code]
    if not levels:
        return 0
    next_one = _next_meeting(levels[0], after=timezone.now())
    if next_one is None:
        return 0
    waiting = (
        # Lock the notices only: the meeting is on the nullable side of the join.
        Notice.objects.select_for_update(of=("self",))
        .filter(level__in=levels, state=Notice.State.PUBLISHED)
        .filter(
            Q(meeting__isnull=True)
            | Q(meeting__state=Meeting.State.CANCELLED)
            | Q(meeting__state__in=UPCOMING, meeting__starts_at__gt=next_one.starts_at)
        )
        .order_by("id")
    )
    moved = 0
    for notice in waiting:
        before = notice.meeting_id
        notice.meeting = next_one
        notice.save(update_fields=["meeting"])
        audit.record(
            actor=actor, verb="notice.queue", target=notice, data={"meeting": next_one.pk, "instead_of": before}
        )
        moved += 1
    return moved


# --- 全教会月度通报 ----------------------------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """The month in the school's time zone (Asia/Shanghai), as [start, end) aware datetimes."""
    tz = timezone.get_default_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, end


@transaction.atomic
def digest_compile(*, year: int, month: int, actor: User | None = None) -> Notice:
    """The monthly all-staff digest (全教会通报): the month's PC resolutions, the open ones in
    full, the confidential ones in short form; for everyone, queued for the next all-staff
    meeting. One per month: a second call gives the same notice. Only a month that has ended."""
    if not 1 <= month <= 12:
        raise conflict(_("月份须在 1 至 12 之间"))
    start, end = month_bounds(year, month)
    if timezone.now() < end:
        raise conflict(_("%(year)s年%(month)s月尚未结束,月度通报在月末之后汇编") % {"year": year, "month": month})
    period = start.date()
    existing = Notice.objects.filter(level=Notice.Level.MONTHLY_DIGEST, period=period).first()
    if existing is not None:
        return existing
    resolutions = list(
        Resolution.objects.filter(body__code=MeetingBody.Code.PC, issued_at__gte=start, issued_at__lt=end)
        .select_related("item", "meeting")
        .order_by("year", "seq")
    )
    title = _recorded(gettext_noop("%(year)s年%(month)s月全教会通报"), year=year, month=month)
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                level=Notice.Level.MONTHLY_DIGEST,
                title=title,
                body=_digest_text(year, month, resolutions),
                period=period,
                created_by=actor,
            )
    except IntegrityError:
        return Notice.objects.get(level=Notice.Level.MONTHLY_DIGEST, period=period)
    audiences = _add_audience(notice, everyone=True)
    audit.record(
        actor=actor,
        verb="notice.create",
        target=notice,
        to_state=notice.state,
        data={
            "title": title,
            "level": notice.level,
            "resolutions": [r.pk for r in resolutions],
            "audience": _audience_data(audiences),
        },
    )
    return _publish(notice, actor=actor)


def _digest_text(year: int, month: int, resolutions: list[Resolution]) -> str:
    lines = [
        _recorded(
            gettext_noop("%(year)s年%(month)s月,党委会共形成决议 %(n)s 项。"),
            year=year,
            month=month,
            n=len(resolutions),
        )
    ]
    if not resolutions:
        lines = [_recorded(gettext_noop("%(year)s年%(month)s月,党委会未形成决议。"), year=year, month=month)]
    for n, r in enumerate(resolutions, start=1):
        lines.append("")
        if r.confidential:
            lines.append(_recorded(gettext_noop("%(n)s. %(short)s:内容不予通报。"), n=n, short=_short_form(r)))
            continue
        lines.append(
            _recorded(
                gettext_noop("%(n)s. %(number)s %(title)s(%(meeting)s)"),
                n=n,
                number=r.number,
                title=r.item.title,
                meeting=r.meeting.title,
            )
        )
        lines.append(r.text)
    return "\n".join(lines) + "\n"
