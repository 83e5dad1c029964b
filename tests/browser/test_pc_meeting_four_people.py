"""A Party committee meeting run by four people at once, each in their own browser: the Party
office (the meeting's secretary), two members and the chair. Attendance with 「全部出席」, a
recusal, opinions in order with the chair last; a project decided by show of hands, which the
secretary enters member by member; an appointment decided by secret ballot, after which no row
anywhere ties a member to his choice; each tally reaching the members' screens without a reload
(htmx polling); the minutes edited and saved by themselves, sent, co-signed and locked; then the
meeting pack (PDF) and the minutes (公文 .docx) downloaded from the pages and read back.

Members voting on their own devices in a named vote: tests/browser/test_meeting_on_phone.py."""

import io
import re
from urllib.parse import urljoin

import pytest
from django.db import connection
from docx import Document
from playwright.sync_api import Browser, Page, expect
from psycopg import sql
from pypdf import PdfReader

from core.models import AuditEvent
from decisions.models import MajorKind, State
from meetings import services
from meetings.models import BallotCast, Minutes, Opinion, Recusal, SecretBallot, Vote
from tests.factories import at_state, meeting_for, with_materials

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "yishi2026"
DESKTOP = {"width": 1366, "height": 900}
PROJECT = "关于建设智能制造实训基地的请示"
APPOINTMENT = "关于聘任教务处处长的提议"
NAMES = {"secretary": "王建国", "principal": "李明华", "member1": "张卫东", "member2": "陈晓红"}
POLL_WAIT = 15_000  # the fragments poll every 3 s
AUTOSAVE_WAIT = 15_000  # the editor saves 3 s after the last keystroke


