"""Documents made once （归档文件）： a meeting's archive PDF, its minutes and its resolutions in Word.

These are documents of record: once one can no longer change it is rendered once, kept in the
default storage with its SHA-256 and size (`StoredDocument`, written once; an audit event
`meeting.document_store` on the meeting says the same), and served from storage ever after.
When each can no longer change:

- a minutes document: once those minutes are locked (locked minutes never change);
- a resolution document: once its meeting is adjourned (a resolution is issued once, and the
  meeting's title, day, chair and body are settled when it ends);
- the archive: once the meeting is adjourned and every minutes of it is locked. A correction
  （更正纪要） is in the archive from its first draft, so while one is drafted or signed the archive
  is rendered per request as before; when it locks, a new archive is made (the one before stays
  on record, no longer served).

When minutes lock, `minutes_sign` enqueues `store_documents` through the outbox (core.jobs: a
hand-over lost with its process is replayed by the sweep). A download that comes before the job
makes the document itself and the job then finds it made. Either way it is rendered once: the
maker takes a transaction-level advisory lock on the document's key (PostgreSQL; on SQLite the
IMMEDIATE transaction serialises writers already), looks again, and renders from rows it reads
inside the lock, checking on those same rows that the document is settled.

What is stored is the same for everyone allowed to have it: none of these documents names its
reader, and who may have one (the whole meeting's record, or a resolution of a confidential item)
is asked by the views before a stored file is served, exactly as before a rendered one. The
meeting pack and the agenda are not stored: each copy names its reader （阅读人） and leaves out
the confidential items that reader may not see, so they are made per request.
"""

import hashlib
import logging
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Prefetch

from core import audit
from meetings import pdf, selectors
from meetings.models import Meeting, Minutes, MinutesSignature, Resolution, StoredDocument
from meetings.paper import gongwen

log = logging.getLogger(__name__)

Kind = StoredDocument.Kind
Maker = StoredDocument.Maker
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {Kind.ARCHIVE: "application/pdf", Kind.MINUTES: DOCX, Kind.RESOLUTION: DOCX}
EXTENSIONS = {Kind.ARCHIVE: "pdf", Kind.MINUTES: "docx", Kind.RESOLUTION: "docx"}


# --- settled: the document can no longer change ---------------------------------------------------


def archive_settled_at(meeting: Meeting) -> Minutes | None:
    """The minutes the archive of `meeting` (its minutes loaded) is settled at: the latest, once the
    meeting is adjourned and every minutes of it is locked; None while the archive can change."""
    if meeting.state != Meeting.State.ADJOURNED:
        return None
    minutes = list(meeting.minutes.all())
    if not minutes or any(m.state != Minutes.State.LOCKED for m in minutes):
        return None
    return max(minutes, key=lambda m: m.pk)


# --- rendering: every one of these documents is rendered here, stored or not ----------------------


def render_archive(meeting_id: int) -> bytes:
    return pdf.archive_pdf(selectors.meeting_whole(meeting_id))


def _minutes_for_paper(minutes_id: int) -> Minutes:
    minutes = Minutes.objects.select_related("meeting__body", "meeting__chair", "meeting__secretary").get(pk=minutes_id)
    signatures = MinutesSignature.objects.filter(minutes=minutes, round=minutes.signing_round)
    minutes.current_signatures = list(signatures.select_related("member").order_by("signed_at", "id"))
    return minutes


def render_minutes(minutes_id: int) -> bytes:
    return gongwen.minutes_docx(_minutes_for_paper(minutes_id))


def _resolution_for_paper(resolution_id: int) -> Resolution:
    return Resolution.objects.select_related("item", "meeting__body", "meeting__chair").get(pk=resolution_id)


def render_resolution(resolution_id: int) -> bytes:
    return gongwen.resolution_docx(_resolution_for_paper(resolution_id))


