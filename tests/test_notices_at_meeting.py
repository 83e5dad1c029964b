"""三通报 at the meeting (issue 14, point 7): the meeting page carries the notices queued for it
(PC resolutions at the school affairs meeting, upper-level documents at the Party committee),
notices carry attachments checked like any upload, and reading them out at the meeting records
them as read for the recipients present."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import InvalidTransition
from core.models import AuditEvent, Notification
from decisions.models import MajorKind, State
from meetings import services as meeting_services
from notices import services
from notices.models import Notice, NoticeAttachment, NoticeRecipient
from tests.factories import all_opinions, at_state, meeting_for, running_meeting, vote_all, with_materials

PDF = b"%PDF-1.4 upper-level document"


def refused(status: int, call, /, contains: str = "", **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(**kwargs)
    assert caught.value.status == status, caught.value.reason
    assert contains in caught.value.reason
    return caught.value


def upper_notice(people, **audience) -> Notice:
    audience.setdefault("roles", ["pc_member", "secretary", "principal"])
    return services.notice_create_upper_document(
        actor=people("partyoffice"), title="关于学习贯彻上级会议精神的通报", body="上级会议的主要精神。", **audience
    )


def pdf(name="上级文件.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_sa_meeting_page_carries_the_pc_resolution_queued_for_it(
    client, people, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""
    item = at_state(
        State.READY,
        submitter=people("staff"),
        consultees=[people("member1")],
        major_kind=MajorKind.PROJECT,
        title="关于建设实训基地的请示",
    )
    meeting, (entry,) = running_meeting([item], "PC")
    all_opinions(entry, meeting)
    vote_all(entry, meeting, "for")
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.entry_decide(actor=people("partyoffice"), entry_id=entry.pk, outcome="passed")
        sa = meeting_for("SA")

    client.force_login(people("affairsoffice"))
    page = client.get(f"/meetings/{sa.pk}/").content.decode()
    assert f"/notices/meeting/{sa.pk}/" in page  # the panel is loaded with the page
    panel = client.get(f"/notices/meeting/{sa.pk}/").content.decode()
    assert "关于建设实训基地的请示" in panel and "党委会决议" in panel
    client.force_login(people("teacher"))  # sees no SA meeting
    assert client.get(f"/notices/meeting/{sa.pk}/").status_code == 404


def test_notices_carry_checked_attachments_while_draft(client, people):
    notice = upper_notice(people)
    office = people("partyoffice")

    attachment = services.notice_attachment_add(actor=office, notice_id=notice.pk, upload=pdf())
    assert attachment.content_type == "application/pdf" and len(attachment.sha256) == 64
    assert AuditEvent.objects.filter(verb="notice.attach", target_id=notice.pk).count() == 1
    refused(
        409,
        services.notice_attachment_add,
        "伪装.pdf",
        actor=office,
        notice_id=notice.pk,
        upload=pdf("伪装.pdf", b"MZ\x90\x00 not a pdf"),
    )
    refused(403, services.notice_attachment_add, actor=people("member1"), notice_id=notice.pk, upload=pdf())
    services.notice_publish(actor=office, notice_id=notice.pk)
    refused(409, services.notice_attachment_add, "已发布", actor=office, notice_id=notice.pk, upload=pdf())
    assert NoticeAttachment.objects.filter(notice=notice).count() == 1

    client.force_login(people("member1"))  # a recipient
    response = client.get(f"/notices/attachments/{attachment.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    client.force_login(people("teacher"))  # not a recipient
    assert client.get(f"/notices/attachments/{attachment.pk}/").status_code == 404


def test_the_upload_form_on_a_draft_refuses_a_file_that_is_not_what_it_says(client, people):
    notice = upper_notice(people)
    client.force_login(people("partyoffice"))
    page = client.get(f"/notices/{notice.pk}/").content.decode()
    assert 'data-testid="notice-attach"' in page
    bad = client.post(f"/notices/{notice.pk}/attach/", {"file": pdf("通知.pdf", b"plain text")})
    assert bad.status_code == 409 and "通知.pdf" in bad.content.decode()
    good = client.post(f"/notices/{notice.pk}/attach/", {"file": pdf()})
    assert good.status_code == 302
    assert "上级文件.pdf" in client.get(f"/notices/{notice.pk}/").content.decode()


def pc_meeting_with_notice(people):
    meeting = meeting_for("PC")
    notice = upper_notice(people)
    services.notice_attachment_add(actor=people("partyoffice"), notice_id=notice.pk, upload=pdf())
    services.notice_publish(actor=people("partyoffice"), notice_id=notice.pk)
    notice.refresh_from_db()
    assert notice.meeting_id == meeting.pk  # upper-level documents are read out at the next PC
    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
    meeting_services.agenda_add(actor=people("partyoffice"), meeting_id=meeting.pk, item_id=item.pk)
    with_materials(item)
    meeting_services.meeting_publish(actor=people("partyoffice"), meeting_id=meeting.pk)
    return meeting, notice


def test_reading_out_at_the_meeting_marks_it_read_for_the_recipients_present(people, settings):
    settings.REDIS_URL = ""
    meeting, notice = pc_meeting_with_notice(people)
    office = people("partyoffice")
    refused(409, services.notices_read_at_meeting, "会议进行中", actor=office, meeting_id=meeting.pk)
    meeting_services.meeting_open(actor=office, meeting_id=meeting.pk)
    for name in ("secretary", "principal", "member1"):
        meeting_services.attendance_mark(actor=office, meeting_id=meeting.pk, person_id=people(name).pk, present=True)
    meeting_services.attendance_mark(
        actor=office, meeting_id=meeting.pk, person_id=people("member2").pk, present=False, reason="出差"
    )
    refused(403, services.notices_read_at_meeting, actor=people("member1"), meeting_id=meeting.pk)

    assert services.notices_read_at_meeting(actor=office, meeting_id=meeting.pk) == 3

    read = dict(NoticeRecipient.objects.filter(notice=notice).values_list("person__username", "read_at"))
    assert all(read[n] is not None for n in ("secretary", "principal", "member1"))
    assert read["member2"] is None  # absent: still to read it
    event = AuditEvent.objects.get(verb="notice.read_at_meeting", target_id=notice.pk)
    assert sorted(event.data["people"]) == sorted(people(n).pk for n in ("secretary", "principal", "member1"))
    assert not Notification.objects.filter(
        recipient=people("member1"), key=f"notice:{notice.pk}", read_at__isnull=True
    ).exists()
    assert services.notices_read_at_meeting(actor=office, meeting_id=meeting.pk) == 0  # once


def test_the_meeting_panel_offers_reading_out_to_those_who_run_it(client, people, settings):
    settings.REDIS_URL = ""
    meeting, notice = pc_meeting_with_notice(people)
    office = people("partyoffice")
    meeting_services.meeting_open(actor=office, meeting_id=meeting.pk)
    meeting_services.attendance_mark(actor=office, meeting_id=meeting.pk, person_id=people("member1").pk, present=True)

    client.force_login(people("member1"))
    panel = client.get(f"/notices/meeting/{meeting.pk}/").content.decode()
    assert "关于学习贯彻上级会议精神的通报" in panel and "上级文件.pdf" in panel
    assert 'data-testid="read-at-meeting"' not in panel

    client.force_login(office)
    panel = client.get(f"/notices/meeting/{meeting.pk}/").content.decode()
    assert 'data-testid="read-at-meeting"' in panel
    done = client.post(f"/notices/meeting/{meeting.pk}/read/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in done and "1 份回执记为已读" in done
    assert NoticeRecipient.objects.get(notice=notice, person=people("member1")).read_at is not None
