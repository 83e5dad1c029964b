"""党建工作年度报表: the yearly party-building report (seed 002: 年初目标书、年中进度表、年末成绩单).

An administrator keeps the indicators (考核指标) and one settings row (填报时间, 异常值规则).
Departments report one value per indicator, year and stage; a value is never changed in place:
a correction is a new row that supersedes the current one, so the chain of rows is the history
and the current value is the row nothing supersedes.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from org.models import Department


class Stage(models.TextChoices):
    TARGET = "target", _("年初目标")
    PROGRESS = "progress", _("年中进度")
    RESULT = "result", _("年终结果")


STAGE_ORDER = [Stage.TARGET, Stage.PROGRESS, Stage.RESULT]


class Indicator(models.Model):
    """One line of the report, e.g. 发展党员数 (人) or “三会一课”完成率 (%)."""

    name = models.CharField(_("指标名称"), max_length=100, unique=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True, help_text=_("如：人、%、次、学时、分"))
    description = models.CharField(_("统计口径"), max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("在用"), default=True, help_text=_("停用的指标不再填报，已填数据保留"))
    minimum = models.DecimalField(
        _("最低要求"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("年初目标和年终结果低于此值即标记“低于最低要求”；年中进度不比较；留空则不设"),
    )

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.name}({self.unit})" if self.unit else self.name


class OutlierMethod(models.TextChoices):
    SIGMA = "sigma", _("偏离均值超过 k 个标准差")
    PERCENT = "percent", _("偏离均值超过均值的一定百分比")


def _check_month_day(month: int, day: int) -> bool:
    try:
        dt.date(2000, month, day)  # a leap year: 2月29日 is allowed (and means 28日 in other years)
    except (TypeError, ValueError):
        return False
    return True


def _on(year: int, month: int, day: int) -> dt.date:
    """The date in `year`; 2月29日 falls on 28日 in a common year."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date(year, month, day - 1)


class ReportSettings(models.Model):
    """The report's rules an administrator may change (one row): when each stage is open, and
    which values are flagged. A window whose closing day comes before its opening day in the
    calendar closes in the next year (年终结果: 12月1日 至 次年1月31日)."""

    target_opens_month = models.PositiveSmallIntegerField(_("年初目标：开始月"), default=1)
    target_opens_day = models.PositiveSmallIntegerField(_("年初目标：开始日"), default=1)
    target_closes_month = models.PositiveSmallIntegerField(_("年初目标：截止月"), default=3)
    target_closes_day = models.PositiveSmallIntegerField(_("年初目标：截止日"), default=31)
    progress_opens_month = models.PositiveSmallIntegerField(_("年中进度：开始月"), default=6)
    progress_opens_day = models.PositiveSmallIntegerField(_("年中进度：开始日"), default=1)
    progress_closes_month = models.PositiveSmallIntegerField(_("年中进度：截止月"), default=7)
    progress_closes_day = models.PositiveSmallIntegerField(_("年中进度：截止日"), default=31)
    result_opens_month = models.PositiveSmallIntegerField(_("年终结果：开始月"), default=12)
    result_opens_day = models.PositiveSmallIntegerField(_("年终结果：开始日"), default=1)
    result_closes_month = models.PositiveSmallIntegerField(
        _("年终结果：截止月"), default=1, help_text=_("截止日早于开始日时，截止在次年")
    )
    result_closes_day = models.PositiveSmallIntegerField(_("年终结果：截止日"), default=31)
    outlier_method = models.CharField(
        _("异常值规则"), max_length=10, choices=OutlierMethod.choices, default=OutlierMethod.SIGMA
    )
    outlier_k = models.DecimalField(
        _("标准差倍数 k"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("2"),
        help_text=_(
            "与均值之差的绝对值大于 k 倍（总体）标准差即标记。填报部门数 n 满足 √(n − 1) ≤ k（k = 2 时 n ≤ 5）时不可能出现此类异常值"
        ),
    )
    compare_within_kind = models.BooleanField(
        _("与同类部门比较"),
        default=False,
        help_text=_("勾选后，均值和标准差在同类部门（职能部门、二级学院、党支部）之间分别计算"),
    )
    outlier_percent = models.DecimalField(
        _("偏离百分比（%）"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("30"),
        help_text=_("仅在选择“偏离均值超过均值的一定百分比”时使用：|数值 − 均值| 大于 均值 × 此百分比即标记"),
    )

    class Meta:
        verbose_name = _("报表设置")
        verbose_name_plural = _("报表设置")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outlier_method__in=["sigma", "percent"]), name="report_method_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(outlier_k__gt=0, outlier_percent__gt=0), name="report_thresholds_positive"
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{stage}_{edge}_month__gte": 1, f"{stage}_{edge}_month__lte": 12})
                    & models.Q(**{f"{stage}_{edge}_day__gte": 1, f"{stage}_{edge}_day__lte": 31}),
                    name=f"report_{stage}_{edge}_valid",
                )
                for stage in ("target", "progress", "result")
                for edge in ("opens", "closes")
            ],
        ]

    def __str__(self) -> str:
        return str(_("报表设置"))

    @classmethod
    def current(cls) -> "ReportSettings":
        return cls.objects.order_by("pk").first() or cls()

    def clean(self):
        errors = {}
        for stage in ("target", "progress", "result"):
            for edge in ("opens", "closes"):
                month, day = getattr(self, f"{stage}_{edge}_month"), getattr(self, f"{stage}_{edge}_day")
                if not _check_month_day(month, day):
                    errors[f"{stage}_{edge}_day"] = _("没有这一天：%(month)s月%(day)s日") % {"month": month, "day": day}
        if errors:
            raise ValidationError(errors)

    def window(self, year: int, stage: str) -> "Window":
        om, od = getattr(self, f"{stage}_opens_month"), getattr(self, f"{stage}_opens_day")
        cm, cd = getattr(self, f"{stage}_closes_month"), getattr(self, f"{stage}_closes_day")
        close_year = year + 1 if (cm, cd) < (om, od) else year
        return Window(stage=stage, opens=_on(year, om, od), closes=_on(close_year, cm, cd))


