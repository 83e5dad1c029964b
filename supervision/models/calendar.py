"""行事历： the year's recurring duties per role (seed 002), and each person's private iCal feed."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from org.models import Department, Role
from supervision.models.branches import OrgLife
from supervision.models.tasks import Track


class Duty(models.Model):
    """A recurring duty: each period it reminds the people holding `role`, and, where a lead
    department is named, becomes a supervision task on `track` due on the period's day."""

    class Discharge(models.TextChoices):
        TASK = "task", _("其督查任务办结")
        BRANCH_CHECK = "branch_check", _("当期各党支部均已检查")
        ORG_LIFE = "org_life", _("当期各党支部均已召开该类会议")

    class Rhythm(models.TextChoices):
        MONTHLY = "monthly", _("每月")
        QUARTERLY = "quarterly", _("每季度")
        HALF_YEARLY = "half_yearly", _("每半年")
        YEARLY = "yearly", _("每年")

    title = models.CharField(_("职责事项"), max_length=200)
    description = models.TextField(_("工作要求"), blank=True)
    role = models.CharField(_("责任角色"), max_length=20, choices=Role.choices)
    track = models.CharField(_("督查类别"), max_length=16, choices=Track.choices)
    rhythm = models.CharField(_("周期"), max_length=12, choices=Rhythm.choices)
    month = models.PositiveSmallIntegerField(
        _("周期内第几月"), default=1, help_text=_("每季度 1–3，每半年 1–6，每年 1–12；每月不用")
    )
    day = models.PositiveSmallIntegerField(_("到期日"), default=25, help_text=_("当月几号到期（1–28）"))
    lead_days = models.PositiveSmallIntegerField(_("提前天数"), default=7, help_text=_("到期前几天生成任务和提醒"))
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("牵头部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("填写则每期生成督查任务；留空只发提醒"),
    )
    responsible_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任领导"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # What record discharges each period of the duty (行事历 → 台账): the calendar page links it.
    discharge = models.CharField(_("履职记录"), max_length=16, choices=Discharge.choices, default=Discharge.TASK)
    org_life_kind = models.CharField(
        _("三会一课类型"), max_length=10, choices=OrgLife.choices, blank=True, help_text=_("履职记录为三会一课时填写")
    )
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("行事历职责")
        verbose_name_plural = _("行事历")
        ordering = ["rhythm", "month", "day", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(day__gte=1, day__lte=28), name="duty_day_valid"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="duty_month_valid"),
            models.CheckConstraint(
                condition=models.Q(discharge__in=["task", "branch_check"])
                | models.Q(discharge="org_life", org_life_kind__in=["members", "committee", "group", "lecture"]),
                name="duty_discharge_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(lead_department__isnull=True) | models.Q(responsible_leader__isnull=False),
                name="duty_task_has_leader",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}

    def due_dates(self, start: dt.date, end: dt.date) -> list[tuple[str, dt.date]]:
        """(period, due date) of every occurrence due between start and end, inclusive."""
        length = self.PERIOD_MONTHS[self.rhythm]
        offset = min(max(self.month, 1), length) - 1 if length > 1 else 0
        out = []
        for year in range(start.year, end.year + 1):
            for first in range(1, 13, length):
                due = dt.date(year, first + offset, self.day)
                if start <= due <= end:
                    out.append((self.period_label(year, first, length), due))
        return out

    def period_months(self, due: dt.date) -> tuple[int, int]:
        """The first and last month of the period `due` falls in."""
        length = self.PERIOD_MONTHS[self.rhythm]
        first = (due.month - 1) // length * length + 1
        return first, first + length - 1

    @staticmethod
    def period_label(year: int, first_month: int, length: int) -> str:
        if length == 1:
            return f"{year}-{first_month:02d}"
        if length == 3:
            return f"{year}-Q{(first_month - 1) // 3 + 1}"
        if length == 6:
            return f"{year}-H{(first_month - 1) // 6 + 1}"
        return f"{year}"


class DutyOccurrence(models.Model):
    """One period of a duty, created once by the calendar sweep (unique per duty and period)."""

    duty = models.ForeignKey(Duty, verbose_name=_("职责事项"), on_delete=models.PROTECT, related_name="occurrences")
    period = models.CharField(_("周期"), max_length=10)
    due = models.DateField(_("到期日"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("行事历事项")
        verbose_name_plural = _("行事历事项")
        ordering = ["due", "id"]
        constraints = [models.UniqueConstraint(fields=["duty", "period"], name="duty_occurrence_once")]

    def __str__(self) -> str:
        return f"{self.duty} {self.period}"


class DutyStatement(models.Model):
    """党建履职说明书: what a post does for Party building, attached to a role (seed 002: the city
    wrote 196 of them). The calendar shows the holder's statements beside his duties."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    post = models.CharField(_("岗位"), max_length=100)
    duties = models.TextField(_("履职内容"), help_text=_("每行一条职责"))
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("党建履职说明书")
        verbose_name_plural = _("党建履职说明书")
        ordering = ["role", "position", "id"]

    def __str__(self) -> str:
        return self.post

    @property
    def duty_lines(self) -> list[str]:
        return [line.strip() for line in self.duties.splitlines() if line.strip()]


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    """The secret in a person's iCal feed URL; a new one makes the old link stop working."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(_("令牌"), max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("生成时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历订阅令牌")
        verbose_name_plural = _("日历订阅令牌")

    def __str__(self) -> str:
        return str(self.person)
