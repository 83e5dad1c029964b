"""The discipline committee's (纪委) half-year supervision report to the Party committee, and its
supervision of key areas (招生命题、人员招聘、职称评审、合同商谈、资产处置)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from core.transitions import Move, declare


class KeyArea(models.TextChoices):
    ADMISSIONS = "admissions", _("招生命题")
    RECRUITMENT = "recruitment", _("人员招聘")
    TITLES = "titles", _("职称评审")
    CONTRACTS = "contracts", _("合同商谈")
    ASSETS = "assets", _("资产处置")


class KeyAreaCheck(AppendOnlyModel):
    """The committee's presence at one key-area process (全程监督) and what it found: written once."""

    area = models.CharField(_("重点领域"), max_length=16, choices=KeyArea.choices)
    process = models.CharField(_("监督事项"), max_length=200)
    held_on = models.DateField(_("监督日期"))
    present = models.BooleanField(_("纪委到场监督"), default=True)
    findings = models.TextField(_("监督发现"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("重点领域监督")
        verbose_name_plural = _("重点领域监督")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["held_on"], name="keyarea_held_idx")]

    def __str__(self) -> str:
        return f"{self.get_area_display()} {self.process}"


class CommitteeReport(models.Model):
    """纪委半年督查报告: figures compiled from the data (supervision.selectors.halfyear), the
    commentary edited by the committee (optimistic lock: `version`), then filed as an agenda item
    to the Party committee (the item is then read and recorded at the meeting like any other)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("编辑中")
        FILED = "filed", _("已提交党委会")

    year = models.PositiveIntegerField(_("年度"))
    half = models.PositiveSmallIntegerField(_("半年"), choices=[(1, _("上半年")), (2, _("下半年"))])
    commentary = models.TextField(_("工作评述"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    item = models.OneToOneField(
        "decisions.AgendaItem",
        verbose_name=_("党委会议题"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_report",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("编辑人"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("编辑时间"), auto_now=True)
    filed_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("纪委半年督查报告")
        verbose_name_plural = _("纪委半年督查报告")
        ordering = ["-year", "-half"]
        constraints = [
            models.UniqueConstraint(fields=["year", "half"], name="committee_report_once"),
            models.CheckConstraint(
                condition=models.Q(state="draft", item__isnull=True) | models.Q(state="filed", item__isnull=False),
                name="committee_report_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-H{self.half}"


# The commentary is edited while the report is a draft; filing it makes the PC agenda item, once.
REPORT_TRANSITIONS = declare(
    CommitteeReport,
    {
        "edit": Move(
            _("编辑评述"),
            frozenset({CommitteeReport.State.DRAFT}),
            who="supervision.access.can_compile_report",
            of=None,
            refusal=_("只有纪委书记可以编写半年督查报告"),
            verb="committee_report.edit",
        ),
        "file": Move(
            _("提交党委会"),
            frozenset({CommitteeReport.State.DRAFT}),
            frozenset({CommitteeReport.State.FILED}),
            who="supervision.access.can_compile_report",
            of=None,
            refusal=_("只有纪委书记可以提交半年督查报告"),
            verb="committee_report.file",
        ),
    },
    state_refusal=_("报告当前状态为“%(state)s”，不能%(step)s"),
)
