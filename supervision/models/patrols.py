"""校园周巡查： the leaders' weekly campus patrol; each finding can become a supervision task."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from org.models import Department


class PatrolFinding(AppendOnlyModel):
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("巡查领导"), on_delete=models.PROTECT, related_name="patrol_findings"
    )
    patrolled_on = models.DateField(_("巡查日期"))
    place = models.CharField(_("巡查地点"), max_length=200)
    text = models.TextField(_("发现问题"))
    department = models.ForeignKey(
        Department,
        verbose_name=_("涉及部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patrol_findings",
    )
    # A finding recorded with a patrol record (rota patrols) names it and its area.
    record = models.ForeignKey(
        "supervision.PatrolRecord",
        verbose_name=_("巡查记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    area = models.ForeignKey(
        "supervision.PatrolArea",
        verbose_name=_("巡查区域"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("巡查发现")
        verbose_name_plural = _("校园周巡查")
        ordering = ["-patrolled_on", "-id"]
        indexes = [models.Index(fields=["patrolled_on"], name="patrol_date_idx")]

    def __str__(self) -> str:
        return f"{self.patrolled_on} {self.place}"
