"""部门工作绩效: the school affairs office's periodic rating of each department (the performance
track of 四督查), scored from the department's tasks of the year.

A rating is made once for a year and the end of its period; its scores and each score's lines
(one per task, with the points it gave and why) are written once (append-only), so every score
can be traced to its tasks. Publishing shows it to the leaders.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from org.models import Department

# Points a task gives by the period's end (the rating's rule, stated on its page).
POINTS_ON_TIME, POINTS_LATE, POINTS_OVERDUE = 100, 70, 40


class PerformanceRating(models.Model):
    """One periodic rating (绩效考评) of every department with tasks due in the period."""

    year = models.PositiveSmallIntegerField(_("年度"))
    period_end = models.DateField(_("考评截止日"))
    title = models.CharField(_("考评名称"), max_length=100)
    note = models.TextField(_("考评说明"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("考评人"), on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(_("考评时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("部门绩效考评")
        verbose_name_plural = _("部门绩效考评")
        ordering = ["-year", "-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["year", "period_end"], name="performance_rating_once"),
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100), name="performance_year_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class DepartmentScore(AppendOnlyModel):
    rating = models.ForeignKey(
        PerformanceRating, verbose_name=_("考评"), on_delete=models.PROTECT, related_name="scores"
    )
    department = models.ForeignKey(Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    rank = models.PositiveSmallIntegerField(_("排名"))
    tasks = models.PositiveSmallIntegerField(_("计分任务数"))

    class Meta:
        verbose_name = _("部门绩效得分")
        verbose_name_plural = _("部门绩效得分")
        ordering = ["rating", "rank", "department__sort_order"]
        constraints = [models.UniqueConstraint(fields=["rating", "department"], name="performance_score_once")]

    def __str__(self) -> str:
        return f"{self.department} {self.score}"


class ScoreLine(AppendOnlyModel):
    """One task's part in a department's score."""

    class Outcome(models.TextChoices):
        ON_TIME = "on_time", _("按期办结")
        LATE = "late", _("逾期办结")
        OVERDUE = "overdue", _("逾期未办结")

    score = models.ForeignKey(DepartmentScore, verbose_name=_("得分"), on_delete=models.PROTECT, related_name="lines")
    task = models.ForeignKey("supervision.Task", verbose_name=_("任务"), on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("完成情况"), max_length=8, choices=Outcome.choices)
    points = models.PositiveSmallIntegerField(_("得分"))

    class Meta:
        verbose_name = _("绩效计分明细")
        verbose_name_plural = _("绩效计分明细")
        ordering = ["score", "task__deadline", "task_id"]
        constraints = [models.UniqueConstraint(fields=["score", "task"], name="performance_line_once")]


OUTCOME_POINTS = {
    ScoreLine.Outcome.ON_TIME: POINTS_ON_TIME,
    ScoreLine.Outcome.LATE: POINTS_LATE,
    ScoreLine.Outcome.OVERDUE: POINTS_OVERDUE,
}
ONE_DECIMAL = Decimal("0.1")


def outcome_of(task, period_end: dt.date) -> str | None:
    """The task's outcome by the period's end, or None when it does not count yet."""
    if task.closed_at is not None and timezone.localdate(task.closed_at) <= period_end:
        late = timezone.localdate(task.closed_at) > task.deadline
        return ScoreLine.Outcome.LATE if late else ScoreLine.Outcome.ON_TIME
    if task.deadline < period_end:
        return ScoreLine.Outcome.OVERDUE
    return None
