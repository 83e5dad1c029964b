"""On phones: a writer sends an anonymous letter without signing in and keeps the query code; the
secretary forwards it to 教务处; the head of 教务处 replies; the writer reads the reply with the code."""

import re

import pytest
from playwright.sync_api import expect

from supervision.models import Letter, LetterForward
from tests.browser.conftest import PHONE
from tests.browser.test_intake_on_phone import assert_fits_phone, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_an_anonymous_letter_is_forwarded_answered_and_read_with_the_code(live_server, browser, page, school):
    base = live_server.url

    # The writer, not signed in, writes without a name.
    page.goto(f"{base}/mailbox/anonymous/")
    expect(page.get_by_test_id("anonymous-promise")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_label("主题").fill("实训楼三楼消防通道堆放杂物")
    page.get_by_label("内容").fill("多次看到实训楼三楼通道堆放纸箱，存在消防隐患。")
    page.get_by_test_id("anonymous-send").click()
    code = page.get_by_test_id("query-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", code)
    assert_fits_phone(page)
    letter = Letter.objects.get()
    assert letter.anonymous and letter.author_id is None

    # The secretary forwards it to 教务处.
    context, secretary = _phone(browser)
    try:
        log_in(secretary, base, "secretary")
        secretary.goto(f"{base}/mailbox/?box=all")
        secretary.get_by_role("link", name="实训楼三楼消防通道堆放杂物").click()
        expect(secretary.get_by_test_id("letter-anonymous")).to_be_visible()
        secretary.get_by_label("承办部门").select_option(label="教务处")
        secretary.get_by_label("转办意见").fill("请教务处核实并清理。")
        assert_fits_phone(secretary)
        secretary.get_by_test_id("letter-forward-submit").click()
        expect(secretary.get_by_role("alert")).to_contain_text("来信已转交教务处办理")
        expect(secretary.get_by_test_id("letter-forwards")).to_contain_text("教务处")
    finally:
        context.close()
    assert LetterForward.objects.get().department.name == "教务处"

    # The head of 教务处 replies.
    context, head = _phone(browser)
    try:
        log_in(head, base, "depthead")
        head.goto(f"{base}/mailbox/?box=forwarded")
        head.get_by_role("link", name="实训楼三楼消防通道堆放杂物").click()
        assert_fits_phone(head)
        head.get_by_label("回复内容").fill("已于当日清理通道，并加强巡查。感谢您的反映。")
        head.get_by_test_id("letter-reply-submit").click()
        expect(head.get_by_test_id("letter-reply")).to_contain_text("已于当日清理通道")
    finally:
        context.close()

    # The writer, still not signed in, reads the reply with the code.
    context, writer = _phone(browser)
    try:
        writer.goto(f"{base}/mailbox/query/")
        writer.get_by_label("查询码").fill(code)
        writer.get_by_test_id("query-submit").click()
        expect(writer.get_by_test_id("letter-subject")).to_have_text("实训楼三楼消防通道堆放杂物")
        expect(writer.get_by_test_id("letter-reply")).to_contain_text("已于当日清理通道，并加强巡查。")
        assert_fits_phone(writer)
    finally:
        context.close()
