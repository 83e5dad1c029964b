"""English is really selectable: every string has a translation, and the pages follow the switch.

The compiled catalog (.mo) is git-ignored and built by `make messages`; so that plain
`pytest` works too, this module compiles it itself when it is missing or older than the .po.
"""

import os
import re
import tempfile
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.signals import setting_changed
from django.utils import translation

from core.errors import InvalidTransition
from core.models import Notification
from decisions import services
from decisions.models import State
from meetings.models import Meeting
from tests.factories import at_state, draft, meeting_for

LOCALE = Path(settings.BASE_DIR) / "locale"
PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
NAVBAR = re.compile(r"<nav class=\"navbar.*?</nav>", re.S)
# What the navbar may show untranslated: the person's own name, and the switch back,
# which names each language in that language (简体中文).
NAVBAR_KEEPS = [
    re.compile(r"<span[^>]*data-testid=\"whoami\".*?</span>", re.S),
    re.compile(r"<form action=\"/i18n/setlang/\".*?</form>", re.S),
]


def _read_catalog():
    with PO.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module", autouse=True)
def compiled_catalog():
    """Build the .mo like `make messages` does, if needed, and make Django load it afresh."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        catalog = _read_catalog()
        fd, tmp = tempfile.mkstemp(dir=MO.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as f:
            write_mo(f, catalog)  # fuzzy entries are left out, as pybabel compile does
        os.replace(tmp, MO)  # atomic: a parallel run never reads half a file
        # Django caches catalogs per process; this is how its tests tell it to drop them.
        setting_changed.send(sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False)
    yield


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """A request in English leaves English active in this thread (LocaleMiddleware does not reset it);
    the next test, in this module or another, must start from the default again."""
    yield
    translation.deactivate()


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


# --- the catalog --------------------------------------------------------------------


def test_the_catalog_is_for_english_with_english_plurals():
    catalog = _read_catalog()
    assert str(catalog.locale) == "en"
    assert not catalog.fuzzy
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"


def test_every_message_has_an_english_translation_with_the_same_placeholders():
    catalog = _read_catalog()
    messages = [m for m in catalog if m.id]
    assert len(messages) > 100
    problems = []
    for m in messages:
        ids = list(m.id) if m.pluralizable else [m.id]
        strings = list(m.string) if m.pluralizable else [m.string]
        expected = _placeholders(ids[-1])
        if m.fuzzy:
            problems.append(("fuzzy", ids[0]))
        if len(strings) != (catalog.num_plurals if m.pluralizable else 1):
            problems.append(("plural forms", ids[0]))
        for s in strings:
            if not s:
                problems.append(("empty", ids[0]))
            elif _placeholders(s) != expected:
                problems.append(("placeholders", ids[0], s))
            elif CHINESE.search(s):
                problems.append(("still Chinese", ids[0], s))
    assert problems == []
    assert [(m.id, errors) for m, errors in catalog.check()] == []


# --- the pages ----------------------------------------------------------------------


def _switch(client, language: str):
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302


def _navbar(html: str) -> str:
    nav = NAVBAR.search(html)
    assert nav, "no navbar on the page"
    text = nav.group(0)
    for keep in NAVBAR_KEEPS:
        text = keep.sub("", text)
    return text


@pytest.mark.parametrize("username", ["secretary", "depthead", "staff"])
def test_after_switching_to_english_the_navigation_is_english(client, people, username):
    client.force_login(people(username))
    _switch(client, "en")

    for url in ("/", "/items/mine/"):
        html = client.get(url).content.decode()
        assert '<html lang="en">' in html
        nav = _navbar(html)
        assert "My items" in nav
        assert "New item" in nav
        assert "Browse items" in nav
        assert CHINESE.findall(nav) == [], url
        assert 'value="zh-hans" lang="zh-hans">简体中文</button>' in html  # the way back

    mine = client.get("/items/mine/").content.decode()
    assert '<h1 class="h4 mb-0 me-auto">My items</h1>' in mine
    assert "You have not submitted any agenda items yet." in mine


def test_the_navigation_shows_each_queue_in_english(client, people):
    client.force_login(people("secretary"))  # chairs the Party Committee meeting, and is consulted
    _switch(client, "en")
    nav = _navbar(client.get("/").content.decode())
    assert "Screening" in nav
    assert "Consultations" in nav
    assert "Notifications" in nav


def test_a_refused_step_gives_its_reason_in_english(client, people):
    depthead = people("depthead")
    item = draft(depthead)  # a head's own draft: only its state stands in the way
    client.force_login(depthead)
    _switch(client, "en")

    response = client.post(f"/items/{item.pk}/act/dept_approve/")

    assert response.status_code == 409
    html = response.content.decode()
    assert "This agenda item is “Draft”, so “Department approval” is not possible" in html
    assert "不能部门审核通过" not in html
    assert State(item.state) == State.DRAFT


def test_a_refused_page_is_in_english(client, people):
    client.force_login(people("staff"))
    _switch(client, "en")

    response = client.get("/items/review/")

    assert response.status_code == 403
    html = response.content.decode()
    assert "Only heads of department, school leaders and the two offices can use the review queue." in html
    assert "Permission denied" in html


def test_the_item_page_is_in_english(client, people):
    staff = people("staff")
    item = at_state(State.DEPT_REVIEW, submitter=staff)
    client.force_login(staff)
    _switch(client, "en")

    html = client.get(f"/items/{item.pk}/").content.decode()

    assert "In department review" in html
    assert "Background and basis" in html
    assert "Draft created" in html  # the history
    assert "Withdraw agenda item" in html


def test_chinese_is_the_default_without_any_switch(client, people):
    depthead = people("depthead")
    item = draft(depthead)
    client.force_login(depthead)

    html = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    nav = _navbar(html)
    assert "我的议题" in nav
    assert "My items" not in nav
    assert 'name="language" value="en"' in html  # the switch

    response = client.post(f"/items/{item.pk}/act/dept_approve/")
    assert response.status_code == 409
    assert "议题当前状态为“草稿”，不能部门审核通过（可能已被他人处理，请刷新）" in response.content.decode()


def test_switching_back_to_chinese_works(client, people):
    client.force_login(people("staff"))
    _switch(client, "en")
    _switch(client, "zh-hans")
    assert "我的议题" in _navbar(client.get("/").content.decode())


def test_notifications_are_stored_in_the_site_language_whoever_acts(
    client, people, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""
    staff = people("staff")
    item = at_state(State.DEPT_REVIEW, submitter=staff)
    client.force_login(people("depthead"))
    _switch(client, "en")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/items/{item.pk}/act/dept_approve/")

    assert response.status_code == 302
    note = Notification.objects.get(recipient=people("secretary"))
    assert note.text == f"待研判议题：{item.title}"


def test_messages_follow_the_language(people):
    staff = people("staff")
    item = at_state(State.DEPT_REVIEW, submitter=staff)
    with translation.override("en"), pytest.raises(InvalidTransition) as exc:
        services.item_submit(actor=staff, item_id=item.pk)
    assert exc.value.reason == (
        "This agenda item is “In department review”, so “Submission” is not possible "
        "(someone else may have dealt with it already; please refresh the page)."
    )


def test_the_meeting_page_and_a_refused_meeting_step_are_in_english(client, people):
    meeting = meeting_for("PC")  # planned, with nothing on its agenda yet
    client.force_login(people("partyoffice"))  # the Party Committee's meeting secretariat
    _switch(client, "en")

    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert '<h2 class="h5">Agenda</h2>' in html
    assert "Publish agenda" in html
    assert "Attendance" in html
    assert "议程" not in html

    response = client.post(f"/meetings/{meeting.pk}/act/publish/")

    assert response.status_code == 409
    html = response.content.decode()
    assert "The agenda is empty. Please add items to it first." in html
    assert "议程为空" not in html
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PLANNING
