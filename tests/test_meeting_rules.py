"""The rules of a meeting day (DOMAIN.md "At the meeting", an item's life steps 4-5): quorum,
recusal, opinions with the chair last, what may be decided, the emergency item, the agenda and its
materials deadline, and the meeting's own states.

403 = not this person, 409 = wrong state or a rule broken.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import InvalidTransition
from core.models import AuditEvent, Notification
from decisions import services as item_services
from decisions.models import AgendaItem, Attachment, Category, MajorKind, ScopeRule, State
from meetings import services
from meetings.models import AgendaEntry, Attendance, Meeting, Minutes, Opinion
from org.models import MeetingBody
from tests.factories import all_opinions, at_state, draft, meeting_for, running_meeting, vote_all


@pytest.fixture
def after_commit(settings, django_capture_on_commit_callbacks):
    """Jobs run in this process once the transaction commits (no Redis), as in the embedded demo."""
    settings.REDIS_URL = ""
    return django_capture_on_commit_callbacks


def refused(status: int, call, /, contains: str = "", **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(**kwargs)
    assert caught.value.status == status, caught.value.reason
    assert contains in caught.value.reason
    return caught.value


def decision_item(people, **fields) -> AgendaItem:
    return at_state(State.READY, submitter=people("staff"), consultees=[people("member1")], **fields)


def opinion(entry, who, *, by=None, stance="agree", text=""):
    return services.opinion_record(actor=by or who, entry_id=entry.pk, member_id=who.pk, stance=stance, text=text)


def item_state(item) -> str:
    return AgendaItem.objects.get(pk=item.pk).state


# --- quorum ---------------------------------------------------------------------------------------


def test_half_of_the_committee_present_is_no_quorum(people):
    """PC has 4 members; 2 present is exactly half, not more than half: nothing is deliberated."""
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item], absent=("member1", "member2"))
    partyoffice = people("partyoffice")

    refused(
        409,
        services.opinion_record,
        "到会人数不足：应到 4 人，实到 2 人",
        actor=partyoffice,
        entry_id=entry.pk,
        member_id=people("principal").pk,
        stance="agree",
    )
    refused(409, services.vote_open, "到会人数不足", actor=partyoffice, entry_id=entry.pk)
    refused(409, services.entry_decide, "须半数以上成员到会", actor=partyoffice, entry_id=entry.pk, outcome="passed")
    assert not Opinion.objects.filter(entry=entry).exists()
    assert item_state(item) == State.SCHEDULED


def test_an_inquorate_meeting_may_still_defer_an_item(people):
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item], absent=("member1", "member2"))

    services.entry_decide(actor=people("partyoffice"), entry_id=entry.pk, outcome="deferred", note="到会人数不足")

    assert item_state(item) == State.READY


def test_one_over_half_of_the_committee_is_a_quorum(people):
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item], absent=("member2",))

    all_opinions(entry, meeting)
    services.entry_decide(actor=people("partyoffice"), entry_id=entry.pk, outcome="passed")

    assert entry.opinions.count() == 3
    assert item_state(item) == State.RESOLVED


def test_an_appointment_needs_two_thirds_present(people):
    appointment = decision_item(people, major_kind=MajorKind.APPOINTMENT, title="关于任命教务处副处长的提议")
    meeting, (entry,) = running_meeting([appointment], absent=("member1", "member2"))

    refused(
        409,
        services.opinion_record,
        "须三分之二以上成员到会",
        actor=people("partyoffice"),
        entry_id=entry.pk,
        member_id=people("principal").pk,
        stance="agree",
    )


def test_three_of_four_is_two_thirds_for_an_appointment(people):
    """3 * 3 >= 4 * 2: three of four members may decide an appointment."""
    appointment = decision_item(people, major_kind=MajorKind.APPOINTMENT)
    meeting, (entry,) = running_meeting([appointment], absent=("member2",))

    all_opinions(entry, meeting)
    vote_all(entry, meeting, "for")
    services.entry_decide(actor=people("partyoffice"), entry_id=entry.pk, outcome="passed")

    assert item_state(appointment) == State.RESOLVED


def test_the_quorum_follows_the_bodys_fractions_when_loosened(people):
    """An administrator sets 'at least half' (not 'more than half'): 2 of 4 may now deliberate an
    ordinary item, while an appointment still needs two thirds."""
    ordinary = decision_item(people)
    appointment = decision_item(people, major_kind=MajorKind.APPOINTMENT)
    meeting, (entry, appointment_entry) = running_meeting([ordinary, appointment], absent=("member1", "member2"))
    partyoffice = people("partyoffice")
    refused(
        409,
        services.opinion_record,
        "到会人数不足",
        actor=partyoffice,
        entry_id=entry.pk,
        member_id=people("principal").pk,
        stance="agree",
    )

    MeetingBody.objects.filter(code="PC").update(quorum_strict=False)

    opinion(entry, people("principal"), by=partyoffice)
    refused(
        409,
        services.opinion_record,
        "三分之二",
        actor=partyoffice,
        entry_id=appointment_entry.pk,
        member_id=people("principal").pk,
        stance="agree",
    )

    MeetingBody.objects.filter(code="PC").update(appointment_quorum_num=1, appointment_quorum_den=2)
    opinion(appointment_entry, people("principal"), by=partyoffice)


def test_the_quorum_follows_the_bodys_fractions_when_tightened(people):
    """Three quarters, strictly: 3 of 4 is no longer enough; appointments need everyone."""
    ordinary = decision_item(people)
    appointment = decision_item(people, major_kind=MajorKind.APPOINTMENT)
    meeting, (entry, appointment_entry) = running_meeting([ordinary, appointment], absent=("member2",))
    MeetingBody.objects.filter(code="PC").update(
        quorum_num=3, quorum_den=4, quorum_strict=True, appointment_quorum_num=1, appointment_quorum_den=1
    )

    refused(
        409,
        services.opinion_record,
        "实到 3 人",
        actor=people("principal"),
        entry_id=entry.pk,
        member_id=people("principal").pk,
        stance="agree",
    )
    refused(409, services.vote_open, "到会人数不足", actor=people("partyoffice"), entry_id=appointment_entry.pk)


def test_a_recusal_leaves_the_item_out_of_the_quorum_count(people):
    """Should-attend and present are both counted without the recused member: 4 members, one
    recused and one absent leaves 2 of 3, more than half."""
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item], absent=("member2",))
    services.entry_recuse(
        actor=people("partyoffice"), entry_id=entry.pk, member_id=people("member1").pk, reason="申请人系其亲属"
    )

    facts = services.entry_facts(entry, meeting)

    assert (len(facts["should_attend"]), len(facts["present"]), facts["quorum"]) == (3, 2, True)
    all_opinions(entry, meeting)
    services.entry_decide(actor=people("partyoffice"), entry_id=entry.pk, outcome="passed")
    assert item_state(item) == State.RESOLVED


# --- recusal --------------------------------------------------------------------------------------


def test_a_recused_member_gives_no_opinion_and_no_vote(people):
    item = decision_item(people, major_kind=MajorKind.PROJECT)
    meeting, (entry,) = running_meeting([item])
    partyoffice, member2 = people("partyoffice"), people("member2")
    services.entry_recuse(actor=partyoffice, entry_id=entry.pk, member_id=member2.pk, reason="项目承建方负责人系其配偶")

    refused(
        409,
        services.opinion_record,
        "已回避",
        actor=partyoffice,
        entry_id=entry.pk,
        member_id=member2.pk,
        stance="agree",
    )
    refused(
        409, services.opinion_record, "已回避", actor=member2, entry_id=entry.pk, member_id=member2.pk, stance="agree"
    )
    all_opinions(entry, meeting)  # the chair speaks last without waiting for member2
    services.vote_open(actor=partyoffice, entry_id=entry.pk)
    refused(403, services.vote_cast, "回避", actor=member2, entry_id=entry.pk, choice="for")

    assert not entry.votes.filter(member=member2).exists()
    assert not entry.opinions.filter(member=member2).exists()


def test_a_recused_member_is_not_counted(people):
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item])
    member2 = people("member2")
    services.entry_recuse(actor=people("secretary"), entry_id=entry.pk, member_id=member2.pk, reason="利益相关")

    facts = services.entry_facts(entry, meeting)

    assert member2.pk not in facts["should_attend"] and member2.pk not in facts["present"]
    assert facts["recused"] == {member2.pk}
    all_opinions(entry, meeting)
    services.entry_decide(actor=people("partyoffice"), entry_id=entry.pk, outcome="passed")  # no opinion missing


def test_a_member_who_has_spoken_cannot_then_recuse(people):
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item])
    member1 = people("member1")
    opinion(entry, member1)

    refused(
        409,
        services.entry_recuse,
        "已开始表态或表决",
        actor=people("partyoffice"),
        entry_id=entry.pk,
        member_id=member1.pk,
        reason="利益相关",
    )
    assert not entry.recusals.exists()


def test_a_member_who_has_voted_cannot_then_recuse(people):
    """A report needs no opinions; the chair calls a vote, member2 votes, then claims a conflict."""
    report = at_state(State.READY, submitter=people("staff"), category=Category.REPORT)
    meeting, (entry,) = running_meeting([report])
    member2 = people("member2")
    services.vote_open(actor=people("secretary"), entry_id=entry.pk)
    services.vote_cast(actor=member2, entry_id=entry.pk, choice="abstain")

    refused(
        409,
        services.entry_recuse,
        "已开始表态或表决",
        actor=people("partyoffice"),
        entry_id=entry.pk,
        member_id=member2.pk,
        reason="利益相关",
    )


def test_a_recusal_needs_a_reason_a_runner_and_a_member(people):
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item])
    partyoffice, member2 = people("partyoffice"), people("member2")

    refused(409, services.entry_recuse, "原因", actor=partyoffice, entry_id=entry.pk, member_id=member2.pk, reason=" ")
    refused(
        403, services.entry_recuse, actor=people("member1"), entry_id=entry.pk, member_id=member2.pk, reason="利益相关"
    )
    refused(
        409,
        services.entry_recuse,
        "成员",
        actor=partyoffice,
        entry_id=entry.pk,
        member_id=people("discipline").pk,
        reason="利益相关",
    )
    services.entry_recuse(actor=partyoffice, entry_id=entry.pk, member_id=member2.pk, reason="利益相关")
    refused(
        409,
        services.entry_recuse,
        "已登记回避",
        actor=partyoffice,
        entry_id=entry.pk,
        member_id=member2.pk,
        reason="再次",
    )
    assert entry.recusals.count() == 1


# --- opinions, the chair last ---------------------------------------------------------------------


def test_only_members_present_give_opinions(people):
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item], absent=("member2",))

    refused(
        409,
        services.opinion_record,
        "只有出席会议的成员",
        actor=people("partyoffice"),
        entry_id=entry.pk,
        member_id=people("member2").pk,
        stance="agree",
    )
    refused(
        409,
        services.opinion_record,
        "只有出席会议的成员",
        actor=people("discipline"),
        entry_id=entry.pk,
        member_id=people("discipline").pk,
        stance="agree",
    )
    assert not entry.opinions.exists()


def test_each_member_gives_one_opinion(people):
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item])
    member1 = people("member1")
    opinion(entry, member1, stance="agree")

    refused(
        409,
        services.opinion_record,
        "已就此议题表态",
        actor=member1,
        entry_id=entry.pk,
        member_id=member1.pk,
        stance="disagree",
    )
    assert list(entry.opinions.values_list("stance", flat=True)) == ["agree"]


def test_the_chair_speaks_last(people):
    """一把手末位表态： the refusal names whoever has not spoken yet."""
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item])
    chair = people("secretary")

    error = refused(
        409,
        services.opinion_record,
        "主持人末位表态",
        actor=chair,
        entry_id=entry.pk,
        member_id=chair.pk,
        stance="agree",
    )
    assert all(name in error.reason for name in ("李明华", "张卫东", "陈晓红"))
    opinion(entry, people("principal"))
    opinion(entry, people("member1"))
    error = refused(
        409,
        services.opinion_record,
        "陈晓红",
        actor=people("partyoffice"),
        entry_id=entry.pk,
        member_id=chair.pk,
        stance="agree",
    )
    assert "李明华" not in error.reason and "张卫东" not in error.reason
    opinion(entry, people("member2"))
    opinion(entry, chair)

    assert (
        list(entry.opinions.order_by("recorded_at", "id").values_list("member__username", flat=True))[-1] == "secretary"
    )


def test_the_chair_waits_only_for_members_present_and_not_recused(people):
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item], absent=("member2",))
    services.entry_recuse(
        actor=people("partyoffice"), entry_id=entry.pk, member_id=people("member1").pk, reason="利益相关"
    )
    opinion(entry, people("principal"))

    opinion(entry, people("secretary"))

    assert entry.opinions.count() == 2


def test_an_opinion_is_recorded_by_the_member_or_the_meeting_secretary(people):
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item])
    member1, member2, partyoffice = people("member1"), people("member2"), people("partyoffice")

    refused(
        403,
        services.opinion_record,
        "本人或会议记录人",
        actor=member1,
        entry_id=entry.pk,
        member_id=people("principal").pk,
        stance="agree",
    )
    refused(
        403,
        services.opinion_record,
        actor=people("discipline"),
        entry_id=entry.pk,
        member_id=member2.pk,
        stance="agree",
    )
    own = opinion(entry, member1)
    recorded = opinion(entry, member2, by=partyoffice, text="建议分步实施")

    assert (own.recorded_by, recorded.recorded_by) == (member1, partyoffice)
    assert entry.opinions.count() == 2


def test_opinions_are_append_only(people):
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item])
    o = opinion(entry, people("member1"))

    o.stance = "disagree"
    with pytest.raises(TypeError):
        o.save()
    with pytest.raises(TypeError):
        Opinion.objects.filter(pk=o.pk).update(stance="disagree")


# --- what may be decided ------------------------------------------------------------------------


def test_a_decision_item_waits_for_every_present_members_opinion(people):
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item], absent=("member2",))
    partyoffice = people("partyoffice")
    opinion(entry, people("member1"))

    error = refused(
        409, services.entry_decide, "尚有出席成员未表态", actor=partyoffice, entry_id=entry.pk, outcome="passed"
    )
    assert "李明华" in error.reason and "王建国" in error.reason and "陈晓红" not in error.reason
    refused(409, services.entry_decide, "未表态", actor=partyoffice, entry_id=entry.pk, outcome="not_passed")
    opinion(entry, people("principal"))
    opinion(entry, people("secretary"))
    services.entry_decide(actor=partyoffice, entry_id=entry.pk, outcome="passed")


def test_a_proposal_item_also_waits_for_every_opinion(people):
    item = decision_item(people, category=Category.PROPOSAL)
    meeting, (entry,) = running_meeting([item])

    refused(409, services.entry_decide, "未表态", actor=people("partyoffice"), entry_id=entry.pk, outcome="passed")


def test_a_major_item_is_decided_only_after_a_closed_vote(people):
    item = decision_item(people, major_kind=MajorKind.PROJECT)
    meeting, (entry,) = running_meeting([item])
    partyoffice = people("partyoffice")
    all_opinions(entry, meeting)

    refused(409, services.entry_decide, "须经表决", actor=partyoffice, entry_id=entry.pk, outcome="passed")
    services.vote_open(actor=partyoffice, entry_id=entry.pk)
    for username in ("secretary", "principal", "member1", "member2"):
        services.vote_cast(actor=people(username), entry_id=entry.pk, choice="for")
    refused(409, services.entry_decide, "须经表决", actor=partyoffice, entry_id=entry.pk, outcome="passed")
    services.vote_close(actor=partyoffice, entry_id=entry.pk)
    services.entry_decide(actor=partyoffice, entry_id=entry.pk, outcome="passed")

    assert item_state(item) == State.RESOLVED


def test_an_item_off_the_agenda_is_not_decided(people):
    kept, dropped = decision_item(people), decision_item(people)
    meeting = meeting_for("PC")
    partyoffice = people("partyoffice")
    services.agenda_add(actor=partyoffice, meeting_id=meeting.pk, item_id=kept.pk)
    dropped_entry = services.agenda_add(actor=partyoffice, meeting_id=meeting.pk, item_id=dropped.pk)
    services.meeting_publish(actor=partyoffice, meeting_id=meeting.pk)
    services.agenda_drop(actor=partyoffice, entry_id=dropped_entry.pk, reason="材料需补充")
    services.meeting_open(actor=partyoffice, meeting_id=meeting.pk)
    outside = decision_item(people, title="未列入议程的事项")

    refused(
        409,
        services.entry_decide,
        "已撤出议程",
        actor=partyoffice,
        entry_id=dropped_entry.pk,
        outcome="deferred",
        note="下次再议",
    )
    refused(
        409,
        services.opinion_record,
        "已撤出议程",
        actor=partyoffice,
        entry_id=dropped_entry.pk,
        member_id=people("member1").pk,
        stance="agree",
    )
    refused(409, services.agenda_add, "议程已发布", actor=partyoffice, meeting_id=meeting.pk, item_id=outside.pk)
    refused(
        409,
        item_services.item_decide,
        "待上会",
        actor=partyoffice,
        item_id=outside.pk,
        to=State.RESOLVED,
        reason="临时动议",
    )
    assert item_state(outside) == State.READY and item_state(dropped) == State.READY


def test_the_chair_adds_an_emergency_item_with_a_reason_on_record(people):
    meeting, (published,) = running_meeting([decision_item(people)])
    urgent = decision_item(people, title="关于暴雨停课安排的紧急事项")
    chair = people("secretary")
    reason = "暴雨红色预警，须当日决定是否停课"

    entry = services.emergency_add(actor=chair, meeting_id=meeting.pk, item_id=urgent.pk, reason=reason)

    assert (entry.emergency, entry.emergency_reason, entry.position) == (True, reason, 2)
    assert item_state(urgent) == State.SCHEDULED
    event = AuditEvent.objects.get(verb="meeting.emergency_item", target_id=meeting.pk)
    assert (event.actor, event.reason, event.data["item"]) == (chair, reason, urgent.pk)
    all_opinions(entry, meeting)
    services.entry_decide(actor=chair, entry_id=entry.pk, outcome="passed")
    assert item_state(urgent) == State.RESOLVED
    assert AgendaEntry.objects.filter(meeting=meeting, emergency=False).get() == published


def test_only_the_chair_adds_an_emergency_item(people):
    meeting, _ = running_meeting([decision_item(people)])
    urgent = decision_item(people)

    for username in ("partyoffice", "principal", "member1"):
        refused(
            403,
            services.emergency_add,
            "只有会议主持人",
            actor=people(username),
            meeting_id=meeting.pk,
            item_id=urgent.pk,
            reason="紧急",
        )
    assert item_state(urgent) == State.READY
    assert not AuditEvent.objects.filter(verb="meeting.emergency_item").exists()


def test_an_emergency_item_needs_a_reason_and_a_meeting_in_progress(people):
    meeting, _ = running_meeting([decision_item(people)])
    urgent = decision_item(people)
    chair = people("secretary")

    refused(
        409, services.emergency_add, "须写明理由", actor=chair, meeting_id=meeting.pk, item_id=urgent.pk, reason="  "
    )
    published = meeting_for("PC")
    services.agenda_add(actor=people("partyoffice"), meeting_id=published.pk, item_id=decision_item(people).pk)
    services.meeting_publish(actor=people("partyoffice"), meeting_id=published.pk)
    refused(
        409,
        services.emergency_add,
        "不能列入紧急议题",
        actor=chair,
        meeting_id=published.pk,
        item_id=urgent.pk,
        reason="紧急",
    )
    assert item_state(urgent) == State.READY


def test_the_emergency_reason_is_in_the_minutes(people):
    meeting, _ = running_meeting([decision_item(people)])
    urgent = decision_item(people, title="关于疫情防控的紧急事项")
    services.emergency_add(actor=people("secretary"), meeting_id=meeting.pk, item_id=urgent.pk, reason="上级当日通知")

    services.meeting_adjourn(actor=people("partyoffice"), meeting_id=meeting.pk)

    text = Minutes.objects.get(meeting=meeting).text
    assert "关于疫情防控的紧急事项（临时紧急议题）" in text and "紧急列入理由：上级当日通知" in text


# --- the agenda ------------------------------------------------------------------------------------


def test_only_the_organizer_or_chair_builds_the_agenda(people):
    meeting = meeting_for("PC")
    item = decision_item(people)

    refused(403, services.agenda_add, actor=people("member1"), meeting_id=meeting.pk, item_id=item.pk)
    refused(403, services.agenda_add, actor=people("affairsoffice"), meeting_id=meeting.pk, item_id=item.pk)
    services.agenda_add(actor=people("secretary"), meeting_id=meeting.pk, item_id=item.pk)


def test_an_item_goes_only_on_its_requested_meetings_agenda(people):
    po_item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")], body_code="PO")
    meeting = meeting_for("PC")

    # The chair sees the item (a leader): told which meeting it is for.
    refused(
        409,
        services.agenda_add,
        "拟提交校长办公会",
        actor=people("secretary"),
        meeting_id=meeting.pk,
        item_id=po_item.pk,
    )
    # The party office does not attend the PO: for it the item does not exist, and nothing more is said.
    refused(
        404, services.agenda_add, "议题不存在", actor=people("partyoffice"), meeting_id=meeting.pk, item_id=po_item.pk
    )


def test_the_scope_table_is_checked_when_the_agenda_is_built(people):
    """一定： an administrator removes 'decision' from PC's scope; a ready decision item can no longer go on."""
    item = decision_item(people)
    meeting = meeting_for("PC")
    ScopeRule.objects.filter(body__code="PC", category=Category.DECISION).delete()

    refused(
        409,
        services.agenda_add,
        "不在党委会的议事范围内",
        actor=people("partyoffice"),
        meeting_id=meeting.pk,
        item_id=item.pk,
    )
    assert item_state(item) == State.READY


