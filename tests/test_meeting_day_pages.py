"""The meeting-day pages a secretary uses: the speaker list (chair last, next speaker chosen),
the vote in the chair's mode (the recorder's sheet for a show of hands, the secret ballot page
that shows who has voted and the counts only), corrections with their history, and the minutes
editor that saves by itself and refuses a stale save with the other person's text."""

import re

from django.urls import reverse

from decisions.models import Category, MajorKind, State
from meetings import access, services
from meetings.models import Attendance, AttendanceCorrection, Minutes, Opinion, Vote
from tests.factories import all_opinions, at_state, running_meeting

HX = {"HTTP_HX_REQUEST": "true"}


def meeting_with(people, *, major_kind=MajorKind.PROJECT, **fields):
    item = at_state(
        State.READY, submitter=people("staff"), consultees=[people("member1")], major_kind=major_kind, **fields
    )
    meeting, (entry,) = running_meeting([item])
    return meeting, entry


def page(client, who, entry):
    client.force_login(who)
    response = client.get(reverse("meetings:entry", args=[entry.pk]))
    assert response.status_code == 200
    return response.content.decode()


def act(client, who, entry, action, **data):
    client.force_login(who)
    return client.post(reverse("meetings:entry_act", args=[entry.pk, action]), data)


def selected_speaker(html: str) -> str:
    select = re.search(r'<select name="member".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="(\d+)"[^>]*selected', select).group(1)


def test_the_speaker_list_preselects_the_next_member_and_keeps_the_chair_last(client, people):
    meeting, entry = meeting_with(people)
    recorder = people("partyoffice")
    order = access.speaking_order(meeting, services.entry_facts(entry, meeting)["present"])

    html = page(client, recorder, entry)
    options = re.findall(r'<option value="(\d+)"', re.search(r'<select name="member".*?</select>', html, re.S).group(0))
    assert [int(o) for o in options] == order and order[-1] == people("secretary").pk
    assert selected_speaker(html) == str(order[0])

    services.opinion_record(actor=recorder, entry_id=entry.pk, member_id=order[0], stance="agree")
    assert selected_speaker(page(client, recorder, entry)) == str(order[1])


def test_the_chair_chooses_among_every_mode_the_recorder_only_the_default(client, people):
    meeting, entry = meeting_with(people)
    all_opinions(entry, meeting)
    modes = re.compile(r'name="mode" value="(\w+)"')

    assert modes.findall(page(client, people("secretary"), entry)) == ["named", "hands", "oral", "secret"]
    assert modes.findall(page(client, people("partyoffice"), entry)) == ["named"]
    response = act(client, people("partyoffice"), entry, "vote_open", mode="hands")
    assert response.status_code == 403
    assert "只有会议主持人可以改变表决方式" in response.content.decode()


def test_a_show_of_hands_is_entered_and_corrected_on_the_page(client, people):
    meeting, entry = meeting_with(people)
    all_opinions(entry, meeting)
    recorder = people("partyoffice")
    assert act(client, people("secretary"), entry, "vote_open", mode="hands").status_code == 302

    html = page(client, recorder, entry)
    assert 'data-testid="vote-sheet"' in html and 'data-testid="enter-member1-for"' in html
    for username in ("secretary", "principal", "member1", "member2"):
        response = act(client, recorder, entry, "vote_enter", member=people(username).pk, choice="for")
        assert response.status_code == 302
    assert 'data-testid="entered-member2"' in page(client, recorder, entry)

    wrong = Vote.objects.get(entry=entry, member__username="member2")
    refusal = act(client, people("member1"), entry, "correct_vote", vote=wrong.pk, choice="against", reason="x")
    assert refusal.status_code == 403
    assert (
        act(client, recorder, entry, "correct_vote", vote=wrong.pk, choice="against", reason="看错了手").status_code
        == 302
    )
    act(client, recorder, entry, "vote_close")

    html = page(client, people("member1"), entry)
    assert "赞成 3，反对 1" in html
    history = re.search(r'data-testid="corrections".*?</div></div>', html, re.S).group(0)
    assert "看错了手" in history and "赞成 → 反对" in history


