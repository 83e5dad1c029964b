"""Attachments: uploaded with the item forms, kept outside every public path, served only to people
who may see the item, and never deleted （撤下 only hides them）."""

import hashlib
import importlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import InvalidTransition
from core.models import AuditEvent
from decisions import services
from decisions.models import AgendaItem, Attachment, State
from tests.factories import ItemFields, at_state, body, draft
from tests.samples import GENUINE, PDF


def upload(name="方案.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type)


def form_data(**overrides):
    data = dict(ItemFields())
    data.pop("confidential")
    data.update({"amount": "", "major_kind": "", "requested_body": body("PC").pk})
    data.update(overrides)
    return data


def stored_files() -> list[Path]:
    root = Path(default_storage.location)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def attach(item, actor, **kwargs) -> Attachment:
    return services.attachment_add(actor=actor, item_id=item.pk, upload=upload(**kwargs))


# --- uploading ---------------------------------------------------------------------------------


def test_files_uploaded_with_a_new_item_are_stored_with_their_details(client, people):
    staff = people("staff")
    client.force_login(staff)
    response = client.post(
        "/items/new/",
        form_data(title="带附件的议题", save="1", files=[upload(), upload("预算表.xlsx", GENUINE["xlsx"])]),
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get(title="带附件的议题")
    first, second = item.attachments.order_by("id")
    assert (first.name, first.size, first.sha256, first.uploaded_by) == (
        "方案.pdf",
        len(PDF),
        hashlib.sha256(PDF).hexdigest(),
        staff,
    )
    assert first.file.read() == PDF
    assert second.name == "预算表.xlsx"
    names = [e.data["name"] for e in AuditEvent.objects.filter(verb="item.attach", target_id=item.pk)]
    assert names == ["方案.pdf", "预算表.xlsx"]


def test_a_file_uploaded_with_the_edit_form_is_added(client, people):
    staff = people("staff")
    item = draft(staff)
    client.force_login(staff)
    response = client.post(
        f"/items/{item.pk}/edit/",
        form_data(title=item.title, version=item.version, files=upload("补充说明.docx", GENUINE["docx"])),
    )
    assert response.status_code == 302
    assert list(item.attachments.values_list("name", flat=True)) == ["补充说明.docx"]


def test_a_file_cannot_be_added_once_the_item_has_moved_on(client, people):
    staff = people("staff")
    item = at_state(State.SCREENING, submitter=staff)
    client.force_login(staff)
    response = client.post(f"/items/{item.pk}/edit/", form_data(version=item.version, files=upload()))
    assert response.status_code == 403
    assert not Attachment.objects.exists()
    with pytest.raises(InvalidTransition) as exc:
        attach(item, staff)
    assert exc.value.status == 409


def test_only_the_submitter_adds_files(people):
    item = at_state(State.RETURNED, submitter=people("staff"))
    with pytest.raises(InvalidTransition) as exc:
        attach(item, people("depthead"))
    assert exc.value.status == 403
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("script.js", b"alert(1)", "不支持的文件类型"),
        ("无扩展名", b"data", "不支持的文件类型"),
        ("太大了.pdf", b"x" * 65, "超过"),
        ("空文件.pdf", b"", ""),
    ],
    ids=["exe", "js", "no-extension", "too-large", "empty"],
)
def test_a_refused_file_on_the_new_item_form_saves_nothing(client, people, settings, name, content, message):
    settings.ATTACHMENT_MAX_BYTES = 64
    client.force_login(people("staff"))
    response = client.post("/items/new/", form_data(title="不该保存的议题", submit="1", files=upload(name, content)))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'name="files"' in response.content.decode()  # the form is shown again
    assert not AgendaItem.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files() == []