def test_only_a_ready_item_goes_on_the_agenda(people):
    consulting = at_state(State.CONSULTING, submitter=people("staff"), consultees=[people("member1")])
    meeting = meeting_for("PC")

    refused(
        409,
        services.agenda_add,
        "不能列入会议议程",
        actor=people("partyoffice"),
        meeting_id=meeting.pk,
        item_id=consulting.pk,
    )


def test_an_item_is_on_one_agenda_at_a_time(people):
    item = decision_item(people)
    first, second = meeting_for("PC"), meeting_for("PC", days_ahead=10)
    services.agenda_add(actor=people("partyoffice"), meeting_id=first.pk, item_id=item.pk)

    refused(409, services.agenda_add, actor=people("partyoffice"), meeting_id=second.pk, item_id=item.pk)
    refused(409, services.agenda_add, actor=people("partyoffice"), meeting_id=first.pk, item_id=item.pk)
    assert AgendaEntry.objects.filter(item=item).count() == 1


def test_a_dropped_item_needs_a_reason_and_returns_to_the_queue(people):
    item = decision_item(people)
    meeting = meeting_for("PC")
    entry = services.agenda_add(actor=people("partyoffice"), meeting_id=meeting.pk, item_id=item.pk)

    refused(409, services.agenda_drop, "理由", actor=people("partyoffice"), entry_id=entry.pk, reason="")
    services.agenda_drop(actor=people("partyoffice"), entry_id=entry.pk, reason="提交人申请撤回补充材料")

    entry.refresh_from_db()
    assert entry.dropped_at is not None and entry.dropped_reason == "提交人申请撤回补充材料"
    assert item_state(item) == State.READY


