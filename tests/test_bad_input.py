"""Bad input on every page, for every account: never a server error.

Every URL pattern is asked with the permission walk's own targets and demo world
(tests/test_permission_walk.py), by every demo account and an anonymous visitor, with values a
careless typist, a pasted file or a broken link send:

- a NUL byte (PostgreSQL refuses it in text: `?q=%00` was a 500 on /items/ and /notices/);
- 100 kB (SQLite refuses so long a LIKE pattern: a 100 kB `?q=` was a 500 on the demo);
- invalid percent-encoding in the raw query string (`q=%zz%`, `%ff%fe`);
- what is not a number where one is expected ('abc', '-1', '1e99', '９', a number past bigint).

Each goes into every query parameter a view reads (found in the code: `request.GET…` and the
filter forms; and in the page: the fields of its GET forms) and, by POST, into every field of the
page's forms and of every form class of Yishi. The answer may be a page, a form with its errors, a
refusal or a redirect, never a 5xx.

Cost: each (URL pattern, account) pair is asked once with each kind of bad value, and each of the
walk's other targets (the same pattern on other objects) once, by an account that sees it. Every
parameter and field gets the NUL, the non-number and the broken encoding in each request; which
non-number, and which fields get the 100 kB (the page's own first, LONG_FIELDS in all: parsing
megabytes is what costs), turn with the account.
"""

import re
import zlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from django import forms as django_forms
from django.conf import settings
from django.db import transaction

# The walk's world and clients; its autouse fixtures keep the world's files where it put them.
from tests.test_permission_walk import (  # noqa: F401
    ANON,
    TARGETS,
    USERS,
    _fast_passwords,
    _private_media,
    client_for,
    url_of,
    world,
)


@pytest.fixture
def w(world):  # noqa: F811 - the walk's world, built once per module
    return world


ROLES = (*USERS, ANON)
NUL = "实习\x00补贴"
LONG = "长" * 2000 + "x" * (100_000 - 2000)  # 100 kB of characters
NON_NUMERIC = ("abc", "-1", "1e99", "９", "99999999999999999999999")
PERCENT = "%zz%ff%fe%"  # raw, never decoded correctly
QUOTED_LONG = quote(LONG)
LONG_FIELDS = 8


def _read_by_views() -> set[str]:
    """The query parameters the views read: `request.GET.get("x")`, `request.GET["x"]`, and the
    names in `for k in ("a", "b") … request.GET` comprehensions."""
    names: set[str] = set()
    root = Path(settings.BASE_DIR)
    for path in root.glob("*/**/*.py"):
        top = path.parts[len(root.parts)]
        if top.startswith(".") or top in {"tests", "benchmarks", "node_modules"}:  # virtualenvs, caches
            continue
        source = path.read_text()
        names |= set(re.findall(r"request\.GET(?:\.get|\.getlist)?[\[(]\s*[\"'](\w+)[\"']", source))
        # A filter form bound to the query string reads its fields from it.
        for form in re.findall(r"(\w+Form)\(\s*(?:data=)?request\.GET", source):
            names |= FORMS.get(form, set())
        for line in source.splitlines():
            if "request.GET" in line:
                for group in re.findall(r"in \(([^)]*)\)", line):
                    names |= set(re.findall(r"[\"'](\w+)[\"']", group))
    return names


