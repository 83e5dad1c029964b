"""Indexing: what each kind of object puts into search, and keeping that fresh.

Every write here is an upsert of SearchDocument rows (one per object, unique on kind and id), so
every function may run twice, or at the same time as another, with the same result. What is
indexed, and from which timestamp reindex_changed sees that it changed:

| kind | rows | title / text | changed when |
| --- | --- | --- | --- |
| item | every agenda item (drafts too: their submitter may search them) | title / background + proposal | updated_at (any save: edits and every step) |
| resolution | every resolution (append-only) | number + item title / resolution text | issued_at: written once |
| minutes | locked minutes only, amendments included (drafts change until they are signed; the signed text is the record) | number + meeting title / minutes text | locked_at: never changes after |
| notice | published notices only (drafts are for the writer) | title / body, as stored: a confidential resolution's notice is already in short form | published_at: published notices keep what they said |

Who may see a document is not stored: search.selectors asks each app's own rule at query time.

One row that cannot be indexed (its text makes the source raise, or the database refuse the
vector) never stops a run for the others: it is logged by kind and id only (never its text, nor
the error's message, which may quote it), left without a fresh document, and so found again by
the next reindex_changed.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchVectorField
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, Model, OuterRef, QuerySet, Value
from django.db.models.functions import Cast

from decisions.models import AgendaItem
from meetings import access as meeting_access
from meetings.models import Minutes, Resolution
from notices.models import Notice
from search.models import SearchDocument
from search.tokenize import vector_literal

logger = logging.getLogger(__name__)

Kind = SearchDocument.Kind
BATCH = 200
TITLE_MAX = SearchDocument._meta.get_field("title").max_length


@dataclass(frozen=True)
class Source:
    rows: Callable[[], QuerySet]  # the indexable rows, with what `fields` reads
    fields: Callable[[Model], dict]  # title, text, confidential, link_id, source_changed_at
    changed_at: str  # the source's timestamp that moves when what is indexed may have changed


def _item_fields(item: AgendaItem) -> dict:
    return {
        "title": item.title,
        "text": f"{item.background}\n\n{item.proposal}",
        "confidential": item.confidential,
        "link_id": None,
        "source_changed_at": item.updated_at,
    }


def _resolution_fields(r: Resolution) -> dict:
    return {
        "title": f"{r.number} {r.item.title}",
        "text": r.text,
        "confidential": r.confidential,
        "link_id": r.item_id,  # a resolution is read on its item's page
        "source_changed_at": r.issued_at,
    }


def _locked_minutes() -> QuerySet[Minutes]:
    # The minutes of a meeting with any confidential item (dropped ones too, as the minutes page
    # counts them) are confidential as a whole.
    return (
        Minutes.objects.filter(state=Minutes.State.LOCKED)
        .select_related("meeting")
        .annotate(has_confidential=meeting_access.has_confidential_expression("meeting_id"))
    )


def _minutes_fields(m: Minutes) -> dict:
    return {
        "title": f"{m.number} {m.meeting.title}",
        "text": m.text,
        "confidential": m.has_confidential,
        "link_id": m.meeting_id,
        "source_changed_at": m.locked_at,
    }


def _notice_fields(n: Notice) -> dict:
    return {
        "title": n.title,
        "text": n.body,
        "confidential": n.confidential,
        "link_id": None,
        "source_changed_at": n.published_at,
    }


SOURCES: dict[str, Source] = {
    Kind.ITEM: Source(lambda: AgendaItem.objects.all(), _item_fields, "updated_at"),
    Kind.RESOLUTION: Source(lambda: Resolution.objects.select_related("item"), _resolution_fields, "issued_at"),
    Kind.MINUTES: Source(_locked_minutes, _minutes_fields, "locked_at"),
    Kind.NOTICE: Source(lambda: Notice.objects.filter(state=Notice.State.PUBLISHED), _notice_fields, "published_at"),
}

_UPDATED = ["link_id", "title", "text", "confidential", "vector", "source_changed_at", "updated_at"]


def _document(kind: str, obj: Model) -> SearchDocument:
    fields = SOURCES[kind].fields(obj)
    fields["title"] = fields["title"][:TITLE_MAX]
    doc = SearchDocument(kind=kind, object_id=obj.pk, **fields)
    if connection.vendor == "postgresql":
        doc.vector = Cast(Value(vector_literal(doc.title, doc.text)), output_field=SearchVectorField())
    return doc


def _save(docs: list[SearchDocument]) -> int:
    if docs:
        SearchDocument.objects.bulk_create(
            docs, update_conflicts=True, unique_fields=["kind", "object_id"], update_fields=_UPDATED
        )
    return len(docs)


def _source(kind: str) -> Source:
    if kind not in SOURCES:
        raise ValueError(f"unknown search document kind: {kind!r}")
    return SOURCES[kind]


def index_object(kind: str, object_id: int) -> bool:
    """Index one object now (a job: `core.jobs.enqueue("search.services.index_object", kind, id)`).
    True if it is indexed; False if it is not (or no longer) searchable: a draft notice, minutes
    not yet locked, a row that is gone; then any document it had is removed."""
    source = _source(kind)
    with transaction.atomic():
        obj = source.rows().filter(pk=object_id).first()
        if obj is None:
            SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()
            return False
        _save([_document(kind, obj)])
        return True


def _failed(kind: str, object_id: int, exc: Exception) -> None:
    # Ids and the error's class only: the message may quote the confidential text.
    logger.warning("search: %s %s not indexed (%s); the next run tries it again", kind, object_id, type(exc).__name__)


def _save_each(kind: str, docs: list[SearchDocument], failed: list[int]) -> int:
    """A batch the database refused, row by row: each in its own savepoint."""
    done = 0
    for doc in docs:
        try:
            with transaction.atomic():
                done += _save([doc])
        except DatabaseError as exc:
            failed.append(doc.object_id)
            _failed(kind, doc.object_id, exc)
    return done


def _save_batch(kind: str, docs: list[SearchDocument], failed: list[int]) -> int:
    try:
        with transaction.atomic():
            return _save(docs)
    except DatabaseError:
        return _save_each(kind, docs, failed)


def _index_rows(kind: str, rows: Iterable[Model], failed: list[int]) -> int:
    """Index `rows` in batches; the ids of those that could not be indexed go to `failed`."""
    done, batch = 0, []
    for obj in rows:
        try:
            batch.append(_document(kind, obj))
        except Exception as exc:  # noqa: BLE001 - one row's text must not stop the others
            failed.append(obj.pk)
            _failed(kind, obj.pk, exc)
            continue
        if len(batch) == BATCH:
            done += _save_batch(kind, batch, failed)
            batch = []
    if batch:
        done += _save_batch(kind, batch, failed)
    return done


def _prune(kind: str) -> int:
    """Documents whose object is no longer searchable (or gone)."""
    rows = SOURCES[kind].rows().values("pk")
    deleted, _ = SearchDocument.objects.filter(kind=kind).exclude(object_id__in=rows).delete()
    return deleted


@dataclass
class Reindexed:
    indexed: dict[str, int]
    removed: dict[str, int]
    failed: dict[str, list[int]] = field(default_factory=dict)  # kind → ids left for the next run

    @property
    def total(self) -> int:
        return sum(self.indexed.values())


def reindex_all() -> Reindexed:
    """Every searchable object indexed afresh (`manage.py search_reindex`: after a change to the
    tokeniser, or to fill the index the first time)."""
    result = Reindexed({}, {})
    for kind, source in SOURCES.items():
        failed: list[int] = []
        result.indexed[kind] = _index_rows(kind, source.rows().order_by("pk").iterator(chunk_size=BATCH), failed)
        result.removed[kind] = _prune(kind)
        if failed:
            result.failed[kind] = failed
    return result


def changed_rows(kind: str) -> QuerySet:
    """The rows with no document, or with one older than the row's own timestamp."""
    source = SOURCES[kind]
    current = SearchDocument.objects.filter(
        kind=kind, object_id=OuterRef("pk"), source_changed_at__gte=OuterRef(source.changed_at)
    )
    return source.rows().exclude(Exists(current))


def reindex_changed() -> Reindexed:
    """What changed since the last run: rows whose timestamp is newer than their document's,
    and rows never indexed; documents of rows no longer searchable are removed. A second run
    right after finds nothing to do."""
    result = Reindexed({}, {})
    for kind in SOURCES:
        failed: list[int] = []
        result.indexed[kind] = _index_rows(kind, changed_rows(kind).order_by("pk").iterator(chunk_size=BATCH), failed)
        result.removed[kind] = _prune(kind)
        if failed:
            result.failed[kind] = failed
    return result
