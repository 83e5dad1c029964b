"""Who may see and answer letters to the secretary's mailbox: answered here only."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from core.errors import forbidden
from org.models import OFFICE_ROLES, Role, User

ANSWERERS = (Role.SECRETARY, Role.PARTY_OFFICE)


def can_answer(user: User) -> bool:
    """The Party secretary answers, or the party office on his behalf."""
    return user.is_authenticated and user.has_role(*ANSWERERS)


def visibility_filter(user: User) -> Q:
    """The Q that limits Letter rows to what `user` may see: their own letters; every letter for
    the secretary and the party office; the letters forwarded to a department for its heads;
    nothing for anyone else. (An anonymous letter's writer reads it by its query code instead.)"""
    from supervision.models import LetterForward

    if not user.is_authenticated:
        return Q(pk__in=[])
    if can_answer(user):
        return Q()
    forwarded = LetterForward.objects.filter(department__in=user.headed_department_ids).values("letter_id")
    return Q(author=user) | Q(pk__in=forwarded)


def can_forward_letter(user: User) -> bool:
    """The secretary and the party office forward a letter to a department (转办)."""
    return can_answer(user)


def can_reply_letter(user: User, letter) -> bool:
    """The secretary and the party office answer every letter; a department head the letters
    forwarded to their department."""
    if can_answer(user):
        return True
    if not user.is_authenticated or not user.headed_department_ids:
        return False
    return letter.forwards.filter(department__in=user.headed_department_ids).exists()


def sees_letter_writer(user: User, letter) -> bool:
    """Who wrote a named letter is seen by the writer and those who answer the mailbox, never by
    a department it is forwarded to; an anonymous letter names nobody to anyone."""
    if letter.anonymous:
        return False
    return can_answer(user) or letter.author_id == user.pk


def check_reply(user: User) -> None:
    if not can_answer(user):
        raise forbidden(_("只有党委书记或党委办公室可以回复来信"))


# --- supervision tasks (四督查) ------------------------------------------------------------

# Who may hand out tasks: the offices that run the meetings and supervise, and the discipline secretary.
ASSIGNERS = (Role.PARTY_OFFICE, Role.AFFAIRS_OFFICE, Role.DISCIPLINE)


def supervised_tracks(user: User) -> list[str]:
    """The tracks `user` supervises （纪委： task completion; 校务办： performance and projects;
    党委办公室： branch building)."""
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


def can_plan_patrols(user: User) -> bool:
    """The patrol rota (巡查排班) is drawn up by the party office or the school affairs office."""
    return user.is_authenticated and user.has_role(*OFFICE_ROLES)


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


def can_compile_report(user: User) -> bool:
    """The discipline committee's half-year report is compiled, edited and filed by 纪委书记."""
    return user.is_authenticated and user.has_role(Role.DISCIPLINE)


def can_record_key_area(user: User) -> bool:
    """Key-area supervision (招生命题、人员招聘、职称评审、合同商谈、资产处置) is the committee's."""
    return user.is_authenticated and user.has_role(Role.DISCIPLINE)


def can_check_branches(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.PARTY_OFFICE)


def can_self_check(user: User, branch) -> bool:
    """A branch checks itself (自查): its secretary, the branch's head in Yishi."""
    return user.is_authenticated and branch.pk in user.headed_department_ids


def can_record_org_life(user: User, branch) -> bool:
    """三会一课 are recorded by the branch's secretary, or by the party office for it."""
    return user.is_authenticated and (user.has_role(Role.PARTY_OFFICE) or branch.pk in user.headed_department_ids)


def branches_kept_by(user: User) -> frozenset[int] | None:
    """The branches whose 三会一课 and self-checks `user` keeps: None for all (the party office)."""
    if user.has_role(Role.PARTY_OFFICE):
        return None
    return user.headed_department_ids


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
    from supervision.models import TaskPartner

    # 协办: a co-operating department's head sees the task (a confidential one too), its staff an open one.
    partner = TaskPartner.objects.filter(task=OuterRef("pk"))
    named = (
        Q(Exists(partner.filter(department__in=user.headed_department_ids)))
        | Q(responsible_leader=user)
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
        | Q(Exists(partner.filter(department=user.department_id)))
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


def unfollowed_escalated_to() -> list[User]:
    """Whom a resolution left without follow-up is escalated to: the active people of the party
    office and the discipline committee, and the Party secretary (the party committee's chair)."""
    from org.models import MeetingBody

    watchers = list(User.objects.filter(is_active=True, role_assignments__role__in=UNFOLLOWED_WATCHERS).distinct())
    secretary = MeetingBody.objects.filter(code=MeetingBody.Code.PC).values_list("chair_id", flat=True).first()
    return watchers + [u for u in User.objects.filter(pk=secretary, is_active=True) if u not in watchers]


def may_record_no_task(user: User) -> str | None:
    """Who may put on record that a resolution needs no supervision task: those who watch the queue."""
    if not watches_unfollowed(user):
        return _("只有党委办公室或纪委可以登记无需督查的理由")
    return None


# --- tasks handed out by an office, and 协办 --------------------------------------------------------

# Who hands out which tasks that do not come from a resolution: the school affairs office the
# department-performance and annual work-plan tasks, the party office the branch tasks.
PLAN_ASSIGNERS = {
    "performance": Role.AFFAIRS_OFFICE,
    "work_plan": Role.AFFAIRS_OFFICE,
    "branch": Role.PARTY_OFFICE,
}


def plans_assigned_by(user: User) -> list[str]:
    if not user.is_authenticated:
        return []
    return [plan for plan, role in PLAN_ASSIGNERS.items() if user.has_role(role)]


def can_assign_plan(user: User, plan: str) -> bool:
    return plan in plans_assigned_by(user)


def can_name_partners(user: User, task) -> bool:
    """Co-operating departments are named by whoever may hand out tasks, or by the one who made it."""
    return user.is_authenticated and (
        can_assign(user) or (task.created_by_id is not None and task.created_by_id == user.pk)
    )


def partner_departments(user: User, task) -> list[int]:
    """The co-operating departments of `task` that `user` heads (use with `partners` prefetched)."""
    if not user.is_authenticated:
        return []
    heads = user.headed_department_ids
    return [p.department_id for p in task.partners.all() if p.department_id in heads]


def can_report_part(user: User, task) -> bool:
    """A co-operating department's head reports their department's part."""
    return bool(partner_departments(user, task))


# --- department performance (部门工作绩效) -----------------------------------------------------


def can_rate_performance(user: User) -> bool:
    """The school affairs office rates the departments' performance."""
    return user.is_authenticated and user.has_role(Role.AFFAIRS_OFFICE)


def can_read_performance(user: User, rating=None) -> bool:
    """The office reads every rating; leaders a published one; a department head his own line of
    a published one (performance_rows limits it)."""
    if not user.is_authenticated:
        return False
    if can_rate_performance(user):
        return True
    published = rating is None or rating.published_at is not None
    return published and (user.is_leader or bool(user.headed_department_ids))


def performance_departments(user: User) -> frozenset[int] | None:
    """Whose scores `user` reads: None for all (the office, leaders); else the departments he heads."""
    if can_rate_performance(user) or user.is_leader:
        return None
    return user.headed_department_ids


def sees_every_duty(user: User) -> bool:
    """The party office keeps the responsibility calendar (行事历): it reads every role's duties;
    everyone else those of his own roles."""
    return user.is_authenticated and user.has_role(Role.PARTY_OFFICE)
