"""Search on a seed_scale school: which index answers the match, and which plan the whole search.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yishi_search \\
        .venv/bin/python benchmarks/search_index.py [--runs 10] [--warmup 2] [--keep]

The database in DATABASE_URL must hold a school written by `manage.py seed_scale --factor N`
(search index included); nothing in it is changed except what this script adds for the
alternatives and drops again at the end (`--keep` leaves them): the `pg_trgm` extension if it was
not there, a trigram GIN index on the documents, and a side table of bigram arrays.

Part 1, the match alone (no visibility): the time to read the ids of every document matching
each query, and how many match, by
  - tsvector GIN: the stored bigram tsvector (search.tokenize) and its GIN index, what search uses;
  - text[] GIN: the same lexemes as a text[] (tsvector_to_array) with a GIN index, every lexeme of
    the query `@>`, a phrase then checked against the tsvector;
  - pg_trgm LIKE: a GIN gin_trgm_ops index on lower(title || ' ' || text), every word `LIKE '%w%'`
    (what icontains means);
  - pg_trgm word similarity: `w <% doc` at pg_trgm.word_similarity_threshold = --threshold.

Part 2, the whole search as the page runs it (the counts per kind, the first page of 20, its rows
presented: snippets and marks), as each account, for each query, each run in a transaction with
`SET LOCAL jit = on|off`:
  - before: every rule asked about every row of its table, then intersected with the match (the
    selector as it was until this benchmark, copied below), JIT on (the server's default then);
  - before-nojit: the same, JIT off;
  - now-jit: search.selectors.find (the match first, the rules asked about the matched ids only),
    JIT on;
  - now: the same, JIT off (config/settings.py turns it off for the application's connections);
  - now-trgm: the same plan with the match by pg_trgm LIKE, JIT off.

Each case runs --warmup times, then --runs times; median and p95 (nearest rank: of 10 runs, the
slowest) in milliseconds, and the ratio of the median to the first variant's. The load average
is printed before and after: the machine may be shared. A slow run is often Python's full
(generation 2) garbage collection walking every object of the loaded application; --gc-freeze
leaves those out, as gc.freeze() in a preloading gunicorn master would.
"""

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["实习", "建设", "预算", "顶岗实习", "学生资助工作", "PLC"]
USERS = ["secretary", "partyoffice", "teacher"]
TRGM_INDEX = "search_bench_trgm"
GRAMS_TABLE = "search_bench_grams"


def load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def timed(fn, runs: int, warmup: int) -> tuple[float, float, object]:
    for _ in range(warmup):
        result = fn()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[math.ceil(0.95 * len(times)) - 1], result


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    # As in production (DEBUG=0): no log of every query, which would format each id array as text.
    settings.DEBUG = False


# --- the alternatives' structures --------------------------------------------------------------


def build_alternatives(cursor) -> dict:
    """The trigram index and the bigram arrays; returns what to drop afterwards and how long each took."""
    made = {"seconds": {}}
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    made["extension"] = cursor.fetchone() is None
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    began = time.perf_counter()
    cursor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON search_searchdocument "
        "USING gin ((lower(title || ' ' || text)) gin_trgm_ops)"
    )
    made["seconds"]["pg_trgm GIN"] = time.perf_counter() - began
    began = time.perf_counter()
    cursor.execute(f"DROP TABLE IF EXISTS {GRAMS_TABLE}")
    cursor.execute(
        f"CREATE TABLE {GRAMS_TABLE} AS SELECT id, tsvector_to_array(vector) AS grams FROM search_searchdocument"  # noqa: S608 - a constant
    )
    cursor.execute(f"ALTER TABLE {GRAMS_TABLE} ADD PRIMARY KEY (id)")
    cursor.execute(f"CREATE INDEX {GRAMS_TABLE}_gin ON {GRAMS_TABLE} USING gin (grams)")
    made["seconds"]["text[] GIN"] = time.perf_counter() - began
    cursor.execute(f"ANALYZE {GRAMS_TABLE}")
    cursor.execute("ANALYZE search_searchdocument")
    return made


