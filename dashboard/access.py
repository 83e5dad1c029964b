"""Who may see which part of the one screen （一屏晾晒）： answered here only."""

from org.models import OFFICE_ROLES, User


def can_read_school_figures(user: User) -> bool:
    """The leaders' dashboard （学校数据）： the school's leaders and the two offices that run the
    meetings and the supervision （党委办公室， 校务办）."""
    return user.is_authenticated and (user.is_leader or bool(user.roles & OFFICE_ROLES))


def sees_branch_panel(user: User) -> bool:
    """The party office's screen shows the branches' year: grades, 三会一课 short, rectification."""
    from supervision.access import can_check_branches

    return can_check_branches(user)
