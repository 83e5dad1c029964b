"""The meeting pack （会议材料汇编）： cover, agenda with a table of contents, and each item's
materials, its PDF attachments merged in, as one PDF with page numbers throughout.

WeasyPrint sets the cover, the agenda and each item's text. For every page of a PDF attachment
the HTML holds an empty page (a slot) in the flow, so the page numbers in the footer and the
table of contents (`target-counter`) count the attachments' pages too; pypdf then lays each
attachment page, scaled to fit, onto its slot. A confidential item is marked 涉密 for those the
meeting's rule lets see it (meetings.access.sees_confidential) and left out for everyone else,
who see only its place on the agenda.
"""

import io
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from pypdf import PdfReader, PdfWriter, Transformation

from core.pdf import render_pdf
from decisions.models import Attachment
from meetings import access
from meetings.models import Meeting
from org.models import User

log = logging.getLogger(__name__)

# An attachment longer than this is listed, not merged: a pack is for reading in the room.
MAX_ATTACHMENT_PAGES = 200
# The slot's page box (A4 in points) and the band kept free for the footer and the header mark.
A4 = (595.28, 841.89)
FOOTER_BAND = 42.0
HEADER_BAND = 28.0


@dataclass
class Material:
    attachment: Attachment
    pages: int = 0  # pages to merge; 0: listed only
    reader: PdfReader | None = None
    note: str = ""
    first_slot: int = 0

    @property
    def slots(self) -> range:
        """The ids of this file's slots in the pack (one per page)."""
        return range(self.first_slot, self.first_slot + self.pages)


@dataclass
class PackEntry:
    number: int
    entry: object
    shown: bool  # False: a confidential item this reader may not see
    materials: list[Material] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"item-{self.number}"


@dataclass
class Pack:
    pdf: bytes
    pages: int
    entries: list[PackEntry]


def _open_pdf(attachment: Attachment) -> Material:
    material = Material(attachment=attachment)
    if not attachment.content_type.startswith("application/pdf"):
        material.note = translation.gettext("非PDF文件，请在系统中查阅原件")
        return material
    try:
        with attachment.file.open("rb") as f:
            reader = PdfReader(io.BytesIO(f.read()))
        if reader.is_encrypted:
            raise ValueError("encrypted")
        pages = len(reader.pages)
    except Exception:  # a damaged or locked file is listed, never the reason the pack fails
        log.warning("attachment %s could not be merged into the meeting pack", attachment.pk, exc_info=True)
        material.note = translation.gettext("文件无法合并，请在系统中查阅原件")
        return material
    if pages > MAX_ATTACHMENT_PAGES:
        material.note = translation.gettext("篇幅较长（%(n)s页），请在系统中查阅原件") % {"n": pages}
        return material
    material.reader, material.pages = reader, pages
    return material


def pack_entries(meeting: Meeting, user: User, *, with_materials: bool = True) -> list[PackEntry]:
    """The live agenda of a meeting loaded by selectors.meeting_detail, as this reader may see it."""
    sees = access.sees_confidential(user, meeting)
    rows = []
    live = [e for e in meeting.entries.all() if e.dropped_at is None]
    for number, entry in enumerate(live, start=1):
        shown = sees or not entry.item.confidential
        row = PackEntry(number=number, entry=entry, shown=shown)
        if shown and with_materials:
            row.materials = [_open_pdf(a) for a in entry.item.attachments.all()]
        rows.append(row)
    return rows


def _lay(slot, source) -> None:
    """Lay `source` onto the blank `slot`, turned as its /Rotate says and scaled to fit between the
    header mark and the footer."""
    box = source.mediabox
    turn = Transformation().rotate(-(source.rotation % 360))
    corners = [turn.apply_on((float(x), float(y))) for x in (box.left, box.right) for y in (box.bottom, box.top)]
    left, bottom = min(c[0] for c in corners), min(c[1] for c in corners)
    width, height = max(c[0] for c in corners) - left, max(c[1] for c in corners) - bottom
    free_w, free_h = A4[0] - 24, A4[1] - FOOTER_BAND - HEADER_BAND
    scale = min(free_w / width, free_h / height, 1.0)
    tx = (A4[0] - width * scale) / 2
    ty = FOOTER_BAND + (free_h - height * scale) / 2
    placed = turn.translate(-left, -bottom).scale(scale).translate(tx, ty)
    slot.merge_transformed_page(source, placed, over=True, expand=False)


def build_pack(meeting: Meeting, user: User, *, with_materials: bool = True) -> Pack:
    """The pack of `meeting` for `user` (the agenda alone when `with_materials` is False)."""
    with translation.override(settings.LANGUAGE_CODE):  # a document of record, in the site's language
        entries = pack_entries(meeting, user, with_materials=with_materials)
        merging = [m for e in entries for m in e.materials if m.pages]
        first = 0
        for m in merging:
            m.first_slot, first = first, first + m.pages
        html = render_to_string(
            "meetings/paper/pack_pdf.html",
            {
                "meeting": meeting,
                "held_at": meeting.held_at,
                "entries": entries,
                "with_materials": with_materials,
                "confidential": any(e.entry.item.confidential and e.shown for e in entries),
                "reader": user,
                "generated_at": timezone.now(),
            },
        )
    rendered = render_pdf(html)
    if not merging:
        return Pack(pdf=rendered, pages=len(PdfReader(io.BytesIO(rendered)).pages), entries=entries)
    # Each slot has an id, which WeasyPrint writes as a named destination on the slot's page.
    reader = PdfReader(io.BytesIO(rendered))
    index_of = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    destinations = reader.named_destinations
    writer = PdfWriter(clone_from=reader)
    for m in merging:
        for n, source in enumerate(m.reader.pages):
            slot = destinations[f"slot-{m.first_slot + n}"].page.idnum
            _lay(writer.pages[index_of[slot]], source)
    out = io.BytesIO()
    writer.write(out)
    return Pack(pdf=out.getvalue(), pages=len(writer.pages), entries=entries)
