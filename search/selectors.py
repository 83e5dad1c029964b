"""Searching: the documents a person may see that match a query, best first.

Visibility is never decided here: each kind is limited by its own app's rule, asked about the
source rows at query time (a document is only a copy of their text):

- item: decisions.access.visibility_filter;
- resolution: visible when its item is (the same filter, asked about the item);
- minutes: locked minutes of a meeting the person may see (meetings.access.visible_meetings),
  and, when that meeting had a confidential item, only if meetings.access.sees_confidential
  says so for that meeting (the rule the minutes page applies);
- notice: published notices within notices.access.visibility_filter.

The match comes first and the rules are asked about what matched, not the other way round
(docs/benchmarks.md, "Search at factor 1"): asking every rule about every row of its table and
then intersecting with the match cost 0.4–1.5 s at 20,000 items, nearly all of it in the rules
(and in PostgreSQL's JIT compiling that plan), while the match itself takes a few milliseconds.
So a search is:

1. the matching documents' ids (PostgreSQL: a tsquery over the stored tsvector, answered by its
   GIN index, search.tokenize; elsewhere, the SQLite demo: every query word in the title or the
   text, icontains), with each matched resolution's item;
2. each kind's rule asked about the matched ids only, given as one array (`= ANY(%s)`): the
   planner then knows how few rows it is asked about and reads them by primary key;
3. the visible documents by id, ranked: title matches first, then by rank (PostgreSQL) and the
   latest first.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.contrib.postgres.search import SearchQueryField, SearchRank
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    F,
    FloatField,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.safestring import SafeString

from decisions import access as item_access
from decisions.models import AgendaItem
from meetings import access as meeting_access
from meetings.models import Attendance, Minutes, Resolution
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


class AnyOf(Func):
    """`column = ANY(%s::bigint[])`: a list of ids as one array parameter, however long (not a
    placeholder per id), so the planner sees how many rows it is asked about. The array is
    written as its text form ('{1,2,3}'; ids are integers, nothing to escape), which psycopg
    sends as it is, instead of adapting 20,000 ints one by one. PostgreSQL only."""

    output_field = BooleanField()

    def __init__(self, column: str, ids):
        super().__init__(F(column))
        self.array = "{" + ",".join(str(int(pk)) for pk in ids) + "}"

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{sql} = ANY(%s::bigint[])", (*params, self.array)


def _among(column: str, ids) -> Q | AnyOf:
    """The rows whose `column` is one of `ids`: an array on PostgreSQL, `IN (…)` elsewhere."""
    if connection.vendor == "postgresql":
        return AnyOf(column, ids)
    return Q(**{f"{column}__in": list(ids)})


def _confidential_meetings_seen(user: User, meeting_ids) -> set[int]:
    """Of the meetings `meeting_ids` that `user` may see and that had a confidential item, those
    whose confidential items `user` may see, by meetings.access.sees_confidential itself (two queries: the meetings, and
    the person's own attendance of them, the only attendance row the rule looks for)."""
    confidential = meeting_access.has_confidential_expression("pk")
    candidates = (
        meeting_access.visible_meetings(user)
        .filter(_among("pk", meeting_ids))
        .filter(confidential)
        .select_related("body")
        .prefetch_related(Prefetch("attendance", queryset=Attendance.objects.filter(person=user)))
    )
    return {m.pk for m in candidates if meeting_access.sees_confidential(user, m)}


def _tsquery(q: str, *, weight: str = "") -> Cast:
    return Cast(Value(query_literal(q, weight=weight)), output_field=SearchQueryField())


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def _matching(q: str, words: list[str], full_text: bool) -> QuerySet[SearchDocument]:
    """Every document that matches, whoever may see it, with what orders it (title_hit, rank):
    the tsquery over the stored tsvector (its GIN index), or every word in the title or the text
    (no rank)."""
    if full_text:
        query = _tsquery(q)
        return SearchDocument.objects.filter(Matches(F("vector"), query)).annotate(
            title_hit=Matches(F("vector"), _tsquery(q, weight="A")), rank=SearchRank(F("vector"), query)
        )
    qs = SearchDocument.objects.all()
    in_title = Q()
    for w in words:
        qs = qs.filter(Q(title__icontains=w) | Q(text__icontains=w))
        in_title &= Q(title__icontains=w)
    title_hit = Case(When(in_title, then=Value(True)), default=Value(False), output_field=BooleanField())
    return qs.annotate(title_hit=title_hit, rank=Value(0.0, output_field=FloatField()))


def _union(parts: list[QuerySet], *fields: str):
    """Several querysets in one query: the rows of each, the name of its model first."""
    labelled = [
        qs.order_by()
        .annotate(model=Value(qs.model._meta.model_name, output_field=CharField()))
        .values_list("model", *fields)
        for qs in parts
    ]
    return labelled[0].union(*labelled[1:], all=True) if len(labelled) > 1 else labelled[0]


def _parent() -> Case:
    """What a matched document's rule is asked about besides its own object: a resolution's item,
    a set of minutes' meeting (an index read per matched row of those kinds)."""
    source = OuterRef("object_id")
    return Case(
        When(kind=Kind.RESOLUTION, then=Subquery(Resolution.objects.filter(pk=source).order_by().values("item_id"))),
        When(kind=Kind.MINUTES, then=Subquery(Minutes.objects.filter(pk=source).order_by().values("meeting_id"))),
    )


class Hit(NamedTuple):
    """A matching document that the person may see, and what placed it."""

    id: int
    kind: str
    title_hit: bool  # every query word is in the title
    rank: float  # ts_rank (PostgreSQL; 0 on the fallback)


def _visible(user: User, matched: QuerySet[SearchDocument]) -> list[Hit]:
    """The documents of `matched` whose objects `user` may see, best first. The match is read
    once, in order (ids, with each resolution's item and each set of minutes' meeting); then,
    when minutes matched, meetings.access.sees_confidential is asked about their meetings with a
    confidential item (two queries); then each kind's rule about the matched objects only, all
    kinds in one query."""
    rows = list(
        matched.annotate(parent=_parent())
        .order_by("-title_hit", "-rank", "-source_changed_at", "-id")
        .values_list("pk", "kind", "object_id", "parent", "title_hit", "rank")
    )
    objects: dict[str, set[int]] = {kind: set() for kind in Kind.values}
    item_of: dict[int, int] = {}  # resolution → item
    meeting_of: dict[int, int] = {}  # minutes → meeting
    for _pk, kind, object_id, parent, _title_hit, _rank in rows:
        objects[kind].add(object_id)
        if parent is not None:
            (item_of if kind == Kind.RESOLUTION else meeting_of)[object_id] = parent
    rules = []
    items = objects[Kind.ITEM] | set(item_of.values())
    if items:
        rules.append(AgendaItem.objects.filter(item_access.visibility_filter(user), _among("pk", items)))
    if objects[Kind.MINUTES]:
        seen = _confidential_meetings_seen(user, set(meeting_of.values()))
        has_confidential = meeting_access.has_confidential_expression("meeting_id")
        rules.append(
            Minutes.objects.filter(_among("pk", objects[Kind.MINUTES]), state=Minutes.State.LOCKED)
            .filter(meeting__in=meeting_access.visible_meetings(user).values("pk"))
            .filter(~has_confidential | Q(meeting_id__in=seen))
        )
    if objects[Kind.NOTICE]:
        rules.append(
            Notice.objects.filter(
                notice_access.visibility_filter(user), _among("pk", objects[Kind.NOTICE]), state=Notice.State.PUBLISHED
            )
        )
    allowed: dict[str, set[int]] = {"agendaitem": set(), "minutes": set(), "notice": set()}
    if rules:
        for model, pk in _union(rules, "pk"):
            allowed[model].add(pk)
    # Each document's object, or for a resolution its item, as its rule answered.
    visible = {
        Kind.ITEM: allowed["agendaitem"],
        Kind.RESOLUTION: {r for r, item in item_of.items() if item in allowed["agendaitem"]},
        Kind.MINUTES: allowed["minutes"],
        Kind.NOTICE: allowed["notice"],
    }
    return [
        Hit(pk, kind, bool(title_hit), rank or 0.0)
        for pk, kind, object_id, _parent_id, title_hit, rank in rows
        if object_id in visible[kind]
    ]


@dataclass(frozen=True)
class Found:
    """What a search found: the documents the person may see, best first."""

    hits: tuple[Hit, ...] = ()

    def of_kind(self, kind: str = "") -> list[Hit]:
        """The hits of one kind (all of them for "")."""
        return [h for h in self.hits if h.kind == kind] if kind else list(self.hits)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Kind.values, 0)
        for h in self.hits:
            counts[h.kind] += 1
        return counts

    @property
    def total(self) -> int:
        return len(self.hits)