def _form_fields() -> dict[str, set[str]]:
    """Every form class of Yishi (<app>/forms*.py) with its fields."""
    import importlib

    root = Path(settings.BASE_DIR)
    names: dict[str, set[str]] = {}
    for path in sorted(root.glob("*/forms*.py")):
        if path.parent.name in {".venv", "tests", "benchmarks"}:
            continue
        module = importlib.import_module(f"{path.parent.name}.{path.stem}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, django_forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                names[value.__name__] = set(value.base_fields)
    return names


# What every list and filter reads, whether or not the code above spells it that way.
FORMS = _form_fields()
FORM_FIELDS = set().union(*FORMS.values())
EXPECTED_PARAMS = {"q", "page", "state", "track", "department", "year", "quarter", "month", "body", "box", "tab"}
READ_BY_VIEWS = _read_by_views()
PARAMS = sorted(READ_BY_VIEWS | EXPECTED_PARAMS | {"status", "sort", "kind", "next", "overdue_page", "stage"})
FIELDS = sorted(FORM_FIELDS | set(PARAMS))


class _Forms(HTMLParser):
    """The names of the inputs, selects and textareas of a page's forms, by method."""

    def __init__(self):
        super().__init__()
        self.method = None
        self.names = {"get": set(), "post": set()}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.method = (a.get("method") or "get").lower()
        elif tag in ("input", "select", "textarea", "button") and a.get("name") and self.method:
            self.names.setdefault(self.method, set()).add(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.method = None


def page_fields(response) -> dict[str, set[str]]:
    parser = _Forms()
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        parser.feed(response.content.decode(errors="replace"))
    return parser.names


def _turn(*parts) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def _some(first: list[str], names: list[str], turn: int) -> set[str]:
    """The fields that get the 100 kB value in one request: those the page shows first, then a turn
    of the others (a different few for each account), LONG_FIELDS in all; every value costs parsing."""
    rest = [n for n in names if n not in first]
    start = turn % max(len(rest), 1)
    return set((list(dict.fromkeys(first)) + rest[start:] + rest[:start])[:LONG_FIELDS])


def _query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)


def cases() -> list:
    out, first = [], set()
    for t in TARGETS:
        if t.name not in first:
            first.add(t.name)
            out += [pytest.param(t, role, id=f"{t.id}-{role}") for role in ROLES]
            continue
        # Another object behind the same pattern: once, by someone who gets the page or may act.
        rich = [r for r in ROLES if t.get.get(r) in ("page", "file") or t.post.get(r) in ("act", "form")]
        role = (rich or list(ROLES))[_turn(t.id) % len(rich or ROLES)]
        out.append(pytest.param(t, role, id=f"{t.id}-{role}"))
    return out


def test_the_parameters_the_views_read_are_found():
    """The scan of the views finds what they read (a rename would empty it and the fuzz with it)."""
    assert {"q", "page", "state", "box", "tab", "year", "resolution", "letter", "finding"} <= READ_BY_VIEWS
    assert {"track", "department", "year", "quarter", "month", "title", "reason", "text"} <= FORM_FIELDS


@pytest.mark.parametrize(("target", "role"), cases())
def test_bad_input_never_gives_a_server_error(target, role, w, db):
    client = client_for(role, w)
    url = url_of(target, w)
    path, own_query = (url.split("?", 1) + [""])[:2]
    own = {k for k, _ in (p.split("=", 1) for p in own_query.split("&") if "=" in p)}
    turn = _turn(target.id, role)
    number = NON_NUMERIC[turn % len(NON_NUMERIC)]
    wrong: list[str] = []

    def ask(method: str, kind: str, **kwargs):
        # Each request on the world as it was: a database error in one cannot poison the next.
        with transaction.atomic():
            response = client.get(path, **kwargs) if method == "GET" else client.post(url, **kwargs)
            if response.streaming:
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
        if response.status_code >= 500:
            wrong.append(f"{method} {kind}: {response.status_code}")
        return response

    # A non-number first: its page (most views fall back to their defaults) shows the forms.
    params = [p for p in PARAMS if p not in own]
    prefix = quote(own_query, safe="=&") + "&" if own_query else ""
    first = ask("GET", f"non-numeric {number!r}", QUERY_STRING=prefix + _query([(k, number) for k in params]))
    fields = page_fields(first)
    page_get = sorted(fields.get("get", set()) - own)
    params = page_get + [p for p in params if p not in page_get]
    ask("GET", "NUL", QUERY_STRING=prefix + _query([(k, NUL) for k in params]))
    long = _some(["q", *page_get], params, turn)
    ask(
        "GET",
        "100 kB",
        QUERY_STRING=prefix + "&".join(f"{k}={QUOTED_LONG if k in long else quote(number)}" for k in params),
    )
    ask("GET", "percent", QUERY_STRING=prefix + "&".join(f"{k}={PERCENT}" for k in params) + "&%ff%fe=%zz")

    # By POST: the page's own form fields first, then every form field of Yishi.
    page_post = sorted(fields.get("post", set()))
    names = page_post + [f for f in FIELDS if f not in page_post]
    ask("POST", "NUL", data=dict.fromkeys(names, NUL))
    ask("POST", f"non-numeric {number!r}", data=dict.fromkeys(names, number))
    long = _some(page_post, names, turn)
    ask("POST", "100 kB", data={k: (LONG if k in long else number) for k in names})

    assert not wrong, f"{target.id} as {role} ({url}): " + "; ".join(wrong)


def test_the_fuzz_reaches_every_pattern_and_every_role():
    by_pattern: dict[str, set[str]] = {}
    for param in cases():
        target, role = param.values
        by_pattern.setdefault(target.name, set()).add(role)
    assert all(roles == set(ROLES) for roles in by_pattern.values())
    assert {t.name for t in TARGETS} == set(by_pattern)


def test_the_query_string_of_a_bad_request_is_what_the_server_gets(client, db):
    """The raw query string reaches Django as sent (the test client does not re-encode it): the
    broken escapes are kept, the invalid bytes decoded as replacement characters."""
    response = client.get("/login/", QUERY_STRING="q=%zz%&%ff%fe=1&n=%00")
    assert dict(response.wsgi_request.GET.items()) == {"q": "%zz%", "\ufffd\ufffd": "1", "n": ""}
