"""On phones: the Party office runs a Party committee meeting from the published agenda to the
archive PDF; the members vote and co-sign the minutes from their own phones."""

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from decisions.models import MajorKind, State
from meetings import services
from meetings.models import Meeting, Minutes, Resolution, Vote
from tests.browser.conftest import PHONE
from tests.factories import at_state, meeting_for, with_materials

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "yishi2026"
PHONE_WIDTH = 375
SCREENSHOT = Path(__file__).resolve().parents[2] / "test-results" / "meeting-phone.png"

TITLE = "关于建设智能制造实训基地的请示"
# The members of the Party committee (demo/people.py) by name: the chair, 王建国, speaks last.
MEMBERS = {"secretary": "王建国", "principal": "李明华", "member1": "张卫东", "member2": "陈晓红"}
RESOLUTION = re.compile(r"党委会〔\d{4}〕\d+号")
MINUTES_NUMBER = re.compile(r"党委会纪要〔\d{4}〕\d+号")


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("whoami")).to_be_attached()


def assert_fits_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH + 1, f"{page.url} scrolls sideways on a phone: {width}px wide"


def phone(browser: Browser) -> Page:
    """A member's own phone: a new context, so a new session. Confirm dialogs are accepted."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("dialog", lambda d: d.accept())
    return page


def success(page: Page):
    return page.locator(".alert-success[role=alert]")  # the message, not the quorum line


def record_opinion(page: Page, username: str, text: str) -> None:
    # The form for the next opinion, not the correction forms under those already recorded.
    form = page.locator("form").filter(has=page.get_by_test_id("record-opinion"))
    form.get_by_label("发言人").select_option(label=MEMBERS[username])
    form.get_by_label("同意", exact=True).check()
    form.get_by_label("发言要点").fill(text)
    button = form.get_by_test_id("record-opinion")
    button.scroll_into_view_if_needed()
    button.click()


def test_the_party_office_runs_a_pc_meeting_on_a_phone(live_server, browser, page, school, people):
    base = live_server.url
    partyoffice = people("partyoffice")
    item = at_state(
        State.READY,
        submitter=people("staff"),
        consultees=[people("member1")],
        major_kind=MajorKind.PROJECT,
        title=TITLE,
    )
    meeting = meeting_for("PC", days_ahead=3)
    entry = services.agenda_add(actor=partyoffice, meeting_id=meeting.pk, item_id=item.pk)
    with_materials(item)  # without materials the item would leave the agenda when the meeting opens
    meeting_url = f"{base}/meetings/{meeting.pk}/"
    entry_url = f"{base}/meetings/entries/{entry.pk}/"
    page.on("dialog", lambda d: d.accept())  # publish, adjourn, close the vote, send the minutes

    # The Party office publishes the agenda, opens the meeting and takes the attendance.
    log_in(page, base, "partyoffice")
    page.goto(meeting_url)
    state = page.get_by_test_id("meeting-state")
    expect(state).to_have_text("筹备中")
    expect(page.get_by_test_id("agenda")).to_contain_text(TITLE)
    assert_fits_phone(page)
    page.get_by_role("button", name="发布议程").click()
    expect(state).to_have_text("议程已发布")
    expect(success(page)).to_contain_text("议程已发布")
    page.get_by_role("button", name="开始会议").click()
    expect(state).to_have_text("会议进行中")
    for username in MEMBERS:
        present = page.get_by_test_id(f"present-{username}")
        present.scroll_into_view_if_needed()
        present.click()
        # Marked without a reload (htmx): the answer is in the attendance card.
        expect(page.get_by_test_id("attendance-note")).to_contain_text("已登记出席")
        expect(page.get_by_test_id(f"present-{username}")).to_have_count(0)
    expect(page.get_by_text("成员实到 4 / 应到 4")).to_be_visible()
    assert_fits_phone(page)

    # The item: opinions, the chair's last.
    page.get_by_test_id("agenda").get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("entry-title")).to_contain_text(TITLE)
    expect(page.get_by_test_id("quorum")).to_contain_text("本议题应到 4 人，实到 4 人")
    assert_fits_phone(page)
    record_opinion(page, "secretary", "同意。")
    expect(page.locator(".alert-danger")).to_contain_text("主持人末位表态：请先记录")
    expect(page.get_by_test_id("opinions")).to_contain_text("尚无表态")
    assert_fits_phone(page)
    for username in ("principal", "member1", "member2", "secretary"):
        record_opinion(page, username, "同意建设，注意分期投入。")
        expect(success(page)).to_contain_text("已记录表态")
        expect(page.get_by_test_id("opinions")).to_contain_text(MEMBERS[username])
    opinions = page.get_by_test_id("opinions").locator("li strong")
    expect(opinions).to_have_text([MEMBERS[u] for u in ("principal", "member1", "member2", "secretary")])

    page.get_by_test_id("vote-open").click()
    expect(page.get_by_test_id("vote-status")).to_contain_text("表决中")

    # Each member votes from their own phone.
    for username in ("member1", "member2", "secretary", "principal"):
        member = phone(browser)
        log_in(member, base, username)
        member.goto(entry_url)
        expect(member.get_by_test_id("vote-status")).to_contain_text("表决中")
        member.get_by_label("赞成").check()
        member.get_by_test_id("cast-vote").click()
        expect(success(member)).to_contain_text("您的表决已记录")
        expect(member.get_by_test_id("cast-vote")).to_have_count(0)
        assert_fits_phone(member)
        member.context.close()
    assert Vote.objects.filter(entry=entry, choice=Vote.Choice.FOR).count() == 4

    # The Party office closes the vote and records the outcome: a resolution with its number.
    page.reload()
    expect(page.get_by_test_id("vote-status")).to_contain_text("已投 4 / 4 票")
    page.get_by_test_id("vote-close").click()
    expect(page.get_by_test_id("tally")).to_contain_text("应到 4 人：赞成 4，反对 0，弃权 0")
    expect(page.get_by_test_id("tally")).to_contain_text("获得通过")
    page.get_by_label("通过", exact=True).check()
    decide = page.get_by_test_id("decide")
    decide.scroll_into_view_if_needed()
    decide.click()
    expect(page.get_by_test_id("outcome")).to_have_text("通过")
    expect(page.get_by_test_id("resolution-number")).to_have_text(RESOLUTION)
    number = page.get_by_test_id("resolution-number").inner_text()
    assert number == Resolution.objects.get(entry=entry).number
    assert_fits_phone(page)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # Adjourn; the minutes are drafted from the record and sent for co-signature.
    page.get_by_role("link", name=meeting.title).click()
    page.get_by_role("button", name="散会").click()
    expect(state).to_have_text("已散会")
    expect(page.get_by_test_id("agenda")).to_contain_text(number)
    assert_fits_phone(page)
    page.get_by_role("link", name=re.compile("会议纪要")).click()
    expect(page.get_by_test_id("minutes-state")).to_have_text("起草中")
    expect(page.get_by_label("纪要正文")).to_have_value(re.compile(re.escape(number)))
    assert_fits_phone(page)
    page.get_by_test_id("minutes-send").click()
    expect(page.get_by_test_id("minutes-state")).to_have_text("会签中")
    minutes_url = page.url

    for username in MEMBERS:
        member = phone(browser)
        log_in(member, base, username)
        member.goto(minutes_url)
        expect(member.get_by_test_id("minutes-text")).to_contain_text(number)
        member.get_by_test_id("minutes-sign").click()
        expect(success(member)).to_contain_text("您已会签")
        assert_fits_phone(member)
        member.context.close()

    page.reload()
    expect(page.get_by_test_id("minutes-state")).to_have_text("已签发归档")
    expect(page.get_by_role("heading", level=1)).to_have_text(MINUTES_NUMBER)
    assert_fits_phone(page)
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.state == Minutes.State.LOCKED and minutes.number in page.get_by_role("heading", level=1).inner_text()

    # The archive PDF, with the resolution number in its text.
    page.get_by_role("link", name=f"← {meeting.title}").click()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("link", name="下载归档PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert number in text
    assert minutes.number in text
    assert Meeting.objects.get(pk=meeting.pk).state == Meeting.State.ADJOURNED
