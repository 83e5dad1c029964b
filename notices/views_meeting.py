"""三通报 at the meeting: the notices queued for a meeting (a fragment the meeting page loads),
read out there; and the files a notice carries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.errors import InvalidTransition
from core.files import served_type
from core.http import refuse
from meetings import access as meeting_access
from meetings.models import Meeting
from notices import access, selectors, services
from notices.forms import AttachmentForm


def _meeting_or_404(request, meeting_id: int) -> Meeting:
    meeting = meeting_access.visible_meetings(request.user).select_related("body").filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    return meeting


def _context(request, meeting: Meeting, **extra) -> dict:
    notices = list(selectors.for_meeting(request.user, meeting.pk))
    return {
        "meeting": meeting,
        "notices": notices,
        "reads_out": access.reads_out(request.user, meeting) and meeting.state == Meeting.State.IN_PROGRESS,
        "follow_up": access.is_party_office(request.user) or meeting_access.runs(request.user, meeting),
        **extra,
    }


@login_required
def meeting_notices(request, meeting_id: int):
    """The meeting page's 三通报 panel: PC resolutions queued for a school affairs meeting, upper-level
    documents for a Party committee meeting; each as far as the person may see it."""
    meeting = _meeting_or_404(request, meeting_id)
    return render(request, "notices/_for_meeting.html", _context(request, meeting))


@login_required
@require_POST
def meeting_notices_read(request, meeting_id: int):
    """会上已通报: everyone present who is a recipient has now read the meeting's notices."""
    meeting = _meeting_or_404(request, meeting_id)
    try:
        n = services.notices_read_at_meeting(actor=request.user, meeting_id=meeting.pk)
        note, level, status = (
            ngettext("已登记会上通报，%(n)s 份回执记为已读。", "已登记会上通报，%(n)s 份回执记为已读。", n) % {"n": n},
            "success",
            200,
        )
    except InvalidTransition as e:
        note, level, status = e.reason, "danger", e.status
    if not request.headers.get("HX-Request"):
        if level != "success":
            return refuse(request, note, status=status)
        messages.success(request, note)
        return redirect("meetings:detail", meeting.pk)
    response = render(request, "notices/_for_meeting.html", _context(request, meeting, note=note, level=level))
    response["X-Yishi-Status"] = str(status)
    return response


@login_required
@require_POST
def notice_attach(request, pk: int):
    notice = selectors.notice_detail(request.user, pk)
    if notice is None:
        raise Http404
    form = AttachmentForm(request.POST, request.FILES)
    try:
        if not access.is_party_office(request.user):
            raise InvalidTransition(_("只有党委办公室可以为通报添加附件"), status=403)
        if not form.is_valid():
            raise InvalidTransition(" ".join(e for errors in form.errors.values() for e in errors), status=400)
        attachment = services.notice_attachment_add(actor=request.user, notice_id=pk, upload=form.cleaned_data["file"])
    except InvalidTransition as e:
        messages.error(request, e.reason)
        from notices.views import _detail_context

        context = _detail_context(request, notice, selectors.receipt_of(request.user, notice))
        return render(request, "notices/notice_detail.html", context, status=e.status)
    messages.success(request, _("已添加附件“%(name)s”。") % {"name": attachment.name})
    return redirect("notices:detail", pk)


@login_required
def attachment_download(request, pk: int):
    attachment = selectors.visible_attachment(request.user, pk)
    if attachment is None:
        raise Http404
    services.notice_viewed(actor=request.user, notice=attachment.notice)
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=served_type(attachment)
    )
