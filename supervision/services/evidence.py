"""Progress evidence (佐证材料): files and phone photos, checked by core.files before anything is
written, and links. Used by the lead's progress reports and the co-operating departments' parts."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from core.errors import conflict
from core.files import store_upload
from core.text import clean_text
from decisions import services as item_services
from supervision.models import EvidenceLink

MAX_LINKS = 10
_url = URLValidator(schemes=["http", "https"])


def check_uploads(files: Sequence[UploadedFile]) -> None:
    """Refuse (409) the first file whose type, size or content is not acceptable (core.files)."""
    for upload in files:
        problem = item_services.attachment_problem(upload)
        if problem:
            raise conflict(problem)


def store(model, upload: UploadedFile, **parent):
    """One checked upload stored as a row of `model` (Evidence, PartEvidence) under `parent`."""
    check_uploads([upload])
    row = model(**parent)
    store_upload(row, upload)
    row.save()
    return row


def parse_links(text: str) -> list[tuple[str, str]]:
    """One link a line, "说明 https://…" or the address alone: (title, url) pairs, or a refusal."""
    links = []
    for line in clean_text(text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        title, _sep, url = line.rpartition(" ")
        url = url.strip()
        try:
            _url(url)
        except ValidationError as exc:
            raise conflict(_("链接“%(url)s”无效，须以 http:// 或 https:// 开头") % {"url": url[:80]}) from exc
        if len(url) > 500:
            raise conflict(_("链接不能超过 500 个字符"))
        links.append((title.strip()[:200], url))
    if len(links) > MAX_LINKS:
        raise conflict(_("每次最多添加 %(n)s 个链接") % {"n": MAX_LINKS})
    return links


def add_links(links: list[tuple[str, str]], **parent) -> list[EvidenceLink]:
    return EvidenceLink.objects.bulk_create([EvidenceLink(title=t, url=u, **parent) for t, u in links])
