"""票决 and what a meeting concludes: one secret vote per member, the pass threshold counted on
the members who should attend （应到会）， the outcomes each body may reach, and two votes at the
same moment on PostgreSQL."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from core.errors import InvalidTransition
from core.models import AuditEvent
from decisions.models import AgendaItem, Category, MajorKind, State
from meetings import services
from meetings.models import AgendaEntry, Meeting, Resolution, Vote
from org.models import MeetingBody, User
from tests import races
from tests.factories import all_opinions, at_state, running_meeting


def refused(status: int, call, /, contains: str = "", **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(**kwargs)
    assert caught.value.status == status, caught.value.reason
    assert contains in caught.value.reason
    return caught.value


def ready(people, body_code: str = "PC", **fields) -> AgendaItem:
    if fields.get("category") in (Category.STUDY, Category.REPORT, Category.BRIEFING):
        return at_state(State.READY, submitter=people("staff"), body_code=body_code, **fields)
    return at_state(
        State.READY, submitter=people("staff"), consultees=[people("member1")], body_code=body_code, **fields
    )


def major(people, **fields) -> AgendaItem:
    return ready(people, major_kind=MajorKind.PROJECT, **fields)


def vote(entry, meeting, choices: dict[str, str], *, close: bool = True):
    """Open the vote (after every opinion), cast `choices` by username, close it."""
    organizer = people_by("partyoffice" if meeting.body.code == "PC" else "affairsoffice")
    services.vote_open(actor=organizer, entry_id=entry.pk)
    for username, choice in choices.items():
        services.vote_cast(actor=people_by(username), entry_id=entry.pk, choice=choice)
    if close:
        return services.vote_close(actor=organizer, entry_id=entry.pk)
    return None


def people_by(username: str) -> User:
    return User.objects.get(username=username)


def decide(entry, outcome: str, note: str = "", *, actor="partyoffice"):
    return services.entry_decide(actor=people_by(actor), entry_id=entry.pk, outcome=outcome, note=note)


def state_of(item) -> str:
    return AgendaItem.objects.get(pk=item.pk).state


# --- one vote per member, secret until the close --------------------------------------------------


def test_each_member_votes_once(people):
    item = major(people)
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)
    vote(entry, meeting, {"member1": "for"}, close=False)

    refused(409, services.vote_cast, "只能投一次", actor=people("member1"), entry_id=entry.pk, choice="against")

    assert list(entry.votes.values_list("member__username", "choice")) == [("member1", "for")]


def test_only_members_present_vote(people):
    item = major(people)
    meeting, (entry,) = running_meeting([item], absent=("member2",))
    all_opinions(entry, meeting)
    vote(entry, meeting, {}, close=False)

    for username in ("discipline", "partyoffice", "member2", "vice", "staff"):
        refused(403, services.vote_cast, "只有出席会议的成员", actor=people(username), entry_id=entry.pk, choice="for")
    assert not entry.votes.exists()


def test_a_vote_is_cast_only_while_the_vote_is_open(people):
    item = major(people)
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)

    refused(409, services.vote_cast, "不在表决中", actor=people("member1"), entry_id=entry.pk, choice="for")
    vote(entry, meeting, {"member1": "for"})
    refused(409, services.vote_cast, "不在表决中", actor=people("member2"), entry_id=entry.pk, choice="for")
    refused(409, services.vote_close, "不在表决中", actor=people("partyoffice"), entry_id=entry.pk)
    refused(409, services.vote_open, "已经开始", actor=people("partyoffice"), entry_id=entry.pk)
    assert entry.votes.count() == 1


def test_a_vote_needs_a_valid_choice(people):
    item = major(people)
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)
    vote(entry, meeting, {}, close=False)

    refused(409, services.vote_cast, "赞成、反对或弃权", actor=people("member1"), entry_id=entry.pk, choice="maybe")


def test_the_vote_opens_only_after_every_opinion(people):
    item = major(people)
    meeting, (entry,) = running_meeting([item])

    refused(409, services.vote_open, "表态", actor=people("partyoffice"), entry_id=entry.pk)


def test_votes_are_hidden_from_other_members_until_the_vote_closes(people, client):
    item = major(people, title="关于建设实训基地的请示")
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)
    vote(entry, meeting, {"member1": "against"}, close=False)
    url = f"/meetings/entries/{entry.pk}/"
    member1_choice = "张卫东：反对"

    for username in ("member2", "partyoffice", "secretary", "discipline"):
        client.force_login(people(username))
        page = client.get(url).content.decode()
        assert member1_choice not in page, username
        assert "表决结束前，各人的表决意见不公开" in page
        assert member1_choice not in client.get(f"/meetings/{meeting.pk}/").content.decode()
    client.force_login(people("member1"))
    assert "您的表决" in client.get(url).content.decode()
    event = AuditEvent.objects.get(verb="meeting.vote_cast")
    assert "against" not in str(event.data) and "choice" not in event.data

    services.vote_close(actor=people("partyoffice"), entry_id=entry.pk)

    client.force_login(people("member2"))
    page = client.get(url).content.decode()
    assert member1_choice in page and "反对 1" in page


def test_a_vote_is_never_changed(people):
    item = major(people)
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)
    vote(entry, meeting, {"member1": "for"}, close=False)
    ballot = Vote.objects.get(entry=entry)

    ballot.choice = "against"
    with pytest.raises(TypeError):
        ballot.save()
    with pytest.raises(TypeError):
        ballot.delete()
    with pytest.raises(TypeError):
        Vote.objects.filter(pk=ballot.pk).update(choice="against")
    with pytest.raises(TypeError):
        Vote.objects.filter(pk=ballot.pk).delete()
    assert Vote.objects.get(pk=ballot.pk).choice == "for"


def test_the_chair_may_call_a_vote_on_any_item(people):
    """A non-major decision and a report: the chair (or the meeting secretary) calls a vote, no one else."""
    decision = ready(people)
    report = ready(people, category=Category.REPORT)
    meeting, (decision_entry, report_entry) = running_meeting([decision, report])
    all_opinions(decision_entry, meeting)

    refused(403, services.vote_open, actor=people("member1"), entry_id=decision_entry.pk)
    services.vote_open(actor=people("secretary"), entry_id=decision_entry.pk)
    services.vote_open(actor=people("secretary"), entry_id=report_entry.pk)

    assert AgendaEntry.objects.filter(meeting=meeting, vote_state="open").count() == 2


def test_once_a_vote_is_called_its_count_decides(people):
    """The chair put an ordinary decision to the vote: it can no longer be declared passed
    without a closed vote, nor against the count."""
    item = ready(people)
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)
    vote(entry, meeting, {"secretary": "for", "principal": "against", "member1": "against"}, close=False)

    refused(409, decide, "须经表决", entry=entry, outcome="passed")
    services.vote_close(actor=people("secretary"), entry_id=entry.pk)
    refused(409, decide, "不能宣布通过", entry=entry, outcome="passed")
    decide(entry, "not_passed")

    assert state_of(item) == State.NOT_PASSED


def test_no_vote_is_cast_on_an_item_already_decided(people):
    """The chair defers an item while its vote is open: later ballots are refused."""
    item = ready(people)
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)
    vote(entry, meeting, {"member1": "for"}, close=False)
    decide(entry, "deferred", "须进一步调研")

    refused(409, services.vote_cast, "已有结果", actor=people("member2"), entry_id=entry.pk, choice="for")

    assert entry.votes.count() == 1


# --- the pass threshold: more than half of those who should attend --------------------------------


def test_two_for_of_four_members_is_not_passed_though_two_of_three_present_agreed(people):
    item = major(people)
    meeting, (entry,) = running_meeting([item], absent=("member2",))
    all_opinions(entry, meeting)
    tally = vote(entry, meeting, {"secretary": "for", "principal": "for", "member1": "against"})

    assert (tally.should_attend, tally.present, tally.votes_for) == (4, 3, 2)
    refused(409, decide, "赞成票未超过应到会成员半数", entry=entry, outcome="passed")
    refused(409, decide, "未超过", entry=entry, outcome="passed_with_changes", note="调整规模")
    decide(entry, "not_passed", "赞成票未过半数")

    assert state_of(item) == State.NOT_PASSED
    assert not Resolution.objects.exists()


def test_three_for_of_four_members_passes(people):
    item = major(people)
    meeting, (entry,) = running_meeting([item], absent=("member2",))
    all_opinions(entry, meeting)
    vote(entry, meeting, {"secretary": "for", "principal": "for", "member1": "for"})

    refused(409, decide, "表决已获通过，不能宣布未通过", entry=entry, outcome="not_passed")
    decide(entry, "passed")

    assert state_of(item) == State.RESOLVED


def test_a_recusal_lowers_the_number_who_should_attend(people):
    """Member2 recused: should-attend is 3, so 2 for and 1 against passes."""
    item = major(people)
    meeting, (entry,) = running_meeting([item])
    services.entry_recuse(
        actor=people("partyoffice"), entry_id=entry.pk, member_id=people("member2").pk, reason="利益相关"
    )
    all_opinions(entry, meeting)
    tally = vote(entry, meeting, {"secretary": "for", "principal": "for", "member1": "against"})

    assert (tally.should_attend, tally.votes_for) == (3, 2)
    refused(409, decide, "已获通过", entry=entry, outcome="not_passed")
    decide(entry, "passed")
    assert state_of(item) == State.RESOLVED


def test_a_recusal_and_an_absence_together(people):
    """Member2 recused, member1 absent: 2 of 3 should attend are present; 2 for of 3 passes."""
    item = major(people)
    meeting, (entry,) = running_meeting([item], absent=("member1",))
    services.entry_recuse(
        actor=people("partyoffice"), entry_id=entry.pk, member_id=people("member2").pk, reason="利益相关"
    )
    all_opinions(entry, meeting)
    tally = vote(entry, meeting, {"secretary": "for", "principal": "for"})

    assert (tally.should_attend, tally.present, tally.votes_for) == (3, 2, 2)
    decide(entry, "passed")


def test_abstentions_and_missing_ballots_do_not_count_for(people):
    item = major(people)
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)
    vote(entry, meeting, {"secretary": "for", "principal": "for", "member1": "abstain"})  # member2 never votes

    refused(409, decide, "未超过", entry=entry, outcome="passed")
    decide(entry, "not_passed")


def test_the_pass_threshold_follows_the_bodys_fractions(people):
    """An administrator sets the pass threshold to more than three quarters: 3 of 4 no longer passes."""
    item = major(people)
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)
    vote(entry, meeting, {"secretary": "for", "principal": "for", "member1": "for", "member2": "against"})
    MeetingBody.objects.filter(code="PC").update(pass_num=3, pass_den=4)

    refused(409, decide, "不能宣布通过", entry=entry, outcome="passed")
    MeetingBody.objects.filter(code="PC").update(pass_num=2, pass_den=3)
    decide(entry, "passed")


# --- outcomes ---------------------------------------------------------------------------------------


def test_passed_issues_a_numbered_resolution(people):
    item = ready(people, proposal="方案：增设智能制造专业。")
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)

    decide(entry, "passed")

    resolution = Resolution.objects.get(entry=entry)
    year = timezone.localtime(meeting.starts_at).year
    assert resolution.number == f"党委会〔{year}〕1号"
    assert (resolution.body.code, resolution.item, resolution.text) == ("PC", item, "方案：增设智能制造专业。")
    event = AuditEvent.objects.get(verb="item.decide", target_id=item.pk)
    assert (event.to_state, event.data["resolution"]) == (State.RESOLVED, resolution.pk)
    assert resolution.number in event.reason


def test_passed_with_changes_needs_the_changes_written(people):
    item = ready(people, proposal="方案：购置设备。")
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting, "agree_with_changes")

    refused(409, decide, "修改意见", entry=entry, outcome="passed_with_changes")
    decide(entry, "passed_with_changes", "预算压减百分之十")

    resolution = Resolution.objects.get(entry=entry)
    assert resolution.outcome == "passed_with_changes"
    assert "预算压减百分之十" in resolution.text and "方案：购置设备。" in resolution.text
    assert state_of(item) == State.RESOLVED


def test_deferred_needs_a_reason_and_returns_the_item_to_the_same_bodys_queue(people):
    item = ready(people, "PO")
    meeting, (entry,) = running_meeting([item], "PO")

    refused(409, decide, "暂缓须写明理由", entry=entry, outcome="deferred", actor="affairsoffice")
    decide(entry, "deferred", "待财务测算后再议", actor="affairsoffice")

    item.refresh_from_db()
    assert (item.state, item.requested_body.code) == (State.READY, "PO")
    assert not Resolution.objects.exists()
    again, (second,) = running_meeting([item], "PO")
    assert second.item == item


def test_not_passed_closes_the_item_without_a_resolution(people):
    item = ready(people)
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting, "disagree")

    decide(entry, "not_passed", "条件尚不成熟")

    assert state_of(item) == State.NOT_PASSED
    assert not Resolution.objects.exists()


def test_an_item_is_concluded_once(people):
    item = ready(people)
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)
    decide(entry, "passed")

    refused(409, decide, "已有结果", entry=entry, outcome="not_passed")
    refused(409, decide, "已有结果", entry=entry, outcome="passed")
    assert Resolution.objects.count() == 1


def test_only_a_runner_concludes(people):
    item = ready(people)
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)

    for username in ("member1", "discipline", "affairsoffice"):
        refused(403, decide, entry=entry, outcome="passed", actor=username)
    decide(entry, "passed", actor="secretary")


@pytest.mark.parametrize("category", [Category.STUDY, Category.REPORT, Category.BRIEFING])
def test_study_report_and_briefing_items_are_noted(people, category):
    item = ready(people, category=category)
    meeting, (entry,) = running_meeting([item])

    refused(409, decide, "不能作出“通过”", entry=entry, outcome="passed")
    decide(entry, "noted")

    assert state_of(item) == State.NOTED
    assert not Resolution.objects.exists()


def test_a_decision_item_is_not_merely_noted(people):
    item = ready(people)
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)

    refused(409, decide, "已学习/已听取", entry=entry, outcome="noted")


@pytest.mark.parametrize("code", ["SA", "AS"])
def test_meetings_that_do_not_decide_only_note_or_defer(people, code):
    noted, deferred = ready(people, code, category=Category.REPORT), ready(people, code, category=Category.BRIEFING)
    meeting, (first, second) = running_meeting([noted, deferred], code)

    assert services.allowed_outcomes(first, meeting) == ["noted", "deferred"]
    for outcome in ("passed", "passed_with_changes", "passed_to_pc", "not_passed"):
        refused(409, decide, "不能作出", entry=first, outcome=outcome, note="说明", actor="affairsoffice")
    decide(first, "noted", actor="affairsoffice")
    decide(second, "deferred", "下月再通报", actor="affairsoffice")

    assert (state_of(noted), state_of(deferred)) == (State.NOTED, State.READY)
    assert not Resolution.objects.exists()


def test_an_unknown_outcome_is_refused(people):
    item = ready(people)
    meeting, (entry,) = running_meeting([item])

    refused(409, decide, "不能作出", entry=entry, outcome="approved")


# --- PostgreSQL: two votes at the same moment ------------------------------------------------------


def race(*calls, meeting_id: int, also_lock=()) -> list:
    """Each call in its own thread and connection, held on the meeting row's lock (the lock for
    everything on its agenda), and those of `also_lock`, until every call is blocked."""
    return races.race(*calls, locked=Meeting.objects.filter(pk__in=[meeting_id, *also_lock]))


def open_vote(people):
    item = major(people)
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)
    services.vote_open(actor=people("partyoffice"), entry_id=entry.pk)
    return meeting, entry


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_member_voting_twice_at_once_counts_once(people):
    meeting, entry = open_vote(people)

    results = race(
        lambda: services.vote_cast(actor=people("member1"), entry_id=entry.pk, choice="for"),
        lambda: services.vote_cast(actor=people("member1"), entry_id=entry.pk, choice="against"),
        meeting_id=meeting.pk,
    )

    wins = [r for r in results if isinstance(r, Vote)]
    losses = [r for r in results if isinstance(r, InvalidTransition)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert losses[0].status == 409 and "只能投一次" in losses[0].reason
    assert list(Vote.objects.filter(entry=entry).values_list("member__username", "choice")) == [
        ("member1", wins[0].choice)
    ]
    assert AuditEvent.objects.filter(verb="meeting.vote_cast").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_members_voting_at_once_both_count(people):
    meeting, entry = open_vote(people)

    results = race(
        lambda: services.vote_cast(actor=people("member1"), entry_id=entry.pk, choice="for"),
        lambda: services.vote_cast(actor=people("member2"), entry_id=entry.pk, choice="for"),
        meeting_id=meeting.pk,
    )

    assert all(isinstance(r, Vote) for r in results), results
    assert Vote.objects.filter(entry=entry).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_ballot_cast_as_the_vote_closes_is_in_the_tally_or_refused(people):
    meeting, entry = open_vote(people)

    cast, closed = race(
        lambda: services.vote_cast(actor=people("member1"), entry_id=entry.pk, choice="for"),
        lambda: services.vote_close(actor=people("partyoffice"), entry_id=entry.pk),
        meeting_id=meeting.pk,
    )

    assert isinstance(closed, services.rules.Tally), closed
    counted = Vote.objects.filter(entry=entry).count()
    assert closed.votes_cast == counted
    if counted == 0:
        assert isinstance(cast, InvalidTransition) and cast.status == 409
    else:
        assert isinstance(cast, Vote)


# --- a vote that never closed -------------------------------------------------------------------------


def test_a_vote_left_open_at_adjournment_stays_secret(people, client):
    item = major(people, title="关于建设实训基地的请示")
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)
    vote(entry, meeting, {"member1": "against"}, close=False)

    services.meeting_adjourn(actor=people("partyoffice"), meeting_id=meeting.pk)

    minutes = meeting.minutes.get()
    assert "表决：" not in minutes.text and "结论：暂缓。会议未及审议" in minutes.text
    refused(409, services.vote_close, "已散会", actor=people("partyoffice"), entry_id=entry.pk)
    client.force_login(people("member2"))
    response = client.get(f"/meetings/{meeting.pk}/archive.pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.getvalue())).pages)
    assert "关于建设实训基地的请示" in text
    assert "表决人" not in text and "赞成 0 票" not in text
    assert "张卫东：反对" not in client.get(f"/meetings/entries/{entry.pk}/").content.decode()
