"""The notices Yishi writes itself （三通报）： a PC resolution's, queued for the next school affairs
meeting; the monthly all-staff digest; and moving waiting notices to a body's next meeting."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import audit
from core.errors import conflict
from meetings.models import Meeting, Resolution
from notices.models import MajorWork, Notice
from notices.services import UPCOMING, _add_audience, _audience_data, _next_meeting, _publish, _recorded
from notices.services.digest import selected_for
from org.models import MeetingBody, User

# --- 党委会决议 → 校务会通报 -----------------------------------------------------------------------


@transaction.atomic
def notice_for_resolution(*, resolution_id: int, actor: User | None = None) -> Notice | None:
    """A Party committee resolution is noticed: published at once, queued for the next school
    affairs meeting. Called by meetings.services when it issues the resolution; once per
    resolution, however often it is called. Only PC resolutions are noticed （两议： what PO
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
                "%(meeting)s（%(year)s年%(month)s月%(day)s日）形成涉密决议一项，文号%(number)s。"
                "按保密规定，决议内容不予通报；确需了解的，请向党委办公室查阅。"
            ),
            meeting=resolution.meeting.title,
            number=resolution.number,
            **when,
        )
        return title, body
    title = _recorded(gettext_noop("%(number)s：%(title)s"), number=resolution.number, title=resolution.item.title)
    body = _recorded(
        gettext_noop(
            "%(meeting)s（%(year)s年%(month)s月%(day)s日）审议通过《%(title)s》，形成决议%(number)s。\n\n决议内容：\n%(text)s"
        ),
        meeting=resolution.meeting.title,
        title=resolution.item.title,
        number=resolution.number,
        text=resolution.text,
        **when,
    )
    return title[:200], body


def _short_form(resolution: Resolution) -> str:
    """A confidential resolution, named without its content: 党委会决议〔2026〕3号（涉密）."""
    return _recorded(gettext_noop("党委会决议〔%(year)s〕%(seq)s号（涉密）"), year=resolution.year, seq=resolution.seq)


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
    """The monthly all-staff digest （全教会通报）： the month's PC resolutions, the open ones in
    full, the confidential ones in short form; for everyone, queued for the next all-staff
    meeting. One per month: a second call gives the same notice. Only a month that has ended."""
    if not 1 <= month <= 12:
        raise conflict(_("月份须在 1 至 12 之间"))
    start, end = month_bounds(year, month)
    if timezone.now() < end:
        raise conflict(_("%(year)s年%(month)s月尚未结束，月度通报在月末之后汇编") % {"year": year, "month": month})
    period = start.date()
    existing = Notice.objects.filter(level=Notice.Level.MONTHLY_DIGEST, period=period).first()
    if existing is not None:
        return existing
    resolutions = list(
        Resolution.objects.filter(body__code=MeetingBody.Code.PC, issued_at__gte=start, issued_at__lt=end)
        .select_related("item", "meeting")
        .order_by("year", "seq")
    )
    works = selected_for(period)
    title = _recorded(gettext_noop("%(year)s年%(month)s月全教会通报"), year=year, month=month)
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                level=Notice.Level.MONTHLY_DIGEST,
                title=title,
                body=_digest_text(year, month, resolutions) + _works_text(works),
                period=period,
                created_by=actor,
            )
    except IntegrityError:
        return Notice.objects.get(level=Notice.Level.MONTHLY_DIGEST, period=period)
    # The digest carries the selected department work: from now on those items are settled.
    MajorWork.objects.filter(pk__in=[w.pk for w in works]).update(notice=notice)
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
            "major_work": [w.pk for w in works],
            "audience": _audience_data(audiences),
        },
    )
    return _publish(notice, actor=actor)


def _digest_text(year: int, month: int, resolutions: list[Resolution]) -> str:
    lines = [
        _recorded(
            gettext_noop("%(year)s年%(month)s月，党委会共形成决议 %(n)s 项。"),
            year=year,
            month=month,
            n=len(resolutions),
        )
    ]
    if not resolutions:
        lines = [_recorded(gettext_noop("%(year)s年%(month)s月，党委会未形成决议。"), year=year, month=month)]
    for n, r in enumerate(resolutions, start=1):
        lines.append("")
        if r.confidential:
            lines.append(_recorded(gettext_noop("%(n)s. %(short)s：内容不予通报。"), n=n, short=_short_form(r)))
            continue
        lines.append(
            _recorded(
                gettext_noop("%(n)s. %(number)s %(title)s（%(meeting)s）"),
                n=n,
                number=r.number,
                title=r.item.title,
                meeting=r.meeting.title,
            )
        )
        lines.append(r.text)
    return "\n".join(lines) + "\n"


def _works_text(works: list) -> str:
    """二、各部门重要工作: the party office's selection, in its order."""
    if not works:
        return ""
    lines = ["", _recorded(gettext_noop("各部门重要工作（%(n)s 项）："), n=len(works))]
    for n, w in enumerate(works, start=1):
        lines.append("")
        lines.append(
            _recorded(
                gettext_noop("%(n)s. %(department)s：%(title)s"), n=n, department=w.department.name, title=w.title
            )
        )
        lines.append(w.summary)
    return "\n".join(lines) + "\n"
