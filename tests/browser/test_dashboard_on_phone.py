"""On a phone: the Party secretary opens the school's figures （学校数据） from his desk, finds the
charts on a 375 px screen without scrolling sideways, narrows them to one department and
downloads a table as an Excel file, which opens with its Chinese headers and the page's figures."""

import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from decisions.models import State
from tests.browser.conftest import PHONE
from tests.browser.test_intake_on_phone import assert_fits_phone, log_in
from tests.factories import at_state, reported_task, resolution_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture
def figures(people):
    """A resolved item with two tasks for 教务处 (one reported) and one in review: something to draw."""
    staff = people("staff")
    item = at_state(State.RESOLVED, submitter=staff, title="关于建设智能制造实训室的请示")
    resolution = item.resolutions.get()
    reported_task(resolution_task(resolution, title="实训室建设"))
    resolution_task(resolution, title="实训耗材采购", track="project", department="财务处")
    at_state(State.DEPT_REVIEW, submitter=staff, title="关于调整教学日历的请示")


def test_the_secretary_reads_the_school_figures_on_a_phone_and_downloads_a_table(live_server, page, figures, tmp_path):
    base = live_server.url
    log_in(page, base, "secretary")
    expect(page.get_by_test_id("waiting-total")).to_be_visible()
    assert_fits_phone(page)

    page.get_by_test_id("leaders-link").click()
    expect(page).to_have_url(re.compile(r"/dashboard/leaders/$"))
    expect(page.get_by_role("heading", name="学校数据")).to_be_visible()
    chart = page.get_by_test_id("chart-tracks")
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and 250 <= box["width"] <= PHONE["width"], box  # drawn to the screen's width
    expect(page.get_by_test_id("chart-stages")).to_be_visible()
    assert_fits_phone(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-leaders-phone.png"), full_page=True)

    # One department: 教务处 leads one task of the two.
    page.get_by_label("部门", exact=True).select_option(label="教务处")
    page.get_by_role("button", name="查看").click()
    expect(page).to_have_url(re.compile(r"department=\d+"))
    expect(page.get_by_test_id("period")).to_contain_text("部门：教务处")
    assert_fits_phone(page)

    with page.expect_download() as download_info:
        page.get_by_test_id("export-departments").click()
    download = download_info.value
    assert re.fullmatch(r"dashboard-departments-\d{4}\.xlsx", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    wb = openpyxl.load_workbook(saved)
    sheet = wb["督查任务按牵头部门"]
    assert [c.value for c in sheet[1]] == [
        "牵头部门",
        "任务总数",
        "已办结",
        "按期办结",
        "在办",
        "逾期未办结",
        "按时办结率（%）",
    ]
    # 实训室建设: open, not yet due: counted, not judged for the on-time rate.
    assert [c.value for c in sheet[2]] == ["教务处", 1, 0, 0, 1, 0, "—"]
    about = dict(wb["统计口径"].iter_rows(min_row=2, values_only=True))
    assert about["部门"] == "教务处"

    # Back on the desk, still a phone's width.
    page.goto(f"{base}/")
    expect(page.get_by_test_id("section-screening")).to_be_visible()
    assert_fits_phone(page)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-home-phone.png"), full_page=True)