def test_the_agenda_is_ordered_while_it_is_planned(people):
    first, second, third = decision_item(people), decision_item(people), decision_item(people)
    meeting = meeting_for("PC")
    partyoffice = people("partyoffice")
    entries = [
        services.agenda_add(actor=partyoffice, meeting_id=meeting.pk, item_id=i.pk) for i in (first, second, third)
    ]

    services.agenda_move(actor=partyoffice, entry_id=entries[2].pk, up=True)
    services.agenda_move(actor=partyoffice, entry_id=entries[0].pk, up=True)  # already first: nothing moves

    order = list(meeting.entries.order_by("position").values_list("item_id", flat=True))
    assert order == [first.pk, third.pk, second.pk]
    refused(403, services.agenda_move, actor=people("member1"), entry_id=entries[0].pk, up=False)
    services.meeting_publish(actor=partyoffice, meeting_id=meeting.pk)
    refused(409, services.agenda_move, "调整议题顺序", actor=partyoffice, entry_id=entries[0].pk, up=False)


def test_publishing_the_agenda_tells_every_attendee_once(people, after_commit):
    with after_commit(execute=True):
        meeting, _ = published_meeting(people, [])

    assert services.notify_attendees(meeting.pk, "publish") == 0  # the job run again sends nothing new
    told = Notification.objects.filter(key=f"meeting:{meeting.pk}:publish")
    assert sorted(told.values_list("recipient__username", flat=True)) == sorted(
        ["secretary", "principal", "member1", "member2", "discipline"]
    )


