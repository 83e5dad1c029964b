"""Who may see a notice and who may write, publish or follow one up: answered here only.

Views, templates (through the context they are given) and selectors ask these functions.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from core.errors import forbidden
from notices.models import Notice, NoticeRecipient
from org.models import Role, User


def is_party_office(user: User) -> bool:
    """党委办公室 sends the notices and follows up who has not read them."""
    return user.is_authenticated and user.has_role(Role.PARTY_OFFICE)


def visibility_filter(user: User) -> Q:
    """The Q that limits Notice rows to what `user` may see: the notices addressed to them, the
    ones they wrote; for the party office every notice that is not confidential, and for the
    leaders (who see everything not confidential) every published one that is not. A
    confidential notice is for its audience (and its writer) alone."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    q = Q(Exists(NoticeRecipient.objects.filter(notice=OuterRef("pk"), person=user))) | Q(created_by=user)
    if is_party_office(user):
        q |= Q(confidential=False)
    elif user.is_leader:
        q |= Q(confidential=False, state=Notice.State.PUBLISHED)
    return q


def can_create(user: User) -> bool:
    return is_party_office(user)


def can_publish(user: User, notice: Notice) -> bool:
    return is_party_office(user) and notice.state == Notice.State.DRAFT


def can_follow_up(user: User, notice: Notice) -> bool:
    """The sender sees who has read it and who has not: its writer and the party office."""
    return notice.created_by_id == user.pk or is_party_office(user)


def check_create(user: User) -> None:
    if not can_create(user):
        raise forbidden(_("只有党委办公室可以发布通报"))


def check_publish(user: User) -> None:
    if not is_party_office(user):
        raise forbidden(_("只有党委办公室可以发布通报"))


def can_attach(user: User, notice: Notice) -> bool:
    """A notice's files are added by the party office while it is a draft, like its text."""
    return is_party_office(user) and notice.state == Notice.State.DRAFT


def reads_out(user: User, meeting) -> bool:
    """Who records that the notices queued for a meeting were read out there: those who run it."""
    from meetings.access import runs

    return runs(user, meeting)


# --- 全教会通报: the month's major department work ----------------------------------------------


def submits_work_for(user: User) -> list[int]:
    """The departments whose major work `user` reports for the monthly digest: the ones they head."""
    if not user.is_authenticated:
        return []
    return sorted(user.headed_department_ids)


def sees_digest_board(user: User) -> bool:
    """The board of a month's submissions: the party office (all), department heads (their own)."""
    return is_party_office(user) or bool(submits_work_for(user))


def major_work_filter(user: User) -> Q:
    if is_party_office(user):
        return Q()
    return Q(department__in=submits_work_for(user))
