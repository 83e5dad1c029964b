from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.records import Opening, set_once
from core.transitions import Step, declare
from org.models import Department, MeetingBody


class Category(models.TextChoices):
    STUDY = "study", _("学习")
    REPORT = "report", _("汇报")
    PROPOSAL = "proposal", _("提议")
    DECISION = "decision", _("决定")
    BRIEFING = "briefing", _("通报")


class MajorKind(models.TextChoices):
    """三重一大： these go to the Party committee, collectively, by vote."""

    NONE = "", _("非“三重一大”事项")
    DECISION = "decision", _("重大决策")
    APPOINTMENT = "appointment", _("重要干部任免")
    PROJECT = "project", _("重大项目安排")
    FUNDS = "funds", _("大额度资金使用")


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    DEPT_REVIEW = "dept_review", _("部门审核中")
    RETURNED = "returned", _("退回修改")
    SCREENING = "screening", _("待研判")
    CONSULTING = "consulting", _("会前酝酿中")
    REVISING = "revising", _("意见不一·待修改")
    READY = "ready", _("待上会")
    REJECTED = "rejected", _("不予上会")
    WITHDRAWN = "withdrawn", _("已撤回")
    SCHEDULED = "scheduled", _("已列入议程")
    RESOLVED = "resolved", _("已决议")
    NOT_PASSED = "not_passed", _("未通过")
    NOTED = "noted", _("已学习/已听取")
    CLOSED = "closed", _("已办结")


S = State
ITEM_RULE = "decisions.access.may_take"


def _step(label, sources, targets, *, name: str, needs_reason: bool = False, system: bool = False) -> Step:
    return Step(
        label,
        frozenset(sources),
        frozenset(targets),
        needs_reason=needs_reason,
        who=ITEM_RULE,
        args=(("step", name),),
        verb=f"item.{name}",
        system=system,
    )


# Every state change of an agenda item is one of these steps (core.transitions); the service
# refuses any other move. Who may take a step is decided in decisions.access.may_take.
STEPS: dict[str, Step] = {
    "submit": _step(_("提交"), {S.DRAFT, S.RETURNED}, {S.DEPT_REVIEW}, name="submit"),
    # The review chain (审阅 → 审核 → 审批): a step approved; the last one sends the item to screening.
    "dept_approve": _step(_("部门审核通过"), {S.DEPT_REVIEW}, {S.DEPT_REVIEW, S.SCREENING}, name="dept_approve"),
    "dept_return": _step(_("部门退回"), {S.DEPT_REVIEW}, {S.RETURNED}, name="dept_return", needs_reason=True),
    "screen_accept": _step(_("研判同意上会"), {S.SCREENING}, {S.CONSULTING, S.READY}, name="screen_accept"),
    "screen_return": _step(_("研判退回修改"), {S.SCREENING}, {S.RETURNED}, name="screen_return", needs_reason=True),
    "screen_reject": _step(_("研判不予上会"), {S.SCREENING}, {S.REJECTED}, name="screen_reject", needs_reason=True),
    "consult_answer": _step(
        _("酝酿意见"), {S.CONSULTING, S.REVISING}, {S.CONSULTING, S.REVISING, S.READY}, name="consult_answer"
    ),
    "resubmit": _step(_("修改后重新酝酿"), {S.REVISING}, {S.CONSULTING}, name="resubmit", needs_reason=True),
    "withdraw": _step(
        _("撤回"),
        {S.DRAFT, S.DEPT_REVIEW, S.RETURNED, S.SCREENING, S.CONSULTING, S.REVISING, S.READY},
        {S.WITHDRAWN},
        name="withdraw",
        needs_reason=True,
    ),
}

