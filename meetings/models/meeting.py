"""A meeting of a body （会议） and who is expected at it （应到、列席）."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.records import Opening, set_once
from org.models import MeetingBody


class Meeting(models.Model):
    class State(models.TextChoices):
        PLANNING = "planning", _("筹备中")
        PUBLISHED = "published", _("议程已发布")
        IN_PROGRESS = "in_progress", _("会议进行中")
        ADJOURNED = "adjourned", _("已散会")
        CANCELLED = "cancelled", _("已取消")

    body = models.ForeignKey(MeetingBody, verbose_name=_("会议机构"), on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("会议名称"), max_length=200)
    starts_at = models.DateTimeField(_("召开时间"))
    place = models.CharField(_("地点"), max_length=200)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("主持人"), on_delete=models.PROTECT, related_name="chaired_meetings"
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("会议记录人"),
        on_delete=models.PROTECT,
        related_name="recorded_meetings",
    )
    materials_days = models.PositiveIntegerField(_("材料提前天数"), default=2)
    # 第一议题: why this agenda may open with something other than theory study (blank: it does not).
    first_item_exception = models.TextField(_("第一议题例外理由"), blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PLANNING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    opened_at = models.DateTimeField(_("开会时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("散会时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["planning", "published", "in_progress", "adjourned", "cancelled"]),
                name="meeting_state_valid",
            )
        ]
        indexes = [models.Index(fields=["body", "starts_at"], name="meeting_body_time_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def held_at(self):
        """When the meeting was actually held: opened, else (not held yet) the time it is scheduled for.
        The record (minutes, archive, pack) shows this, never the planned time of a moved meeting."""
        return self.opened_at or self.starts_at


class Attendance(models.Model):
    class Kind(models.TextChoices):
        MEMBER = "member", _("应到成员")
        OBSERVER = "observer", _("列席")

    class Status(models.TextChoices):
        UNKNOWN = "unknown", _("未签到")
        PRESENT = "present", _("出席")
        ABSENT = "absent", _("缺席")

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="attendances"
    )
    kind = models.CharField(_("身份"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("出席情况"), max_length=10, choices=Status.choices, default=Status.UNKNOWN)
    absence_reason = models.CharField(_("缺席原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("出席")
        verbose_name_plural = _("出席")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once"),
            models.CheckConstraint(condition=models.Q(kind__in=["member", "observer"]), name="attendance_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(status__in=["unknown", "present", "absent"]), name="attendance_status_valid"
            ),
        ]

    # Who was to attend is fixed; presence is marked and corrected while the meeting is published
    # or running (meetings.services.attendance_mark), never after it ends.
    record_rule = set_once(
        Opening(
            ("status", "absence_reason"),
            "(SELECT state FROM meetings_meeting WHERE id = OLD.meeting_id) IN ('published', 'in_progress')",
        ),
        settled="meeting_id IN (SELECT id FROM meetings_meeting WHERE state IN ('adjourned', 'cancelled'))",
    )

    def __str__(self) -> str:
        return f"{self.person} · {self.get_status_display()}"
