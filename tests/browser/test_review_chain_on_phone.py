"""On a phone: staff submits, the department head 审阅, the leader in charge 审核, the party office
审批; the item reaches screening and its page shows the whole chain with who and when."""

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from decisions.models import AgendaItem, ItemReview, State
from demo.review_chain import seed_chain_config
from org.models import Department, User
from org.services import portfolio_assign
from tests.browser.test_intake_on_phone import assert_fits_phone, log_in, open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOT = Path(__file__).resolve().parents[2] / "test-results" / "review-chain-phone.png"
TITLE = "关于建设虚拟仿真实训教学中心的请示"


def log_out(page: Page) -> None:
    open_menu(page)
    page.get_by_test_id("account-menu").click()  # the account's links: one menu under the name
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login/$"))


def take_my_step(page: Page, base: str, username: str, comment: str) -> None:
    """Find the item in 审批待办 from the phone's menu and approve this step with a comment."""
    log_in(page, base, username)
    open_menu(page)
    page.locator("#mainnav").get_by_role("link", name=re.compile("审批待办")).click()
    expect(page).to_have_url(re.compile(r"/items/review/$"))
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("review-waiting")).to_be_visible()
    page.get_by_label("审核意见（可选）").fill(comment)
    approve = page.get_by_test_id("dept-approve")
    approve.scroll_into_view_if_needed()
    approve.click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert_fits_phone(page)
    log_out(page)


def test_the_whole_chain_on_a_phone_reaches_screening(live_server, page, school):
    seed_chain_config()
    portfolio_assign(
        actor=None,
        leader=User.objects.get(username="member1"),
        department=Department.objects.get(name="教务处"),
        starts_on=dt.date(dt.date.today().year, 1, 1),
    )
    base = live_server.url

    log_in(page, base, "staff")
    open_menu(page)
    page.locator("#mainnav").get_by_role("link", name="新建议题").click()
    page.get_by_label("议题名称").fill(TITLE)
    page.get_by_label("拟提交会议").select_option(label="党委会")
    page.get_by_label("议题类别").select_option(label="提议")
    page.get_by_label("背景与依据").fill("专业群建设需要虚拟仿真实训条件。")
    page.get_by_label("建议方案").fill("利用闲置空间建设虚拟仿真实训教学中心，分两期实施。")
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_test_id("item-state")).to_contain_text("部门审核中")
    expect(page.get_by_test_id("review-step")).to_have_count(3)
    log_out(page)

    take_my_step(page, base, "depthead", "同意报送。")
    take_my_step(page, base, "member1", "同意，报党委会研究。")
    take_my_step(page, base, "partyoffice", "材料齐全。")

    item = AgendaItem.objects.get(title=TITLE)
    assert item.state == State.SCREENING
    steps = list(ItemReview.objects.filter(item=item).order_by("position"))
    assert [(s.label, s.acted_by.username, s.state) for s in steps] == [
        ("审阅", "depthead", "approved"),
        ("审核", "member1", "approved"),
        ("审批", "partyoffice", "approved"),
    ]

    # Its page shows the whole chain with who and when.
    log_in(page, base, "staff")
    page.goto(f"{base}/items/{item.pk}/")
    expect(page.get_by_test_id("item-state")).to_contain_text("待研判")
    chain = page.get_by_test_id("review-chain")
    expect(chain.get_by_test_id("review-step")).to_have_count(3)
    expect(chain.get_by_test_id("review-time")).to_have_count(3)
    for name, comment in [("吴晓东", "同意报送。"), ("张卫东", "同意，报党委会研究。"), ("孙丽", "材料齐全。")]:
        expect(chain).to_contain_text(name)
        expect(chain).to_contain_text(comment)
    expect(chain.get_by_test_id("review-time").first).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"))
    assert_fits_phone(page)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