# The steps a meeting takes on an item (meetings.services calls them): the same rules, kept apart
# because they are not taken from the item's own page.
MEETING_STEPS: dict[str, Step] = {
    "schedule": _step(_("列入会议议程"), {S.READY}, {S.SCHEDULED}, name="schedule"),
    # A job takes an item off the agenda when its materials are late (no person).
    "unschedule": _step(_("撤出会议议程"), {S.SCHEDULED}, {S.READY}, name="unschedule", needs_reason=True, system=True),
    "decide": _step(
        _("会议决定"),
        {S.SCHEDULED},
        {S.RESOLVED, S.NOT_PASSED, S.NOTED, S.READY},
        name="decide",
        needs_reason=True,
    ),
    "forward_to_pc": _step(
        _("校长办公会商议通过，提交党委会决议"), {S.SCHEDULED}, {S.READY}, name="forward_to_pc", needs_reason=True
    ),
}

# 决策—执行—反馈—办结: supervision closes a resolved item when the last of its tasks closes; the
# supervisor's right was asked by the review that closed the task.
SUPERVISION_STEPS: dict[str, Step] = {
    "close": Step(
        _("督查任务全部办结"),
        frozenset({S.RESOLVED}),
        frozenset({S.CLOSED}),
        needs_reason=True,
        verb="item.close",
        system=True,
    ),
}
ALL_STEPS: dict[str, Step] = {**STEPS, **MEETING_STEPS, **SUPERVISION_STEPS}

EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED, S.REVISING})
# Materials may still be added once the item is ready and until its meeting (补充会议材料).
MATERIALS_STATES = EDITABLE_STATES | {S.READY, S.SCHEDULED}
# Settled by screening: while leaders are being consulted these cannot change (withdraw and resubmit instead).
SETTLED_FIELDS = ("requested_body", "category", "major_kind", "confidential")


