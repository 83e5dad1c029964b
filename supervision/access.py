"""Who may see and answer letters to the secretary's mailbox: answered here only."""

from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import forbidden
from org.models import OFFICE_ROLES, Role, User

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


# --- supervision tasks (四督查) ------------------------------------------------------------

# Who may hand out tasks: the offices that run the meetings and supervise, and the discipline secretary.
ASSIGNERS = (Role.PARTY_OFFICE, Role.AFFAIRS_OFFICE, Role.DISCIPLINE)


def supervised_tracks(user: User) -> list[str]:
    """The tracks `user` supervises (纪委: task completion; 校务办: performance and projects;
    党委办公室: branch building)."""
    from supervision.models import TRACK_SUPERVISOR_ROLES

    if not user.is_authenticated:
        return []
    return [track for track, role in TRACK_SUPERVISOR_ROLES.items() if user.has_role(role)]


def can_assign(user: User) -> bool:
    return user.is_authenticated and user.has_role(*ASSIGNERS)


def can_create_task(user: User, source: str, *, finding_leader_id: int | None = None) -> bool:
    """Who may turn a source into a task: assigners for a resolution; those who answer the
    mailbox (the secretary, the party office) for a letter; assigners and the patrol's own
    leader for a finding."""
    if not user.is_authenticated:
        return False
    if source == "letter":
        # Letters are private to their author and those who answer them (visibility_filter).
        return can_answer(user)
    if source == "patrol":
        return can_assign(user) or (finding_leader_id is not None and finding_leader_id == user.pk)
    return can_assign(user)


def can_record_patrol(user: User) -> bool:
    """校园周巡查 findings are recorded by leaders (or the offices for them)."""
    return user.is_authenticated and (user.is_leader or user.has_role(*OFFICE_ROLES))


def records_patrols_for_leaders(user: User) -> bool:
    """The offices record a patrol's findings on a leader's behalf."""
    return user.has_role(*OFFICE_ROLES)


def sees_all_findings(user: User) -> bool:
    return user.is_authenticated and (user.is_leader or user.has_role(*OFFICE_ROLES))


def can_see_patrols(user: User) -> bool:
    """Leaders, the offices and department heads may open the patrol list."""
    return sees_all_findings(user) or (user.is_authenticated and bool(user.headed_department_ids))


def finding_visibility_filter(user: User) -> Q:
    """The findings `user` may see: all for leaders and the offices; else their own patrols' and
    their departments'."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if sees_all_findings(user):
        return Q()
    return Q(leader=user) | Q(department__in=user.headed_department_ids)


def can_read_branches(user: User) -> bool:
    """The party office runs the branch checks; leaders read the results."""
    return user.is_authenticated and (user.is_leader or user.has_role(Role.PARTY_OFFICE))


def can_read_report(user: User) -> bool:
    """The supervision report: 纪委书记 compiles it for the Party committee; the secretary, the
    party office and the leaders read it."""
    return user.is_authenticated and (user.is_leader or user.has_role(Role.PARTY_OFFICE))


def can_check_branches(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.PARTY_OFFICE)


def can_report(user: User, task) -> bool:
    """The lead department reports: its head."""
    return user.is_authenticated and task.lead_department_id in user.headed_department_ids


def can_review(user: User, task) -> bool:
    return task.track in supervised_tracks(user)


def sees_all_tasks(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.is_leader or user.has_role(*OFFICE_ROLES))


def task_visibility_filter(user: User) -> Q:
    """The one statement of which tasks `user` may see (lists, pages, evidence, exports):
    leaders and the offices every task that is not confidential; the responsible leader, the
    person who made it, the lead department's head, the track's supervisor and the resolution's
    meeting attendees a confidential one too; the lead department's staff and the item's
    submitter and followers the tasks that are not confidential."""
    from meetings.models import Attendance
    from org.access import bodies_attended_by
    from supervision.models import Follow

    if not user.is_authenticated:
        return Q(pk__in=[])
    named = (
        Q(responsible_leader=user)
        # Whoever handed the task out (a confidential letter's, say: the secretary) is shown it next.
        | Q(created_by=user)
        | Q(lead_department__in=user.headed_department_ids)
        | Q(track__in=supervised_tracks(user))
        | Q(resolution__meeting__in=Attendance.objects.filter(person=user).values("meeting_id"))
        # Those who attend the resolving body's meetings (members, observers, chair, its secretary
        # office) see its confidential items (decisions.access), and so the tasks that implement them.
        | Q(resolution__body__in=bodies_attended_by(user))
    )
    open_ = Q(confidential=False) & (
        Q(lead_department=user.department_id)
        | Q(item__submitter=user)
        | Q(item__in=Follow.objects.filter(person=user).values("item_id"))
    )
    if sees_all_tasks(user):
        open_ = Q(confidential=False)
    return named | open_


def check_assign(user: User) -> None:
    if not can_assign(user):
        raise forbidden(_("只有党委办公室、校务办或纪委可以下达督查任务"))


def check_report(user: User, task) -> None:
    if not can_report(user, task):
        raise forbidden(_("只有牵头部门负责人可以报送进展"))


def check_review(user: User, task) -> None:
    if not can_review(user, task):
        raise forbidden(_("只有本类督查的督查部门可以审核"))


# --- 决而未果: resolutions without follow-up -------------------------------------------------------

# The party office and the discipline committee watch the queue; the secretary is escalated to.
UNFOLLOWED_WATCHERS = (Role.PARTY_OFFICE, Role.DISCIPLINE)


def watches_unfollowed(user: User) -> bool:
    return user.is_authenticated and user.has_role(*UNFOLLOWED_WATCHERS)


def may_record_no_task(user: User) -> str | None:
    """Who may put on record that a resolution needs no supervision task: those who watch the queue."""
    if not watches_unfollowed(user):
        return _("只有党委办公室或纪委可以登记无需督查的理由")
    return None