def sizes(cursor) -> dict[str, int]:
    cursor.execute(
        "SELECT pg_relation_size('search_doc_vector_gin'), pg_relation_size(%s), pg_relation_size(%s)",
        [TRGM_INDEX, f"{GRAMS_TABLE}_gin"],
    )
    tsv, trgm, grams = cursor.fetchone()
    return {"tsvector GIN": tsv, "pg_trgm GIN": trgm, "text[] GIN": grams}


def drop_alternatives(cursor, made: dict) -> None:
    cursor.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
    cursor.execute(f"DROP TABLE IF EXISTS {GRAMS_TABLE}")
    if made.get("extension"):
        cursor.execute("DROP EXTENSION IF EXISTS pg_trgm")


# --- part 1: the match alone --------------------------------------------------------------------


def matchers(threshold: float) -> dict:
    from django.db import connection

    from search.tokenize import phrase, query_literal, query_words

    def run(sql: str, params: list, setting: str = "") -> list:
        with connection.cursor() as cursor:
            if setting:
                cursor.execute(setting)
            cursor.execute(sql, params)
            return cursor.fetchall()

    def tsvector(q: str) -> list:
        return run(
            "SELECT id, kind, object_id FROM search_searchdocument WHERE vector @@ %s::tsquery", [query_literal(q)]
        )

    def grams(q: str) -> list:
        lexemes = sorted({t.lexeme for w in query_words(q) for t in phrase(w)})
        phrased = any(len(phrase(w)) > 1 for w in query_words(q))
        recheck = " AND d.vector @@ %s::tsquery" if phrased else ""
        sql = f"SELECT d.id, d.kind, d.object_id FROM {GRAMS_TABLE} g JOIN search_searchdocument d USING (id) "  # noqa: S608 - constants
        return run(sql + "WHERE g.grams @> %s::text[]" + recheck, [lexemes, query_literal(q)] if phrased else [lexemes])

    def trgm_like(q: str) -> list:
        words = query_words(q)
        where = " AND ".join(["lower(title || ' ' || text) LIKE %s"] * len(words))
        return run(
            f"SELECT id, kind, object_id FROM search_searchdocument WHERE {where}",  # noqa: S608 - placeholders only
            [f"%{w}%" for w in words],
        )

    def trgm_similar(q: str) -> list:
        words = query_words(q)
        where = " AND ".join(["%s <%% lower(title || ' ' || text)"] * len(words))
        return run(
            f"SELECT id, kind, object_id FROM search_searchdocument WHERE {where}",  # noqa: S608 - placeholders only
            words,
            f"SET pg_trgm.word_similarity_threshold = {threshold:.2f}",
        )

    return {
        "tsvector GIN (now)": tsvector,
        "text[] GIN": grams,
        "pg_trgm LIKE": trgm_like,
        f"pg_trgm <% {threshold:.2f}": trgm_similar,
    }


def part1(runs: int, warmup: int, threshold: float) -> list[dict]:
    from django.db import connection

    rows = []
    for q in QUERIES:
        first = None
        for name, fn in matchers(threshold).items():
            median, p95, found = timed(lambda fn=fn, q=q: fn(q), runs, warmup)
            first = first or (median, {r[0] for r in found})
            missing = len(first[1] - {r[0] for r in found})
            rows.append(
                {
                    "query": q,
                    "index": name,
                    "median": median,
                    "p95": p95,
                    "found": len(found),
                    "missed": missing,
                    "ratio": median / first[0],
                }  # fmt: skip
            )
    with connection.cursor() as cursor:
        cursor.execute("RESET pg_trgm.word_similarity_threshold")
    return rows


# --- part 2: the whole search -------------------------------------------------------------------