# --- materials before the meeting ----------------------------------------------------------------


def ready_with_materials(people, title: str, *, withdraw: bool = False) -> AgendaItem:
    staff = people("staff")
    item = draft(staff, title=title)
    upload = SimpleUploadedFile("方案.pdf", b"%PDF-1.4 \xe6\x96\xb9\xe6\xa1\x88", content_type="application/pdf")
    attachment = item_services.attachment_add(actor=staff, item_id=item.pk, upload=upload)
    if withdraw:
        item_services.attachment_remove(actor=staff, attachment_id=attachment.pk)
    item_services.item_submit(actor=staff, item_id=item.pk)
    item_services.item_dept_approve(actor=people("depthead"), item_id=item.pk)
    item_services.item_screen_accept(actor=people("secretary"), item_id=item.pk, consultees=[people("member1")])
    item_services.item_consult_answer(actor=people("member1"), item_id=item.pk, agree=True)
    item.refresh_from_db()
    assert item.state == State.READY
    return item


def published_meeting(people, items) -> tuple[Meeting, list[AgendaEntry]]:
    meeting = meeting_for("PC")
    items = items or [decision_item(people)]
    partyoffice = people("partyoffice")
    entries = [services.agenda_add(actor=partyoffice, meeting_id=meeting.pk, item_id=i.pk) for i in items]
    services.meeting_publish(actor=partyoffice, meeting_id=meeting.pk)
    return meeting, entries


