"""Meetings on paper: the agenda and the meeting pack (PDF), the minutes and resolutions (Word)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from core.http import refuse
from meetings import access, selectors, services
from meetings.models import MinutesSignature, Resolution
from meetings.paper.gongwen import minutes_docx, resolution_docx
from meetings.paper.pack import build_pack

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _meeting(request, pk: int):
    meeting = selectors.meeting_detail(request.user, pk)
    if meeting is None:
        raise Http404
    return meeting


def _pack(request, pk: int, *, with_materials: bool, filename: str):
    meeting = _meeting(request, pk)
    # The same rule as the meeting page's link and materials count.
    if with_materials and not access.materials_open(request.user, meeting):
        return refuse(request, _("会议材料于%(time)s开放") % {"time": services.materials_deadline(meeting)}, status=409)
    pack = build_pack(meeting, request.user, with_materials=with_materials)
    services.confidential_viewed(actor=request.user, entries=[e.entry for e in pack.entries if e.shown])
    return _download(pack.pdf, "application/pdf", filename % meeting.pk)


@login_required
def meeting_agenda_pdf(request, pk: int):
    return _pack(request, pk, with_materials=False, filename="meeting-%s-agenda.pdf")


@login_required
def meeting_pack_pdf(request, pk: int):
    return _pack(request, pk, with_materials=True, filename="meeting-%s-pack.pdf")


@login_required
def minutes_word(request, pk: int):
    meeting = selectors.meeting_of_minutes(request.user, pk)
    if meeting is None:
        raise Http404
    if access.has_confidential(meeting) and not access.sees_confidential(request.user, meeting):
        return refuse(request, _("本次会议含涉密议题，纪要仅限参会人员查阅"))
    minutes = next(m for m in meeting.minutes.all() if m.pk == pk)
    minutes.meeting = meeting
    signatures = MinutesSignature.objects.filter(minutes=minutes, round=minutes.signing_round)
    minutes.current_signatures = list(signatures.select_related("member").order_by("signed_at", "id"))
    services.confidential_viewed(actor=request.user, entries=meeting.entries.all())
    return _download(minutes_docx(minutes), DOCX, f"minutes-{minutes.pk}.docx")


@login_required
def resolution_word(request, pk: int):
    resolution = (
        Resolution.objects.select_related("item", "entry")
        .filter(pk=pk, meeting__in=access.visible_meetings(request.user))
        .first()
    )
    if resolution is None:
        raise Http404
    meeting = selectors.meeting_detail(request.user, resolution.meeting_id)
    if resolution.item.confidential and not access.sees_confidential(request.user, meeting):
        raise Http404  # a confidential item is not there for those who may not see it
    resolution.meeting = meeting
    services.confidential_viewed(actor=request.user, entries=[resolution.entry])
    return _download(resolution_docx(resolution), DOCX, f"resolution-{resolution.pk}.docx")