# The same, for the maker: None when the rows read say the document is not settled after all (a
# correction drafted since the caller looked), so nothing is stored.


def _settled_archive(meeting_id: int, minutes_id: int) -> bytes | None:
    meeting = selectors.meeting_whole(meeting_id)
    settled = archive_settled_at(meeting)
    if settled is None or settled.pk != minutes_id:
        return None
    return pdf.archive_pdf(meeting)


def _settled_minutes(minutes_id: int) -> bytes | None:
    minutes = _minutes_for_paper(minutes_id)
    return gongwen.minutes_docx(minutes) if minutes.state == Minutes.State.LOCKED else None


def _settled_resolution(resolution_id: int) -> bytes | None:
    resolution = _resolution_for_paper(resolution_id)
    return gongwen.resolution_docx(resolution) if resolution.meeting.state == Meeting.State.ADJOURNED else None


# --- stored documents ---------------------------------------------------------------------------------


def stored(kind: str, **source) -> StoredDocument | None:
    """The latest stored document of this kind for `source` (minutes_id= or resolution_id=) whose
    file is in storage. A row whose file has gone is logged and passed over: a new one is made."""
    found = StoredDocument.objects.filter(kind=kind, **source).order_by("-id").first()
    if found is not None and not found.file.storage.exists(found.file.name):
        log.error("stored document %s (%s) is missing from storage; it will be made again", found.pk, found.file.name)
        return None
    return found


def stored_archive(meeting: Meeting) -> StoredDocument | None:
    """The archive stored for `meeting` (its minutes loaded) as it stands now, or None (not made
    yet, or still open to change). Reads only: the meeting's page shows its SHA-256."""
    settled = archive_settled_at(meeting)
    return None if settled is None else stored(Kind.ARCHIVE, minutes_id=settled.pk)


def stored_minutes(minutes: Minutes) -> StoredDocument | None:
    """The Word document stored for locked minutes, or None. Reads only."""
    return stored(Kind.MINUTES, minutes_id=minutes.pk) if minutes.state == Minutes.State.LOCKED else None


def _lock(kind: str, source: dict) -> None:
    """Hold, until the transaction ends, the lock on making this one document."""
    if connection.vendor != "postgresql":
        return
    name = f"yishi.document:{kind}:" + ",".join(f"{k}={v}" for k, v in sorted(source.items()))
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _made_once(
    kind: str, meeting_id: int, source: dict, render: Callable[[], bytes | None], made_by: str
) -> tuple[StoredDocument | None, bool]:
    """The stored document, made now if it is not there yet: (document or None, made now?)."""
    found = stored(kind, **source)
    if found is not None:
        return found, False
    with transaction.atomic():
        _lock(kind, source)
        found = stored(kind, **source)
        if found is not None:
            return found, False  # made by whoever held the lock before us
        content = render()
        if content is None:
            return None, False
        return _store(kind, meeting_id, source, content, made_by), True


def _store(kind: str, meeting_id: int, source: dict, content: bytes, made_by: str) -> StoredDocument:
    digest = hashlib.sha256(content).hexdigest()
    document = StoredDocument(
        meeting_id=meeting_id, kind=kind, sha256=digest, size=len(content), made_by=made_by, **source
    )
    of = source.get("resolution_id") or source["minutes_id"]
    document.file.save(f"{kind}-{of}-{digest[:16]}.{EXTENSIONS[kind]}", ContentFile(content), save=False)
    try:
        document.save()
        audit.record(
            actor=None,
            verb="meeting.document_store",
            target=Meeting(pk=meeting_id),
            data={
                "document": document.pk,
                "kind": kind,
                **source,
                "sha256": digest,
                "size": len(content),
                "made_by": made_by,
            },
        )
    except Exception:
        document.file.storage.delete(document.file.name)  # no file without its row
        raise
    return document


