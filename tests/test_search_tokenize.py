"""The tokeniser and the highlighter: pure functions, no database.

A document's lexemes: every CJK character and every overlapping pair, each pair at the position of
its first character; a letter-and-digit run as one lexeme; a gap of one position at every
separator. A query word is a phrase of its bigrams (or its one character), joined by distances.
"""

import pytest

from search.highlight import mark, snippet
from search.tokenize import (
    MAX_POSITION,
    MAX_QUERY_WORDS,
    Token,
    phrase,
    query_literal,
    query_words,
    runs,
    tokens,
    vector_literal,
)

SENTENCE = "关于修订学生顶岗实习管理办法的请示"


def lexemes_at(text: str) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for t in tokens(text)[0]:
        out.setdefault(t.lexeme, set()).add(t.position)
    return out


def matches(document: str, query: str) -> bool:
    """What PostgreSQL's @@ does with these lexemes: every query word's phrase somewhere in the document."""
    doc = lexemes_at(document)
    for word in query_words(query):
        wanted = phrase(word)
        first = wanted[0]
        if not any(
            all(start + (t.position - first.position) in doc.get(t.lexeme, ()) for t in wanted)
            for start in doc.get(first.lexeme, ())
        ):
            return False
    return bool(query_words(query))


def test_it_gives_every_character_and_every_overlapping_pair():
    toks, next_pos = tokens("实习管理")

    assert toks == [
        Token("实", 1),
        Token("实习", 1),
        Token("习", 2),
        Token("习管", 2),
        Token("管", 3),
        Token("管理", 3),
        Token("理", 4),
    ]
    assert next_pos == 5


def test_a_two_character_word_inside_a_sentence_is_found():
    assert "实习" in lexemes_at(SENTENCE)
    assert query_literal("实习") == "'实习'"
    assert matches(SENTENCE, "实习")
    assert matches(SENTENCE, "顶岗实习")
    assert matches(SENTENCE, "管理办法")
    assert not matches(SENTENCE, "实训")


def test_a_longer_word_is_its_bigrams_in_order():
    assert query_literal("实习管理") == "('实习' <1> '习管' <1> '管理')"
    assert matches(SENTENCE, "实习管理")
    # The same characters in another order are not the word.
    assert not matches(SENTENCE, "管理实习")


def test_a_word_across_a_punctuation_boundary_is_not_found():
    text = "加强实习，管理办法另行制定"
    assert "习管" not in lexemes_at(text)
    assert not matches(text, "实习管理")
    assert not matches(text, "习管")
    # Either side on its own still is.
    assert matches(text, "实习")
    assert matches(text, "管理办法")


def test_a_space_is_a_boundary_too():
    assert not matches("实习 管理", "实习管理")
    assert matches("实习 管理", "实习 管理")  # two words: both present


def test_a_single_character_is_found_by_its_unigram():
    assert query_literal("党") == "'党'"
    assert matches("党委会决议", "党")
    assert not matches("校长办公会", "党")


def test_numbers_next_to_chinese_stay_adjacent():
    assert [(r.kind, r.text) for r in runs("2026年工作要点")] == [("word", "2026"), ("cjk", "年工作要点")]
    assert query_literal("2026年") == "('2026' <1> '年')"
    assert matches("学校2026年工作要点", "2026年")
    assert matches("学校2026年工作要点", "2026")
    assert not matches("学校2025年工作要点", "2026年")
    # A number is a whole word: part of it is not found.
    assert not matches("学校2026年工作要点", "26年")


def test_ascii_words_are_kept_whole_and_lower_case():
    assert lexemes_at("购置PLC实训设备")["plc"] == {3}
    assert matches("购置PLC实训设备", "PLC")
    assert matches("购置PLC实训设备", "plc")
    assert matches("购置PLC实训设备", "PLC实训")
    assert not matches("购置PLC、实训设备", "PLC实训")  # punctuation between them


def test_after_a_bigram_run_the_next_word_is_two_positions_on():
    assert query_literal("实训2026") == "('实训' <2> '2026')"
    assert matches("建设实训2026计划", "实训2026")


def test_full_width_letters_and_digits_are_normalised():
    assert query_words("ＰＬＣ　２０２６年") == ["plc", "2026年"]
    assert matches("购置PLC设备，2026年完成", "ＰＬＣ")


def test_the_ideographic_zero_is_chinese():
    assert matches("二〇二六年工作要点", "二〇二六")


def test_a_query_is_words_between_spaces_and_punctuation_each_once():
    assert query_words("  实习，管理  实习 ") == ["实习", "管理"]
    assert query_literal("实习，管理") == "'实习' & '管理'"
    assert query_words("，。！？") == []
    assert query_literal("，。") == ""
    many = " ".join(f"词{n}" for n in range(30))
    assert len(query_words(many)) == MAX_QUERY_WORDS


def test_the_title_only_query_carries_weight_a():
    assert query_literal("实习管理", weight="A") == "('实习':A <1> '习管':A <1> '管理':A)"


def test_the_vector_puts_the_title_at_weight_a_and_the_text_after_it():
    literal = vector_literal("实习", "实习")

    # Title: positions 1, 2 at A; one position of gap; text from 4 at D.
    assert literal == "'实':1A,4D '实习':1A,4D '习':2A,5D"


def test_quotes_cannot_break_out_of_a_lexeme():
    # Only letters, digits and CJK become lexemes, so query operators never come from the user.
    assert query_literal("a' | 'b") == "'a' & 'b'"
    assert query_literal("实习 & ！管理 <-> (x)") == "'实习' & '管理' & 'x'"


def test_the_vector_stops_at_the_last_position_postgresql_keeps():
    literal = vector_literal("标题", "字" * (MAX_POSITION + 100))
    positions = [int(p.rstrip("ABCD")) for entry in literal.split() for p in entry.split(":")[1].split(",")]
    assert max(positions) == MAX_POSITION


# --- highlighting -----------------------------------------------------------------------------


def test_the_matched_word_is_marked_after_escaping():
    html = mark("<script>alert(1)</script>关于实习的请示", ["实习"])

    assert html == "&lt;script&gt;alert(1)&lt;/script&gt;关于<mark>实习</mark>的请示"


def test_a_query_that_looks_like_markup_is_escaped_too():
    assert mark("a<b>c", ["<b>"]) == "a<mark>&lt;b&gt;</mark>c"


def test_marking_ignores_ascii_case():
    assert mark("购置PLC设备", ["plc"]) == "购置<mark>PLC</mark>设备"


def test_the_longest_word_is_marked_when_two_overlap():
    assert mark("顶岗实习管理办法", ["实习", "实习管理"]) == "顶岗<mark>实习管理</mark>办法"


@pytest.mark.parametrize("where", [0, 500, 995])
def test_the_snippet_is_around_the_first_match(where):
    text = "甲" * where + "实习" + "乙" * (1000 - where)

    html = snippet(text, ["实习"])

    assert "<mark>实习</mark>" in html
    assert len(html.replace("<mark>", "").replace("</mark>", "").strip("…")) <= 120
    assert html.startswith("…") == (where > 40)
    assert html.endswith("…") == (where < 900)


def test_the_snippet_of_a_text_without_the_word_is_its_start():
    html = snippet("第一行\n\n第二行 " + "字" * 200, ["实习"])

    assert html.startswith("第一行 第二行 ")
    assert html.endswith("…")
    assert "<mark>" not in html