def test_a_file_at_the_size_limit_is_accepted(client, people, settings):
    settings.ATTACHMENT_MAX_BYTES = 64
    client.force_login(people("staff"))
    response = client.post("/items/new/", form_data(save="1", files=upload("刚好.pdf", PDF.ljust(64, b" "))))
    assert response.status_code == 302
    assert Attachment.objects.get().size == 64


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("virus.exe", b"MZ", "不支持的文件类型"), ("大文件.pdf", b"x" * 65, "超过")],
    ids=["exe", "too-large"],
)
def test_a_refused_file_on_the_edit_form_saves_nothing(client, people, settings, name, content, message):
    settings.ATTACHMENT_MAX_BYTES = 64
    staff = people("staff")
    item = draft(staff)
    client.force_login(staff)
    response = client.post(
        f"/items/{item.pk}/edit/", form_data(title="改了标题", version=item.version, files=upload(name, content))
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    after = AgendaItem.objects.get(pk=item.pk)
    assert (after.title, after.version) == (item.title, item.version)
    assert not Attachment.objects.exists()
    assert stored_files() == []
    assert not AuditEvent.objects.filter(verb__in=["item.attach", "item.edit"]).exists()


def test_the_service_refuses_a_refused_file_too(people, settings):
    settings.ATTACHMENT_MAX_BYTES = 64
    staff = people("staff")
    item = draft(staff)
    for name, content in [("a.exe", b"MZ"), ("big.pdf", b"x" * 65), ("empty.pdf", b"")]:
        with pytest.raises(InvalidTransition) as exc:
            attach(item, staff, name=name, content=content)
        assert exc.value.status == 409
    assert not Attachment.objects.exists()


# --- where the file lives ----------------------------------------------------------------------


def inside(path: Path, folder) -> bool:
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def public_dirs():
    return [django_settings.STATIC_ROOT, *django_settings.STATICFILES_DIRS, Path(django_settings.BASE_DIR) / "static"]


def test_the_configured_private_media_root_is_outside_every_static_dir():
    project = importlib.import_module("config.settings")
    location = project.STORAGES["default"]["OPTIONS"]["location"]
    for folder in public_dirs():
        assert not inside(location, folder), folder
    assert project.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_a_stored_file_is_not_under_a_static_dir_and_has_no_public_url(client, people):
    staff = people("staff")
    item = draft(staff)
    attachment = attach(item, staff)
    path = Path(attachment.file.path)
    assert path.read_bytes() == PDF
    for folder in public_dirs():
        assert not inside(path, folder), folder
    name = attachment.file.name
    candidates = {
        "/" + name,
        "/media/" + name,
        "/static/" + name,
        "/" + attachment.file.url.lstrip("/"),
        (django_settings.MEDIA_URL or "/") + name,
        "/static/" + path.name,
    }
    client.force_login(staff)
    for url in candidates:
        assert client.get(url).status_code == 404, url


# --- downloading -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["staff", "depthead", "member1", "secretary", "partyoffice"])
def test_an_attachment_is_served_to_people_who_may_see_the_item(client, people, username):
    staff = people("staff")
    item = draft(staff)
    attachment = attach(item, staff)
    services.item_submit(actor=staff, item_id=item.pk)
    client.force_login(people(username))
    response = client.get(f"/items/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("username", ["teacher", "finance", "affairsoffice"])
def test_an_attachment_is_not_served_to_people_who_may_not_see_the_item(client, people, username):
    staff = people("staff")
    item = draft(staff)
    attachment = attach(item, staff)
    services.item_submit(actor=staff, item_id=item.pk)
    client.force_login(people(username))
    assert client.get(f"/items/attachments/{attachment.pk}/").status_code == 404


def test_a_drafts_attachment_is_served_to_its_submitter_only(client, people):
    staff = people("staff")
    attachment = attach(draft(staff), staff)
    for username in ("depthead", "secretary", "member1"):
        client.force_login(people(username))
        assert client.get(f"/items/attachments/{attachment.pk}/").status_code == 404, username
    client.force_login(staff)
    assert client.get(f"/items/attachments/{attachment.pk}/").status_code == 200


def test_a_confidential_items_attachment_is_not_served_to_a_leader_outside_its_meeting(client, people):
    staff = people("staff")
    item = draft(staff, body_code="PO", confidential=True)
    attachment = attach(item, staff)
    services.item_submit(actor=staff, item_id=item.pk)
    client.force_login(people("member2"))
    assert client.get(f"/items/attachments/{attachment.pk}/").status_code == 404
    client.force_login(people("vice"))
    assert client.get(f"/items/attachments/{attachment.pk}/").status_code == 200


def test_an_attachment_is_not_served_anonymously(client, people):
    staff = people("staff")
    attachment = attach(draft(staff), staff)
    response = client.get(f"/items/attachments/{attachment.pk}/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")
    assert client.get("/items/attachments/999999/").status_code == 302


# --- removing (撤下) ------------------------------------------------------------------------------


def test_removing_an_attachment_only_hides_it(client, people):
    staff = people("staff")
    item = draft(staff)
    attachment = attach(item, staff)
    client.force_login(staff)
    link = f"/items/attachments/{attachment.pk}/"
    assert link in client.get(f"/items/{item.pk}/").content.decode()

    response = client.post(f"/items/attachments/{attachment.pk}/remove/")

    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.removed_at is not None
    assert default_storage.exists(attachment.file.name)
    assert Path(attachment.file.path).read_bytes() == PDF
    event = AuditEvent.objects.filter(verb="item.detach", target_id=item.pk).get()
    assert (event.actor, event.data) == (staff, {"attachment": attachment.pk, "name": "方案.pdf"})
    assert link not in client.get(f"/items/{item.pk}/").content.decode()
    assert "方案.pdf" not in client.get(f"/items/{item.pk}/edit/").content.decode()


def test_an_attachment_is_removed_once(people):
    staff = people("staff")
    item = draft(staff)
    attachment = attach(item, staff)
    services.attachment_remove(actor=staff, attachment_id=attachment.pk)
    with pytest.raises(InvalidTransition) as exc:
        services.attachment_remove(actor=staff, attachment_id=attachment.pk)
    assert exc.value.status == 409
    assert AuditEvent.objects.filter(verb="item.detach").count() == 1


@pytest.mark.parametrize(
    ("state", "who", "status"),
    [
        (State.RETURNED, "depthead", 403),  # sees the item, is not its submitter
        (State.SCREENING, "staff", 409),  # the submitter, but the item has moved on
    ],
)
def test_removing_is_refused_to_others_and_after_the_item_moved_on(client, people, state, who, status):
    staff = people("staff")
    item = draft(staff)
    attachment = attach(item, staff)
    item = at_state_from_draft(item, state, staff, people)
    with pytest.raises(InvalidTransition) as exc:
        services.attachment_remove(actor=people(who), attachment_id=attachment.pk)
    assert exc.value.status == status
    client.force_login(people(who))
    response = client.post(f"/items/attachments/{attachment.pk}/remove/")
    assert response.status_code == status  # the item's page, with the reason, and the refusal's status
    assert exc.value.reason in response.content.decode()
    attachment.refresh_from_db()
    assert attachment.removed_at is None
    assert not AuditEvent.objects.filter(verb="item.detach").exists()


def test_removing_by_someone_who_cannot_see_the_item_is_404(client, people):
    staff = people("staff")
    attachment = attach(draft(staff), staff)
    client.force_login(people("depthead"))
    assert client.post(f"/items/attachments/{attachment.pk}/remove/").status_code == 404
    attachment.refresh_from_db()
    assert attachment.removed_at is None


def at_state_from_draft(item, state, staff, people):
    """Move an existing draft on: to RETURNED (submit, department returns) or SCREENING."""
    services.item_submit(actor=staff, item_id=item.pk)
    if state == State.RETURNED:
        services.item_dept_return(actor=people("depthead"), item_id=item.pk, reason="补材料")
    else:
        services.item_dept_approve(actor=people("depthead"), item_id=item.pk)
    item.refresh_from_db()
    assert item.state == state
    return item


def test_the_submitter_adds_materials_to_a_ready_item_but_cannot_edit_it(client, people):
    from decisions.models import State
    from tests.factories import at_state

    staff = people("staff")
    item = at_state(State.READY, submitter=staff, consultees=[people("member1")])
    client.force_login(staff)
    page = client.get(f"/items/{item.pk}/").content.decode()
    assert "上传材料" in page

    response = client.post(
        f"/items/{item.pk}/attach/",
        {"files": SimpleUploadedFile("测算表.xlsx", GENUINE["xlsx"], content_type="application/vnd.ms-excel")},
    )

    assert response.status_code == 302
    assert item.attachments.get().name == "测算表.xlsx"
    assert client.get(f"/items/{item.pk}/edit/").status_code == 403


def test_nobody_else_adds_materials(client, people):
    from decisions.models import State
    from tests.factories import at_state

    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
    client.force_login(people("depthead"))
    response = client.post(f"/items/{item.pk}/attach/", {"files": SimpleUploadedFile("x.pdf", b"%PDF-1.4")})
    assert response.status_code == 403
    assert not item.attachments.exists()


def test_a_file_name_cannot_disguise_its_type_with_direction_marks(client, people):
    """ "合同\\u202exslx.pdf" would read as "合同fdp.xlsx": the mark (and every invisible format
    character) is dropped from the name shown and sent on download; the bytes are kept."""
    staff = people("staff")
    item = draft(staff)
    attachment = attach(item, staff, name="合同\u202exslx\u200b.pdf")
    assert attachment.name == "合同xslx.pdf"
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    client.force_login(staff)
    response = client.get(f"/items/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert "\u202e" not in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
