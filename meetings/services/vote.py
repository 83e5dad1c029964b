"""表决: opening the vote on an item in the mode the chair picks (记名、举手、口头、无记名), each
member's ballot or the recorder's entry of it, and closing it with the tally."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from core import audit
from core.errors import conflict, forbidden
from meetings import access, rules
from meetings.models import (
    AgendaEntry,
    BallotCast,
    SecretBallot,
    Vote,
)
from meetings.selectors import entry_facts, tally
from meetings.services.base import (
    _check,
    _entry,
    _opinions_missing,
    _require_open_entry,
    _require_quorum,
)
from org.models import User

VoteMode = AgendaEntry.VoteMode
# The box's column for each choice; the column names are fixed here, never taken from input.
BOX_COLUMN = {Vote.Choice.FOR: "votes_for", Vote.Choice.AGAINST: "votes_against", Vote.Choice.ABSTAIN: "votes_abstain"}


def vote_required(entry: AgendaEntry) -> bool:
    """三重一大 is decided by vote; any other item when the chair calls one."""
    return bool(entry.item.major_kind) or bool(entry.vote_state)


@transaction.atomic
def vote_open(*, actor: User, entry_id: int, mode: str = "") -> AgendaEntry:
    """The vote opens in `mode`; without one, in the item's default (personnel: secret ballot)."""
    entry, meeting = _entry(entry_id)
    _check(actor, meeting, "vote_open")
    mode = mode or access.default_vote_mode(entry)
    refusal = access.vote_mode_refusal(actor, meeting, entry=entry, mode=mode)
    if refusal:
        raise forbidden(refusal)
    _require_open_entry(entry)
    if entry.vote_state:
        raise conflict(_("此议题的表决已经开始"))
    facts = _require_quorum(entry, meeting)
    missing = _opinions_missing(entry, facts)
    if missing:
        raise conflict(_("请先完成全体出席成员的表态，再进行表决"))
    entry.vote_state = AgendaEntry.VoteState.OPEN
    entry.vote_mode = mode
    entry.save(update_fields=["vote_state", "vote_mode"])
    if mode == VoteMode.SECRET:
        SecretBallot.objects.create(entry=entry)
    audit.record(actor=actor, verb="meeting.vote_open", target=meeting, data={"entry": entry.pk, "mode": mode})
    return entry


def _require_vote_open(entry: AgendaEntry) -> None:
    _require_open_entry(entry)  # a vote left open on an item already concluded takes no more ballots
    if entry.vote_state != AgendaEntry.VoteState.OPEN:
        raise conflict(_("此议题当前不在表决中"))


def _require_choice(choice: str) -> None:
    if choice not in Vote.Choice.values:
        raise conflict(_("请选择赞成、反对或弃权"))


@transaction.atomic
def vote_cast(*, actor: User, entry_id: int, choice: str) -> Vote | BallotCast:
    """A member's own ballot: named (the choice is kept with his name) or secret (only that he
    has voted, and the count)."""
    entry, meeting = _entry(entry_id)
    # Who first: a member present, not recused on this item (access.may_vote), whatever its state.
    _check(actor, meeting, "vote_cast", entry=entry)
    _require_vote_open(entry)
    if entry.vote_mode in access.ENTERED:
        raise conflict(_("本议题以%(mode)s方式表决，由记录人逐人登记。") % {"mode": entry.get_vote_mode_display()})
    _require_choice(choice)
    try:
        with transaction.atomic():
            if entry.vote_mode == VoteMode.SECRET:
                ballot = BallotCast.objects.create(entry=entry, member=actor)
            else:
                ballot = Vote.objects.create(entry=entry, member=actor, choice=choice)
    except IntegrityError as exc:
        raise conflict(_("您已就此议题投过票，每人只能投一次")) from exc
    if entry.vote_mode == VoteMode.SECRET:
        # The count grows in place: no row, time or order ties this choice to the voter.
        SecretBallot.objects.filter(entry=entry).update(**{BOX_COLUMN[choice]: F(BOX_COLUMN[choice]) + 1})
    # The choice is not in the audit data: votes stay secret until the vote closes.
    audit.record(actor=actor, verb="meeting.vote_cast", target=meeting, data={"entry": entry.pk})
    return ballot


@transaction.atomic
def vote_enter(*, actor: User, entry_id: int, member_id: int, choice: str) -> Vote:
    """举手、口头: the recorder enters each member's vote as the room sees it."""
    entry, meeting = _entry(entry_id)
    _check(actor, meeting, "vote_enter")
    _require_vote_open(entry)
    if entry.vote_mode not in access.ENTERED:
        raise conflict(
            _("本议题以%(mode)s方式表决，由成员本人投票，记录人不能代为登记。")
            % {"mode": entry.get_vote_mode_display()}
        )
    _require_choice(choice)
    facts = entry_facts(entry, meeting)
    if member_id in facts["recused"]:
        raise conflict(_("该成员已回避此议题，不参加表决。"))
    if member_id not in facts["present"]:
        raise conflict(_("只有出席会议的成员可以表决。"))
    try:
        with transaction.atomic():
            vote = Vote.objects.create(entry=entry, member_id=member_id, choice=choice, entered_by=actor)
    except IntegrityError as exc:
        earlier = Vote.objects.select_related("entered_by").filter(entry=entry, member_id=member_id).last()
        raise conflict(
            _("该成员的表决已登记：%(choice)s（%(who)s登记）；如有错误，请更正。")
            % {"choice": earlier.get_choice_display(), "who": earlier.entered_by}
        ) from exc
    audit.record(
        actor=actor,
        verb="meeting.vote_enter",
        target=meeting,
        data={"entry": entry.pk, "member": member_id, "choice": choice, "mode": entry.vote_mode},
    )
    return vote


@transaction.atomic
def vote_close(*, actor: User, entry_id: int) -> rules.Tally:
    entry, meeting = _entry(entry_id)
    # The record of an adjourned meeting stays as it was (the table: in progress only).
    _check(actor, meeting, "vote_close")
    if entry.vote_state != AgendaEntry.VoteState.OPEN:
        raise conflict(_("此议题当前不在表决中"))
    entry.vote_state = AgendaEntry.VoteState.CLOSED
    entry.save(update_fields=["vote_state"])
    facts = entry_facts(entry, meeting)
    result = tally(entry, facts)
    audit.record(
        actor=actor,
        verb="meeting.vote_close",
        target=meeting,
        data={
            "entry": entry.pk,
            "mode": entry.vote_mode,
            "for": result.votes_for,
            "against": result.votes_against,
            "abstain": result.votes_abstain,
            "should_attend": result.should_attend,
            "passed": rules.vote_passes(meeting.body, result),
        },
    )
    return result
