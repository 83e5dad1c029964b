"""On a phone: the head of 教务处 reports a supervision task done, with an evidence file, and asks
for closure （申请办结）； the discipline secretary, on her own phone, agrees to close it （同意办结）."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from decisions.models import State
from supervision.models import Evidence, Task
from tests.browser.conftest import PHONE
from tests.browser.test_intake_on_phone import PDF, assert_fits_phone, log_in
from tests.factories import at_state, resolution_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"
EVIDENCE = "实训室建设验收报告.pdf"


@pytest.fixture
def task(people):
    item = at_state(State.RESOLVED, submitter=people("staff"), title="关于建设智能制造实训室的请示")
    return resolution_task(
        item.resolutions.get(),
        title="智能制造实训室建设",
        milestones=[("完成验收", timezone.localdate() + dt.timedelta(days=20), 1)],
    )


def test_a_task_is_reported_done_and_closed_on_phones(live_server, browser, page, task, tmp_path):
    base = live_server.url
    pdf = tmp_path / EVIDENCE
    pdf.write_bytes(PDF)

    # The department head finds the task among his own and reports from his phone.
    log_in(page, base, "depthead")
    page.goto(f"{base}/supervision/")
    expect(page.get_by_role("heading", name="督查任务")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("link", name="智能制造实训室建设").click()
    expect(page).to_have_url(re.compile(rf"/supervision/tasks/{task.pk}/$"))
    expect(page.get_by_test_id("task-state")).to_have_text("待落实")
    assert_fits_phone(page)

    form = page.get_by_test_id("report-form")
    form.get_by_label("进展情况").fill("实训室已建成并通过验收，验收报告见附件。")
    form.locator("input[type=file][name=files]").set_input_files(pdf)
    form.get_by_label("申请办结").check()
    form.get_by_test_id("report-submit").click()

    expect(page.get_by_role("alert")).to_contain_text("办结报告已报送")
    expect(page.get_by_test_id("task-state")).to_have_text("已报送·待审核")
    expect(page.get_by_role("link", name=EVIDENCE)).to_be_visible()
    assert_fits_phone(page)
    assert Evidence.objects.get().name == EVIDENCE

    # The discipline secretary, in a context of her own, agrees to close it.
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    context.set_default_timeout(10_000)
    other = context.new_page()
    try:
        log_in(other, base, "discipline")
        other.goto(f"{base}/supervision/?tab=review")
        expect(other.get_by_test_id("waiting")).to_have_count(1)
        assert_fits_phone(other)
        other.get_by_role("link", name="智能制造实训室建设").click()
        review = other.get_by_test_id("review-form")
        expect(review.get_by_label("同意办结")).to_be_checked()  # a final report is answered by closing
        review.get_by_label("审核意见").fill("佐证材料齐全，同意办结。")
        review.get_by_label("评价").select_option(label="优秀")
        assert_fits_phone(other)
        review.get_by_test_id("review-submit").click()

        expect(other.get_by_role("alert")).to_contain_text("已同意办结")
        expect(other.get_by_test_id("task-state")).to_have_text("已办结")
        expect(other.get_by_test_id("progress")).to_have_text("100%")
        expect(other.get_by_test_id("review")).to_contain_text("佐证材料齐全，同意办结。")
        assert_fits_phone(other)
        SCREENSHOTS.mkdir(exist_ok=True)
        other.screenshot(path=str(SCREENSHOTS / "supervision-phone.png"), full_page=True)
    finally:
        context.close()

    task.refresh_from_db()
    assert task.state == Task.State.CLOSED
    # The department head sees it closed too.
    page.reload()
    expect(page.get_by_test_id("task-state")).to_have_text("已办结")
    assert_fits_phone(page)