def find(user: User, *, q: str, full_text: bool | None = None) -> Found:
    """The documents `user` may see that match `q`, title matches first, then by rank (PostgreSQL)
    and the latest first. Nothing for a query without words, or for someone not signed in.
    `full_text` picks the path (default: the tsquery on PostgreSQL, icontains elsewhere). Ids and
    order only: `documents` reads the rows of the ones shown."""
    words = query_words(q)
    if not words or not user.is_authenticated:
        return Found()
    full_text = uses_full_text() if full_text is None else full_text
    return Found(tuple(_visible(user, _matching(q, words, full_text))))


def documents(hits) -> list[SearchDocument]:
    """The documents of `hits` in their order (one query), each with its title_hit and rank; one
    removed since the search is left out."""
    hits = list(hits)
    if not hits:
        return []
    rows = SearchDocument.objects.defer("vector").filter(_among("id", [h.id for h in hits])).in_bulk()
    out = []
    for h in hits:
        doc = rows.get(h.id)
        if doc is not None:
            doc.title_hit, doc.rank = h.title_hit, h.rank
            out.append(doc)
    return out


def search(user: User, *, q: str, full_text: bool | None = None) -> list[SearchDocument]:
    """Every document find() finds, read in one query (the page reads only the ones it shows)."""
    return documents(find(user, q=q, full_text=full_text).hits)


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
