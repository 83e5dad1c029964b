"""The counting rules of a meeting: quorum and the pass threshold. Pure functions."""

from dataclasses import dataclass


def reaches(count: int, total: int, num: int, den: int, *, strict: bool) -> bool:
    """count/total > num/den when strict, >= otherwise; in integers, so 2/4 is never 'more than half'."""
    if total <= 0:
        return False
    return count * den > total * num if strict else count * den >= total * num


@dataclass(frozen=True)
class Tally:
    should_attend: int  # 应到: members of the meeting, less those recused on this item
    present: int  # members present, less those recused
    votes_for: int
    votes_against: int
    votes_abstain: int

    @property
    def votes_cast(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstain


def quorum_met(body, *, present: int, should_attend: int, appointment: bool = False) -> bool:
    """PC convenes only with more than half of its members present; two thirds for appointments."""
    if appointment:
        return reaches(present, should_attend, body.appointment_quorum_num, body.appointment_quorum_den, strict=False)
    return reaches(present, should_attend, body.quorum_num, body.quorum_den, strict=body.quorum_strict)


def vote_passes(body, tally: Tally) -> bool:
    """More than half of the members who should attend （应到会） in favour, not merely those present."""
    return reaches(tally.votes_for, tally.should_attend, body.pass_num, body.pass_den, strict=True)


def first_item_problem(body, first_category: str | None, *, exception_reason: str = "") -> str | None:
    """第一议题: a body whose policy says so opens every agenda with theory study. Any other first
    item needs a recorded reason (an emergency meeting, say). Returns the refusal, or None."""
    from django.utils.translation import gettext as _

    if not getattr(body, "study_first", False) or first_category == "study" or exception_reason.strip():
        return None
    return _("%(body)s议程的第一项须为理论学习议题（第一议题）；确需例外的，请写明例外理由") % {"body": body.name}
