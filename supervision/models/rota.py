"""校园周巡查, as a rota: which leader patrols which week and which campus areas; what each patrol
recorded from the phone (area, time, photos, findings); areas not patrolled this term.

A finding (PatrolFinding) may come from a patrol record; it is closed when the tasks made from it
are all closed (supervision.selectors.coverage).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel


class PatrolArea(models.Model):
    """A campus area the patrols must cover (巡查面全覆盖): edited in the admin."""

    name = models.CharField(_("巡查区域"), max_length=100, unique=True)
    position = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("巡查区域")
        verbose_name_plural = _("巡查区域")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class PatrolRota(models.Model):
    """One leader's patrol week (排班): the Monday of the week and the areas assigned."""

    week = models.DateField(_("巡查周（周一）"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("巡查领导"), on_delete=models.PROTECT, related_name="patrol_rota"
    )
    areas = models.ManyToManyField(PatrolArea, verbose_name=_("巡查区域"), related_name="rota")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("排班人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("排班时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("巡查排班")
        verbose_name_plural = _("巡查排班")
        ordering = ["week", "leader_id"]
        # (That `week` is a Monday is checked by the service, supervision.services.rota.)
        constraints = [models.UniqueConstraint(fields=["week", "leader"], name="patrol_rota_once")]

    def __str__(self) -> str:
        return f"{self.week} {self.leader}"


class PatrolRecord(AppendOnlyModel):
    """A patrol of one area, recorded from the phone: when, by whom, what was seen."""

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("巡查领导"), on_delete=models.PROTECT, related_name="patrol_records"
    )
    area = models.ForeignKey(PatrolArea, verbose_name=_("巡查区域"), on_delete=models.PROTECT, related_name="records")
    patrolled_at = models.DateTimeField(_("巡查时间"))
    note = models.TextField(_("巡查情况"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("巡查记录")
        verbose_name_plural = _("巡查记录")
        ordering = ["-patrolled_at", "-id"]
        indexes = [models.Index(fields=["area", "patrolled_at"], name="patrol_record_area_idx")]

    def __str__(self) -> str:
        return f"{self.area} {self.patrolled_at:%Y-%m-%d %H:%M}"


class PatrolPhoto(AppendOnlyModel):
    """A photo taken on the patrol (JPEG or PNG, its content checked), stored outside public paths."""

    record = models.ForeignKey(
        PatrolRecord, verbose_name=_("巡查记录"), on_delete=models.PROTECT, related_name="photos"
    )
    file = models.FileField(_("照片"), upload_to="patrols/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    sha256 = models.CharField(_("SHA-256 校验值"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("巡查照片")
        verbose_name_plural = _("巡查照片")
        ordering = ["record", "id"]

    def __str__(self) -> str:
        return self.name
