"""两议： an important matter is deliberated by the principal's office meeting (PO) first and takes
effect only by a Party committee (PC) resolution, carried as one chain. And resolution numbers:
one series per body and per year."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from core.errors import InvalidTransition
from core.models import AuditEvent
from decisions.models import AgendaItem, Category, MajorKind, State
from decisions.selectors import item_history
from meetings import services
from meetings.models import Resolution
from org.models import User
from tests.factories import all_opinions, at_state, meeting_for, running_meeting, vote_all
from tests.test_meeting_votes import race

SHANGHAI = ZoneInfo("Asia/Shanghai")


def refused(status: int, call, /, contains: str = "", **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(**kwargs)
    assert caught.value.status == status, caught.value.reason
    assert contains in caught.value.reason
    return caught.value


def user(username: str) -> User:
    return User.objects.get(username=username)


def ready(body_code: str = "PC", **fields) -> AgendaItem:
    return at_state(State.READY, submitter=user("staff"), consultees=[user("member1")], body_code=body_code, **fields)


def major_at_po(**fields) -> AgendaItem:
    return ready("PO", major_kind=MajorKind.FUNDS, amount=500000, title="关于购置实训设备的请示", **fields)


def deliberate_at_po(item, *, choice="for"):
    """PO meeting: every opinion, the vote. Returns (meeting, entry) ready for a conclusion."""
    meeting, (entry,) = running_meeting([item], "PO")
    all_opinions(entry, meeting)
    vote_all(entry, meeting, choice)
    return meeting, entry


def decide(entry, outcome: str, note: str = "", *, actor: str):
    return services.entry_decide(actor=user(actor), entry_id=entry.pk, outcome=outcome, note=note)


def resolve_at_pc(item):
    meeting, (entry,) = running_meeting([item], "PC")
    all_opinions(entry, meeting)
    if item.major_kind:
        vote_all(entry, meeting, "for")
    decide(entry, "passed", actor="partyoffice")
    return Resolution.objects.get(entry=entry)


def resolve_at(code: str) -> Resolution:
    item = ready(code)
    meeting, (entry,) = running_meeting([item], code)
    all_opinions(entry, meeting)
    decide(entry, "passed", actor="partyoffice" if code == "PC" else "affairsoffice")
    return Resolution.objects.get(entry=entry)


# --- PO deliberates, PC resolves ----------------------------------------------------------------------


def test_po_cannot_finally_resolve_a_major_item(people):
    item = major_at_po()
    meeting, entry = deliberate_at_po(item)

    assert services.allowed_outcomes(entry, meeting) == ["passed_to_pc", "deferred", "not_passed"]
    refused(409, decide, "校长办公会对此议题不能作出“通过”", entry=entry, outcome="passed", actor="affairsoffice")
    refused(409, decide, "不能作出", entry=entry, outcome="passed_with_changes", note="压减预算", actor="principal")

    assert AgendaItem.objects.get(pk=item.pk).state == State.SCHEDULED
    assert not Resolution.objects.exists()


def test_passed_to_pc_moves_the_item_to_the_pc_queue_without_a_resolution(people):
    item = major_at_po()
    po_meeting, entry = deliberate_at_po(item)

    decide(entry, "passed_to_pc", "同意方案，报党委会决议", actor="affairsoffice")

    item.refresh_from_db()
    assert (item.state, item.requested_body.code) == (State.READY, "PC")
    assert not Resolution.objects.exists()
    forwarded = AuditEvent.objects.get(verb="item.forward_to_pc", target_id=item.pk)
    assert (forwarded.from_state, forwarded.to_state) == (State.SCHEDULED, State.READY)
    assert forwarded.data == {"from_body": "PO", "to_body": "PC"}
    assert po_meeting.title in forwarded.reason and "同意方案，报党委会决议" in forwarded.reason
    assert AgendaItem.objects.filter(state=State.READY, requested_body__code="PC", pk=item.pk).exists()


def test_a_forwarded_item_goes_on_pc_agendas_only(people):
    item = major_at_po()
    _, entry = deliberate_at_po(item)
    decide(entry, "passed_to_pc", actor="affairsoffice")

    # The principal chairs the PO and, a leader, still sees the item: told where it now goes.
    meeting = meeting_for("PO")
    caught = refused(
        409, services.agenda_add, "拟提交党委会", actor=user("principal"), meeting_id=meeting.pk, item_id=item.pk
    )
    assert caught.status == 409
    # The school affairs office no longer attends the item's meeting: for it the item does not exist.
    with pytest.raises(InvalidTransition) as caught:
        running_meeting([item], "PO")
    assert (caught.value.status, caught.value.reason) == (404, "议题不存在")


def test_the_pc_resolution_completes_the_chain(people):
    item = major_at_po()
    po_meeting, po_entry = deliberate_at_po(item)
    decide(po_entry, "passed_to_pc", actor="affairsoffice")

    resolution = resolve_at_pc(item)

    item.refresh_from_db()
    assert item.state == State.RESOLVED
    assert resolution.body.code == "PC" and resolution.meeting != po_meeting
    assert resolution.number == f"党委会〔{timezone.localtime(resolution.meeting.starts_at).year}〕1号"
    steps = [(e.verb, e.to_state) for e in item_history(item) if e.verb.startswith("item.") and e.verb != "item.attach"]
    meeting_steps = steps[[verb for verb, _ in steps].index("item.schedule") :]
    assert meeting_steps == [
        ("item.schedule", State.SCHEDULED),
        ("item.forward_to_pc", State.READY),
        ("item.schedule", State.SCHEDULED),
        ("item.decide", State.RESOLVED),
    ]
    reasons = [e.reason for e in item_history(item) if e.verb in ("item.schedule", "item.decide")]
    assert reasons[0] == po_meeting.title and reasons[-1].endswith(resolution.number)


def test_passed_to_pc_needs_the_po_vote_to_pass(people):
    item = major_at_po()
    meeting, (entry,) = running_meeting([item], "PO")
    all_opinions(entry, meeting)
    services.vote_open(actor=user("affairsoffice"), entry_id=entry.pk)
    services.vote_cast(actor=user("principal"), entry_id=entry.pk, choice="for")
    services.vote_cast(actor=user("member1"), entry_id=entry.pk, choice="against")
    services.vote_cast(actor=user("vice"), entry_id=entry.pk, choice="abstain")
    services.vote_close(actor=user("affairsoffice"), entry_id=entry.pk)

    refused(409, decide, "不能宣布通过", entry=entry, outcome="passed_to_pc", actor="affairsoffice")
    decide(entry, "not_passed", actor="affairsoffice")

    item.refresh_from_db()
    assert (item.state, item.requested_body.code) == (State.NOT_PASSED, "PO")


def test_a_po_deferral_keeps_the_item_in_pos_queue(people):
    item = major_at_po()
    _, entry = deliberate_at_po(item)

    decide(entry, "deferred", "待调研后再议", actor="affairsoffice")

    item.refresh_from_db()
    assert (item.state, item.requested_body.code) == (State.READY, "PO")


def test_pc_cannot_pass_an_item_on_to_itself(people):
    item = ready("PC")
    meeting, (entry,) = running_meeting([item], "PC")
    all_opinions(entry, meeting)

    refused(409, decide, "不能作出", entry=entry, outcome="passed_to_pc", actor="partyoffice")


def test_po_resolves_routine_items_itself_or_passes_them_on(people):
    routine, important = ready("PO", title="关于调整作息时间的请示"), ready("PO", title="关于修订绩效方案的请示")
    meeting, (first, second) = running_meeting([routine, important], "PO")
    all_opinions(first, meeting)
    all_opinions(second, meeting)

    decide(first, "passed", actor="affairsoffice")
    decide(second, "passed_to_pc", actor="affairsoffice")

    resolution = Resolution.objects.get()
    assert (resolution.item, resolution.body.code) == (routine, "PO")
    assert resolution.number == f"校长办公会〔{timezone.localtime(meeting.starts_at).year}〕1号"
    important.refresh_from_db()
    assert (important.state, important.requested_body.code) == (State.READY, "PC")


def test_a_major_item_cannot_be_sent_to_a_meeting_that_does_not_decide(people):
    with pytest.raises(InvalidTransition) as caught:
        at_state(State.DRAFT, submitter=user("staff"), body_code="SA", category=Category.REPORT, major_kind="funds")
    assert caught.value.status == 409 and "须由党委会集体决策" in caught.value.reason


# --- resolution numbers: per body, per year ---------------------------------------------------------------


def test_resolution_numbers_count_per_body(people):
    first, second = resolve_at("PC"), resolve_at("PC")
    po = resolve_at("PO")
    third = resolve_at("PC")

    year = first.year
    assert [r.number for r in (first, second, third)] == [f"党委会〔{year}〕{n}号" for n in (1, 2, 3)]
    assert po.number == f"校长办公会〔{year}〕1号"
    assert [(r.seq, r.year) for r in (first, po)] == [(1, year), (1, year)]


def test_resolution_numbers_start_again_each_year(people):
    with time_machine.travel(datetime(2030, 12, 20, 9, 0, tzinfo=SHANGHAI)) as traveller:
        first, second = resolve_at("PC"), resolve_at("PC")
        po = resolve_at("PO")
        traveller.move_to(datetime(2031, 1, 8, 9, 0, tzinfo=SHANGHAI))
        next_year = resolve_at("PC")
        next_po = resolve_at("PO")

    assert [first.number, second.number, po.number] == [
        "党委会〔2030〕1号",
        "党委会〔2030〕2号",
        "校长办公会〔2030〕1号",
    ]
    assert [next_year.number, next_po.number] == ["党委会〔2031〕1号", "校长办公会〔2031〕1号"]


def test_the_year_is_the_meetings_year(people):
    """A meeting held on 2 January is numbered in the new year, though scheduled in December."""
    with time_machine.travel(datetime(2030, 12, 30, 9, 0, tzinfo=SHANGHAI)):
        last_of_year = resolve_at("PC")  # meets on 2 January 2031 (three days ahead)

    assert timezone.localtime(last_of_year.meeting.starts_at).year == 2031
    assert last_of_year.number == "党委会〔2031〕1号"


def test_resolutions_are_append_only(people):
    resolution = resolve_at("PC")

    resolution.text = "改写"
    with pytest.raises(TypeError):
        resolution.save()
    with pytest.raises(TypeError):
        Resolution.objects.filter(pk=resolution.pk).update(number="党委会〔2000〕1号")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_pc_meetings_resolving_at_the_same_moment_get_distinct_numbers(people):
    """Two PC meetings (two meeting locks, one number series): the series row lock decides."""
    first_item, second_item = ready("PC"), ready("PC")
    first, (first_entry,) = running_meeting([first_item], "PC")
    second, (second_entry,) = running_meeting([second_item], "PC")
    all_opinions(first_entry, first)
    all_opinions(second_entry, second)

    results = race(
        lambda: decide(first_entry, "passed", actor="partyoffice"),
        lambda: decide(second_entry, "passed", actor="partyoffice"),
        meeting_id=first.pk,
        also_lock=[second.pk],
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    year = timezone.localtime(first.starts_at).year
    assert sorted(Resolution.objects.values_list("number", flat=True)) == [
        f"党委会〔{year}〕1号",
        f"党委会〔{year}〕2号",
    ]
