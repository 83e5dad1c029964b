"""三通报 at the meeting: the files a notice carries, and the notices read out at a meeting,
which counts as read for everyone present who is among their recipients."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition, conflict, forbidden
from core.files import store_upload
from core.models import Notification
from decisions.services import attachment_problem
from meetings.models import Attendance, Meeting
from notices import access
from notices.models import Notice, NoticeAttachment, NoticeRecipient
from notices.services import _locked, _notification_key
from org.models import User


@transaction.atomic
def notice_attachment_add(*, actor: User, notice_id: int, upload: UploadedFile) -> NoticeAttachment:
    """An upper-level document joins a draft notice, checked by its content (core.files)."""
    notice = _locked(notice_id)
    if not access.is_party_office(actor):
        raise forbidden(_("只有党委办公室可以为通报添加附件"))
    if not access.can_attach(actor, notice):
        raise conflict(_("通报已发布，不能再添加附件"))
    problem = attachment_problem(upload)
    if problem:
        raise conflict(problem)
    attachment = NoticeAttachment(notice=notice, uploaded_by=actor)
    store_upload(attachment, upload)
    attachment.save()
    audit.record(
        actor=actor,
        verb="notice.attach",
        target=notice,
        data={"attachment": attachment.pk, "name": attachment.name, "size": attachment.size},
    )
    return attachment


@transaction.atomic
def notices_read_at_meeting(*, actor: User, meeting_id: int) -> int:
    """The notices queued for a meeting were read out there: each person present (members and
    observers) who is a recipient and has not read one has now read it. Only while the meeting
    runs. Returns how many receipts this recorded; a second call records none."""
    meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
    if meeting is None:
        raise InvalidTransition(_("会议不存在"), status=404)
    if not access.reads_out(actor, meeting):
        raise forbidden(_("只有会议主持人、记录人或会务部门可以登记会上通报"))
    if meeting.state != Meeting.State.IN_PROGRESS:
        raise conflict(_("会议进行中才能登记会上通报"))
    notices = list(Notice.objects.filter(meeting=meeting, state=Notice.State.PUBLISHED).order_by("pk"))
    if not notices:
        raise conflict(_("本次会议没有待通报的事项"))
    present = list(
        Attendance.objects.filter(meeting=meeting, status=Attendance.Status.PRESENT).values_list("person_id", flat=True)
    )
    now, total = timezone.now(), 0
    for notice in notices:
        receipts = NoticeRecipient.objects.filter(notice=notice, person_id__in=present, read_at__isnull=True)
        people = list(receipts.values_list("person_id", flat=True))
        if not people:
            continue
        total += NoticeRecipient.objects.filter(notice=notice, person_id__in=people, read_at__isnull=True).update(
            read_at=now
        )
        Notification.objects.filter(
            recipient_id__in=people, key=_notification_key(notice.pk), read_at__isnull=True
        ).update(read_at=now)
        audit.record(
            actor=actor, verb="notice.read_at_meeting", target=notice, data={"meeting": meeting.pk, "people": people}
        )
    return total