@pytest.fixture
def browser_of(browser: Browser, live_server):
    """One person's own browser, logged in (a context of its own, so a session of its own).
    All are closed before the database is emptied, pass or fail: no page is left polling."""
    contexts = []

    def open_as(username: str) -> Page:
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        contexts.append(context)
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on("dialog", lambda d: d.accept())
        page.goto(f"{live_server.url}/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_test_id("whoami")).to_be_attached()
        return page

    yield open_as
    for context in contexts:
        context.close()


def mark_loaded(page: Page) -> None:
    """A flag that a reload would lose: the page is still the one loaded here."""
    page.evaluate("window.__notReloaded = true")


def not_reloaded(page: Page) -> bool:
    return page.evaluate("window.__notReloaded === true")


def success(page: Page):
    return page.locator(".alert-success[role=alert]")


def state_opinion(page: Page, text: str, *, speaker: str = "") -> None:
    # The form for the next opinion, not the correction forms under those already recorded.
    form = page.locator("form").filter(has=page.get_by_test_id("record-opinion"))
    if speaker:  # those who run the meeting record anyone's: they pick the speaker
        form.get_by_label("发言人").select_option(label=speaker)
    form.get_by_label("同意", exact=True).check()
    form.get_by_label("发言要点").fill(text)
    form.get_by_test_id("record-opinion").click()


def speakers_in_order(page: Page, names: list[str]) -> None:
    expect(page.get_by_test_id("opinions").locator("li strong")).to_have_text(names)


def spoken(entry) -> list[str]:
    return [o.member.username for o in Opinion.objects.filter(entry=entry).order_by("recorded_at", "id")]


def download(page: Page, test_id: str) -> bytes:
    """What the link on the page serves, fetched with this person's session."""
    href = page.get_by_test_id(test_id).get_attribute("href")
    response = page.context.request.get(urljoin(page.url, href))
    assert response.ok, f"{href}: {response.status}"
    return response.body()


def rows_with_value(value: str) -> list[str]:
    """Every row of every table in the database that holds `value` as a column's (or a JSON
    field's) value."""
    needle = f':"{value}"'
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(sql.SQL("SELECT row_to_json(t)::text FROM {} t").format(sql.Identifier(table)))
            found += [f"{table}: {row}" for (row,) in cursor.fetchall() if needle in row]
    return found


def test_four_people_run_a_pc_meeting_from_attendance_to_the_papers(live_server, browser_of, school, people):
    base = live_server.url
    partyoffice = people("partyoffice")
    project = at_state(
        State.READY,
        submitter=people("staff"),
        consultees=[people("member1")],
        major_kind=MajorKind.PROJECT,
        title=PROJECT,
    )
    appointment = at_state(
        State.READY,
        submitter=people("staff"),
        consultees=[people("member1")],
        major_kind=MajorKind.APPOINTMENT,
        title=APPOINTMENT,
    )
    meeting = meeting_for("PC", days_ahead=3)
    first = services.agenda_add(actor=partyoffice, meeting_id=meeting.pk, item_id=project.pk)
    second = services.agenda_add(actor=partyoffice, meeting_id=meeting.pk, item_id=appointment.pk)
    with_materials(project)
    with_materials(appointment)
    services.meeting_publish(actor=partyoffice, meeting_id=meeting.pk)
    meeting_url = f"{base}/meetings/{meeting.pk}/"
    first_url, second_url = f"{base}/meetings/entries/{first.pk}/", f"{base}/meetings/entries/{second.pk}/"

    office = browser_of("partyoffice")
    member1 = browser_of("member1")
    member2 = browser_of("member2")
    chair = browser_of("secretary")
    members = (member1, member2, chair)

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

    # --- 1. The project: a recusal, opinions with the chair last, a show of hands. -------------
    for page in members:
        page.goto(first_url)
        expect(page.get_by_test_id("entry-title")).to_contain_text(PROJECT)

    # The principal declares a conflict of interest: recorded by the secretary before deliberation.
    office.goto(first_url)
    office.get_by_label("回避人").select_option(label=NAMES["principal"])
    office.get_by_placeholder("回避原因（必填）").fill("近亲属在承建单位任职")
    office.get_by_role("button", name="登记回避").click()
    expect(success(office)).to_contain_text("已登记回避")
    assert Recusal.objects.get(entry=first).member.username == "principal"
    expect(office.get_by_test_id("quorum")).to_contain_text("回避 1 人")

    # Opinions: the chair cannot speak first; the speaking order on every screen follows along.
    state_opinion(chair, "同意。", speaker=NAMES["secretary"])
    expect(chair.locator(".alert-danger")).to_contain_text("主持人末位表态")
    mark_loaded(member2)
    state_opinion(member1, "同意，建议分期投入。")
    expect(success(member1)).to_contain_text("已记录表态")
    expect(member2.get_by_test_id("opinions")).to_contain_text(NAMES["member1"], timeout=POLL_WAIT)
    assert not_reloaded(member2)
    state_opinion(member2, "同意。")
    expect(success(member2)).to_contain_text("已记录表态")
    chair.goto(first_url)
    state_opinion(chair, "同意，按程序推进。", speaker=NAMES["secretary"])
    expect(success(chair)).to_contain_text("已记录表态")
    speakers_in_order(chair, [NAMES[u] for u in ("member1", "member2", "secretary")])
    assert spoken(first) == ["member1", "member2", "secretary"]

    # The chair calls a show of hands; the secretary's open page grows the entry sheet by itself.
    mark_loaded(office)
    chair.get_by_label("举手表决（记录人逐人登记）").check()
    chair.get_by_test_id("vote-open").click()
    expect(chair.get_by_test_id("vote-status")).to_contain_text("表决中（举手表决")
    expect(office.get_by_test_id("vote-sheet")).to_be_visible(timeout=POLL_WAIT)
    assert not_reloaded(office)
    expect(office.get_by_test_id("vote-sheet").locator("li strong")).to_have_text(
        [NAMES[u] for u in ("member1", "member2", "secretary")]  # the principal is recused
    )
    for page in (member1, member2):
        page.reload()
        expect(page.get_by_test_id("vote-status")).to_contain_text("举手表决")
        expect(page.get_by_test_id("cast-vote")).to_have_count(0)  # hands are counted, not cast
    for username, choice in (("member1", "for"), ("member2", "against"), ("secretary", "for")):
        office.get_by_test_id(f"enter-{username}-{choice}").click()
        expect(success(office)).to_contain_text("已登记该成员的表决")
    expect(office.get_by_test_id("entered-member2")).to_have_text("反对")
    expect(office.get_by_test_id("vote-status")).to_contain_text("已投 3 / 3 票")
    entered = {v.member.username: (v.choice, v.entered_by.username) for v in Vote.objects.filter(entry=first)}
    assert entered == {
        "member1": ("for", "partyoffice"),
        "member2": ("against", "partyoffice"),
        "secretary": ("for", "partyoffice"),
    }

    # The secretary closes it: the tally reaches the members' screens without a reload.
    for page in members:
        page.goto(first_url)
        mark_loaded(page)
    office.get_by_test_id("vote-close").click()
    expect(office.get_by_test_id("tally")).to_contain_text("获得通过")
    for page in members:
        expect(page.get_by_test_id("tally")).to_contain_text("应到 3 人：赞成 2，反对 1，弃权 0", timeout=POLL_WAIT)
        expect(page.get_by_test_id("tally")).to_contain_text("获得通过")
        expect(page.get_by_test_id("votes")).to_contain_text(f"{NAMES['member2']}：反对")
        assert not_reloaded(page)
    office.get_by_label("通过", exact=True).check()
    office.get_by_test_id("decide").click()
    expect(office.get_by_test_id("outcome")).to_have_text("通过")

    # --- 2. The appointment: a secret ballot on the members' own screens. ----------------------
    for page in members:
        page.goto(second_url)
        expect(page.get_by_test_id("entry-title")).to_contain_text(APPOINTMENT)
    office.goto(second_url)
    expect(office.get_by_test_id("quorum")).to_contain_text("本议题应到 4 人，实到 4 人")
    # The principal has no screen open: the secretary records what he says.
    state_opinion(office, "同意，人选符合任职条件。", speaker=NAMES["principal"])
    expect(success(office)).to_contain_text("已记录表态")
    for page in (member1, member2):
        state_opinion(page, "同意。")
        expect(success(page)).to_contain_text("已记录表态")
    state_opinion(chair, "同意。", speaker=NAMES["secretary"])
    expect(success(chair)).to_contain_text("已记录表态")
    speakers_in_order(chair, [NAMES[u] for u in ("principal", "member1", "member2", "secretary")])
    assert spoken(second) == ["principal", "member1", "member2", "secretary"]

    # A personnel item goes to a secret ballot; the ballot appears on each open screen by itself.
    for page in members:
        page.goto(second_url)
        mark_loaded(page)
    office.reload()
    expect(office.get_by_label("无记名投票")).to_be_checked()
    office.get_by_test_id("vote-open").click()
    expect(office.get_by_test_id("vote-status")).to_contain_text("表决中（无记名投票）")
    expect(office.get_by_test_id("vote-sheet")).to_have_count(0)  # nobody enters a secret ballot
    for page in members:
        expect(page.get_by_test_id("cast-vote")).to_be_visible(timeout=POLL_WAIT)
        assert not_reloaded(page)
    mark_loaded(office)
    for page, choice in ((member1, "赞成"), (member2, "弃权"), (chair, "赞成")):
        page.get_by_label(choice, exact=True).check()
        page.get_by_test_id("cast-vote").click()
        expect(success(page)).to_contain_text("您的表决已记录")
        expect(page.get_by_test_id("ballot").get_by_test_id("has-voted")).to_be_visible()
        mark_loaded(page)
    services.vote_cast(actor=people("principal"), entry_id=second.pk, choice=Vote.Choice.FOR)
    expect(office.get_by_test_id("vote-status")).to_contain_text("已投 4 / 4 票", timeout=POLL_WAIT)
    assert not_reloaded(office)

    office.get_by_test_id("vote-close").click()
    expect(office.get_by_test_id("tally")).to_contain_text("获得通过")
    for page in members:
        expect(page.get_by_test_id("tally")).to_contain_text("应到 4 人：赞成 3，反对 0，弃权 1", timeout=POLL_WAIT)
        expect(page.get_by_test_id("tally")).to_contain_text("获得通过")
        expect(page.get_by_test_id("votes")).to_have_count(0)  # no one's choice, even now
        assert not_reloaded(page)
    office.get_by_label("通过", exact=True).check()
    office.get_by_test_id("decide").click()
    expect(office.get_by_test_id("outcome")).to_have_text("通过")

    # Only the count and who has voted are kept: member2 alone abstained, and no row anywhere
    # (votes, audit events, sessions, jobs, ...) holds that choice beside anyone.
    box = SecretBallot.objects.get(entry=second)
    assert (box.votes_for, box.votes_against, box.votes_abstain) == (3, 0, 1)
    assert not Vote.objects.filter(entry=second).exists()
    assert {b.member.username for b in BallotCast.objects.filter(entry=second)} == set(NAMES)
    assert {f.name for f in BallotCast._meta.concrete_fields} == {"id", "entry", "member"}
    assert rows_with_value(Vote.Choice.ABSTAIN) == [] and rows_with_value(Vote.Choice.ABSTAIN.label) == []
    casts = AuditEvent.objects.filter(verb="meeting.vote_cast", data__entry=second.pk)
    assert casts.count() == 4 and all(set(e.data) == {"entry"} for e in casts)

    # --- The minutes: drafted at adjournment, autosaved, sent as last typed, co-signed. --------
    office.goto(meeting_url)
    office.get_by_role("button", name="散会").click()
    expect(office.get_by_test_id("meeting-state")).to_have_text("已散会")
    office.get_by_role("link", name=re.compile("会议纪要")).click()
    minutes_url = office.url
    editor = office.get_by_label("纪要正文")
    expect(editor).to_have_value(re.compile("近亲属在承建单位任职"))
    expect(editor).to_have_value(re.compile("赞成 3 票，反对 0 票，弃权 1 票"))
    first_edit = "会议要求：实训基地建设分两期实施，首期于暑假前完成。"
    editor.fill(editor.input_value() + first_edit + "\n")
    expect(office.get_by_test_id("autosave-status")).to_contain_text("已自动保存", timeout=AUTOSAVE_WAIT)
    office.reload()  # no save pressed: the text is on the server
    expect(editor).to_have_value(re.compile(first_edit))
    saved = Minutes.objects.get(meeting=meeting)
    assert first_edit in saved.text
    expect(office.locator("#autosave")).to_contain_text(f"第 {saved.version} 版")
    last_edit = "聘任自发文之日起生效，试用期一年。"
    editor.fill(editor.input_value() + last_edit + "\n")
    office.get_by_test_id("minutes-send").click()  # at once, before the editor saves by itself
    expect(office.get_by_test_id("minutes-state")).to_have_text("会签中")
    expect(office.get_by_test_id("minutes-text")).to_contain_text(last_edit)
    expect(office.get_by_test_id("minutes-text")).to_contain_text(first_edit)

    for page in members:
        page.goto(minutes_url)
        expect(page.get_by_test_id("minutes-text")).to_contain_text(last_edit)
        page.get_by_test_id("minutes-sign").click()
        expect(success(page)).to_contain_text("您已会签")
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.state == Minutes.State.SIGNING  # the principal, present, has not signed yet
    services.minutes_sign(actor=people("principal"), minutes_id=minutes.pk)
    for page in (office, chair):
        page.reload()
        expect(page.get_by_test_id("minutes-state")).to_have_text("已签发归档")
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.LOCKED and minutes.number
    assert first_edit in minutes.text and last_edit in minutes.text

    # --- The papers, from the links on the pages, read back. ---------------------------------
    member1.goto(meeting_url)
    pack = PdfReader(io.BytesIO(download(member1, "pack-pdf")))
    pack_text = "".join(p.extract_text() for p in pack.pages)
    for title in (PROJECT, APPOINTMENT):
        assert title in pack_text, title
    word = Document(io.BytesIO(download(chair, "minutes-docx")))
    word_text = "\n".join(p.text for p in word.paragraphs)
    for expected in (PROJECT, APPOINTMENT, minutes.number, first_edit, last_edit, "弃权 1 票"):
        assert expected in word_text, expected
