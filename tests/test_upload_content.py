"""Uploads are checked by their content, not their name: an .exe renamed .pdf is refused with a
reason, the form keeps what was typed, and a stored file is served as what its bytes are."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import InvalidTransition
from decisions import services
from decisions.models import AgendaItem, Attachment
from supervision.models import Evidence
from tests.factories import ItemFields, body, draft
from tests.samples import EXE, GENUINE, OLE2, PDF, ZIP, ooxml

SERVED_AS = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "wps": "application/vnd.ms-works",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ofd": "application/ofd",
    "zip": "application/zip",
    "txt": "text/plain; charset=utf-8",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type)


@pytest.mark.parametrize("ext", sorted(GENUINE))
def test_it_accepts_each_kind_with_genuine_content_and_stores_its_checked_type(people, ext):
    staff = people("staff")
    item = draft(staff)
    attachment = services.attachment_add(
        actor=staff, item_id=item.pk, upload=upload(f"材料.{ext}", GENUINE[ext], "application/x-anything")
    )
    assert attachment.content_type == SERVED_AS[ext]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("方案.pdf", EXE),
        ("方案.docx", EXE),
        ("方案.docx", ZIP),  # a zip, but not a Word document
        ("方案.docx", ooxml("xlsx")),  # a workbook named as a Word document
        ("方案.doc", PDF),
        ("方案.xls", ooxml("xlsx")),
        ("方案.ofd", ZIP),
        ("方案.zip", EXE),
        ("照片.jpg", PDF),
        ("照片.png", b"<svg onload=alert(1)>"),
        ("说明.txt", EXE),
        ("说明.txt", b"\xff\xfe\x00\x00binary"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_it_refuses_a_file_whose_content_is_not_what_its_name_says(people, name, content):
    staff = people("staff")
    item = draft(staff)
    with pytest.raises(InvalidTransition) as exc:
        services.attachment_add(actor=staff, item_id=item.pk, upload=upload(name, content))
    ext = name.rsplit(".", 1)[1].upper()
    assert exc.value.reason == f"文件“{name}”的内容与扩展名不符，请上传真实的 {ext} 文件。"
    assert exc.value.status == 409
    assert not Attachment.objects.exists()


def test_it_accepts_gb18030_text(people):
    staff = people("staff")
    item = draft(staff)
    attachment = services.attachment_add(
        actor=staff, item_id=item.pk, upload=upload("通知.txt", "关于召开党委会的通知".encode("gb18030"))
    )
    assert attachment.content_type == "text/plain; charset=gb18030"


def test_an_exe_renamed_pdf_on_the_new_item_form_is_refused_and_the_draft_text_is_kept(client, people):
    client.force_login(people("staff"))
    data = dict(ItemFields())
    data.pop("confidential")
    data.update(
        amount="",
        major_kind="",
        requested_body=body("PC").pk,
        title="关于更新机房设备的请示",
        background="机房设备使用已满八年，故障频发。",
        save="1",
        files=upload("采购方案.pdf", EXE),
    )

    response = client.post("/items/new/", data)

    assert response.status_code == 400  # the form shown again with its errors, as for every refused file
    page = response.content.decode()
    assert "文件“采购方案.pdf”的内容与扩展名不符，请上传真实的 PDF 文件。" in page
    assert 'value="关于更新机房设备的请示"' in page
    assert "机房设备使用已满八年，故障频发。" in page
    assert not AgendaItem.objects.exists()
    assert not Attachment.objects.exists()


def test_evidence_for_a_task_is_checked_the_same_way(people):
    from decisions.models import State
    from supervision import services as supervision_services
    from tests.factories import at_state, head_of, resolution_task

    task = resolution_task(at_state(State.RESOLVED, submitter=people("staff")).resolutions.get())
    head = head_of(task)
    with pytest.raises(InvalidTransition) as exc:
        supervision_services.task_report(
            actor=head, task_id=task.pk, text="已完成。", is_final=True, files=[upload("验收报告.pdf", EXE)]
        )
    assert "内容与扩展名不符" in exc.value.reason
    assert not Evidence.objects.exists()


# --- serving ---------------------------------------------------------------------------------


def test_a_stored_file_is_sent_as_its_checked_type_and_never_sniffed(client, people):
    staff = people("staff")
    item = draft(staff)
    attachment = services.attachment_add(actor=staff, item_id=item.pk, upload=upload("方案.doc", OLE2))
    client.force_login(staff)
    response = client.get(f"/items/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/msword"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_disguised_file_stored_before_the_check_is_sent_as_unknown_bytes(client, people):
    """A row written before content was checked keeps the type the browser claimed: the download
    checks the bytes again and sends an .exe named .pdf as application/octet-stream."""
    staff = people("staff")
    item = draft(staff)
    attachment = Attachment(
        item=item, uploaded_by=staff, name="方案.pdf", size=len(EXE), content_type="application/pdf"
    )
    attachment.sha256 = "0" * 64
    attachment.file.save("方案.pdf", ContentFile(EXE), save=False)
    attachment.save()
    client.force_login(staff)
    response = client.get(f"/items/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
