"""The navigation fits a school office's screens: on a 1366 px desktop every top-level entry sits
in one row (nothing wraps onto a second line), and on a 375 px phone the collapsed bar is one row
and the opened menu does not scroll sideways; printed, the page leaves the navigation out. Checked
for the accounts with the longest menus: the Party secretary (every queue), the Party office and
the system administrator."""

import pytest
from playwright.sync_api import expect

from decisions.models import State
from tests.browser.conftest import PHONE
from tests.browser.test_intake_on_phone import assert_fits_phone, log_in, open_menu
from tests.factories import at_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1366, "height": 768}
ONE_ROW = 64  # px: Bootstrap's navbar with one row of links (56 px) and a little room

ROWS = """() => {
  const nav = document.querySelector("nav.navbar");
  const tops = [...nav.querySelectorAll("#mainnav > ul > li, #mainnav > form, .navbar-brand")]
    .filter((el) => el.offsetParent !== null)
    .map((el) => Math.round(el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2));
  return {height: nav.getBoundingClientRect().height, middles: [...new Set(tops)],
          scroll: document.documentElement.scrollWidth};
}"""


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def queues(people):
    """Something in the secretary's queues, so that their badges take their room too."""
    staff = people("staff")
    for n in range(12):
        at_state(State.SCREENING, submitter=staff, title=f"待研判议题{n}")
    # The principal screens for his office meeting and asks the secretary.
    at_state(State.CONSULTING, submitter=staff, consultees=[people("secretary")], body_code="PO", title="待酝酿议题")


def _one_row(page, who: str) -> None:
    expect(page.locator("#mainnav")).to_be_visible()  # expanded, not behind the toggler
    rows = page.evaluate(ROWS)
    assert rows["height"] <= ONE_ROW, f"{who}: the navbar is {rows['height']} px high: it wraps"
    assert max(rows["middles"]) - min(rows["middles"]) <= 8, (who, rows)
    assert rows["scroll"] <= DESKTOP["width"], (who, rows)


@pytest.mark.parametrize("username", ["secretary", "partyoffice", "admin"])
def test_the_navigation_is_one_row_at_1366_px_in_chinese_and_in_english(live_server, desktop, queues, username):
    log_in(desktop, live_server.url, username)
    _one_row(desktop, username)

    desktop.get_by_test_id("account-menu").click()
    desktop.locator("button[name=language][value=en]").click()
    expect(desktop.locator("html")).to_have_attribute("lang", "en")
    _one_row(desktop, f"{username} (English)")


@pytest.mark.parametrize("username", ["secretary", "admin"])
def test_the_navigation_collapses_to_one_row_at_375_px(live_server, page, school, username):
    log_in(page, live_server.url, username)
    expect(page.locator("#mainnav")).to_be_hidden()

    height = page.evaluate("document.querySelector('nav.navbar').getBoundingClientRect().height")
    assert height <= ONE_ROW, f"{username}: the collapsed navbar is {height} px high"
    assert_fits_phone(page)

    open_menu(page)
    assert_fits_phone(page)
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('#mainnav .nav-link')].map(a => a.getBoundingClientRect().right))"
    )
    assert widest <= PHONE["width"], widest


def test_a_printed_page_leaves_out_the_navigation_and_the_buttons(live_server, desktop, school):
    log_in(desktop, live_server.url, "partyoffice")
    desktop.goto(f"{live_server.url}/meetings/")
    desktop.emulate_media(media="print")

    expect(desktop.locator("nav.navbar")).to_be_hidden()
    for button in desktop.locator("main .btn").all():
        expect(button).to_be_hidden()
    expect(desktop.locator("main h1").first).to_be_visible()
