"""Searching: the documents a person may see that match a query, best first.

Visibility is never decided here: each kind is limited by its own app's rule, asked about the
source rows at query time (a document is only a copy of their text):

- item: decisions.access.visibility_filter;
- resolution: visible when its item is (the same filter, through the item);
- minutes: locked minutes of a meeting the person may see (meetings.access.visible_meetings),
  and, when that meeting had a confidential item, only if meetings.access.sees_confidential
  says so for that meeting (the rule the minutes page applies);
- notice: published notices within notices.access.visibility_filter.

On PostgreSQL the query is a tsquery over the stored tsvector (search.tokenize); elsewhere
(the SQLite demo) every query word must occur in the title or text (icontains).
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.search import SearchQueryField, SearchRank
from django.db import connection
from django.db.models import BooleanField, Case, Count, Exists, F, Func, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.safestring import SafeString

from decisions import access as item_access
from decisions.models import AgendaItem
from meetings import access as meeting_access
from meetings.models import Minutes, Resolution
from notices import access as notice_access
from notices.models import Notice
from org.models import User
from search.highlight import mark, snippet
from search.models import SearchDocument
from search.tokenize import query_literal, query_words

Kind = SearchDocument.Kind


class Matches(Func):
    """tsvector @@ tsquery (the GIN index answers it)."""

    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()


def _confidential_meetings_seen(user: User, meetings: QuerySet) -> list[int]:
    """Of the meetings with locked minutes and a confidential item, those whose confidential
    items `user` may see, by meetings.access.sees_confidential itself (two queries: the meetings,
    their attendance)."""
    confidential = meeting_access.has_confidential_expression("pk")
    locked = Minutes.objects.filter(meeting=OuterRef("pk"), state=Minutes.State.LOCKED)
    candidates = meetings.filter(confidential, Exists(locked)).select_related("body").prefetch_related("attendance")
    return [m.pk for m in candidates if meeting_access.sees_confidential(user, m)]


def visible_documents(user: User) -> QuerySet[SearchDocument]:
    """Every document whose object `user` may see now."""
    if not user.is_authenticated:
        return SearchDocument.objects.none()
    items = AgendaItem.objects.filter(item_access.visibility_filter(user)).values("pk")
    resolutions = Resolution.objects.filter(item__in=items).values("pk")
    meetings = meeting_access.visible_meetings(user)
    has_confidential = meeting_access.has_confidential_expression("meeting_id")
    minutes = (
        Minutes.objects.filter(state=Minutes.State.LOCKED, meeting__in=meetings.values("pk"))
        .filter(~has_confidential | Q(meeting_id__in=_confidential_meetings_seen(user, meetings)))
        .values("pk")
    )
    notices = Notice.objects.filter(notice_access.visibility_filter(user), state=Notice.State.PUBLISHED).values("pk")
    return SearchDocument.objects.defer("vector").filter(
        Q(kind=Kind.ITEM, object_id__in=items)
        | Q(kind=Kind.RESOLUTION, object_id__in=resolutions)
        | Q(kind=Kind.MINUTES, object_id__in=minutes)
        | Q(kind=Kind.NOTICE, object_id__in=notices)
    )


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def _full_text(qs: QuerySet[SearchDocument], q: str) -> QuerySet[SearchDocument]:
    query = Cast(Value(query_literal(q)), output_field=SearchQueryField())
    in_title = Cast(Value(query_literal(q, weight="A")), output_field=SearchQueryField())
    return (
        qs.filter(Matches(F("vector"), query))
        .annotate(title_hit=Matches(F("vector"), in_title), rank=SearchRank(F("vector"), query))
        .order_by("-title_hit", "-rank", "-source_changed_at", "-id")
    )


def _fallback(qs: QuerySet[SearchDocument], words: list[str]) -> QuerySet[SearchDocument]:
    """Every word in the title or the text; all of them in the title ranks first."""
    for w in words:
        qs = qs.filter(Q(title__icontains=w) | Q(text__icontains=w))
    in_title = Q()
    for w in words:
        in_title &= Q(title__icontains=w)
    title_hit = Case(When(in_title, then=Value(True)), default=Value(False), output_field=BooleanField())
    return qs.annotate(title_hit=title_hit).order_by("-title_hit", "-source_changed_at", "-id")


def search(user: User, *, q: str, full_text: bool | None = None) -> QuerySet[SearchDocument]:
    """The documents `user` may see that match `q`, title matches first, then by rank (PostgreSQL)
    and the latest first. Nothing for a query without words. `full_text` picks the path (default:
    the tsquery on PostgreSQL, icontains elsewhere)."""
    words = query_words(q)
    if not words:
        return SearchDocument.objects.none()
    qs = visible_documents(user)
    if uses_full_text() if full_text is None else full_text:
        return _full_text(qs, q)
    return _fallback(qs, words)


def kind_counts(found: QuerySet[SearchDocument]) -> dict[str, int]:
    """How many of `found` there are of each kind (one query)."""
    rows = found.order_by().values("kind").annotate(n=Count("id")).values_list("kind", "n")
    counts = dict.fromkeys(Kind.values, 0)
    counts.update(dict(rows))
    return counts


# --- the results as the page shows them ---------------------------------------------------------


@dataclass(frozen=True)
class Result:
    kind: str
    kind_label: str
    title: SafeString
    snippet: SafeString | None  # None for a confidential object: its content is read on its page
    url: str
    confidential: bool
    when: datetime


def url_of(doc: SearchDocument) -> str:
    if doc.kind == Kind.ITEM:
        return reverse("decisions:detail", args=[doc.object_id])
    if doc.kind == Kind.RESOLUTION:
        return reverse("decisions:detail", args=[doc.link_id])
    if doc.kind == Kind.MINUTES:
        return reverse("meetings:minutes", args=[doc.object_id])
    return reverse("notices:detail", args=[doc.object_id])


def present(docs, q: str) -> list[Result]:
    """The page's rows: title and snippet escaped, the query's words marked."""
    words = query_words(q)
    return [
        Result(
            kind=doc.kind,
            kind_label=doc.get_kind_display(),
            title=mark(doc.title, words),
            snippet=None if doc.confidential else snippet(doc.text, words),
            url=url_of(doc),
            confidential=doc.confidential,
            when=doc.source_changed_at,
        )
        for doc in docs
    ]