def test_a_member_votes_by_secret_ballot_and_the_page_shows_only_who_and_how_many(client, people):
    meeting, entry = meeting_with(people, major_kind=MajorKind.APPOINTMENT, title="关于任命教务处副处长的提议")
    all_opinions(entry, meeting)
    services.vote_open(actor=people("partyoffice"), entry_id=entry.pk)
    member1 = people("member1")

    assert act(client, member1, entry, "vote", choice="against").status_code == 302
    html = page(client, member1, entry)
    assert 'data-testid="has-voted"' in html and 'data-testid="cast-vote"' not in html
    assert "反对" not in re.search(r'data-testid="vote-status".*?</p>', html, re.S).group(0)
    for username in ("secretary", "principal", "member2"):
        services.vote_cast(actor=people(username), entry_id=entry.pk, choice="for")
    services.vote_close(actor=people("partyoffice"), entry_id=entry.pk)

    html = page(client, people("principal"), entry)
    assert "赞成 3，反对 1，弃权 0" in html
    assert 'data-testid="votes"' not in html  # no list of who chose what
    assert "无记名投票" in html


def test_an_opinion_is_corrected_on_the_page_and_kept_in_the_history(client, people):
    meeting, entry = meeting_with(people)
    recorder = people("partyoffice")
    services.opinion_record(
        actor=recorder, entry_id=entry.pk, member_id=people("member1").pk, stance="agree", text="同意"
    )
    old = Opinion.objects.get(entry=entry)

    refusal = act(
        client, people("member1"), entry, "correct_opinion", opinion=old.pk, stance="reserve", text="", reason="x"
    )
    assert refusal.status_code == 403
    assert "只有会议记录人或会务部门可以更正会议记录" in refusal.content.decode()
    missing = act(client, recorder, entry, "correct_opinion", opinion=old.pk, stance="reserve", text="再议", reason="")
    assert missing.status_code == 409 and "更正须写明理由" in missing.content.decode()
    done = act(client, recorder, entry, "correct_opinion", opinion=old.pk, stance="reserve", text="再议", reason="误记")
    assert done.status_code == 302

    html = page(client, recorder, entry)
    assert re.search(r'data-testid="opinion-member1".*?保留意见', html, re.S)
    assert "误记" in re.search(r'data-testid="corrections".*?</div></div>', html, re.S).group(0)
    assert Opinion.objects.filter(entry=entry).count() == 2


def test_attendance_is_corrected_from_the_meeting_page(client, people):
    meeting, entry = meeting_with(people)
    client.force_login(people("partyoffice"))
    member2 = people("member2")
    url = reverse("meetings:act", args=[meeting.pk, "correct_attendance"])

    response = client.post(url, {"person": member2.pk, "present": "0", "was": "present", "reason": "误记，实为请假"})
    assert response.status_code == 302
    assert meeting.attendance.get(person=member2).status == Attendance.Status.ABSENT
    assert AttendanceCorrection.objects.get(meeting=meeting).reason == "误记，实为请假"
    html = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "误记，实为请假" in re.search(r'data-testid="attendance-corrections".*?</div></div>', html, re.S).group(0)

    stale = client.post(url, {"person": member2.pk, "present": "0", "was": "present", "reason": "再次"})
    assert stale.status_code == 409 and "已被他人改为" in stale.content.decode()


# --- the minutes editor ------------------------------------------------------------------------


def draft(people) -> Minutes:
    meeting, entry = meeting_with(people, major_kind="", category=Category.STUDY)
    services.entry_decide(actor=people("partyoffice"), entry_id=entry.pk, outcome="noted", note="")
    services.meeting_adjourn(actor=people("partyoffice"), meeting_id=meeting.pk)
    return Minutes.objects.get(meeting=meeting)


def test_the_editor_saves_by_itself(client, people):
    minutes = draft(people)
    client.force_login(people("partyoffice"))
    url = reverse("meetings:minutes_act", args=[minutes.pk, "edit"])
    html = client.get(reverse("meetings:minutes", args=[minutes.pk])).content.decode()
    assert f'hx-post="{url}"' in html and "blur" in html

    response = client.post(url, {"text": "自动保存的一句", "version": 1}, **HX)

    assert response.status_code == 200
    body = response.content.decode()
    assert "已自动保存" in body and 'value="2"' in body and 'hx-swap-oob="true"' in body
    minutes.refresh_from_db()
    assert (minutes.text, minutes.version) == ("自动保存的一句\n", 2)


