"""Full-width punctuation in Chinese text (，：；！？（）): the rule and the fix, one place.

A half-width , : ; ! ? ( ) written next to a Chinese character (a CJK ideograph, or Chinese
or full-width punctuation) is the half-width mark typed by mistake inside Chinese text; a bracket
pair turns full-width together, so "材料(%(n)s 份)" becomes "材料（%(n)s 份）". English text,
code, format placeholders and numbers (3:1, 10,000) are left alone.

Used by the test that scans the message catalogue and the templates (tests/test_punctuation.py)
and by `manage.py fullwidth_punctuation`, which fixes source files in place. The fix replaces one
character by one, so a position found in a view of a file (a catalogue message put together
from its lines, a template's text without its tags) is the position to change in the file.
"""

import re

FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
# Curly quotes, dashes and ellipses are not counted: English text uses them too.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff5e]")
HALF = re.compile(r"[,:;!?()]")
# An HTML character reference (&gt; &#20013; &#x4e2d;) ends in a semicolon that is not punctuation.
ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")


def _is_cjk(ch: str) -> bool:
    return bool(ch) and CJK.match(ch) is not None


def _partner(text: str, i: int) -> int | None:
    """The index of the bracket that closes (or opens) the one at `i`, on the same line."""
    step, mine, other = (1, "(", ")") if text[i] == "(" else (-1, ")", "(")
    depth, j = 0, i
    while 0 <= j < len(text) and text[j] != "\n":
        if text[j] == mine:
            depth += 1
        elif text[j] == other:
            depth -= 1
            if depth == 0:
                return j
        j += step
    return None


def positions(text: str) -> list[int]:
    """Where `text` has a half-width mark inside Chinese text (bracket partners included)."""
    found: set[int] = set()
    entity_ends = {m.end() - 1 for m in ENTITY.finditer(text)}
    for m in HALF.finditer(text):
        i = m.start()
        if i in entity_ends:
            continue
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if text[i] == "?" and after in ("P", "p") and before == "(":
            continue  # a regular expression's (?P<name>…)
        if _is_cjk(before) or _is_cjk(after):
            found.add(i)
            if text[i] in "()":
                j = _partner(text, i)
                if j is not None:
                    found.add(j)
    return sorted(found)


def fix(text: str, at: list[int] | None = None) -> str:
    chars = list(text)
    for i in positions(text) if at is None else at:
        chars[i] = FULL[chars[i]]
    return "".join(chars)


# --- views of files -----------------------------------------------------------------------------

TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
TRANSLATE_TAG = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1.*?%\}""", re.S)
HTML_TAG = re.compile(r"<[^<>]*>")


def template_view(source: str) -> tuple[str, list[int]]:
    """A template's Chinese text as a reader sees it: the text of `{% translate "…" %}` in place,
    other tags and variables as a neutral mark; with each character's index in `source`. HTML
    attributes keep their text (titles, placeholders, confirmations are read too)."""
    view: list[str] = []
    index: list[int] = []
    pos = 0
    for m in TEMPLATE_TAG.finditer(source):
        for k in range(pos, m.start()):
            view.append(source[k])
            index.append(k)
        t = TRANSLATE_TAG.fullmatch(m.group(0))
        if t:
            start = m.start() + t.start(2)
            for k in range(start, m.start() + t.end(2)):
                view.append(source[k])
                index.append(k)
        else:
            view.append("\x00")
            index.append(-1)
        pos = m.end()
    for k in range(pos, len(source)):
        view.append(source[k])
        index.append(k)
    return "".join(view), index


def template_positions(source: str) -> list[int]:
    view, index = template_view(source)
    return [index[i] for i in positions(view) if index[i] >= 0]


PO_STRING = re.compile(r'^(msgid|msgid_plural)\s+"(.*)"\n((?:"(?:.*)"\n)*)', re.M)


def po_positions(source: str) -> list[int]:
    """Positions in a .po file of the marks to fix in its message ids (not the translations:
    they are English), each message put together from its lines."""
    found: list[int] = []
    for m in PO_STRING.finditer(source):
        view, index = [], []
        first = m.start(2)
        for k in range(first, m.end(2)):
            view.append(source[k])
            index.append(k)
        for line in re.finditer(r'^"(.*)"$', m.group(3), re.M):
            base = m.start(3) + line.start(1)
            for k in range(len(line.group(1))):
                view.append(source[base + k])
                index.append(base + k)
        found += [index[i] for i in positions("".join(view))]
    return found


def python_positions(source: str) -> list[int]:
    """Positions in Python source, in its string literals only (not raw strings: those are
    regular expressions, whose ( ) ? : are syntax; not triple-quoted ones: docstrings); comments
    and code are left alone."""
    import io
    import tokenize

    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    found: list[int] = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type != tokenize.STRING:
            continue
        prefix = re.match(r"[A-Za-z]*", tok.string).group(0).lower()
        if "r" in prefix:
            continue
        if tok.string[len(prefix) :].startswith(('"""', "'''")):
            continue  # a docstring or a long block: prose for developers, often English

        start = offsets[tok.start[0] - 1] + tok.start[1]
        found += [start + i for i in positions(tok.string)]
    return found
