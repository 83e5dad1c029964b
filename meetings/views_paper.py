"""Meetings on paper: the agenda and the meeting pack (PDF), the archive (PDF), the minutes and
resolutions (Word).

The archive and the Word documents are documents of record: once one can no longer change it is
served from storage (meetings.services.documents: made once, at locking or at the first download,
with its SHA-256 in the ETag and Digest headers); before that it is rendered per request. Who may
have each is asked here first, the same for a stored file as for a rendered one. The agenda and the
pack are made per request: each copy names its reader and leaves out what that reader may not see.
"""

import base64

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _

from core.http import refuse
from meetings import access, selectors, services
from meetings.models import Meeting, Resolution, StoredDocument
from meetings.paper.pack import build_pack
from meetings.services.documents import CONTENT_TYPES, DOCX


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _stored(document: StoredDocument, filename: str) -> FileResponse:
    """A stored document, streamed from storage, its SHA-256 in the headers."""
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=filename, content_type=CONTENT_TYPES[document.kind]
    )
    response["ETag"] = f'"{document.sha256}"'
    response["Digest"] = "sha-256=" + base64.b64encode(bytes.fromhex(document.sha256)).decode()
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
def meeting_archive_pdf(request, pk: int):
    meeting = selectors.meeting_for_paper(request.user, pk)
    if meeting is None:
        raise Http404
    if meeting.state != Meeting.State.ADJOURNED:
        return refuse(request, _("会议结束后才能生成归档文件"), status=409)
    if access.has_confidential(meeting) and not access.sees_confidential(request.user, meeting):
        return refuse(request, _("本次会议含涉密议题，归档文件仅限参会人员下载"))
    services.confidential_viewed(actor=request.user, entries=meeting.entries.all())
    filename = f"meeting-{meeting.pk}-archive.pdf"
    document = services.archive_document(meeting)
    if document is not None:
        return _stored(document, filename)
    return _download(services.render_archive(meeting.pk), "application/pdf", filename)


@login_required
def minutes_word(request, pk: int):
    meeting = selectors.meeting_of_minutes(request.user, pk)
    if meeting is None:
        raise Http404
    if access.has_confidential(meeting) and not access.sees_confidential(request.user, meeting):
        return refuse(request, _("本次会议含涉密议题，纪要仅限参会人员查阅"))
    minutes = next(m for m in meeting.minutes.all() if m.pk == pk)
    services.confidential_viewed(actor=request.user, entries=meeting.entries.all())
    filename = f"minutes-{minutes.pk}.docx"
    document = services.minutes_document(minutes)
    if document is not None:
        return _stored(document, filename)
    return _download(services.render_minutes(minutes.pk), DOCX, filename)


@login_required
def resolution_word(request, pk: int):
    resolution = (
        Resolution.objects.select_related("item", "entry")
        .filter(pk=pk, meeting__in=access.visible_meetings(request.user))
        .first()
    )
    if resolution is None:
        raise Http404
    meeting = selectors.meeting_for_paper(request.user, resolution.meeting_id)
    if resolution.item.confidential and not access.sees_confidential(request.user, meeting):
        raise Http404  # a confidential item is not there for those who may not see it
    services.confidential_viewed(actor=request.user, entries=[resolution.entry])
    filename = f"resolution-{resolution.pk}.docx"
    document = services.resolution_document(resolution, meeting)
    if document is not None:
        return _stored(document, filename)
    return _download(services.render_resolution(resolution.pk), DOCX, filename)