def test_a_stale_autosave_is_refused_with_the_other_persons_text(client, people):
    minutes = draft(people)
    services.minutes_edit(actor=people("partyoffice"), minutes_id=minutes.pk, text="另一位记录人写的", version=1)
    client.force_login(people("partyoffice"))

    response = client.post(
        reverse("meetings:minutes_act", args=[minutes.pk, "edit"]), {"text": "我的旧稿", "version": 1}, **HX
    )

    body = response.content.decode()
    assert "已被他人修改" in body and "另一位记录人写的" in body and "hx-swap-oob" not in body
    minutes.refresh_from_db()
    assert minutes.text == "另一位记录人写的\n"


def test_a_stale_save_from_the_form_keeps_the_typed_text_and_shows_the_other(client, people):
    minutes = draft(people)
    services.minutes_edit(actor=people("partyoffice"), minutes_id=minutes.pk, text="另一位记录人写的", version=1)
    client.force_login(people("partyoffice"))

    response = client.post(
        reverse("meetings:minutes_act", args=[minutes.pk, "edit"]), {"text": "我的旧稿", "version": 1}
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert re.search(r'data-testid="other-text"[^>]*>另一位记录人写的', body)
    assert re.search(r'data-testid="minutes-editor">我的旧稿', body)
    assert 'name="version" value="2"' in body  # saving again after merging goes through


def test_send_just_after_the_editor_saved_the_same_text_by_itself_goes_through(client, people):
    # Pressing 送会签 leaves the editor: its autosave (on blur, newlines as LF) can reach the
    # server before the form (version as loaded, newlines as CRLF). Nothing would be lost or
    # overwritten, so the send is not refused as someone else's change.
    minutes = draft(people)
    client.force_login(people("partyoffice"))
    autosave = client.post(
        reverse("meetings:minutes_act", args=[minutes.pk, "edit"]),
        {"text": "一、会议要求\n分两期实施", "version": 1},
        **HX,
    )
    assert "已自动保存（第 2 版）" in autosave.content.decode()

    response = client.post(
        reverse("meetings:minutes_act", args=[minutes.pk, "send"]), {"text": "一、会议要求\r\n分两期实施", "version": 1}
    )

    assert response.status_code == 302
    minutes.refresh_from_db()
    assert (minutes.state, minutes.text) == ("signing", "一、会议要求\n分两期实施\n")
    assert minutes.signing_round == 1


def test_a_save_with_other_line_breaks_only_makes_no_new_version(people):
    minutes = draft(people)
    office = people("partyoffice")
    services.minutes_edit(actor=office, minutes_id=minutes.pk, text="第一段\n第二段", version=1)

    again = services.minutes_edit(actor=office, minutes_id=minutes.pk, text="第一段\r\n第二段\r\n", version=2)

    assert (again.text, again.version) == ("第一段\n第二段\n", 2)


def test_a_stale_send_with_other_text_is_still_refused(client, people):
    minutes = draft(people)
    services.minutes_edit(actor=people("partyoffice"), minutes_id=minutes.pk, text="另一位记录人写的", version=1)
    client.force_login(people("partyoffice"))

    response = client.post(
        reverse("meetings:minutes_act", args=[minutes.pk, "send"]), {"text": "我的旧稿", "version": 1}
    )

    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    minutes.refresh_from_db()
    assert (minutes.state, minutes.text) == ("draft", "另一位记录人写的\n")


def test_send_from_the_editor_saves_the_text_first(client, people):
    minutes = draft(people)
    client.force_login(people("partyoffice"))

    response = client.post(
        reverse("meetings:minutes_act", args=[minutes.pk, "send"]), {"text": "没来得及保存的修改", "version": 1}
    )

    assert response.status_code == 302
    minutes.refresh_from_db()
    assert (minutes.state, minutes.text) == ("signing", "没来得及保存的修改\n")
    assert minutes.signing_round == 1