def test_the_materials_deadline_is_the_bodys_days_before_the_meeting(people):
    MeetingBody.objects.filter(code="PC").update(materials_days=5)
    meeting = meeting_for("PC", days_ahead=7)

    assert meeting.materials_days == 5
    assert services.materials_deadline(meeting) == meeting.starts_at - timedelta(days=5)


def test_an_item_without_materials_by_the_deadline_leaves_the_agenda_when_the_meeting_opens(people, after_commit):
    with_materials = ready_with_materials(people, "关于修订教学管理办法的请示")
    without = decision_item(people, title="关于增设专业的请示")
    meeting, (kept, dropped) = published_meeting(people, [with_materials, without])
    staff = people("staff")

    with (
        time_machine.travel(meeting.starts_at - timedelta(hours=1), tick=False),
        after_commit(execute=True),
    ):
        services.meeting_open(actor=people("partyoffice"), meeting_id=meeting.pk)

    kept.refresh_from_db()
    dropped.refresh_from_db()
    assert kept.dropped_at is None and item_state(with_materials) == State.SCHEDULED
    assert dropped.dropped_at is not None and dropped.dropped_reason.startswith("会议材料未在")
    assert item_state(without) == State.READY
    told = Notification.objects.filter(recipient=staff, text__contains="关于增设专业的请示")
    assert told.count() == 1 and "待上会" in told.get().text
    assert not Notification.objects.filter(recipient=staff, text__contains="关于修订教学管理办法的请示").exists()
    drop = AuditEvent.objects.get(verb="meeting.agenda_drop", target_id=meeting.pk)
    assert drop.actor is None and drop.reason == dropped.dropped_reason


