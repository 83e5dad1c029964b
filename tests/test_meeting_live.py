"""The live room (issue 14, point 4): the item's record, the member's ballot and the meeting's
current item refresh by polling small fragments (plain GETs: 204 when nothing changed), and the
projector (大屏) shows the current item, who has spoken (not what) and the count once the vote
has closed; a confidential item's title only to those its rule allows."""

import re

from decisions.models import MajorKind, State
from meetings import services
from tests.factories import all_opinions, at_state, running_meeting


def major_item(people, title="关于建设智能制造实训基地的请示", **fields):
    fields.setdefault("major_kind", MajorKind.PROJECT)
    return at_state(State.READY, submitter=people("staff"), consultees=[people("member1")], title=title, **fields)


def sig_of(html: str, url_part: str) -> str:
    return re.search(re.escape(url_part) + r"\?sig=([0-9a-zA-Z\-]+)", html).group(1)


def test_the_tally_reaches_a_members_screen_by_polling(client, people):
    meeting, (entry,) = running_meeting([major_item(people)], "PC")
    office = people("partyoffice")
    all_opinions(entry, meeting)
    services.vote_open(actor=office, entry_id=entry.pk)
    client.force_login(people("member1"))
    page = client.get(f"/meetings/entries/{entry.pk}/").content.decode()
    live_url = f"/meetings/entries/{entry.pk}/live/"
    sig = sig_of(page, live_url)

    assert client.get(live_url, {"sig": sig}).status_code == 204  # nothing changed: nothing redrawn
    for name in ("secretary", "principal", "member1", "member2"):
        services.vote_cast(actor=people(name), entry_id=entry.pk, choice="for")
    counted = client.get(live_url, {"sig": sig})
    assert counted.status_code == 200 and "已投 4 / 4 票" in counted.content.decode()
    assert 'data-testid="tally"' not in counted.content.decode()  # ballots secret until closed

    services.vote_close(actor=office, entry_id=entry.pk)
    closed = client.get(live_url, {"sig": sig_of(counted.content.decode(), live_url)}).content.decode()
    assert "<html" not in closed
    assert 'data-testid="tally"' in closed and "赞成 4" in closed and "获得通过" in closed


def test_the_ballot_appears_when_the_vote_opens(client, people):
    meeting, (entry,) = running_meeting([major_item(people)], "PC")
    all_opinions(entry, meeting)
    client.force_login(people("member2"))
    ballot_url = f"/meetings/entries/{entry.pk}/ballot/"
    page = client.get(f"/meetings/entries/{entry.pk}/").content.decode()
    sig = sig_of(page, ballot_url)
    assert 'data-testid="cast-vote"' not in page

    assert client.get(ballot_url, {"sig": sig}).status_code == 204
    services.vote_open(actor=people("partyoffice"), entry_id=entry.pk)
    opened = client.get(ballot_url, {"sig": sig})
    assert opened.status_code == 200 and 'data-testid="cast-vote"' in opened.content.decode()


def test_the_speaking_order_puts_the_chair_last_and_names_who_is_next(client, people):
    meeting, (entry,) = running_meeting([major_item(people)], "PC")
    services.opinion_record(
        actor=people("partyoffice"), entry_id=entry.pk, member_id=people("principal").pk, stance="agree"
    )
    client.force_login(people("partyoffice"))
    html = client.get(f"/meetings/entries/{entry.pk}/live/").content.decode()
    order = re.findall(r'data-testid="speaker">([^<]+)<', html)
    assert [o.split(" ")[0].split("（")[0] for o in order][-1] == str(people("secretary"))  # the chair last
    assert f"{people('principal')} ✓" in html
    assert "（请发言）" in html