def archive_document(meeting: Meeting, *, made_by: str = Maker.DOWNLOAD) -> StoredDocument | None:
    """The stored archive of `meeting` (its minutes loaded), made now if need be; None while the
    archive can still change (the caller renders it per request)."""
    settled = archive_settled_at(meeting)
    if settled is None:
        return None
    source = {"minutes_id": settled.pk}
    return _made_once(Kind.ARCHIVE, meeting.pk, source, lambda: _settled_archive(meeting.pk, settled.pk), made_by)[0]


def minutes_document(minutes: Minutes, *, made_by: str = Maker.DOWNLOAD) -> StoredDocument | None:
    """The stored Word document of locked minutes, made now if need be; None for minutes not locked."""
    if minutes.state != Minutes.State.LOCKED:
        return None
    source = {"minutes_id": minutes.pk}
    return _made_once(Kind.MINUTES, minutes.meeting_id, source, lambda: _settled_minutes(minutes.pk), made_by)[0]


def resolution_document(
    resolution: Resolution, meeting: Meeting, *, made_by: str = Maker.DOWNLOAD
) -> StoredDocument | None:
    """The stored Word document of a resolution, made now if need be; None before its meeting ends."""
    if meeting.state != Meeting.State.ADJOURNED:
        return None
    source = {"resolution_id": resolution.pk}
    return _made_once(Kind.RESOLUTION, meeting.pk, source, lambda: _settled_resolution(resolution.pk), made_by)[0]


# --- the job and the command ----------------------------------------------------------------------------


def _meeting_with_sources(meeting_id: int) -> Meeting:
    return Meeting.objects.prefetch_related(
        Prefetch("minutes", queryset=Minutes.objects.order_by("id")),
        Prefetch("resolutions", queryset=Resolution.objects.order_by("id")),
    ).get(pk=meeting_id)


def settled_documents(meeting: Meeting) -> list[tuple[str, dict, Callable[[], bytes | None]]]:
    """Every document of `meeting` (minutes and resolutions loaded) that can no longer change:
    (kind, source, render). The Word documents first, the archive last."""
    found = []
    for m in meeting.minutes.all():
        if m.state == Minutes.State.LOCKED:
            found.append((Kind.MINUTES, {"minutes_id": m.pk}, lambda pk=m.pk: _settled_minutes(pk)))
    if meeting.state == Meeting.State.ADJOURNED:
        for r in meeting.resolutions.all():
            found.append((Kind.RESOLUTION, {"resolution_id": r.pk}, lambda pk=r.pk: _settled_resolution(pk)))
    settled = archive_settled_at(meeting)
    if settled is not None:
        found.append((Kind.ARCHIVE, {"minutes_id": settled.pk}, lambda pk=settled.pk: _settled_archive(meeting.pk, pk)))
    return found


def missing_documents(meeting_id: int) -> list[tuple[str, dict]]:
    """The settled documents of a meeting not in storage: (kind, source)."""
    meeting = _meeting_with_sources(meeting_id)
    return [(kind, source) for kind, source, _render in settled_documents(meeting) if stored(kind, **source) is None]


def make_meeting_documents(meeting_id: int, *, made_by: str) -> dict[str, int]:
    """Store every settled document of the meeting that is not stored yet (safe to repeat: what is
    stored is found, not made again). Returns how many of each kind were made now."""
    meeting = _meeting_with_sources(meeting_id)
    made = dict.fromkeys(Kind.values, 0)
    for kind, source, render in settled_documents(meeting):
        made[kind] += _made_once(kind, meeting.pk, source, render, made_by)[1]
    return made


def store_documents(minutes_id: int) -> dict[str, int]:
    """Job, enqueued when minutes lock: the meeting's documents that can no longer change, made
    and stored (the minutes' Word, the resolutions' Word, the archive once nothing of it is open)."""
    meeting_id = Minutes.objects.filter(pk=minutes_id).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        return {}
    return make_meeting_documents(meeting_id, made_by=Maker.JOB)
