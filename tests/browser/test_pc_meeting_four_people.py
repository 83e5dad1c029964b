"""A Party committee meeting run by four people at once, each in their own browser: the Party
office (the meeting's secretary), two members and the chair. Attendance with 「全部出席」, a
recusal, opinions in order with the chair last, a vote, the tally appearing on the members'
screens without a reload (htmx polling), then the minutes sent, co-signed and locked.

The show-of-hands and secret-ballot entry and the autosaved minutes are other parts of the
meeting day; this test keeps to members voting on their own devices."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from decisions.models import MajorKind, State
from meetings import services
from meetings.models import Minutes, Opinion, Recusal, Vote
from tests.factories import at_state, meeting_for, with_materials

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "yishi2026"
DESKTOP = {"width": 1366, "height": 900}
TITLE = "关于建设智能制造实训基地的请示"
NAMES = {"secretary": "王建国", "principal": "李明华", "member1": "张卫东", "member2": "陈晓红"}
POLL_WAIT = 15_000  # the fragments poll every 3 s


def browser_of(browser: Browser, base: str, username: str) -> Page:
    """One person's own browser (a context of its own, so a session of its own)."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("whoami")).to_be_attached()
    return page


def mark_loaded(page: Page) -> None:
    """A flag that a reload would lose: the page is still the one loaded here."""
    page.evaluate("window.__notReloaded = true")


def not_reloaded(page: Page) -> bool:
    return page.evaluate("window.__notReloaded === true")


def success(page: Page):
    return page.locator(".alert-success[role=alert]")


def state_own_opinion(page: Page, text: str, *, speaker: str = "") -> None:
    if speaker:  # the chair runs the meeting too, and so may record anyone's: he picks himself
        page.get_by_label("发言人").select_option(label=speaker)
    page.get_by_label("同意", exact=True).check()
    page.get_by_label("发言要点").fill(text)
    page.get_by_test_id("record-opinion").click()


def test_four_people_run_a_pc_meeting_from_attendance_to_locked_minutes(live_server, browser, school, people):
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
    with_materials(item)
    services.meeting_publish(actor=partyoffice, meeting_id=meeting.pk)
    meeting_url, entry_url = f"{base}/meetings/{meeting.pk}/", f"{base}/meetings/entries/{entry.pk}/"

    office = browser_of(browser, base, "partyoffice")
    member1 = browser_of(browser, base, "member1")
    member2 = browser_of(browser, base, "member2")
    chair = browser_of(browser, base, "secretary")

    # The secretary opens the meeting and takes the attendance in one press, without a reload.
    office.goto(meeting_url)
    office.get_by_role("button", name="开始会议").click()
    expect(office.get_by_test_id("meeting-state")).to_have_text("会议进行中")
    mark_loaded(office)
    office.get_by_test_id("all-present").click()
    expect(office.get_by_test_id("attendance-note")).to_contain_text("全部登记为出席")
    for username in (*NAMES, "discipline"):
        expect(office.get_by_test_id(f"status-{username}")).to_have_text("出席")
    expect(office.get_by_test_id("attendance-count")).to_contain_text("成员实到 4 / 应到 4")
    assert not_reloaded(office)

    # The members and the chair open the item on their own screens, and keep them open.
    for page in (member1, member2, chair):
        page.goto(entry_url)
        expect(page.get_by_test_id("entry-title")).to_contain_text(TITLE)

    # The principal declares a conflict of interest: recorded by the secretary before deliberation.
    office.goto(entry_url)
    office.get_by_label("回避人").select_option(label=NAMES["principal"])
    office.get_by_placeholder("回避原因（必填）").fill("近亲属在承建单位任职")
    office.get_by_role("button", name="登记回避").click()
    expect(success(office)).to_contain_text("已登记回避")
    assert Recusal.objects.get(entry=entry).member.username == "principal"

    # Opinions: the chair cannot speak first; the speaking order on every screen follows along.
    state_own_opinion(chair, "同意。", speaker=NAMES["secretary"])
    expect(chair.locator(".alert-danger")).to_contain_text("主持人末位表态")
    mark_loaded(member2)
    state_own_opinion(member1, "同意，建议分期投入。")
    expect(success(member1)).to_contain_text("已记录表态")
    expect(member2.get_by_test_id("opinions")).to_contain_text(NAMES["member1"], timeout=POLL_WAIT)
    assert not_reloaded(member2)
    state_own_opinion(member2, "同意。")
    expect(success(member2)).to_contain_text("已记录表态")
    chair.goto(entry_url)
    state_own_opinion(chair, "同意，按程序推进。", speaker=NAMES["secretary"])
    expect(success(chair)).to_contain_text("已记录表态")
    spoken = [o.member.username for o in Opinion.objects.filter(entry=entry).order_by("recorded_at", "id")]
    assert spoken == ["member1", "member2", "secretary"]

    # The vote opens; the ballot appears on each member's open screen by itself.
    for page in (member1, member2, chair):
        page.goto(entry_url)
        mark_loaded(page)
    office.reload()
    office.get_by_test_id("vote-open").click()
    expect(office.get_by_test_id("vote-status")).to_contain_text("表决中")
    for page in (member1, member2, chair):
        expect(page.get_by_test_id("cast-vote")).to_be_visible(timeout=POLL_WAIT)
        assert not_reloaded(page)
    for page in (member1, member2, chair):
        page.get_by_label("赞成").check()
        page.get_by_test_id("cast-vote").click()
        expect(success(page)).to_contain_text("您的表决已记录")
        mark_loaded(page)
    assert Vote.objects.filter(entry=entry, choice=Vote.Choice.FOR).count() == 3

    # The secretary closes the vote: the tally reaches the members' screens without a reload.
    office.reload()
    expect(office.get_by_test_id("vote-status")).to_contain_text("已投 3 / 3 票")
    office.get_by_test_id("vote-close").click()
    expect(office.get_by_test_id("tally")).to_contain_text("获得通过")
    for page in (member1, member2, chair):
        expect(page.get_by_test_id("tally")).to_contain_text("应到 3 人：赞成 3，反对 0，弃权 0", timeout=POLL_WAIT)
        expect(page.get_by_test_id("tally")).to_contain_text("获得通过")
        assert not_reloaded(page)

    office.get_by_label("通过", exact=True).check()
    office.get_by_test_id("decide").click()
    expect(office.get_by_test_id("outcome")).to_have_text("通过")

    # Adjourned; the minutes are sent, co-signed by every member present, and locked.
    office.goto(meeting_url)
    office.get_by_role("button", name="散会").click()
    expect(office.get_by_test_id("meeting-state")).to_have_text("已散会")
    office.get_by_role("link", name=re.compile("会议纪要")).click()
    expect(office.get_by_label("纪要正文")).to_have_value(re.compile("近亲属在承建单位任职"))
    office.get_by_test_id("minutes-send").click()
    expect(office.get_by_test_id("minutes-state")).to_have_text("会签中")
    minutes_url = office.url
    for page in (member1, member2, chair):
        page.goto(minutes_url)
        page.get_by_test_id("minutes-sign").click()
        expect(success(page)).to_contain_text("您已会签")
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.state == Minutes.State.SIGNING  # the principal, present, has not signed yet
    services.minutes_sign(actor=people("principal"), minutes_id=minutes.pk)
    office.reload()
    expect(office.get_by_test_id("minutes-state")).to_have_text("已签发归档")
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.LOCKED and minutes.number

    for page in (office, member1, member2, chair):
        page.context.close()
