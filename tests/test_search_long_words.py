"""Text PostgreSQL would refuse to index, and one bad row among many.

A tsvector lexeme holds at most 2,047 bytes and all its lexemes together less than 1 MB: one
over-long word (a pasted hash, a base64 blob, a line of 汉字 without spaces) used to make the whole
document fail, `search_reindex` crash and the catch-up job fail on every run. Now words are cut
(search.tokenize.MAX_WORD_CHARS) and the vector stops before the size limit; and should a row fail
anyway, the others are indexed, the failure is logged by ids only and the row is tried again on
the next run.
"""

import logging
from io import StringIO

import pytest
from django.core.management import call_command

from search import jobs, selectors, services, tokenize
from search.models import SearchDocument
from search.tokenize import MAX_LEXEME_BYTES, MAX_VECTOR_BYTES, query_words, vector_literal
from tests.factories import draft

postgres = pytest.mark.postgres

ASCII_WORD = "x" * 5000
HAN_RUN = "汉" * 3000
SECRET = "涉密正文甲乙丙"


def ids(user, q: str) -> list[int]:
    return [d.object_id for d in selectors.search(user, q=q)]


def lexemes(literal: str) -> list[str]:
    """The quoted lexemes of a tsvector literal (they hold no quote of their own here)."""
    return [part.split("':")[0].lstrip("'") for part in literal.split(" ") if part]


# --- the tokeniser: no database ---------------------------------------------------------------


def test_a_word_too_long_for_a_lexeme_is_cut():
    literal = vector_literal("标题", f"开头 {ASCII_WORD} {'ж' * 3000} 结尾")

    assert max(len(lx.encode()) for lx in lexemes(literal)) <= MAX_LEXEME_BYTES
    assert "x" * tokenize.MAX_WORD_CHARS in lexemes(literal)
    assert "结尾" in lexemes(literal)


def test_a_long_word_is_found_by_the_longest_query_it_allows():
    """The query is cut to the same length as an indexed word: searching the word finds it."""
    (word,) = query_words(ASCII_WORD)

    assert word in lexemes(vector_literal("标题", ASCII_WORD))


def test_a_han_run_without_spaces_stays_in_pairs():
    literal = vector_literal("标题", HAN_RUN)

    assert {"汉", "汉汉"} <= set(lexemes(literal))
    assert max(len(lx) for lx in lexemes(literal)) == 2


def test_the_vector_stops_before_the_tsvector_size_limit():
    # 16,000 different words of 200 characters: 3.2 MB of distinct lexemes before the cut.
    text = " ".join(f"{n:05d}" + "y" * 195 for n in range(16000))
    literal = vector_literal("标题", text)

    assert sum(len(lx.encode()) for lx in lexemes(literal)) <= MAX_VECTOR_BYTES < 2**20 - 1
    assert "标题" in lexemes(literal)


# --- PostgreSQL accepts what is written ----------------------------------------------------


@postgres
@pytest.mark.parametrize("long", [ASCII_WORD, HAN_RUN, ASCII_WORD + HAN_RUN], ids=["ascii", "han", "both"])
def test_an_item_with_one_very_long_word_is_indexed_and_found_by_its_other_words(people, long):
    staff = people("staff")
    item = draft(staff, title="关于设备采购的请示", background=f"实习补贴 {long} 顶岗安排")
    other = draft(staff, title="关于实习补贴的请示", background="背景")

    result = services.reindex_all()

    assert result.failed == {}
    assert sorted(ids(staff, "实习补贴")) == sorted([item.pk, other.pk])
    assert ids(staff, "顶岗安排") == [item.pk]
    assert services.index_object("item", item.pk) is True


@postgres
def test_an_item_at_the_size_limit_is_indexed(people):
    staff = people("staff")
    text = " ".join(f"{n:05d}" + "y" * 195 for n in range(16000))
    item = draft(staff, title="关于超长材料的请示", background="开头说实习。 " + text)

    assert services.index_object("item", item.pk) is True
    assert ids(staff, "实习") == [item.pk]


# --- one bad row ------------------------------------------------------------------------------


@pytest.fixture
def one_row_fails(monkeypatch):
    """The first item whose title holds 坏 cannot be indexed while `broken` is set."""
    broken = {"on": True}
    source = services.SOURCES["item"]
    original = source.fields

    def fields(item):
        if broken["on"] and "坏" in item.title:
            raise ValueError(f"cannot index {item.background}")  # what a failure may say: never logged
        return original(item)

    monkeypatch.setitem(services.SOURCES, "item", services.Source(source.rows, fields, source.changed_at))
    return broken


def _three_items(people):
    staff = people("staff")
    good1 = draft(staff, title="关于实习补贴的请示", background="背景")
    bad = draft(staff, title="关于坏数据的请示", background=SECRET, confidential=True)
    good2 = draft(staff, title="关于实习基地的请示", background="背景")
    return staff, good1, bad, good2


def _indexed() -> set[int]:
    return set(SearchDocument.objects.filter(kind="item").values_list("object_id", flat=True))


def test_a_row_that_fails_does_not_stop_the_catch_up_and_is_retried(people, one_row_fails, caplog):
    staff, good1, bad, good2 = _three_items(people)

    with caplog.at_level(logging.WARNING, logger="search"):
        assert jobs.reindex_changed() == 2  # the job itself does not fail

    assert _indexed() == {good1.pk, good2.pk}
    assert f"item {bad.pk}" in caplog.text
    assert SECRET not in caplog.text and "坏数据" not in caplog.text
    assert services.reindex_changed().failed == {"item": [bad.pk]}  # not marked done: tried again

    one_row_fails["on"] = False
    assert services.reindex_changed().indexed["item"] == 1
    assert _indexed() == {good1.pk, bad.pk, good2.pk}
    assert services.reindex_changed().total == 0


def test_search_reindex_goes_on_past_a_row_that_fails(people, one_row_fails, caplog):
    staff, good1, bad, good2 = _three_items(people)
    out = StringIO()

    with caplog.at_level(logging.WARNING, logger="search"):
        call_command("search_reindex", stdout=out, stderr=StringIO())

    assert _indexed() == {good1.pk, good2.pk}
    assert f"item: 2 indexed, 0 removed, 1 failed ({bad.pk})" in out.getvalue()
    assert SECRET not in caplog.text + out.getvalue()
    one_row_fails["on"] = False
    services.reindex_changed()
    assert _indexed() == {good1.pk, bad.pk, good2.pk}


@postgres
def test_a_row_the_database_refuses_does_not_stop_the_others(people, monkeypatch, caplog):
    """The database's own refusal (here a lexeme over 2,047 bytes, as the tokeniser no longer
    writes): the batch is retried row by row, the refused row left for the next run."""
    staff, good1, bad, good2 = _three_items(people)
    original = services.vector_literal

    def literal(title, text):
        return f"'{'z' * 3000}':1" if "坏" in title else original(title, text)

    monkeypatch.setattr(services, "vector_literal", literal)

    with caplog.at_level(logging.WARNING, logger="search"):
        result = services.reindex_changed()

    assert result.failed == {"item": [bad.pk]}
    assert _indexed() == {good1.pk, good2.pk}
    assert set(ids(staff, "实习")) == {good1.pk, good2.pk}
    assert SECRET not in caplog.text and "z" * 100 not in caplog.text
    monkeypatch.setattr(services, "vector_literal", original)
    assert services.reindex_changed().indexed["item"] == 1
    assert bad.pk in _indexed()
