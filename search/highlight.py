"""The snippet a result shows, with the query's words marked: everything escaped first."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SNIPPET_CHARS = 120
_SPACE = re.compile(r"\s+")


def _pattern(words: list[str]) -> re.Pattern | None:
    words = sorted({w for w in words if w}, key=len, reverse=True)  # the longest first: 实习管理 before 实习
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def mark(text: str, words: list[str]) -> SafeString:
    """`text` escaped, each occurrence of one of `words` wrapped in <mark>."""
    pattern = _pattern(words)
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 - escaped just now
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


def snippet(text: str, words: list[str], *, length: int = SNIPPET_CHARS) -> SafeString:
    """About `length` characters of `text` around the first of `words` found in it (or its start),
    whitespace folded, cut ends shown with …, the words marked."""
    text = _SPACE.sub(" ", text or "").strip()
    pattern = _pattern(words)
    found = pattern.search(text) if pattern else None
    start = 0
    if found and found.start() > length // 3:
        start = found.start() - length // 3
    end = min(len(text), start + length)
    start = max(0, min(start, end - length))
    piece = text[start:end]
    # A cut through a word is not worth a mark: only whole matches inside the piece are marked.
    html = mark(piece, words)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308 - `html` is escaped, the ellipses are plain text
