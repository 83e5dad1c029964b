"""On a phone: the party office writes and publishes a notice to 教务处； a member of staff sees the
unread count in the menu and reads it; the party office sees who has read it and who has not."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from notices.models import Notice, NoticeRecipient
from tests.browser.test_intake_on_phone import assert_fits_phone, log_in, open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOT = Path(__file__).resolve().parents[2] / "test-results" / "notice-phone.png"
TITLE = "关于学习贯彻全国教育大会精神的通报"


def log_out(page: Page) -> None:
    page.context.clear_cookies()


def test_a_notice_is_written_published_and_read_on_a_phone(live_server, page, school):
    base = live_server.url

    log_in(page, base, "partyoffice")
    open_menu(page)
    page.locator("#mainnav").get_by_role("link", name="通报").click()
    expect(page.get_by_role("heading", name="通报")).to_be_visible()
    page.get_by_role("link", name="新建通报").click()
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("正文").fill("全国教育大会精神及学校贯彻要求。")
    page.get_by_label("教务处").check()
    assert_fits_phone(page)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_test_id("notice-title")).to_have_text(TITLE)

    page.once("dialog", lambda dialog: dialog.accept())  # 确定发布?
    page.get_by_test_id("notice-publish").click()
    expect(page.get_by_text("通报已发布，送达 2 人。")).to_be_visible()
    notice = Notice.objects.get(title=TITLE)
    assert notice.state == Notice.State.PUBLISHED

    log_out(page)
    log_in(page, base, "staff")
    open_menu(page)
    expect(page.get_by_test_id("notice-unread-count")).to_have_text("1")
    page.locator("#mainnav").get_by_role("link", name="通报").click()
    expect(page.get_by_test_id("unread")).to_have_count(1)
    assert_fits_phone(page)
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("read-at")).to_be_visible()
    assert_fits_phone(page)
    assert NoticeRecipient.objects.get(notice=notice, person__username="staff").read_at is not None
    open_menu(page)
    expect(page.get_by_test_id("notice-unread-count")).to_have_count(0)

    log_out(page)
    log_in(page, base, "partyoffice")
    page.goto(f"{base}/notices/{notice.pk}/")
    expect(page.get_by_test_id("receipt-counts")).to_contain_text("已读 1 / 共 2 人")
    expect(page.get_by_test_id("read-rate")).to_have_text("（50%）")
    expect(page.get_by_test_id("unread-list")).to_contain_text("吴晓东")
    assert_fits_phone(page)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