@dataclass(frozen=True)
class Window:
    """The days (inclusive, school time) on which a stage of a year's report may be filled in."""

    stage: str
    opens: dt.date
    closes: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.opens <= day <= self.closes

    def status(self, day: dt.date | None = None) -> str:
        day = day or timezone.localdate()
        if day < self.opens:
            return "not_yet"
        if day > self.closes:
            return "closed"
        return "open"


class ReportEntry(AppendOnlyModel):
    """One value reported for a department, indicator, year and stage (填报记录).

    Append-only: a correction supersedes the current row (`supersedes`, at most once each), so
    a key's rows form one chain; the first row of a chain is unique per key."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("考核指标"), on_delete=models.PROTECT, related_name="entries"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="report_entries"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices)
    value = models.DecimalField(_("数值"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("说明/更正理由"), blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("更正的记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("填报时间"), default=timezone.now)

    class Meta:
        verbose_name = _("报表数据")
        verbose_name_plural = _("报表数据")
        ordering = ["year", "stage", "department", "indicator", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "department", "year", "stage"],
                condition=models.Q(supersedes__isnull=True),
                name="report_entry_first_once",
            ),
            models.CheckConstraint(
                condition=models.Q(stage__in=["target", "progress", "result"]), name="report_stage_valid"
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="report_value_not_negative"),
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100), name="report_year_valid"),
        ]
        indexes = [
            # The table: one year and stage (the indicator and department columns follow).
            models.Index(fields=["year", "stage", "indicator", "department"], name="report_entry_table_idx"),
            # One department's form and history.
            models.Index(fields=["department", "year", "stage"], name="report_entry_dept_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.year} {self.get_stage_display()} {self.indicator.name}: {self.value}"


class FlagAnswer(AppendOnlyModel):
    """A department's explanation of a flagged value (异常说明), kept as written; a later answer
    is a new row beside it."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("考核指标"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="report_flag_answers"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices)
    entry = models.ForeignKey(
        ReportEntry, verbose_name=_("说明的数值"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    flag = models.CharField(_("标记"), max_length=10)
    flag_text = models.CharField(_("标记理由"), max_length=300)
    text = models.TextField(_("说明"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("说明人"), on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("说明时间"), default=timezone.now)

    class Meta:
        verbose_name = _("异常说明")
        verbose_name_plural = _("异常说明")
        ordering = ["year", "stage", "department", "indicator", "id"]
        indexes = [models.Index(fields=["year", "stage"], name="report_flag_answer_idx")]

    def __str__(self) -> str:
        return f"{self.department} {self.year} {self.indicator.name}"
