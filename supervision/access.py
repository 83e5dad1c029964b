"""Who may see and answer letters to the secretary's mailbox: answered here only."""

from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import forbidden
from org.models import Role, User

ANSWERERS = (Role.SECRETARY, Role.PARTY_OFFICE)


def can_answer(user: User) -> bool:
    """The Party secretary answers, or the party office on his behalf."""
    return user.is_authenticated and user.has_role(*ANSWERERS)


def visibility_filter(user: User) -> Q:
    """The Q that limits Letter rows to what `user` may see: their own letters; every letter for
    the secretary and the party office; nothing for anyone else."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if can_answer(user):
        return Q()
    return Q(author=user)


def check_reply(user: User) -> None:
    if not can_answer(user):
        raise forbidden(_("只有党委书记或党委办公室可以回复来信"))
