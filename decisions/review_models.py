"""The review chain before screening (审阅 → 审核 → 审批), configured per department and category,
and 三重一大 routing. Imported by decisions.models (the app's models module)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.records import Opening, set_once
from core.transitions import Move, declare
from decisions.models import AgendaItem, Category, MajorKind
from org.models import Department, Role


class Reviewer(models.TextChoices):
    DEPT_HEAD = "dept_head", _("部门负责人")
    LEADER_IN_CHARGE = "leader_in_charge", _("分管校领导")
    BODY_OFFICE = "body_office", _("会务部门（党委办公室/校长办公室，按拟提交会议）")


class ReviewChain(models.Model):
    """One department's (or every department's) chain for one category (or every category).
    The most specific chain applies: department and category, then department, then category,
    then the school's default; without any, the department head's 审阅 alone."""

    name = models.CharField(_("名称"), max_length=100)
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("留空表示全校各部门"),
    )
    category = models.CharField(
        _("议题类别"), max_length=16, choices=Category.choices, blank=True, help_text=_("留空表示各类议题")
    )

    class Meta:
        verbose_name = _("审批流程")
        verbose_name_plural = _("审批流程（审阅→审核→审批）")
        ordering = ["department__sort_order", "category"]
        constraints = [
            models.UniqueConstraint(fields=["department", "category"], name="review_chain_unique", nulls_distinct=False)
        ]

    def __str__(self) -> str:
        return self.name


class ReviewChainStep(models.Model):
    chain = models.ForeignKey(ReviewChain, verbose_name=_("审批流程"), on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("顺序"))
    reviewer = models.CharField(_("办理人"), max_length=20, choices=Reviewer.choices)
    label = models.CharField(_("环节名称"), max_length=20, help_text=_("如：审阅、审核、审批"))
    may_countersign = models.BooleanField(_("可发起会签"), default=False, help_text=_("办理人可请其他部门会签"))

    class Meta:
        verbose_name = _("审批环节")
        verbose_name_plural = _("审批环节")
        ordering = ["chain", "position"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="review_chain_step_unique"),
            models.CheckConstraint(
                condition=models.Q(reviewer__in=["dept_head", "leader_in_charge", "body_office"]),
                name="review_chain_step_reviewer_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.label}({self.get_reviewer_display()})"


REVIEW_OPEN_COLUMNS = (
    "state", "department_id", "assignee_id", "role", "opened_at", "acted_by_id", "acted_at", "comment",
    "reminded_at", "escalated_at",
)  # fmt: skip
# The states of ItemReview.State, for its check constraint (the nested enum is not in Meta's scope).
REVIEW_STATE_VALUES = ("waiting", "pending", "countersigning", "approved", "returned", "skipped")
REVIEW_OPEN_SQL = "OLD.state IN ('waiting', 'pending', 'countersigning')"
REVIEW_SETTLED_SQL = "state IN ('approved', 'returned', 'skipped')"


class ItemReview(models.Model):
    """One step of the chain for one submission (round) of an item: who holds it, what they did, when."""

    class State(models.TextChoices):
        WAITING = "waiting", _("未开始")
        PENDING = "pending", _("办理中")
        COUNTERSIGNING = "countersigning", _("会签中")
        APPROVED = "approved", _("通过")
        RETURNED = "returned", _("退回")
        SKIPPED = "skipped", _("跳过")

    item = models.ForeignKey(AgendaItem, verbose_name=_("议题"), on_delete=models.PROTECT, related_name="reviews")
    round = models.PositiveSmallIntegerField(_("提交轮次"))
    position = models.PositiveSmallIntegerField(_("顺序"))
    reviewer = models.CharField(_("办理人类型"), max_length=20, choices=Reviewer.choices)
    label = models.CharField(_("环节"), max_length=20)
    may_countersign = models.BooleanField(_("可发起会签"), default=False)
    # Who holds the step, fixed when it opens: a department's head, a leader, or an office's role.
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="item_reviews",
    )
    role = models.CharField(_("办理部门"), max_length=20, choices=Role.choices, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.WAITING)
    opened_at = models.DateTimeField(_("到达时间"), null=True, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acted_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("议题审批环节")
        verbose_name_plural = _("议题审批环节")
        ordering = ["item", "round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "round", "position"], name="item_review_unique"),
            models.CheckConstraint(
                condition=models.Q(state__in=REVIEW_STATE_VALUES),
                name="item_review_state_valid",
            ),
        ]
        indexes = [models.Index(fields=["state", "opened_at"], name="item_review_open_idx")]

    # A step once decided (approved, returned, skipped) stays as it was; an open one moves on.
    record_rule = set_once(Opening(REVIEW_OPEN_COLUMNS, REVIEW_OPEN_SQL), settled=REVIEW_SETTLED_SQL)

    def __str__(self) -> str:
        return f"{self.item} · {self.label}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_REVIEW_STATES


OPEN_REVIEW_STATES = frozenset({ItemReview.State.PENDING, ItemReview.State.COUNTERSIGNING})
R = ItemReview.State
REVIEW_RULE = "decisions.access.may_review"

# Each row is its own record (who, when, what was said); the item's audit event names the step.
REVIEW_TRANSITIONS = declare(
    ItemReview,
    {
        "open": Move(_("到达本环节"), frozenset({R.WAITING}), frozenset({R.PENDING, R.SKIPPED}), system=True),
        "approve": Move(_("本环节通过"), frozenset({R.PENDING}), frozenset({R.APPROVED}), who=REVIEW_RULE),
        "return": Move(
            _("退回修改"),
            frozenset({R.PENDING}),
            frozenset({R.RETURNED}),
            needs_reason=True,
            who=REVIEW_RULE,
        ),
        "countersign": Move(
            _("发起会签"),
            frozenset({R.PENDING}),
            frozenset({R.COUNTERSIGNING}),
            who=REVIEW_RULE,
            args=(("action", "countersign"),),
        ),
        "countersign_done": Move(_("会签完毕"), frozenset({R.COUNTERSIGNING}), frozenset({R.PENDING}), system=True),
    },
    state_refusal=_("审批环节当前为“%(state)s”，不能%(step)s（可能已被他人处理，请刷新）"),
)


class Countersign(models.Model):
    """会签: a department asked by the leader in charge for its view before the step is decided."""

    review = models.ForeignKey(
        ItemReview, verbose_name=_("审批环节"), on_delete=models.PROTECT, related_name="countersigns"
    )
    department = models.ForeignKey(Department, verbose_name=_("会签部门"), on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("会签人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("会签时间"), null=True, blank=True)
    opinion = models.TextField(_("会签意见"), blank=True)

    class Meta:
        verbose_name = _("会签")
        verbose_name_plural = _("会签")
        ordering = ["requested_at", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "department"], name="countersign_once")]

    def __str__(self) -> str:
        return f"{self.review} · {self.department}"


class MajorRoute(models.Model):
    """三重一大 asked for the principal's office: to the Party committee, or (两议) the office first."""

    major_kind = models.CharField(_("“三重一大”类型"), max_length=16, choices=MajorKind.choices[1:], unique=True)
    po_first = models.BooleanField(
        _("先经校长办公会商议"),
        default=False,
        help_text=_("勾选：校长办公会先商议，再提交党委会决议；不勾选：直接提交党委会"),
    )

    class Meta:
        verbose_name = _("“三重一大”报送规则")
        verbose_name_plural = _("“三重一大”报送规则")
        ordering = ["major_kind"]

    def __str__(self) -> str:
        return self.get_major_kind_display()