def test_materials_uploaded_after_the_deadline_or_withdrawn_do_not_count(people):
    # Attachments are on record: they are uploaded and withdrawn at those times, not back-dated.
    staff = people("staff")
    late = decision_item(people, title="材料迟交的议题")
    withdrawn = ready_with_materials(people, "材料已撤下的议题", withdraw=True)
    meeting, (late_entry, withdrawn_entry) = published_meeting(people, [late, withdrawn])
    deadline = services.materials_deadline(meeting)
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        upload = SimpleUploadedFile("方案.pdf", b"%PDF-1.4 late", content_type="application/pdf")
        item_services.attachment_add(actor=staff, item_id=late.pk, upload=upload)
    assert Attachment.objects.get(item=late).uploaded_at > deadline
    assert Attachment.objects.get(item=withdrawn).removed_at < deadline

    with time_machine.travel(deadline + timedelta(hours=1), tick=False):
        assert services.meeting_check_materials(meeting_id=meeting.pk) == 2

    assert item_state(late) == State.READY and item_state(withdrawn) == State.READY


def test_checking_materials_is_idempotent(people, after_commit):
    without = decision_item(people, title="未交材料的议题")
    meeting, (entry,) = published_meeting(people, [without])
    deadline = services.materials_deadline(meeting)

    with time_machine.travel(deadline - timedelta(minutes=1), tick=False):
        assert services.meeting_check_materials(meeting_id=meeting.pk) == 0
    with (
        time_machine.travel(deadline + timedelta(minutes=1), tick=False),
        after_commit(execute=True),
    ):
        assert services.meeting_check_materials(meeting_id=meeting.pk) == 1
        assert services.meeting_check_materials(meeting_id=meeting.pk) == 0
        services.meeting_open(actor=people("partyoffice"), meeting_id=meeting.pk)
        assert services.meeting_check_materials(meeting_id=meeting.pk) == 0

    assert AgendaEntry.objects.filter(meeting=meeting, dropped_at__isnull=False).count() == 1
    assert AuditEvent.objects.filter(verb="meeting.agenda_drop", target_id=meeting.pk).count() == 1
    assert Notification.objects.filter(recipient=people("staff"), text__contains="未交材料的议题").count() == 1
    assert item_state(without) == State.READY


