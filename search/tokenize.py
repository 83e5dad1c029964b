"""Turning Chinese (and mixed) text into search lexemes: pure functions, no database.

PostgreSQL has no Chinese parser here (zhparser cannot be installed), and its default parser
would take a whole unspaced Chinese sentence for one "word". So the text is cut here:

- the text is normalised (NFKC: full-width ＰＬＣ and ２０２６ become PLC and 2026; lower case);
- it falls into runs: CJK runs (Han, plus kana and hangul), letter-and-digit runs (ASCII words,
  numbers, other alphabets), and separators (spaces, punctuation, symbols) between them;
- a CJK run gives every character (unigram) and every overlapping pair (bigram), the pair at the
  position of its first character: 实习管理 → 实 实习 习 习管 管 管理 理， positions p, p, p+1, …;
- a letter-and-digit run is one lexeme, as it is: PLC → plc, 2026 → 2026; a run longer than
  MAX_WORD_CHARS (a pasted hash, a base64 blob) keeps its first MAX_WORD_CHARS characters, which
  is as much of a word as a query can hold, so searching the word still finds it;
- a separator leaves a gap of one position, so nothing is adjacent across punctuation.

A query is cut the same way. Each query word (what lies between separators) becomes a phrase:
a one-character CJK run is its unigram, a longer one its bigrams, a letter-and-digit run itself;
consecutive lexemes are joined with PostgreSQL's distance operator (<1> = <->, and <2> from the
last bigram of a run to what follows it), words with &. So 实习 finds 关于修订学生顶岗实习管理办法
的请示 (the bigram 实习 is there), and 习管 does not find 实习，管理 (no bigram crosses the comma).

The vector and the query are written as tsvector / tsquery literals (no parser, no dictionary: what
the 'simple' configuration would give, with the positions under our control). PostgreSQL refuses
a lexeme over 2,047 bytes and a vector whose lexemes add up to 1 MB: words are cut below the one,
and a vector stops taking new lexemes before the other (what is left out is past the first
megabyte of distinct words, as positions past 16,383 are).
"""

import unicodedata
from dataclasses import dataclass

# PostgreSQL keeps positions 1..16383 (larger ones are clamped to 16383, which would make
# distant words look adjacent): lexemes past the limit are left out of the vector.
MAX_POSITION = 16383
# How much of a query is used: a search box, not a document.
MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 10
# PostgreSQL's own limits: a lexeme's bytes (2,047) and all lexemes' bytes in one tsvector (1 MB).
MAX_LEXEME_BYTES = 2047
MAX_VECTOR_BYTES = 1_000_000
# A letter-and-digit run is cut to this many characters: a query word cannot be longer, and at
# 4 bytes a character it stays far below MAX_LEXEME_BYTES.
MAX_WORD_CHARS = MAX_QUERY_CHARS

_CJK_RANGES = (
    (0x3007, 0x3007),  # 〇, as in 二〇二六年
    (0x3041, 0x3096),  # hiragana
    (0x30A1, 0x30FA),  # katakana (not the middle dot ・)
    (0x30FC, 0x30FC),
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3FFFF),  # extensions B and later
)

CJK, WORD = "cjk", "word"


def is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


@dataclass(frozen=True)
class Run:
    kind: str  # CJK or WORD
    text: str
    after_separator: bool  # something other than a letter, digit or CJK character came before it


def runs(text: str) -> list[Run]:
    """The normalised text cut into CJK runs and letter-and-digit runs."""
    out: list[Run] = []
    kind, start, gap = None, 0, False
    text = normalize(text)
    for i, ch in enumerate(text):
        k = CJK if is_cjk(ch) else WORD if ch.isalnum() else None
        if k != kind:
            if kind is not None:
                out.append(Run(kind, text[start:i], gap))
                gap = False
            kind, start = k, i
            if k is None:
                gap = True
    if kind is not None:
        out.append(Run(kind, text[start:], gap))
    return out


@dataclass(frozen=True)
class Token:
    lexeme: str
    position: int


def tokens(text: str, *, start: int = 1) -> tuple[list[Token], int]:
    """Every lexeme of `text` with its position, and the next free position."""
    out: list[Token] = []
    pos = start
    for n, run in enumerate(runs(text)):
        if run.after_separator and n:
            pos += 1
        if run.kind == WORD:
            out.append(Token(run.text[:MAX_WORD_CHARS], pos))
            pos += 1
            continue
        chars = run.text
        for i, ch in enumerate(chars):
            out.append(Token(ch, pos + i))
            if i + 1 < len(chars):
                out.append(Token(chars[i : i + 2], pos + i))
        pos += len(chars)
    return out, pos


def _quote(lexeme: str) -> str:
    # Lexemes are letters, digits and CJK only; quoting keeps any other character literal anyway.
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def vector_literal(title: str, text: str) -> str:
    """A tsvector literal: the title's lexemes with weight A, the text's with weight D."""
    title_tokens, next_pos = tokens(title)
    text_tokens, _ = tokens(text, start=next_pos + 1)
    positions: dict[str, list[str]] = {}
    size = 0  # the bytes of the distinct lexemes so far
    for tokens_, weight in ((title_tokens, "A"), (text_tokens, "D")):
        for t in tokens_:
            if t.position > MAX_POSITION:
                break
            if t.lexeme not in positions:
                length = len(t.lexeme.encode())
                if length > MAX_LEXEME_BYTES or size + length > MAX_VECTOR_BYTES:
                    continue
                size += length
                positions[t.lexeme] = []
            positions[t.lexeme].append(f"{t.position}{weight}")
    return " ".join(f"{_quote(lexeme)}:{','.join(p)}" for lexeme, p in positions.items())


def query_words(q: str) -> list[str]:
    """The query's words: what lies between spaces and punctuation, normalised, at most
    MAX_QUERY_WORDS of them, each once. Also what the SQLite fallback looks for and what the
    results highlight."""
    words: list[str] = []
    current = ""
    for run in runs((q or "")[:MAX_QUERY_CHARS]):
        if run.after_separator and current:
            words.append(current)
            current = ""
        current += run.text
    if current:
        words.append(current)
    unique = list(dict.fromkeys(words))
    return unique[:MAX_QUERY_WORDS]


def phrase(word: str) -> list[Token]:
    """The lexemes a query word must have, at their relative positions."""
    out: list[Token] = []
    pos = 1
    for run in runs(word):
        if run.kind == WORD or len(run.text) == 1:
            out.append(Token(run.text, pos))
        else:
            out.extend(Token(run.text[i : i + 2], pos + i) for i in range(len(run.text) - 1))
        pos += len(run.text) if run.kind == CJK else 1
    return out


def query_literal(q: str, *, weight: str = "") -> str:
    """A tsquery literal for `q` ('' if it has no words). `weight` ("A") limits it to the title."""
    parts = []
    for word in query_words(q):
        lexemes = phrase(word)
        text = _quote(lexemes[0].lexeme) + (f":{weight}" if weight else "")
        for prev, t in zip(lexemes, lexemes[1:]):
            text += f" <{t.position - prev.position}> " + _quote(t.lexeme) + (f":{weight}" if weight else "")
        parts.append(f"({text})" if len(lexemes) > 1 else text)
    return " & ".join(parts)
