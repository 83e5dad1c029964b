"""Writing an agenda item's content: creating, editing, and its attachments (materials)."""

from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import conflict, forbidden
from core.files import extension, sniffed_type, store_upload
from core.jobs import enqueue
from core.text import require_text
from decisions import access
from decisions.models import (
    MATERIALS_STATES,
    SETTLED_FIELDS,
    AgendaItem,
    Attachment,
    State,
)
from decisions.services import (
    ITEM_FIELDS,
    _locked,
    amount_problem,
    join_names,
    major_kind_for,
    scope_problem,
)
from org.models import MeetingBody, User


def _clean_fields(fields: dict) -> dict:
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValueError(f"unknown item fields: {sorted(unknown)}")
    problem = amount_problem(fields.get("amount"))
    if problem:
        raise conflict(problem)
    cleaned = dict(fields)
    cleaned.update(require_text(AgendaItem, **{name: fields.get(name) for name in ("title", "background", "proposal")}))
    cleaned["major_kind"] = major_kind_for(amount=cleaned.get("amount"), major_kind=cleaned.get("major_kind") or "")
    problem = scope_problem(
        body=cleaned["requested_body"], category=cleaned["category"], major_kind=cleaned["major_kind"]
    )
    if problem:
        raise conflict(problem)
    return cleaned


@transaction.atomic
def item_create(*, actor: User, **fields) -> AgendaItem:
    if actor.department_id is None:
        raise forbidden(_("您尚未分配部门，请联系管理员后再提交议题"))
    cleaned = _clean_fields(fields)
    item = AgendaItem.objects.create(submitter=actor, department_id=actor.department_id, state=State.DRAFT, **cleaned)
    audit.record(actor=actor, verb="item.create", target=item, to_state=item.state, data={"title": item.title})
    enqueue("search.services.index_object", "item", item.pk)
    return item


@transaction.atomic
def item_update(*, actor: User, item_id: int, version: int, **fields) -> AgendaItem:
    """Edit the content. `version` is what the editor loaded: a stale form is refused, never merged."""
    item = _locked(item_id)
    access.check(actor, item, "edit")
    if not item.is_editable:
        raise conflict(_("议题当前状态为“%(state)s”，不能修改") % {"state": item.get_state_display()})
    if item.version != version:
        raise conflict(_("议题已被他人修改，您的修改未保存。请刷新后重新编辑"))
    cleaned = _clean_fields(fields)
    if item.state == State.REVISING:
        # The screener accepted this meeting, category, weight and secrecy; a revision after
        # consultation changes the content only. (Adding secrecy is always allowed.)
        moved = [
            name
            for name in SETTLED_FIELDS
            if getattr(item, name) != cleaned[name] and not (name == "confidential" and cleaned[name])
        ]
        if moved:
            labels = join_names(str(AgendaItem._meta.get_field(name).verbose_name) for name in moved)
            raise conflict(
                _("会前酝酿阶段只能修改议题内容，不能改变%(fields)s；如需改变，请撤回后重新提交") % {"fields": labels}
            )
    changed = {}
    for name, value in cleaned.items():
        old = getattr(item, name)
        if old != value:
            changed[name] = [_plain(old), _plain(value)]
            setattr(item, name, value)
    if not changed:
        return item
    item.version += 1
    item.save()
    enqueue("search.services.index_object", "item", item.pk)
    audit.record(
        actor=actor,
        verb="item.edit",
        target=item,
        from_state=item.state,
        to_state=item.state,
        data={"changed": changed},
    )
    return item


def _plain(value):
    if isinstance(value, MeetingBody):
        return value.code
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- attachments -------------------------------------------------------------------


def attachment_problem(upload: UploadedFile) -> str | None:
    ext = extension(upload.name)
    if ext not in settings.ATTACHMENT_EXTENSIONS:
        return _("不支持的文件类型“.%(ext)s”，允许：%(allowed)s") % {
            "ext": ext or "?",
            "allowed": join_names(settings.ATTACHMENT_EXTENSIONS),
        }
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        return _("文件“%(name)s”超过 %(mb)s MB 的上限") % {
            "name": upload.name,
            "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        }
    if upload.size == 0:
        return _("文件“%(name)s”是空文件") % {"name": upload.name}
    if sniffed_type(upload, ext) is None:
        return _("文件“%(name)s”的内容与扩展名不符，请上传真实的 %(kind)s 文件。") % {
            "name": upload.name,
            "kind": ext.upper(),
        }
    return None


@transaction.atomic
def attachment_add(*, actor: User, item_id: int, upload: UploadedFile) -> Attachment:
    item = _locked(item_id)
    access.check(actor, item, "edit")
    if item.state not in MATERIALS_STATES:
        raise conflict(_("议题当前状态为“%(state)s”，不能添加附件") % {"state": item.get_state_display()})
    problem = attachment_problem(upload)
    if problem:
        raise conflict(problem)
    attachment = Attachment(item=item, uploaded_by=actor)
    store_upload(attachment, upload)
    attachment.save()
    audit.record(
        actor=actor,
        verb="item.attach",
        target=item,
        data={"attachment": attachment.pk, "name": attachment.name, "size": upload.size},
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment_id: int) -> Attachment:
    attachment = Attachment.objects.select_related("item").get(pk=attachment_id)
    item = _locked(attachment.item_id)
    access.check(actor, item, "edit")
    if not item.is_editable:
        raise conflict(_("议题当前状态为“%(state)s”，不能撤下附件") % {"state": item.get_state_display()})
    if attachment.removed_at:
        raise conflict(_("该附件已撤下"))
    attachment.removed_at = timezone.now()
    attachment.save(update_fields=["removed_at"])
    audit.record(
        actor=actor, verb="item.detach", target=item, data={"attachment": attachment.pk, "name": attachment.name}
    )
    return attachment