# --- the meeting's states ------------------------------------------------------------------------


def test_a_meeting_is_planned_published_opened_and_adjourned_in_that_order(people):
    item = decision_item(people)
    meeting = meeting_for("PC")
    partyoffice = people("partyoffice")

    refused(409, services.meeting_publish, "议程为空", actor=partyoffice, meeting_id=meeting.pk)
    refused(409, services.meeting_open, "筹备中", actor=partyoffice, meeting_id=meeting.pk)
    services.agenda_add(actor=partyoffice, meeting_id=meeting.pk, item_id=item.pk)
    services.meeting_publish(actor=partyoffice, meeting_id=meeting.pk)
    refused(409, services.meeting_publish, actor=partyoffice, meeting_id=meeting.pk)
    refused(409, services.meeting_adjourn, actor=partyoffice, meeting_id=meeting.pk)
    refused(403, services.meeting_open, actor=people("member1"), meeting_id=meeting.pk)
    services.meeting_open(actor=partyoffice, meeting_id=meeting.pk)
    refused(409, services.meeting_cancel, actor=partyoffice, meeting_id=meeting.pk, reason="改期")
    services.meeting_adjourn(actor=partyoffice, meeting_id=meeting.pk)

    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.ADJOURNED and meeting.opened_at and meeting.closed_at
    assert list(
        AuditEvent.objects.filter(
            target_type="meetings.meeting",
            target_id=meeting.pk,
            verb__in=["meeting.publish", "meeting.open", "meeting.adjourn"],
        ).values_list("verb", flat=True)
    ) == ["meeting.publish", "meeting.open", "meeting.adjourn"]


def test_nothing_is_recorded_before_the_meeting_opens_or_after_it_closes(people):
    item = decision_item(people)
    meeting, (entry,) = published_meeting(people, [item])
    member1 = people("member1")

    refused(
        409, services.opinion_record, "已发布", actor=member1, entry_id=entry.pk, member_id=member1.pk, stance="agree"
    )
    refused(409, services.entry_decide, actor=people("partyoffice"), entry_id=entry.pk, outcome="deferred", note="改期")
    services.meeting_open(actor=people("partyoffice"), meeting_id=meeting.pk)
    services.meeting_adjourn(actor=people("partyoffice"), meeting_id=meeting.pk)
    refused(
        409, services.opinion_record, "已散会", actor=member1, entry_id=entry.pk, member_id=member1.pk, stance="agree"
    )


def test_items_not_reached_return_to_the_queue_at_adjournment(people):
    reached, not_reached = decision_item(people), decision_item(people)
    meeting, (first, second) = running_meeting([reached, not_reached])
    all_opinions(first, meeting)
    services.entry_decide(actor=people("partyoffice"), entry_id=first.pk, outcome="passed")

    services.meeting_adjourn(actor=people("partyoffice"), meeting_id=meeting.pk)

    second.refresh_from_db()
    assert (second.outcome, second.outcome_note) == ("deferred", "会议未及审议")
    assert item_state(not_reached) == State.READY and item_state(reached) == State.RESOLVED


def test_a_cancelled_meeting_returns_its_items_to_the_queue(people):
    item = decision_item(people)
    meeting, (entry,) = published_meeting(people, [item])

    services.meeting_cancel(actor=people("partyoffice"), meeting_id=meeting.pk, reason="书记出差，会议改期")

    entry.refresh_from_db()
    assert entry.dropped_reason == "会议取消：书记出差，会议改期"
    assert item_state(item) == State.READY
    refused(409, services.meeting_open, "已取消", actor=people("partyoffice"), meeting_id=meeting.pk)


