"""On a phone: a staff member writes and submits an item with a PDF, her department head approves it."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from decisions.models import AgendaItem, State

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "yishi2026"
PHONE_WIDTH = 375
SCREENSHOT = Path(__file__).resolve().parents[2] / "test-results" / "intake-phone.png"

TITLE = "关于调整2027年度实训设备采购计划的请示"
ATTACHMENT = "实训设备采购计划.pdf"

# The smallest PDF a reader opens: one empty A4 page.
PDF = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("whoami")).to_be_attached()


def open_menu(page: Page) -> None:
    """The navbar is collapsed on a phone: open it with the toggler."""
    page.get_by_role("button", name="菜单").click()
    # Bootstrap swaps .collapsing for .show once the menu has finished sliding open.
    expect(page.locator("#mainnav")).to_have_class(re.compile(r"\bshow\b"))


def assert_fits_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH + 1, f"{page.url} scrolls sideways on a phone: {width}px wide"


def test_staff_submits_on_a_phone_and_the_department_head_approves(live_server, page, school, tmp_path):
    base = live_server.url
    pdf = tmp_path / ATTACHMENT
    pdf.write_bytes(PDF)

    # staff writes the item from her phone.
    log_in(page, base, "staff")
    open_menu(page)
    page.locator("#mainnav").get_by_role("link", name="新建议题").click()
    expect(page.get_by_role("heading", name="新建议题")).to_be_visible()
    assert_fits_phone(page)

    page.get_by_label("议题名称").fill(TITLE)
    page.get_by_label("拟提交会议").select_option(label="校长办公会")
    page.get_by_label("议题类别").select_option(label="决定")
    page.get_by_label("背景与依据").fill("现有实训设备老化，2027年度采购计划需按新专业设置调整。")
    page.get_by_label("建议方案").fill("调减通用设备采购，增加智能制造实训工位；预算总额不变。")
    page.locator("input[type=file][name=files]").set_input_files(pdf)
    assert_fits_phone(page)
    page.get_by_role("button", name="提交审核").click()

    expect(page).to_have_url(re.compile(r"/items/\d+/$"))
    expect(page.get_by_test_id("item-title")).to_have_text(TITLE)
    expect(page.get_by_test_id("item-state")).to_contain_text("部门审核中")
    expect(page.get_by_role("alert")).to_contain_text("议题已提交")
    expect(page.get_by_role("link", name=ATTACHMENT)).to_be_visible()
    assert_fits_phone(page)

    # Log out from the collapsed navbar.
    open_menu(page)
    page.get_by_test_id("account-menu").click()  # the account's links: one menu under the name
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login/$"))

    # The department head finds it in 审批待办 and approves it.
    log_in(page, base, "depthead")
    open_menu(page)
    page.locator("#mainnav").get_by_role("link", name="审批待办").click()
    expect(page).to_have_url(re.compile(r"/items/review/$"))
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    assert_fits_phone(page)

    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("item-state")).to_contain_text("部门审核中")
    approve = page.get_by_test_id("dept-approve")
    approve.scroll_into_view_if_needed()
    expect(approve).to_be_visible()
    approve.click()

    expect(page.get_by_test_id("item-state")).to_contain_text("待研判")
    expect(page.locator(".alert-success")).to_contain_text("部门审核通过")
    assert_fits_phone(page)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    item = AgendaItem.objects.get(title=TITLE)
    assert item.state == State.SCREENING
    assert item.attachments.count() == 1
    assert item.attachments.get().name == ATTACHMENT
