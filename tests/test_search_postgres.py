"""The PostgreSQL path: the stored tsvector, the tsquery, the GIN index and the ranking.

Run with DATABASE_URL=postgres://…; elsewhere these are skipped (and with YISHI_REQUIRE_SERVICES=1
they fail instead). The fallback (icontains) is held to the same cases at the end, on any database.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from search import selectors, services
from search.models import SearchDocument
from search.tokenize import MAX_POSITION, query_literal
from tests.factories import draft

SENTENCE = "关于修订学生顶岗实习管理办法的请示"

postgres = pytest.mark.postgres


def ids(user, q: str, **kwargs) -> list[int]:
    return [d.object_id for d in selectors.search(user, q=q, **kwargs)]


def items(staff, *specs):
    out = [draft(staff, title=title, background=background) for title, background in specs]
    services.reindex_all()
    return out


def matches_in_sql(item, q: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT vector @@ %s::tsquery FROM search_searchdocument WHERE kind = 'item' AND object_id = %s",
            [query_literal(q), item.pk],
        )
        return cursor.fetchone()[0]


@postgres
def test_the_sql_path_finds_a_two_character_word_inside_a_sentence(people):
    staff = people("staff")
    (item,) = items(staff, (SENTENCE, "背景"))

    assert matches_in_sql(item, "实习")
    assert matches_in_sql(item, "顶岗实习")
    assert not matches_in_sql(item, "实训")
    with CaptureQueriesContext(connection) as ctx:
        assert ids(staff, "实习") == [item.pk]
    match = ctx.captured_queries[0]["sql"]  # the match comes first, ranked; the rules are asked after it
    assert "@@" in match and "::tsquery" in match and "ts_rank" in match


@postgres
def test_the_sql_path_does_not_join_words_across_punctuation(people):
    staff = people("staff")
    (item,) = items(staff, ("关于加强学生实习，管理办法另行制定的请示", "背景"))

    assert not matches_in_sql(item, "实习管理")
    assert not matches_in_sql(item, "习管")
    assert matches_in_sql(item, "实习") and matches_in_sql(item, "管理办法")
    assert ids(staff, "实习管理") == []


@postgres
def test_the_sql_path_handles_numbers_and_ascii_next_to_chinese(people):
    staff = people("staff")
    plc, year = items(staff, ("关于购置PLC实训设备的请示", "背景"), ("学校2026年工作要点", "背景"))

    assert ids(staff, "plc") == [plc.pk]
    assert ids(staff, "PLC实训") == [plc.pk]
    assert ids(staff, "2026年") == [year.pk]
    assert ids(staff, "2025年") == []


@postgres
def test_title_hits_rank_above_body_hits(people):
    staff = people("staff")
    body_many, title, body_once = items(
        staff,
        ("关于学生管理的请示", "顶岗实习、实习补贴、实习安全、实习基地、实习考核。"),
        ("关于实习补贴的请示", "背景"),
        ("关于教学管理的请示", "涉及实习。"),
    )

    # The title first; of the body hits, the one that says it more often.
    assert ids(staff, "实习") == [title.pk, body_many.pk, body_once.pk]
    ranked = list(selectors.search(staff, q="实习"))
    assert ranked[0].title_hit and not ranked[1].title_hit
    assert ranked[1].rank > ranked[2].rank


@postgres
def test_every_word_must_be_there(people):
    staff = people("staff")
    both, one = items(staff, ("关于实习补贴的请示", "背景"), ("关于实习基地的请示", "背景"))

    assert ids(staff, "实习 补贴") == [both.pk]
    assert sorted(ids(staff, "实习")) == sorted([both.pk, one.pk])


@postgres
def test_the_vector_has_a_gin_index_that_the_query_uses(people):
    staff = people("staff")
    items(staff, (SENTENCE, "背景"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_doc_vector_gin'")
        (indexdef,) = cursor.fetchone()
        assert "USING gin (vector)" in indexdef
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM search_searchdocument WHERE vector @@ %s::tsquery", [query_literal("实习管理")]
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "search_doc_vector_gin" in plan


@postgres
def test_a_long_text_is_stored_up_to_the_last_position(people):
    staff = people("staff")
    filler = "".join(chr(0x4E00 + (i % 20000)) for i in range(MAX_POSITION + 2000))
    (item,) = items(staff, ("关于长文的请示", "开头说实习。" + filler + "结尾说顶岗。"))

    assert matches_in_sql(item, "实习")
    assert not matches_in_sql(item, "顶岗")  # past position 16383: left out, not mis-positioned
    assert "结尾说顶岗。" in SearchDocument.objects.get(object_id=item.pk).text  # the stored copy is whole


@postgres
def test_the_stored_vector_is_the_tokenisers(people):
    staff = people("staff")
    item = draft(staff, title="实习", background="管理", proposal="PLC")
    services.index_object("item", item.pk)

    with connection.cursor() as cursor:
        cursor.execute("SELECT vector::text FROM search_searchdocument WHERE object_id = %s", [item.pk])
        (vector,) = cursor.fetchone()

    # Title at weight A from position 1; a gap; the background at the default weight D (not
    # printed); the newlines before the proposal are one gap more.
    assert vector == "'plc':7 '习':2A '实':1A '实习':1A '理':5 '管':4 '管理':4"


# --- the fallback, on any database --------------------------------------------------------------


def test_the_fallback_finds_the_word_inside_a_sentence_and_puts_titles_first(people):
    staff = people("staff")
    in_text, in_title, other = items(
        staff, ("关于学生管理的请示", SENTENCE), (SENTENCE, "背景"), ("关于教学管理的请示", "背景")
    )

    assert ids(staff, "实习", full_text=False) == [in_title.pk, in_text.pk]
    assert ids(staff, "实习 补贴", full_text=False) == []
    assert ids(staff, "PLC", full_text=False) == []
    assert other.pk not in ids(staff, "实习", full_text=False)


def test_the_fallback_reads_only_the_stored_copy(people):
    """It searches the documents, not the source rows: what is not indexed is not found."""
    staff = people("staff")
    (item,) = items(staff, ("关于实习的请示", "背景"))
    SearchDocument.objects.filter(object_id=item.pk).update(title="改过的标题", source_changed_at=timezone.now())

    assert ids(staff, "实习", full_text=False) == []
    assert ids(staff, "改过", full_text=False) == [item.pk]
