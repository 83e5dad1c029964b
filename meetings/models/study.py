"""第一议题 and 中心组学习: what a meeting studied, who took part and what each wrote (心得体会).

One study record per meeting (a Party committee meeting's first item, or a whole meeting of the
central group, 党委理论学习中心组). The participants and the reflections are written once; the
record itself is open while participants write and is then archived (归档): after that nothing
on it changes. Whether every participant must write is the body's policy, copied onto the record
when it is opened so that a later change of policy does not rewrite the year's history.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from core.records import Opening, set_once
from org.models import MeetingBody


class StudySession(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("记录中")
        ARCHIVED = "archived", _("已归档")

    meeting = models.OneToOneField(
        "meetings.Meeting", verbose_name=_("会议"), on_delete=models.PROTECT, related_name="study"
    )
    # Kept on the row (not only through the meeting) so the yearly figures read one table.
    body = models.ForeignKey(MeetingBody, verbose_name=_("会议机构"), on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("学习日期"))
    entry = models.ForeignKey(
        "meetings.AgendaEntry",
        verbose_name=_("学习议题"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    texts = models.TextField(_("学习篇目"), help_text=_("每行一篇：文件、讲话或书目名称"))
    reflections_required = models.BooleanField(_("须提交心得体会"), default=False)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("学习记录")
        verbose_name_plural = _("学习记录")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=["open", "archived"]), name="study_state_valid"),
            models.CheckConstraint(
                condition=models.Q(state="open", archived_at__isnull=True)
                | models.Q(state="archived", archived_at__isnull=False),
                name="study_archived_at_with_state",
            ),
        ]
        indexes = [models.Index(fields=["body", "held_on"], name="study_body_day_idx")]

    # The texts are corrected while the record is open; archiving is once; then nothing changes.
    record_rule = set_once(
        Opening(("texts", "version"), "OLD.state = 'open'"),
        Opening(("state", "archived_at"), "OLD.state = 'open'"),
        settled="state = 'archived'",
    )

    def __str__(self) -> str:
        return f"{self.meeting} · {self._meta.verbose_name}"

    @property
    def text_list(self) -> list[str]:
        return [line.strip() for line in self.texts.splitlines() if line.strip()]


class StudyParticipant(AppendOnlyModel):
    """参学人员: one person who took part in one study."""

    session = models.ForeignKey(
        StudySession, verbose_name=_("学习记录"), on_delete=models.PROTECT, related_name="participants"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("参学人员"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("参学人员")
        verbose_name_plural = _("参学人员")
        ordering = ["session", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="study_participant_once")]


class Reflection(AppendOnlyModel):
    """心得体会: what one participant wrote after one study. Written once."""

    session = models.ForeignKey(
        StudySession, verbose_name=_("学习记录"), on_delete=models.PROTECT, related_name="reflections"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撰写人"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("心得体会"))
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("心得体会")
        verbose_name_plural = _("心得体会")
        ordering = ["session", "submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "author"], name="reflection_once")]
        indexes = [models.Index(fields=["author", "submitted_at"], name="reflection_author_idx")]
