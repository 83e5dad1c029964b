"""表决： opening the vote on an item, each member's ballot, and closing it with the tally."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import audit
from core.errors import conflict
from meetings import rules
from meetings.models import (
    AgendaEntry,
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


def vote_required(entry: AgendaEntry) -> bool:
    """三重一大 is decided by vote; any other item when the chair calls one."""
    return bool(entry.item.major_kind) or bool(entry.vote_state)


@transaction.atomic
def vote_open(*, actor: User, entry_id: int) -> AgendaEntry:
    entry, meeting = _entry(entry_id)
    _check(actor, meeting, "vote_open")
    _require_open_entry(entry)
    if entry.vote_state:
        raise conflict(_("此议题的表决已经开始"))
    facts = _require_quorum(entry, meeting)
    missing = _opinions_missing(entry, facts)
    if missing:
        raise conflict(_("请先完成全体出席成员的表态，再进行表决"))
    entry.vote_state = AgendaEntry.VoteState.OPEN
    entry.save(update_fields=["vote_state"])
    audit.record(actor=actor, verb="meeting.vote_open", target=meeting, data={"entry": entry.pk})
    return entry


@transaction.atomic
def vote_cast(*, actor: User, entry_id: int, choice: str) -> Vote:
    entry, meeting = _entry(entry_id)
    # Who first: a member present, not recused on this item (access.may_vote), whatever its state.
    _check(actor, meeting, "vote_cast", entry=entry)
    _require_open_entry(entry)  # a vote left open on an item already concluded takes no more ballots
    if entry.vote_state != AgendaEntry.VoteState.OPEN:
        raise conflict(_("此议题当前不在表决中"))
    if choice not in Vote.Choice.values:
        raise conflict(_("请选择赞成、反对或弃权"))
    try:
        with transaction.atomic():
            vote = Vote.objects.create(entry=entry, member=actor, choice=choice)
    except IntegrityError as exc:
        raise conflict(_("您已就此议题投过票，每人只能投一次")) from exc
    # The choice is not in the audit data: votes stay secret until the vote closes.
    audit.record(actor=actor, verb="meeting.vote_cast", target=meeting, data={"entry": entry.pk})
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
            "for": result.votes_for,
            "against": result.votes_against,
            "abstain": result.votes_abstain,
            "should_attend": result.should_attend,
            "passed": rules.vote_passes(meeting.body, result),
        },
    )
    return result