def before_search(user, q: str):
    """The selector as it was: every kind's rule as a subquery over its whole table, OR-ed, then
    the tsquery; the counts per kind in a second query over the same."""
    from django.contrib.postgres.search import SearchRank
    from django.db.models import Count, Exists, F, OuterRef, Q

    from decisions import access as item_access
    from decisions.models import AgendaItem
    from meetings import access as meeting_access
    from meetings.models import Minutes, Resolution
    from notices import access as notice_access
    from notices.models import Notice
    from search.models import SearchDocument
    from search.selectors import Matches, _tsquery

    kind = SearchDocument.Kind
    items = AgendaItem.objects.filter(item_access.visibility_filter(user)).values("pk")
    resolutions = Resolution.objects.filter(item__in=items).values("pk")
    meetings = meeting_access.visible_meetings(user)
    confidential = meeting_access.has_confidential_expression("pk")
    locked = Minutes.objects.filter(meeting=OuterRef("pk"), state=Minutes.State.LOCKED)
    candidates = meetings.filter(confidential, Exists(locked)).select_related("body").prefetch_related("attendance")
    seen = [m.pk for m in candidates if meeting_access.sees_confidential(user, m)]
    has_confidential = meeting_access.has_confidential_expression("meeting_id")
    minutes = (
        Minutes.objects.filter(state=Minutes.State.LOCKED, meeting__in=meetings.values("pk"))
        .filter(~has_confidential | Q(meeting_id__in=seen))
        .values("pk")
    )
    notices = Notice.objects.filter(notice_access.visibility_filter(user), state=Notice.State.PUBLISHED).values("pk")
    query = _tsquery(q)
    found = (
        SearchDocument.objects.defer("vector")
        .filter(
            Q(kind=kind.ITEM, object_id__in=items)
            | Q(kind=kind.RESOLUTION, object_id__in=resolutions)
            | Q(kind=kind.MINUTES, object_id__in=minutes)
            | Q(kind=kind.NOTICE, object_id__in=notices)
        )
        .filter(Matches(F("vector"), query))
        .annotate(title_hit=Matches(F("vector"), _tsquery(q, weight="A")), rank=SearchRank(F("vector"), query))
        .order_by("-title_hit", "-rank", "-source_changed_at", "-id")
    )
    counts = dict(found.order_by().values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    return counts, found


def page_of(counts: dict, documents, q: str) -> tuple[int, int]:
    """What the page does with a search: the first 20 presented (none asked for when nothing was found)."""
    from search import selectors

    total = sum(counts.values())
    rows = selectors.present(list(documents[:20]), q) if total else []
    return total, len(rows)


def searches() -> dict:
    """Each plan with PostgreSQL's JIT on (the server's default, jit_above_cost 100,000) or off (the
    application's connections since config/settings.py sets `-c jit=off`), set per run."""
    from django.contrib.postgres.search import SearchRank
    from django.db.models import F
    from django.db.models.expressions import RawSQL

    from search import selectors
    from search.models import SearchDocument
    from search.selectors import Matches
    from search.tokenize import query_words

    def before(user, q):
        return page_of(*before_search(user, q), q)

    def now(user, q):
        found = selectors.find(user, q=q)
        return found.total, len(selectors.present(selectors.documents(found.hits[:20]), q))

    def now_trgm(user, q):
        words = query_words(q)
        query = selectors._tsquery(q)
        matched = (
            SearchDocument.objects.annotate(doc=RawSQL("lower(title || ' ' || text)", []))
            .filter(**{"doc__contains": words[0]} if words else {})
            .annotate(
                title_hit=Matches(F("vector"), selectors._tsquery(q, weight="A")), rank=SearchRank(F("vector"), query)
            )
        )
        for w in words[1:]:
            matched = matched.filter(doc__contains=w)
        hits = selectors._visible(user, matched)
        return len(hits), len(selectors.present(selectors.documents(hits[:20]), q))

    return {
        "before": (before, "on"),
        "before-nojit": (before, "off"),
        "now-jit": (now, "on"),
        "now": (now, "off"),
        "now-trgm": (now_trgm, "off"),
    }


def with_jit(fn, jit: str):
    from django.db import connection, transaction

    def run(user, q):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL jit = {jit}")
            return fn(user, q)

    return run


def part2(runs: int, warmup: int, variants: list[str] | None) -> list[dict]:
    from org.models import User

    rows = []
    chosen = {name: with_jit(fn, jit) for name, (fn, jit) in searches().items() if not variants or name in variants}
    for q in QUERIES:
        for username in USERS:
            user = User.objects.get(username=username)
            first = None
            for name, fn in chosen.items():
                median, p95, (total, shown) = timed(lambda fn=fn, user=user, q=q: fn(user, q), runs, warmup)
                first = first or median
                rows.append(
                    {
                        "query": q,
                        "account": username,
                        "plan": name,
                        "median": median,
                        "p95": p95,
                        "found": total,
                        "shown": shown,
                        "ratio": median / first,
                    }  # fmt: skip
                )
    return rows


# --- output ---------------------------------------------------------------------------------------


def print_part1(rows: list[dict]) -> None:
    print("\n| query | index | matches | missed | median / p95 ms | ÷ tsvector |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['query']} | {r['index']} | {r['found']} | {r['missed']} | "
            f"{r['median']:.1f} / {r['p95']:.1f} | {r['ratio']:.2f} |"
        )


def print_part2(rows: list[dict]) -> None:
    print("\n| query | account | plan | found | median / p95 ms | ÷ first |")
    print("| --- | --- | --- | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['query']} | {r['account']} | {r['plan']} | {r['found']} | "
            f"{r['median']:.1f} / {r['p95']:.1f} | {r['ratio']:.2f} |"
        )
    worst: dict[str, float] = {}
    for r in rows:
        worst[r["plan"]] = max(worst.get(r["plan"], 0), r["p95"])
    print("\nworst p95 per plan: " + ", ".join(f"{plan} {ms:.0f} ms" for plan, ms in worst.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threshold", type=float, default=0.3, help="pg_trgm.word_similarity_threshold")
    parser.add_argument("--part", choices=["1", "2", "both"], default="both")
    parser.add_argument(
        "--plans", help="part 2: only these plans, comma-separated: before, before-nojit, now-jit, now, now-trgm"
    )
    parser.add_argument("--keep", action="store_true", help="leave the alternatives' index and table in place")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() once Django is loaded, as a worker would if gunicorn's master froze the preloaded app",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL=postgres://… of a seed_scale database, please")
    setup()
    if args.gc_freeze:
        import gc

        gc.collect()
        gc.freeze()  # the objects of the loaded application are left out of every later collection
    from django.db import connection

    from search.models import SearchDocument

    documents = SearchDocument.objects.count()
    if not documents:
        sys.exit("no search documents: run manage.py seed_scale --factor 1 on this database first")
    print(f"{documents} documents in {connection.settings_dict['NAME']}; load average {load()}")
    with connection.cursor() as cursor:
        began = time.perf_counter()
        made = build_alternatives(cursor)
        print(f"alternatives built in {time.perf_counter() - began:.1f} s: " + ", ".join(
            f"{name} {s:.1f} s" for name, s in made["seconds"].items()))  # fmt: skip
        print("index sizes: " + ", ".join(f"{name} {b / 2**20:.1f} MB" for name, b in sizes(cursor).items()))
    try:
        if args.part in ("1", "both"):
            print(f"\nPart 1, the match alone (runs {args.runs}); load average {load()}")
            print_part1(part1(args.runs, args.warmup, args.threshold))
        if args.part in ("2", "both"):
            plans = args.plans.split(",") if args.plans else None
            print(f"\nPart 2, the whole search (runs {args.runs}); load average {load()}")
            print_part2(part2(args.runs, args.warmup, plans))
    finally:
        if not args.keep:
            with connection.cursor() as cursor:
                drop_alternatives(cursor, made)
    print(f"\nload average at the end {load()}")


if __name__ == "__main__":
    main()
