"""党支部建设成效: the party office's checklist of a branch's work and each check's marks (the
branch track of 四督查). Checks and their marks are written once (append-only)."""

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
    """The monthly check of one party branch (支部月度检查); its score is the points of the items met.

    The party office's check (推磨式检查) counts for the annual grade; a branch's own self-check
    (自查) is kept beside it on the same checklist and does not."""

    class Kind(models.TextChoices):
        OFFICE = "office", _("党委办公室检查")
        SELF = "self", _("支部自查")

    kind = models.CharField(_("检查类型"), max_length=8, choices=Kind.choices, default=Kind.OFFICE)
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
            models.UniqueConstraint(fields=["branch", "year", "month", "kind"], name="branch_check_kind_once_a_month"),
            models.CheckConstraint(condition=models.Q(kind__in=["office", "self"]), name="branch_check_kind_valid"),
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


class OrgLife(models.TextChoices):
    """三会一课 and how often each must be held (《中国共产党支部工作条例(试行)》)."""

    MEMBERS = "members", _("支部党员大会")
    COMMITTEE = "committee", _("支委会")
    GROUP = "group", _("党小组会")
    LECTURE = "lecture", _("党课")


# Months per required meeting: 支部党员大会 and 党课 once a quarter, 支委会 and 党小组会 once a month.
ORG_LIFE_EVERY_MONTHS: dict[str, int] = {
    OrgLife.MEMBERS: 3,
    OrgLife.COMMITTEE: 1,
    OrgLife.GROUP: 1,
    OrgLife.LECTURE: 3,
}


class BranchMeeting(AppendOnlyModel):
    """One 三会一课 meeting a branch held, as recorded (组织生活记录)."""

    branch = models.ForeignKey(
        Department, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="org_life_records"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=OrgLife.choices)
    held_on = models.DateField(_("召开日期"))
    topic = models.CharField(_("主题"), max_length=200)
    attendees = models.PositiveSmallIntegerField(_("参加人数"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("三会一课记录")
        verbose_name_plural = _("三会一课记录")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["members", "committee", "group", "lecture"]), name="org_life_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["branch", "held_on"], name="org_life_branch_idx")]

    def __str__(self) -> str:
        return f"{self.branch} {self.get_kind_display()} {self.held_on}"