def test_attendance_is_recorded_with_reasons_and_observers(people):
    meeting = meeting_for("PC")
    kinds = {a.person.username: a.kind for a in meeting.attendance.select_related("person")}

    assert kinds == {
        "secretary": "member",
        "principal": "member",
        "member1": "member",
        "member2": "member",
        "discipline": "observer",
    }
    services.agenda_add(actor=people("partyoffice"), meeting_id=meeting.pk, item_id=decision_item(people).pk)
    services.meeting_publish(actor=people("partyoffice"), meeting_id=meeting.pk)
    refused(
        409,
        services.attendance_mark,
        "缺席须登记原因",
        actor=people("partyoffice"),
        meeting_id=meeting.pk,
        person_id=people("member2").pk,
        present=False,
    )
    refused(
        409,
        services.attendance_mark,
        "不在本次会议的出席名单",
        actor=people("partyoffice"),
        meeting_id=meeting.pk,
        person_id=people("vice").pk,
        present=True,
    )
    row = services.attendance_mark(
        actor=people("partyoffice"),
        meeting_id=meeting.pk,
        person_id=people("member2").pk,
        present=False,
        reason="外出学习",
    )
    assert (row.status, row.absence_reason) == (Attendance.Status.ABSENT, "外出学习")


def test_a_member_counted_present_for_a_decision_cannot_be_marked_absent(people):
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)
    services.entry_decide(actor=people("partyoffice"), entry_id=entry.pk, outcome="passed")

    refused(
        409,
        services.attendance_mark,
        "已有议题作出决定",
        actor=people("partyoffice"),
        meeting_id=meeting.pk,
        person_id=people("member2").pk,
        present=False,
        reason="提前离会",
    )


def test_a_major_item_of_any_category_waits_for_every_opinion(people):
    """A report involving large funds is 三重一大 by its amount: it is decided, so everyone speaks first."""
    item = at_state(
        State.READY, submitter=people("staff"), consultees=[people("member1")], category=Category.REPORT, amount=800000
    )
    meeting, (entry,) = running_meeting([item])
    assert item.major_kind == MajorKind.FUNDS

    refused(409, services.vote_open, "表态", actor=people("partyoffice"), entry_id=entry.pk)
    refused(
        409,
        services.entry_decide,
        "尚有出席成员未表态",
        actor=people("partyoffice"),
        entry_id=entry.pk,
        outcome="passed",
    )
    all_opinions(entry, meeting)
    vote_all(entry, meeting, "for")
    services.entry_decide(actor=people("partyoffice"), entry_id=entry.pk, outcome="passed")
    assert item_state(item) == State.RESOLVED


def test_attendance_does_not_change_while_an_item_is_being_deliberated(people):
    """A member arriving after others spoke would speak after the chair; one leaving after voting
    would still be counted present. Either waits until the item is concluded."""
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item], absent=("member2",))
    partyoffice = people("partyoffice")
    services.opinion_record(actor=partyoffice, entry_id=entry.pk, member_id=people("principal").pk, stance="agree")

    refused(
        409,
        services.attendance_mark,
        "正在审议中",
        actor=partyoffice,
        meeting_id=meeting.pk,
        person_id=people("member2").pk,
        present=True,
    )
    services.entry_decide(actor=partyoffice, entry_id=entry.pk, outcome="deferred", note="待补充材料")
    services.attendance_mark(actor=partyoffice, meeting_id=meeting.pk, person_id=people("member2").pk, present=True)


def test_an_absent_member_is_not_recused_and_nobody_is_recused_once_deliberation_began(people):
    item = decision_item(people)
    meeting, (entry,) = running_meeting([item], absent=("member2",))
    partyoffice = people("partyoffice")
    refused(
        409,
        services.entry_recuse,
        "无需登记回避",
        actor=partyoffice,
        entry_id=entry.pk,
        member_id=people("member2").pk,
        reason="亲属",
    )
    services.opinion_record(actor=partyoffice, entry_id=entry.pk, member_id=people("principal").pk, stance="agree")
    refused(
        409,
        services.entry_recuse,
        "审议开始前",
        actor=partyoffice,
        entry_id=entry.pk,
        member_id=people("member1").pk,
        reason="亲属",
    )


def test_a_meeting_opened_early_still_decides_nothing_without_materials(people):
    from decisions.models import State as ItemState
    from tests.factories import meeting_for

    bare = decision_item(people)
    meeting = meeting_for("PC", days_ahead=10)  # the materials deadline is still a week away
    partyoffice = people("partyoffice")
    entry = services.agenda_add(actor=partyoffice, meeting_id=meeting.pk, item_id=bare.pk)
    services.meeting_publish(actor=partyoffice, meeting_id=meeting.pk)
    services.meeting_open(actor=partyoffice, meeting_id=meeting.pk)
    entry.refresh_from_db()
    assert entry.dropped_reason == "开会时仍无会议材料"
    assert item_state(bare) == ItemState.READY
