"""党支部建设成效： the party office's checklist of a branch's work and each check's marks (the
branch track of 四督查）. Checks and their marks are written once (append-only)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from org.models import Department


class BranchCheckItem(models.Model):
    """One line of the party office's monthly branch-building checklist (admin-editable)."""

    title = models.CharField(_("检查内容"), max_length=200)
    points = models.PositiveSmallIntegerField(_("分值"), default=10)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("支部检查项目")
        verbose_name_plural = _("支部检查项目")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class BranchCheck(AppendOnlyModel):
    """The monthly check of one party branch （支部月度检查）； its score is the points of the items met."""

    branch = models.ForeignKey(
        Department, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="branch_checks"
    )
    year = models.PositiveIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("检查人"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("得分"))
    full_score = models.PositiveSmallIntegerField(_("满分"))
    note = models.TextField(_("检查意见"), blank=True)
    created_at = models.DateTimeField(_("检查时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("支部月度检查")
        verbose_name_plural = _("支部月度检查")
        ordering = ["-year", "-month", "branch"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year", "month"], name="branch_check_once_a_month"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="branch_check_month_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.year}-{self.month:02d}"


class BranchCheckMark(AppendOnlyModel):
    check_row = models.ForeignKey(BranchCheck, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="marks")
    item = models.ForeignKey(BranchCheckItem, verbose_name=_("检查内容"), on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(_("达标"))
    points = models.PositiveSmallIntegerField(_("得分"))

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        constraints = [models.UniqueConstraint(fields=["check_row", "item"], name="branch_mark_once")]
