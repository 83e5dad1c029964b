"""决而未果: a passed resolution that calls for action has a supervision task, or a reason on record
why none is needed. NoTaskReason is that reason: written once, never changed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel


class NoTaskReason(AppendOnlyModel):
    resolution = models.OneToOneField(
        "meetings.Resolution", verbose_name=_("决议"), on_delete=models.PROTECT, related_name="no_task_reason"
    )
    reason = models.TextField(_("无需督查的理由"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("无需督查说明")
        verbose_name_plural = _("无需督查说明")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return str(self.resolution)
