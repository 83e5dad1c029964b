"""Content-Security-Policy without 'unsafe-inline', and pages that need nothing inline.

Every page a leader or an office opens in the demo school is fetched; each response carries the
policy, and no HTML page has an inline <script>, an <style> block, an on* handler or a style
attribute (which the policy would block, silently breaking the page). The PDF templates
(WeasyPrint) are no pages and keep their <style>.
"""

import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from decisions.models import AgendaItem
from meetings.models import AgendaEntry, Meeting, Minutes
from notices.models import Notice
from org.models import User
from supervision.models import BranchCheck, Letter, PatrolFinding, Task, Track

EXPECTED_POLICY = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
}
# <script> with anything but a src (a JSON data block would be fine, none exists today).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_BLOCK = re.compile(r"<style\b", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
ON_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)

# Not pages of ours: Django's admin, the RQ dashboard, and the language switch.
SKIP_PREFIXES = ("admin/", "rq/", "i18n/")


def _pages_without_arguments() -> list[str]:
    paths = []

    def walk(resolver, prefix, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith(SKIP_PREFIXES):
                    continue
                walk(pattern, prefix + str(pattern.pattern), pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.converters:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                if not pattern.pattern.regex.groupindex:
                    paths.append(reverse(name))

    walk(get_resolver(), "", None)
    return paths


def _detail_pages() -> list[str]:
    pages = [reverse("supervision:track", args=[track]) for track in Track.values]
    one_of_each = [
        ("decisions:detail", AgendaItem),
        ("meetings:detail", Meeting),
        ("meetings:entry", AgendaEntry),
        ("meetings:minutes", Minutes),
        ("notices:detail", Notice),
        ("mailbox:detail", Letter),
        ("supervision:detail", Task),
        ("patrols:detail", PatrolFinding),
        ("branches:detail", BranchCheck),
    ]
    for name, model in one_of_each:
        pks = list(model.objects.order_by("pk").values_list("pk", flat=True)[:3])
        assert pks, f"the demo has no {model.__name__}"
        pages += [reverse(name, args=[pk]) for pk in pks]
    for item_id in AgendaItem.objects.order_by("pk").values_list("pk", flat=True)[:3]:
        pages.append(reverse("supervision:item_tasks", args=[item_id]))
    return pages


def _inline_problems(html: str) -> list[str]:
    found = []
    for label, pattern in [
        ("inline <script>", INLINE_SCRIPT),
        ("<style> block", STYLE_BLOCK),
        ("style attribute", STYLE_ATTRIBUTE),
        ("on* handler", ON_HANDLER),
        ("javascript: URL", JAVASCRIPT_URL),
    ]:
        match = pattern.search(html)
        if match:
            found.append(f"{label}: {html[max(0, match.start() - 40) : match.end() + 60]!r}")
    return found


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _check(response, path: str) -> list[str]:
    problems = []
    header = response.get("Content-Security-Policy")
    if not header:
        return [f"{path}: no Content-Security-Policy header"]
    directives = {part.strip() for part in header.split(";")}
    if "unsafe-inline" in header or "unsafe-eval" in header:
        problems.append(f"{path}: {header}")
    if EXPECTED_POLICY - directives:
        problems.append(f"{path}: policy lacks {EXPECTED_POLICY - directives}")
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        problems += [f"{path}: {p}" for p in _inline_problems(response.content.decode())]
    return problems


@pytest.mark.parametrize("username", ["secretary", "partyoffice", "affairsoffice", "depthead"])
def test_every_page_has_the_policy_and_nothing_inline(client, demo, username):
    client.force_login(User.objects.get(username=username))
    paths = _pages_without_arguments() + _detail_pages()
    problems, html_pages = [], 0
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, path
        problems += _check(response, path)
        html_pages += response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert not problems, "\n".join(problems)
    assert html_pages >= 20, f"only {html_pages} pages answered 200: the walk is not reaching the pages"


def test_the_login_and_lockout_pages_have_the_policy_too(client, db):
    response = client.get(reverse("login"))
    assert not _check(response, "/login/")
    User.objects.create_user(username="wanglaoshi", password="Correct-horse-42")
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "wanglaoshi", "password": "wrong"})
    assert response.status_code == 429
    assert not _check(response, "/login/ (locked out)")
    assert not _inline_problems(response.content.decode())


def test_the_policy_header_is_exactly_this(client, db):
    # django-csp does not keep the directives' order; the order means nothing to a browser.
    header = client.get(reverse("login"))["Content-Security-Policy"]
    assert sorted(part.strip() for part in header.split(";")) == sorted(EXPECTED_POLICY)


def test_htmx_is_told_not_to_inject_its_indicator_style(client, db):
    html = client.get(reverse("login")).content.decode()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles":false}'>""" in html


def test_the_inline_checks_catch_what_they_are_for():
    assert _inline_problems("<script>alert(1)</script>")
    assert _inline_problems('<div style="color:red">')
    assert _inline_problems('<input onclick="this.select()">')
    assert _inline_problems("<style>p{}</style>")
    assert _inline_problems('<a href="javascript:alert(1)">')
    assert not _inline_problems('<script src="/static/js/yishi.js" defer></script><a data-onclick="x" class="stylish">')


def _policy(response) -> dict[str, str]:
    parts = [p.strip() for p in response["Content-Security-Policy"].split(";") if p.strip()]
    return {p.split(" ", 1)[0]: p for p in parts}


@pytest.mark.redis
def test_the_job_monitor_works_for_the_administrator_with_its_inline_scripts(client, school, settings):
    """django-rq's own templates carry inline scripts and styles: /rq/ alone allows them, and only
    the administrator gets there."""
    settings.RQ_QUEUES = {"default": {"URL": settings.REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    client.force_login(school["admin"])
    for url in ("/rq/", "/rq/queues/0/", "/rq/queues/0/failed/", "/rq/workers/0/"):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = _policy(response)
        assert "'unsafe-inline'" in policy["script-src"] and "'unsafe-inline'" in policy["style-src"], url
    # Everywhere else the policy stays strict.
    assert "'unsafe-inline'" not in client.get("/").headers["Content-Security-Policy"]


def test_the_job_monitor_is_refused_to_anyone_but_the_administrator(client, school):
    staff = school["staff"]
    staff.is_staff = True  # Django's staff flag alone does not open it
    staff.save(update_fields=["is_staff"])
    for username in ("staff", "secretary", "partyoffice"):
        client.force_login(school[username])
        response = client.get("/rq/")
        assert response.status_code == 302 and "/login/" in response["Location"], username
    client.logout()
    assert client.get("/rq/").status_code == 302
