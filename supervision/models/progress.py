"""What the lead department reports on a task and what its supervisor answers: milestones （节点），
progress reports （进展报告） with their evidence （佐证材料）， and reviews （审核）. Reports, evidence
and reviews are written once (append-only).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from supervision.models.tasks import Task


class Milestone(models.Model):
    """A stage of a task （节点）. Done when the supervisor accepts a report that completes it."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(_("节点"), max_length=200)
    due = models.DateField(_("节点时限"))
    weight = models.PositiveSmallIntegerField(_("权重"), default=1)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_report = models.ForeignKey(
        "supervision.ProgressReport",
        verbose_name=_("完成依据"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("任务节点")
        verbose_name_plural = _("任务节点")
        ordering = ["task", "position", "due", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(weight__gte=1), name="milestone_weight_positive")]

    def __str__(self) -> str:
        return self.title


class ProgressReport(AppendOnlyModel):
    """进展报告 by the lead department; a final one （办结报告） asks for the task to be closed."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.PROTECT, related_name="reports")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("进展情况"))
    is_final = models.BooleanField(_("申请办结"), default=False)
    # The milestones this report says are done (ids of Milestone rows of the task).
    milestones_done = models.JSONField(_("完成节点"), default=list, blank=True)
    created_at = models.DateTimeField(_("报送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["task", "created_at", "id"]
        indexes = [models.Index(fields=["task", "created_at"], name="report_task_idx")]

    def __str__(self) -> str:
        return f"{self.task} · {self.created_at:%Y-%m-%d}"


class Evidence(AppendOnlyModel):
    """A file that proves progress （佐证材料）， stored outside every public path."""

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("进展报告"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    sha256 = models.CharField(_("SHA-256 校验值"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return self.name


class ReportReview(AppendOnlyModel):
    """The supervisor's answer to one report: accepted (progress, or closure) or returned."""

    class Decision(models.TextChoices):
        ACCEPT = "accept", _("审核通过")
        CLOSE = "close", _("同意办结")
        RETURN = "return", _("退回补充")

    class Rating(models.TextChoices):
        NONE = "", _("不评价")
        EXCELLENT = "excellent", _("优秀")
        GOOD = "good", _("良好")
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")

    report = models.OneToOneField(
        ProgressReport, verbose_name=_("进展报告"), on_delete=models.PROTECT, related_name="review"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("审核结果"), max_length=8, choices=Decision.choices)
    comment = models.TextField(_("审核意见"), blank=True)
    rating = models.CharField(_("评价"), max_length=10, choices=Rating.choices, blank=True, default="")
    created_at = models.DateTimeField(_("审核时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报告审核")
        verbose_name_plural = _("报告审核")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=["accept", "close", "return"]), name="report_review_decision_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.get_decision_display()}"
