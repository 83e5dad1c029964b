"""四督查： supervision tasks on four tracks, their escalations, and who follows them.

A task comes from a resolution （决议事项）， a letter to the secretary's mailbox, a campus patrol
finding or a duty of the responsibility calendar. The lead department reports progress with
evidence; the track's supervisor accepts, returns or escalates. Reports, reviews, evidence and
escalations are written once (append-only); the task row carries the current state. The milestones,
progress reports, evidence and reviews are in supervision.models.progress.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from core.transitions import Move, declare
from org.models import Department, Role


class Track(models.TextChoices):
    TASK = "task", _("任务布置完成情况")
    PERFORMANCE = "performance", _("部门工作绩效")
    PROJECT = "project", _("项目建设成果")
    BRANCH = "branch", _("党支部建设成效")


# Who supervises each track (DOMAIN.md, 四督查).
TRACK_SUPERVISOR_ROLES: dict[str, str] = {
    Track.TASK: Role.DISCIPLINE,
    Track.PERFORMANCE: Role.AFFAIRS_OFFICE,
    Track.PROJECT: Role.AFFAIRS_OFFICE,
    Track.BRANCH: Role.PARTY_OFFICE,
}


class Task(models.Model):
    class State(models.TextChoices):
        ASSIGNED = "assigned", _("待落实")
        IN_PROGRESS = "in_progress", _("落实中")
        REPORTED = "reported", _("已报送·待审核")
        RETURNED = "returned", _("退回补充")
        CLOSED = "closed", _("已办结")

    class Source(models.TextChoices):
        RESOLUTION = "resolution", _("决议事项")
        LETTER = "letter", _("书记信箱")
        PATROL = "patrol", _("校园周巡查")
        DUTY = "duty", _("行事历")
        # Handed out by an office, not from a resolution: 校务办 the department-performance and
        # annual work-plan tasks, 党委办公室 the branch tasks (supervision.services.assigned).
        ASSIGNED = "assigned", _("工作部署")
        CHECK = "check", _("支部检查整改")

    class Plan(models.TextChoices):
        NONE = "", _("无")
        PERFORMANCE = "performance", _("部门工作绩效")
        WORK_PLAN = "work_plan", _("年度工作要点")
        BRANCH = "branch", _("党支部工作")

    track = models.CharField(_("督查类别"), max_length=16, choices=Track.choices)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    resolution = models.ForeignKey(
        "meetings.Resolution",
        verbose_name=_("决议"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    # The item the resolution settled: it closes (办结) when its last task closes.
    item = models.ForeignKey(
        "decisions.AgendaItem",
        verbose_name=_("议题"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    letter = models.ForeignKey(
        "supervision.Letter",
        verbose_name=_("来信"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    finding = models.ForeignKey(
        "supervision.PatrolFinding",
        verbose_name=_("巡查发现"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    occurrence = models.OneToOneField(
        "supervision.DutyOccurrence",
        verbose_name=_("行事历事项"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="task",
    )
    plan = models.CharField(_("工作部署类别"), max_length=12, choices=Plan.choices, blank=True, default="")
    # A failed item of a party office's branch check becomes one rectification task (整改任务).
    check_mark = models.OneToOneField(
        "supervision.BranchCheckMark",
        verbose_name=_("未达标检查项"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rectification",
    )
    title = models.CharField(_("任务名称"), max_length=200)
    description = models.TextField(_("任务要求"), blank=True)
    lead_department = models.ForeignKey(
        Department, verbose_name=_("牵头部门"), on_delete=models.PROTECT, related_name="supervision_tasks"
    )
    responsible_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任领导"),
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    deadline = models.DateField(_("完成时限"))
    confidential = models.BooleanField(_("涉密"), default=False)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.ASSIGNED)
    # 0 none; 1 overdue: the responsible leader told; 2 still overdue: the supervisor told;
    # 3 escalated by the supervisor (不落实: handed on to the Party secretary).
    escalation_level = models.PositiveSmallIntegerField(_("督办等级"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("下达人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("下达时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("督查任务")
        verbose_name_plural = _("督查任务")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["assigned", "in_progress", "reported", "returned", "closed"]),
                name="task_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(track__in=["task", "performance", "project", "branch"]), name="task_track_valid"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(source="resolution", resolution__isnull=False)
                    | models.Q(source="letter", letter__isnull=False)
                    | models.Q(source="patrol", finding__isnull=False)
                    | models.Q(source="duty", occurrence__isnull=False)
                    | (models.Q(source="assigned") & ~models.Q(plan=""))
                    | models.Q(source="check", check_mark__isnull=False)
                ),
                name="task_source_named",
            ),
            models.CheckConstraint(
                condition=models.Q(state="closed", closed_at__isnull=False)
                | (~models.Q(state="closed") & models.Q(closed_at__isnull=True)),
                name="task_closed_at_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["track", "state", "deadline"], name="task_track_idx"),
            models.Index(fields=["lead_department", "state"], name="task_department_idx"),
            models.Index(fields=["responsible_leader", "state"], name="task_leader_idx"),
            models.Index(fields=["state", "deadline"], name="task_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state != self.State.CLOSED


T = Task.State
OPEN_STATES = frozenset({T.ASSIGNED, T.IN_PROGRESS, T.REPORTED, T.RETURNED})
REPORTS, REVIEWS = "supervision.access.can_report", "supervision.access.can_review"
REVIEWERS_ONLY = _("只有本类督查的督查部门可以审核")


# Every state change of a task is one of these (core.transitions); the service refuses any other
# move. Urging and escalating leave the state as it is, on an open task only.
TASK_TRANSITIONS = declare(
    Task,
    {
        "report": Move(
            _("报送进展"),
            frozenset({T.ASSIGNED, T.IN_PROGRESS, T.RETURNED}),
            frozenset({T.REPORTED}),
            who=REPORTS,
            refusal=_("只有牵头部门负责人可以报送进展"),
            verb="task.report",
        ),
        "accept": Move(
            _("审核通过"),
            frozenset({T.REPORTED}),
            frozenset({T.IN_PROGRESS}),
            who=REVIEWS,
            refusal=REVIEWERS_ONLY,
            verb="task.accept",
        ),
        "close": Move(
            _("同意办结"),
            frozenset({T.REPORTED}),
            frozenset({T.CLOSED}),
            who=REVIEWS,
            refusal=REVIEWERS_ONLY,
            verb="task.close",
        ),
        "return": Move(
            _("退回补充"),
            frozenset({T.REPORTED}),
            frozenset({T.RETURNED}),
            needs_reason=True,
            who=REVIEWS,
            refusal=REVIEWERS_ONLY,
            verb="task.return",
        ),
        "urge": Move(
            _("催办"),
            OPEN_STATES,
            who=REVIEWS,
            refusal=REVIEWERS_ONLY,
            verb="task.urge",
            blocked=_("任务已办结，无需催办"),
        ),
        # The daily sweep escalates overdue tasks itself (levels 1 and 2); the supervisor hands an
        # unfulfilled one on to the Party secretary (level 3).
        "escalate": Move(
            _("督办升级"),
            OPEN_STATES,
            needs_reason=True,
            who=REVIEWS,
            refusal=REVIEWERS_ONLY,
            verb="task.escalate",
            system=True,
            blocked=_("任务已办结，无需督办"),
        ),
    },
    state_refusal=_("任务当前状态为“%(state)s”，不能执行此操作（可能已被他人处理，请刷新）"),
)

# The state moves as (sources, target), the shape pages and reports read first.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    action: (move.sources, TASK_TRANSITIONS.target(action))
    for action, move in TASK_TRANSITIONS.items()
    if not move.stays
}


class TaskEscalation(AppendOnlyModel):
    """督办升级： by a sweep (overdue → responsible leader, then supervisor) or by the supervisor."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.PROTECT, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("等级"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("空：系统自动督办"),
    )
    reason = models.TextField(_("理由"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["task", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.task} · {self.level}"


class Follow(models.Model):
    """A person who follows an agenda item （关注） is told when its tasks change state."""

    item = models.ForeignKey("decisions.AgendaItem", verbose_name=_("议题"), on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("关注人"), on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(_("关注时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("关注")
        verbose_name_plural = _("关注")
        constraints = [models.UniqueConstraint(fields=["item", "person"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.person} → {self.item}"
