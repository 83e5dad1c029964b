"""The meeting day as a secretary runs it: every way a meeting votes (记名、举手、口头、无记名),
corrections of the day's record as new rows, the speaking order with the chair last, and the
minutes draft that is never lost (saved before sending, stale saves refused)."""

import pytest
from django.apps import apps
from django.db import models

from core.errors import InvalidTransition
from core.models import AuditEvent
from decisions.models import Category, MajorKind, State
from meetings import access, services
from meetings.models import (
    AgendaEntry,
    Attendance,
    AttendanceCorrection,
    BallotCast,
    Minutes,
    Opinion,
    SecretBallot,
    Vote,
)
from org.models import User
from tests.factories import all_opinions, at_state, running_meeting


def refused(status: int, call, /, contains: str = "", **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(**kwargs)
    assert caught.value.status == status, caught.value.reason
    assert contains in caught.value.reason, caught.value.reason
    return caught.value


def user(username: str) -> User:
    return User.objects.get(username=username)


def item(people, **fields):
    return at_state(State.READY, submitter=people("staff"), consultees=[people("member1")], **fields)


def meeting_with(people, *, major_kind=MajorKind.PROJECT, absent=(), **fields):
    meeting, (entry,) = running_meeting([item(people, major_kind=major_kind, **fields)], absent=absent)
    return meeting, entry


# --- how the meeting votes ---------------------------------------------------------------------


def test_a_personnel_item_is_voted_by_secret_ballot_by_default(people):
    meeting, entry = meeting_with(people, major_kind=MajorKind.APPOINTMENT, title="关于任命教务处副处长的提议")
    all_opinions(entry, meeting)

    services.vote_open(actor=people("partyoffice"), entry_id=entry.pk)

    entry.refresh_from_db()
    assert entry.vote_mode == AgendaEntry.VoteMode.SECRET
    assert SecretBallot.objects.filter(entry=entry).exists()
    assert AuditEvent.objects.filter(verb="meeting.vote_open", data__mode="secret").exists()


def test_other_items_default_to_a_named_vote(people):
    meeting, entry = meeting_with(people)
    all_opinions(entry, meeting)
    services.vote_open(actor=people("partyoffice"), entry_id=entry.pk)
    entry.refresh_from_db()
    assert entry.vote_mode == AgendaEntry.VoteMode.NAMED


def test_only_the_chair_picks_a_mode_other_than_the_default(people):
    meeting, entry = meeting_with(people)
    all_opinions(entry, meeting)

    refused(403, services.vote_open, "只有会议主持人", actor=people("partyoffice"), entry_id=entry.pk, mode="hands")
    refused(403, services.vote_open, "表决方式", actor=people("secretary"), entry_id=entry.pk, mode="raffle")
    entry.refresh_from_db()
    assert entry.vote_state == "" and entry.vote_mode == ""

    services.vote_open(actor=people("secretary"), entry_id=entry.pk, mode="hands")
    entry.refresh_from_db()
    assert (entry.vote_state, entry.vote_mode) == ("open", "hands")


@pytest.mark.parametrize("mode", ["hands", "oral"])
def test_the_recorder_enters_a_show_of_hands_or_an_oral_vote_per_member(people, mode):
    meeting, entry = meeting_with(people, absent=("member2",))
    all_opinions(entry, meeting)
    services.vote_open(actor=people("secretary"), entry_id=entry.pk, mode=mode)
    recorder = people("partyoffice")

    for username, choice in (("principal", "for"), ("member1", "against"), ("secretary", "for")):
        services.vote_enter(actor=recorder, entry_id=entry.pk, member_id=people(username).pk, choice=choice)

    rows = Vote.objects.filter(entry=entry).order_by("id")
    assert [(v.member.username, v.choice) for v in rows] == [
        ("principal", "for"),
        ("member1", "against"),
        ("secretary", "for"),
    ]
    assert {v.entered_by_id for v in rows} == {recorder.pk}
    tally = services.vote_close(actor=recorder, entry_id=entry.pk)
    # Threshold unchanged: 2 for out of 4 who should attend is not more than half.
    assert (tally.votes_for, tally.votes_against, tally.should_attend) == (2, 1, 4)
    assert services.vote_result(AgendaEntry.objects.get(pk=entry.pk), meeting) is False


def test_an_entered_vote_is_refused_with_reasons(people):
    meeting, entry = meeting_with(people, absent=("member2",))
    all_opinions(entry, meeting)
    services.vote_open(actor=people("secretary"), entry_id=entry.pk, mode="hands")
    recorder = people("partyoffice")
    kw = {"entry_id": entry.pk, "choice": "for"}

    refused(403, services.vote_enter, "主持人、记录人", actor=people("member1"), member_id=people("principal").pk, **kw)
    refused(409, services.vote_enter, "出席", actor=recorder, member_id=people("member2").pk, **kw)
    refused(409, services.vote_enter, "出席", actor=recorder, member_id=people("discipline").pk, **kw)
    refused(
        409, services.vote_enter, "赞成", actor=recorder, member_id=people("member1").pk, entry_id=entry.pk, choice="x"
    )
    services.vote_enter(actor=recorder, member_id=people("member1").pk, **kw)
    refused(409, services.vote_enter, "已登记：赞成（孙丽登记）", actor=recorder, member_id=people("member1").pk, **kw)
    # In a show of hands the member does not vote on his own device.
    refused(409, services.vote_cast, "由记录人逐人登记", actor=people("principal"), **kw)
    assert Vote.objects.filter(entry=entry).count() == 1


def test_a_named_vote_is_cast_by_the_members_not_entered(people):
    meeting, entry = meeting_with(people)
    all_opinions(entry, meeting)
    services.vote_open(actor=people("partyoffice"), entry_id=entry.pk)
    refused(
        409,
        services.vote_enter,
        "由成员本人投票",
        actor=people("partyoffice"),
        entry_id=entry.pk,
        member_id=people("member1").pk,
        choice="for",
    )
    assert not Vote.objects.filter(entry=entry).exists()


CHOICES = {"secretary": "for", "principal": "abstain", "member1": "against", "member2": "for"}


def _secret_vote(people):
    meeting, entry = meeting_with(people, major_kind=MajorKind.APPOINTMENT)
    all_opinions(entry, meeting)
    services.vote_open(actor=people("partyoffice"), entry_id=entry.pk)
    for username, choice in CHOICES.items():
        services.vote_cast(actor=people(username), entry_id=entry.pk, choice=choice)
    return meeting, entry


def test_a_secret_ballot_keeps_who_voted_and_the_counts(people):
    meeting, entry = _secret_vote(people)

    refused(409, services.vote_cast, "只能投一次", actor=people("member1"), entry_id=entry.pk, choice="for")
    assert set(BallotCast.objects.filter(entry=entry).values_list("member__username", flat=True)) == set(CHOICES)
    tally = services.vote_close(actor=people("partyoffice"), entry_id=entry.pk)
    assert (tally.votes_for, tally.votes_against, tally.votes_abstain, tally.should_attend) == (2, 1, 1, 4)
    # 2 of 4 is not more than half of those who should attend: the threshold is as before.
    assert services.vote_result(AgendaEntry.objects.get(pk=entry.pk), meeting) is False
    assert not Vote.objects.filter(entry=entry).exists()


def _values(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _values(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _values(v)
    else:
        yield value


def test_no_table_links_a_member_to_his_choice_in_a_secret_ballot(people):
    """Every row of every table after a secret ballot: none names a voter together with his choice
    (in any column or inside JSON), and the count has no time that could be matched to a voter."""
    _meeting, entry = _secret_vote(people)
    services.vote_close(actor=people("partyoffice"), entry_id=entry.pk)
    voters = {user(u).pk: c for u, c in CHOICES.items()}
    labels = dict(Vote.Choice.choices)

    links, tables = [], 0
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        tables += 1
        to_user = [f.attname for f in model._meta.concrete_fields if f.is_relation and f.related_model is User]
        if model is User:
            to_user.append("id")
        for row in model.objects.values():
            people_named = {row[c] for c in to_user if row[c] in voters}
            values = {str(v) for v in _values(list(row.values()))}
            for pk in people_named:
                if voters[pk] in values or labels[voters[pk]] in values:
                    links.append((model._meta.db_table, row))
    assert tables > 30
    assert links == []
    assert not [f for f in SecretBallot._meta.concrete_fields if isinstance(f, models.DateTimeField)]
    box = SecretBallot.objects.get(entry=entry)
    assert (box.votes_for, box.votes_against, box.votes_abstain) == (2, 1, 1)


def test_the_secret_ballot_is_cast_by_the_member_only(people):
    meeting, entry = meeting_with(people, major_kind=MajorKind.APPOINTMENT)
    all_opinions(entry, meeting)
    services.vote_open(actor=people("partyoffice"), entry_id=entry.pk)
    for username in ("partyoffice", "discipline", "staff"):
        refused(403, services.vote_cast, actor=people(username), entry_id=entry.pk, choice="for")
    refused(
        409,
        services.vote_enter,
        "由成员本人投票",
        actor=people("partyoffice"),
        entry_id=entry.pk,
        member_id=people("member1").pk,
        choice="for",
    )
    box = SecretBallot.objects.get(entry=entry)
    assert (box.votes_for, box.votes_against, box.votes_abstain) == (0, 0, 0)


# --- corrections -------------------------------------------------------------------------------


def _opinion_of(entry, username: str) -> Opinion:
    return Opinion.objects.get(entry=entry, member__username=username, correction__isnull=True)


def test_the_recorder_corrects_an_opinion_with_a_new_row(people):
    meeting, entry = meeting_with(people)
    recorder = people("partyoffice")
    services.opinion_record(actor=recorder, entry_id=entry.pk, member_id=people("member1").pk, stance="agree")
    old = _opinion_of(entry, "member1")

    new = services.opinion_correct(
        actor=recorder, opinion_id=old.pk, stance="disagree", text="资金来源不明", reason="记录时听错"
    )

    old.refresh_from_db()
    assert old.stance == "agree"  # never edited in place
    assert (new.corrects_id, new.stance, new.text, new.reason, new.recorded_by) == (
        old.pk,
        "disagree",
        "资金来源不明",
        "记录时听错",
        recorder,
    )
    assert _opinion_of(entry, "member1").pk == new.pk
    event = AuditEvent.objects.get(verb="meeting.opinion_correct")
    assert (event.actor, event.reason, event.data["from"], event.data["to"]) == (
        recorder,
        "记录时听错",
        "agree",
        "disagree",
    )
    # The record of the day counts the corrected opinion once.
    row = next(r for r in services.meeting_record(meeting.pk).entries if r.entry.pk == entry.pk)
    assert [(o.member.username, o.stance) for o in row.opinions] == [("member1", "disagree")]
    assert [o.pk for o in row.opinion_history] == [new.pk]


def test_an_opinion_correction_is_refused_with_reasons(people):
    meeting, entry = meeting_with(people)
    recorder = people("partyoffice")
    services.opinion_record(actor=recorder, entry_id=entry.pk, member_id=people("member1").pk, stance="agree")
    old = _opinion_of(entry, "member1")
    kw = {"opinion_id": old.pk, "stance": "disagree", "text": ""}

    refused(403, services.opinion_correct, "记录人或会务部门", actor=people("member1"), reason="改主意", **kw)
    refused(403, services.opinion_correct, "记录人或会务部门", actor=people("member2"), reason="改主意", **kw)
    refused(409, services.opinion_correct, "理由", actor=recorder, reason="  ", **kw)
    refused(409, services.opinion_correct, "相同", actor=recorder, reason="核对", **{**kw, "stance": "agree"})
    refused(404, services.opinion_correct, "不存在", actor=recorder, reason="核对", **{**kw, "opinion_id": 10**9})
    assert Opinion.objects.filter(entry=entry).count() == 1


def test_a_second_correction_of_the_same_opinion_shows_the_first(people):
    """Two recorders correct the same opinion: the second is told what the first changed."""
    meeting, entry = meeting_with(people)
    services.opinion_record(
        actor=people("partyoffice"), entry_id=entry.pk, member_id=people("member1").pk, stance="agree"
    )
    old = _opinion_of(entry, "member1")
    services.opinion_correct(actor=people("partyoffice"), opinion_id=old.pk, stance="reserve", text="", reason="听错")

    refused(
        409,
        services.opinion_correct,
        "已由",
        actor=people("partyoffice"),
        opinion_id=old.pk,
        stance="disagree",
        text="",
        reason="另一位记录人",
    )
    assert Opinion.objects.filter(entry=entry).count() == 2


def test_no_correction_after_the_outcome_is_recorded(people):
    meeting, entry = meeting_with(people, major_kind="", category=Category.PROPOSAL)
    all_opinions(entry, meeting)
    old = _opinion_of(entry, "member1")
    services.entry_decide(actor=people("partyoffice"), entry_id=entry.pk, outcome="passed", note="")

    refused(
        409,
        services.opinion_correct,
        "已有结果",
        actor=people("partyoffice"),
        opinion_id=old.pk,
        stance="disagree",
        text="",
        reason="晚了",
    )


def test_an_entered_vote_is_corrected_and_the_tally_follows(people):
    meeting, entry = meeting_with(people)
    all_opinions(entry, meeting)
    recorder = people("partyoffice")
    services.vote_open(actor=people("secretary"), entry_id=entry.pk, mode="hands")
    for username in ("secretary", "principal", "member1", "member2"):
        services.vote_enter(actor=recorder, entry_id=entry.pk, member_id=people(username).pk, choice="for")
    services.vote_close(actor=recorder, entry_id=entry.pk)
    wrong = Vote.objects.get(entry=entry, member__username="member2")

    new = services.vote_correct(actor=recorder, vote_id=wrong.pk, choice="against", reason="member2 举手反对，误记")

    assert (new.corrects_id, new.choice, new.entered_by, new.reason) == (
        wrong.pk,
        "against",
        recorder,
        "member2 举手反对，误记",
    )
    assert Vote.objects.get(pk=wrong.pk).choice == "for"
    tally = services.tally(AgendaEntry.objects.get(pk=entry.pk), services.entry_facts(entry, meeting))
    assert (tally.votes_for, tally.votes_against) == (3, 1)
    refused(409, services.vote_correct, "已由", actor=recorder, vote_id=wrong.pk, choice="abstain", reason="再改")
    refused(403, services.vote_correct, "记录人", actor=people("member1"), vote_id=new.pk, choice="for", reason="x")


def test_a_members_own_ballot_is_not_corrected_by_others(people):
    meeting, entry = meeting_with(people)
    all_opinions(entry, meeting)
    services.vote_open(actor=people("partyoffice"), entry_id=entry.pk)
    own = services.vote_cast(actor=people("member1"), entry_id=entry.pk, choice="for")
    refused(
        409,
        services.vote_correct,
        "本人投出",
        actor=people("partyoffice"),
        vote_id=own.pk,
        choice="against",
        reason="x",
    )


def test_the_recorder_corrects_attendance_with_a_new_row(people):
    meeting, entry = meeting_with(people)
    recorder = people("partyoffice")
    member2 = people("member2")

    correction = services.attendance_correct(
        actor=recorder,
        meeting_id=meeting.pk,
        person_id=member2.pk,
        present=False,
        reason="误记为出席，实为出差",
        was="present",
    )

    assert (correction.from_status, correction.to_status, correction.recorded_by, correction.reason) == (
        "present",
        "absent",
        recorder,
        "误记为出席，实为出差",
    )
    assert meeting.attendance.get(person=member2).status == Attendance.Status.ABSENT
    assert AuditEvent.objects.filter(verb="meeting.attendance_correct", reason="误记为出席，实为出差").exists()
    # The stale page: it still shows member2 present.
    refused(
        409,
        services.attendance_correct,
        "已被他人改为",
        actor=recorder,
        meeting_id=meeting.pk,
        person_id=member2.pk,
        present=False,
        reason="重复",
        was="present",
    )
    refused(
        403,
        services.attendance_correct,
        "记录人",
        actor=people("member1"),
        meeting_id=meeting.pk,
        person_id=member2.pk,
        present=True,
        reason="x",
        was="absent",
    )
    assert AttendanceCorrection.objects.filter(meeting=meeting).count() == 1


def test_attendance_is_not_corrected_once_the_record_counted_it(people):
    meeting, entry = meeting_with(people)
    recorder = people("partyoffice")
    services.opinion_record(actor=recorder, entry_id=entry.pk, member_id=people("member1").pk, stance="agree")
    kw = {"actor": recorder, "meeting_id": meeting.pk, "was": "present"}

    refused(
        409, services.attendance_correct, "已在议题", person_id=people("member1").pk, present=False, reason="x", **kw
    )
    # member2 has not spoken: the correction is taken, and shown on the item under discussion.
    c = services.attendance_correct(person_id=people("member2").pk, present=False, reason="早退", **kw)
    assert c.entry_id == entry.pk
    all_opinions_left = [p for p in services.entry_facts(entry, meeting)["present"] if p != people("member1").pk]
    for pk in access.speaking_order(meeting, all_opinions_left):
        services.opinion_record(actor=recorder, entry_id=entry.pk, member_id=pk, stance="agree")
    refused(
        409,
        services.attendance_correct,
        "末位表态",
        actor=recorder,
        meeting_id=meeting.pk,
        person_id=people("member2").pk,
        present=True,
        reason="回来了",
        was="absent",
    )


def test_a_second_recorder_is_shown_the_opinion_already_recorded(people):
    meeting, entry = meeting_with(people)
    member1 = people("member1").pk
    services.opinion_record(actor=people("partyoffice"), entry_id=entry.pk, member_id=member1, stance="reserve")
    refused(
        409,
        services.opinion_record,
        "已就此议题表态：保留意见",
        actor=people("secretary"),
        entry_id=entry.pk,
        member_id=member1,
        stance="agree",
    )
    assert list(Opinion.objects.filter(entry=entry).values_list("stance", flat=True)) == ["reserve"]


# --- speaking order ----------------------------------------------------------------------------


def test_the_speaking_order_puts_the_chair_last(people):
    meeting, entry = meeting_with(people)
    facts = services.entry_facts(entry, meeting)
    order = access.speaking_order(meeting, facts["present"])
    assert order[-1] == people("secretary").pk == meeting.chair_id
    assert sorted(order) == sorted(facts["present"])


# --- the minutes draft -------------------------------------------------------------------------


def _draft(people) -> Minutes:
    meeting, entry = meeting_with(people, major_kind="", category=Category.STUDY)
    services.entry_decide(actor=people("partyoffice"), entry_id=entry.pk, outcome="noted", note="")
    services.meeting_adjourn(actor=people("partyoffice"), meeting_id=meeting.pk)
    return Minutes.objects.get(meeting=meeting)


def test_sending_saves_the_text_on_the_screen_first(people):
    minutes = _draft(people)
    sent = services.minutes_send(
        actor=people("partyoffice"), minutes_id=minutes.pk, text="送签前最后一句修改", version=minutes.version
    )
    minutes.refresh_from_db()
    assert (minutes.state, minutes.text) == ("signing", "送签前最后一句修改\n")
    assert sent.version == minutes.version == 3  # one save, one send
    assert AuditEvent.objects.filter(verb="minutes.edit", target_id=minutes.pk).count() == 1


def test_sending_over_someone_elses_save_is_refused_and_nothing_is_sent(people):
    minutes = _draft(people)
    services.minutes_edit(actor=people("partyoffice"), minutes_id=minutes.pk, text="另一位记录人的修改", version=1)
    refused(
        409,
        services.minutes_send,
        "已被他人修改",
        actor=people("partyoffice"),
        minutes_id=minutes.pk,
        text="我的旧稿",
        version=1,
    )
    minutes.refresh_from_db()
    assert (minutes.state, minutes.text) == ("draft", "另一位记录人的修改\n")


def test_an_autosave_without_a_change_makes_no_new_version(people):
    minutes = _draft(people)
    services.minutes_edit(actor=people("partyoffice"), minutes_id=minutes.pk, text="第一稿", version=1)
    again = services.minutes_edit(actor=people("partyoffice"), minutes_id=minutes.pk, text="第一稿", version=2)
    assert again.version == 2
    assert AuditEvent.objects.filter(verb="minutes.edit", target_id=minutes.pk).count() == 1