class DecisionPolicy(models.Model):
    """School-wide defaults an administrator may change (one row)."""

    major_amount_threshold = models.DecimalField(
        _("大额资金标准（元）"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("100000"),
        help_text=_("涉及金额达到此数的议题自动按“三重一大”（大额度资金使用）办理"),
    )
    review_remind_days = models.PositiveSmallIntegerField(
        _("审批环节提醒天数"), default=1, help_text=_("审批环节到达后超过此天数未办理，提醒办理人")
    )
    review_escalate_days = models.PositiveSmallIntegerField(
        _("审批环节督办天数"), default=3, help_text=_("审批环节到达后超过此天数未办理，提醒其上级督办")
    )
    unfollowed_escalate_days = models.PositiveSmallIntegerField(
        _("决而未果督办天数"),
        default=14,
        help_text=_("决议形成后超过此天数既无督查任务又无不需督查的理由，提醒党委书记督办"),
    )

    class Meta:
        verbose_name = _("议题规则设置")
        verbose_name_plural = _("议题规则设置")

    def __str__(self) -> str:
        return str(_("议题规则设置"))

    @classmethod
    def current(cls) -> "DecisionPolicy":
        policy = cls.objects.order_by("pk").first()
        return policy or cls()


class ScopeRule(models.Model):
    """一定： which categories of item a meeting may take up. Editable data."""

    body = models.ForeignKey(MeetingBody, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="scope_rules")
    category = models.CharField(_("议题类别"), max_length=16, choices=Category.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("议事范围")
        verbose_name_plural = _("议事范围（一定）")
        ordering = ["body__sort_order", "category"]
        constraints = [models.UniqueConstraint(fields=["body", "category"], name="scope_rule_unique")]

    def __str__(self) -> str:
        return f"{self.body} · {self.get_category_display()}"


class AgendaItem(models.Model):
    title = models.CharField(_("议题名称"), max_length=200)
    category = models.CharField(_("议题类别"), max_length=16, choices=Category.choices)
    background = models.TextField(_("背景与依据"))
    proposal = models.TextField(_("建议方案"))
    amount = models.DecimalField(
        _("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True, help_text=_("不涉及资金请留空")
    )
    major_kind = models.CharField(_("“三重一大”类型"), max_length=16, choices=MajorKind.choices, blank=True, default="")
    requested_body = models.ForeignKey(
        MeetingBody, verbose_name=_("拟提交会议"), on_delete=models.PROTECT, related_name="requested_items"
    )
    confidential = models.BooleanField(_("涉密/敏感"), default=False, help_text=_("仅参会人员及决议指定人员可见"))
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="submitted_items"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("提交部门"), on_delete=models.PROTECT, related_name="items"
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    consultation_round = models.PositiveIntegerField(_("酝酿轮次"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    routing_reason = models.TextField(_("报送会议调整说明"), blank=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=State.values), name="agenda_item_state_valid"),
            models.CheckConstraint(condition=models.Q(category__in=Category.values), name="agenda_item_category_valid"),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="agenda_item_amount_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "requested_body"], name="item_state_body_idx"),
            models.Index(fields=["submitter", "state"], name="item_submitter_idx"),
            models.Index(fields=["department", "state"], name="item_department_idx"),
            models.Index(fields=["submitted_at"], name="item_submitted_idx"),
            # The lists' order (newest change first): a page of 20 walks the index, not a sort of all.
            models.Index(fields=["-updated_at", "-id"], name="item_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_major(self) -> bool:
        return bool(self.major_kind)

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES


ITEM_TRANSITIONS = declare(
    AgendaItem,
    ALL_STEPS,
    states=State,
    state_refusal=_("议题当前状态为“%(state)s”，不能%(step)s（可能已被他人处理，请刷新）"),
)


class Consultation(models.Model):
    """会前酝酿： one named leader's view on one round of an item."""

    class Answer(models.TextChoices):
        PENDING = "pending", _("待答复")
        AGREE = "agree", _("同意")
        CONCERN = "concern", _("有不同意见")

    item = models.ForeignKey(AgendaItem, verbose_name=_("议题"), on_delete=models.PROTECT, related_name="consultations")
    round = models.PositiveIntegerField(_("轮次"))
    consultee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("征求意见对象"), on_delete=models.PROTECT, related_name="consultations"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    answer = models.CharField(_("意见"), max_length=10, choices=Answer.choices, default=Answer.PENDING)
    text = models.TextField(_("意见内容"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会前酝酿")
        verbose_name_plural = _("会前酝酿")
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "round", "consultee"], name="consultation_once_per_round"),
            models.CheckConstraint(
                condition=models.Q(answer__in=["pending", "agree", "concern"]), name="consultation_answer_valid"
            ),
        ]
        indexes = [models.Index(fields=["consultee", "answer"], name="consultation_inbox_idx")]

    # An answer is given once: answer, text and time are written together while it is pending.
    record_rule = set_once(
        Opening(("answer", "text", "answered_at"), "OLD.answer = 'pending'"), settled="answer <> 'pending'"
    )

    def __str__(self) -> str:
        return f"{self.item} · {self.consultee} · {self.get_answer_display()}"


class Attachment(models.Model):
    item = models.ForeignKey(AgendaItem, verbose_name=_("议题"), on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    sha256 = models.CharField(_("SHA-256 校验值"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    # Withdrawn files stay on disk and on record; they are only hidden from the current materials.
    removed_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    # The file as uploaded stays on record; withdrawing it sets removed_at once.
    record_rule = set_once(Opening(("removed_at",), "OLD.removed_at IS NULL"), settled="removed_at IS NOT NULL")

    def __str__(self) -> str:
        return self.name


# The review chain and 三重一大 routing (their own module, to keep this one short).
from decisions.review_models import (  # noqa: E402
    OPEN_REVIEW_STATES,
    REVIEW_TRANSITIONS,
    Countersign,
    ItemReview,
    MajorRoute,
    ReviewChain,
    ReviewChainStep,
    Reviewer,
)

__all__ = [
    "ALL_STEPS",
    "EDITABLE_STATES",
    "ITEM_TRANSITIONS",
    "MATERIALS_STATES",
    "MEETING_STEPS",
    "OPEN_REVIEW_STATES",
    "REVIEW_TRANSITIONS",
    "SETTLED_FIELDS",
    "STEPS",
    "SUPERVISION_STEPS",
    "AgendaItem",
    "Attachment",
    "Category",
    "Consultation",
    "Countersign",
    "DecisionPolicy",
    "ItemReview",
    "MajorKind",
    "MajorRoute",
    "ReviewChain",
    "ReviewChainStep",
    "Reviewer",
    "ScopeRule",
    "State",
]