def test_the_meeting_page_shows_the_current_item_and_refreshes_it(client, people):
    first, second = major_item(people, "第一项议题"), major_item(people, "第二项议题")
    meeting, (e1, _e2) = running_meeting([first, second], "PC")
    client.force_login(people("member1"))
    live_url = f"/meetings/{meeting.pk}/live/"
    html = client.get(live_url).content.decode()
    assert "第一项议题" in html and 'data-testid="current-item"' in html
    sig = sig_of(html, live_url)
    assert client.get(live_url, {"sig": sig}).status_code == 204

    office = people("partyoffice")
    all_opinions(e1, meeting)
    services.vote_open(actor=office, entry_id=e1.pk)
    for name in ("secretary", "principal", "member1", "member2"):
        services.vote_cast(actor=people(name), entry_id=e1.pk, choice="for")
    services.vote_close(actor=office, entry_id=e1.pk)
    services.entry_decide(actor=office, entry_id=e1.pk, outcome="passed")

    moved = client.get(live_url, {"sig": sig}).content.decode()
    assert "第二项议题" in moved.split('data-testid="current-title"')[1].split("</div>")[0]


def test_the_projector_shows_who_has_spoken_not_what_and_the_count_once_closed(client, people):
    meeting, (entry,) = running_meeting([major_item(people)], "PC")
    office = people("partyoffice")
    services.opinion_record(
        actor=office, entry_id=entry.pk, member_id=people("member1").pk, stance="agree", text="建议分期建设，控制预算"
    )
    client.force_login(office)
    screen = client.get(f"/meetings/{meeting.pk}/screen/").content.decode()
    assert "关于建设智能制造实训基地的请示" in screen and f"{people('member1')} ✓" in screen
    assert "建议分期建设" not in screen  # who spoke, never what

    for name in ("principal", "member2", "secretary"):
        services.opinion_record(actor=office, entry_id=entry.pk, member_id=people(name).pk, stance="agree")
    services.vote_open(actor=office, entry_id=entry.pk)
    services.vote_cast(actor=people("member1"), entry_id=entry.pk, choice="against")
    during = client.get(f"/meetings/{meeting.pk}/screen/live/").content.decode()
    assert "表决中：已投 1 / 4 票" in during and "反对" not in during
    for name in ("principal", "member2", "secretary"):
        services.vote_cast(actor=people(name), entry_id=entry.pk, choice="for")
    services.vote_close(actor=office, entry_id=entry.pk)
    after = client.get(f"/meetings/{meeting.pk}/screen/live/").content.decode()
    assert "赞成 3，反对 1，弃权 0" in after and "获得通过" in after
    assert str(people("member1")) + "：" not in after  # no one's ballot is named


def test_a_confidential_item_is_not_named_on_the_projector_of_someone_outside_the_meeting(client, people):
    secret = major_item(people, "保密：干部调整方案", confidential=True, major_kind=MajorKind.APPOINTMENT)
    meeting, _entries = running_meeting([secret], "PC")
    client.force_login(people("vice"))  # a leader: sees the meeting, does not attend PC
    screen = client.get(f"/meetings/{meeting.pk}/screen/")
    live = client.get(f"/meetings/{meeting.pk}/live/")
    for response in (screen, live):
        assert response.status_code == 200
        html = response.content.decode()
        assert "干部调整方案" not in html and "（涉密议题）" in html
    client.force_login(people("member2"))  # an attendee
    assert "保密：干部调整方案" in client.get(f"/meetings/{meeting.pk}/screen/").content.decode()


def test_someone_who_does_not_see_the_meeting_gets_404_on_every_live_url(client, people):
    meeting, (entry,) = running_meeting([major_item(people)], "PC")
    client.force_login(people("teacher"))
    for url in (
        f"/meetings/{meeting.pk}/live/",
        f"/meetings/{meeting.pk}/screen/",
        f"/meetings/{meeting.pk}/screen/live/",
        f"/meetings/entries/{entry.pk}/live/",
        f"/meetings/entries/{entry.pk}/ballot/",
    ):
        assert client.get(url).status_code == 404, url
