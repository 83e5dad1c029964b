"""协办 and the evidence a phone can give: co-operating departments of a task, each reporting its
own part (visible to the lead department), and links as evidence beside files and photos.

Every row here is written once (append-only): a co-operating department, once named, stays on
the task's record; a part report and its evidence are what was reported.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from org.models import Department


class TaskPartner(AppendOnlyModel):
    """协办部门: one co-operating department of a task (the lead is Task.lead_department)."""

    task = models.ForeignKey(
        "supervision.Task", verbose_name=_("任务"), on_delete=models.PROTECT, related_name="partners"
    )
    department = models.ForeignKey(Department, verbose_name=_("协办部门"), on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("指定人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    added_at = models.DateTimeField(_("指定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("协办部门")
        verbose_name_plural = _("协办部门")
        ordering = ["task", "id"]
        constraints = [models.UniqueConstraint(fields=["task", "department"], name="task_partner_once")]
        indexes = [models.Index(fields=["department", "task"], name="task_partner_dept_idx")]

    def __str__(self) -> str:
        return f"{self.task} · {self.department}"


class PartReport(AppendOnlyModel):
    """协办进展: a co-operating department's report of its own part, for the lead department."""

    task = models.ForeignKey(
        "supervision.Task", verbose_name=_("任务"), on_delete=models.PROTECT, related_name="part_reports"
    )
    department = models.ForeignKey(Department, verbose_name=_("协办部门"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("承担部分进展"))
    created_at = models.DateTimeField(_("报送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("协办进展")
        verbose_name_plural = _("协办进展")
        ordering = ["task", "created_at", "id"]
        indexes = [models.Index(fields=["task", "created_at"], name="part_report_task_idx")]

    def __str__(self) -> str:
        return f"{self.task} · {self.department}"


class PartEvidence(AppendOnlyModel):
    """A file or a phone photo proving a co-operating department's part (core.files checks it)."""

    part = models.ForeignKey(PartReport, verbose_name=_("协办进展"), on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    sha256 = models.CharField(_("SHA-256 校验值"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("协办佐证材料")
        verbose_name_plural = _("协办佐证材料")
        ordering = ["part", "id"]

    def __str__(self) -> str:
        return self.name


class EvidenceLink(AppendOnlyModel):
    """A link as evidence (a news item on the school site, a shared document), of a lead
    department's progress report or of a co-operating department's part."""

    report = models.ForeignKey(
        "supervision.ProgressReport",
        verbose_name=_("进展报告"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="links",
    )
    part = models.ForeignKey(
        PartReport, verbose_name=_("协办进展"), on_delete=models.PROTECT, null=True, blank=True, related_name="links"
    )
    url = models.URLField(_("链接"), max_length=500)
    title = models.CharField(_("说明"), max_length=200, blank=True)
    added_at = models.DateTimeField(_("添加时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证链接")
        verbose_name_plural = _("佐证链接")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report__isnull=False, part__isnull=True)
                | models.Q(report__isnull=True, part__isnull=False),
                name="evidence_link_of_one_report",
            )
        ]

    def __str__(self) -> str:
        return self.title or self.url
