"""Full-width punctuation in every Chinese string (，：；！？（）): no half-width , : ; ! ? ( ) next
to Chinese text in the message catalogue's ids or in the text of the templates (what a reader
sees: the templates' words and their {% translate %} strings, tags and variables left out).

`manage.py fullwidth_punctuation` fixes what this finds (core.punctuation holds the rule)."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from core import punctuation

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted((ROOT / "templates").rglob("*.html")) + sorted((ROOT / "templates").rglob("*.txt"))
CATALOGUES = sorted((ROOT / "locale").rglob("*.po"))


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("缺席:无", "缺席：无"),
        ("商议通过,提交党委会决议", "商议通过，提交党委会决议"),
        ("材料(%(n)s 份)", "材料（%(n)s 份）"),
        ("确定发布?", "确定发布？"),
        ("已退回!", "已退回！"),
        ("第一项;第二项", "第一项；第二项"),
        ("“三重一大”:重大决策", "“三重一大”：重大决策"),
    ],
)
def test_the_rule_finds_half_width_marks_in_chinese_and_fixes_them_in_pairs(text, fixed):
    assert punctuation.positions(text)
    assert punctuation.fix(text) == fixed
    assert punctuation.positions(fixed) == []


@pytest.mark.parametrize(
    "text",
    [
        "Hello, world: (ok)?",
        "3:1",
        "10,000 元",
        "%(name)s",
        "（涉密议题）",
        "item is “Draft”, so “Submission”",
        "&lt;b&gt;实习&lt;/b&gt;",
        "&#20013;文",
    ],
)
def test_english_numbers_placeholders_and_full_width_text_are_left_alone(text):
    assert punctuation.positions(text) == []


def test_a_template_is_read_as_its_words_and_translate_strings():
    source = '<p>{% translate "缺席" %}:{{ reason }}</p>{% if x %}(紧急){% endif %}<a title="确定?">x</a>'
    at = punctuation.template_positions(source)
    assert [source[i] for i in at] == [":", "(", ")", "?"]
    assert punctuation.template_positions('{{ when|date:"Y年m月" }} {% url "a:b" 1 %}') == []


def test_the_catalogue_ids_are_in_full_width_chinese_punctuation():
    problems = []
    for po in CATALOGUES:
        with po.open("rb") as f:
            for message in read_po(f):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                problems += [(po.name, i) for i in ids if i and punctuation.positions(i)]
    assert problems == [], f"{len(problems)} messages, e.g. {problems[:5]}"


def test_the_templates_chinese_text_is_in_full_width_punctuation():
    problems = []
    for path in TEMPLATES:
        source = path.read_text(encoding="utf-8")
        for i in punctuation.template_positions(source):
            line = source.count("\n", 0, i) + 1
            problems.append(f"{path.relative_to(ROOT)}:{line}: {source[max(0, i - 6) : i + 6]!r}")
    assert problems == [], f"{len(problems)} marks, e.g. {problems[:5]}"
