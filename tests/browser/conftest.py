"""Playwright fixtures for the browser tests (`make test-browser`, `pytest -m browser`).

They drive Debian's chromium (/usr/bin/chromium); no browser is ever downloaded.
"""

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 375, "height": 812}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the browser tests after every other test.

    While Playwright is up, its event loop counts as running in this thread, so the browser
    fixture sets DJANGO_ALLOW_ASYNC_UNSAFE until the session ends. Going last keeps that
    variable away from the other tests and the processes they start (`check --deploy`
    refuses it with async.E001).
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: apt-get install chromium", pytrace=False)
    # Playwright's sync API keeps an asyncio loop running in this thread, so Django would refuse
    # the ORM calls the tests, their fixtures and the database teardown make here. Set only while
    # the browser is up, never at import: a plain `make test` must not see it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    """A fresh phone-sized page (375x812, touch, zh-CN) in its own context."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
