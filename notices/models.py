"""三通报： notices at three levels, each with an audience and read receipts.

A notice is written (draft), then published: at publishing its audience is turned into one
NoticeRecipient row per person, which is also that person's read receipt. Published notices,
their audiences and the moment a receipt was read are kept as they are: the models and, on
PostgreSQL, the database refuse to delete them or to change what was noticed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from core.records import custom
from core.transitions import Move, declare
from meetings.models import Meeting, Resolution
from org.models import Department, MeetingBody, Role


class NoticeQuerySet(models.QuerySet):
    def delete(self):
        if self.filter(state=Notice.State.PUBLISHED).exists():
            raise TypeError("published notices are never deleted")
        return super().delete()


class Notice(models.Model):
    class Level(models.TextChoices):
        UPPER_DOCUMENT = "upper_document", _("上级文件精神·党委会通报")
        PC_RESOLUTION = "pc_resolution", _("党委会决议·校务会通报")
        MONTHLY_DIGEST = "monthly_digest", _("全教会月度通报")

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    # At which meeting each level is noticed (DOMAIN.md, 三通报).
    NOTICED_AT = {
        Level.UPPER_DOCUMENT: MeetingBody.Code.PC,
        Level.PC_RESOLUTION: MeetingBody.Code.SA,
        Level.MONTHLY_DIGEST: MeetingBody.Code.AS,
    }

    level = models.CharField(_("通报层级"), max_length=16, choices=Level.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    resolution = models.ForeignKey(
        Resolution,
        verbose_name=_("决议"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("通报会议"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        help_text=_("在哪次会议上通报；尚未安排该会议时为空，安排后自动列入"),
    )
    period = models.DateField(_("通报月份"), null=True, blank=True, help_text=_("月度通报：该月第一天"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    confidential = models.BooleanField(_("涉密"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("系统自动生成的通报为空"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("notice", "通报")
        verbose_name_plural = pgettext_lazy("notice", "通报")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["state", "published_at"], name="notice_published_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=["upper_document", "pc_resolution", "monthly_digest"]),
                name="notice_level_valid",
            ),
            models.CheckConstraint(condition=models.Q(state__in=["draft", "published"]), name="notice_state_valid"),
            models.CheckConstraint(
                condition=models.Q(state="draft", published_at__isnull=True)
                | models.Q(state="published", published_at__isnull=False),
                name="notice_published_at_with_state",
            ),
            models.CheckConstraint(
                condition=~models.Q(level="pc_resolution") | models.Q(resolution__isnull=False),
                name="notice_resolution_needs_resolution",
            ),
            models.CheckConstraint(
                condition=~models.Q(level="monthly_digest") | models.Q(period__isnull=False),
                name="notice_digest_needs_period",
            ),
            # Idempotence: one notice per resolution, one digest per month.
            models.UniqueConstraint(
                fields=["resolution"], condition=models.Q(resolution__isnull=False), name="notice_once_per_resolution"
            ),
            models.UniqueConstraint(
                fields=["period"], condition=models.Q(level="monthly_digest"), name="notice_digest_once_per_month"
            ),
        ]

    # A published notice keeps what it said; only the meeting it is queued for may change
    # (notices/migrations/0002_append_only.py). A draft is edited or deleted freely.
    record_rule = custom(settled="state = 'published'", free=("meeting_id",))

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise TypeError("published notices are never deleted")
        return super().delete(*args, **kwargs)


# The only move a notice makes: a published notice stays published. Yishi publishes the notices
# it writes itself (a PC resolution's, the monthly digest).
NOTICE_TRANSITIONS = declare(
    Notice,
    {
        "publish": Move(
            _("发布"),
            frozenset({Notice.State.DRAFT}),
            frozenset({Notice.State.PUBLISHED}),
            who="notices.access.is_party_office",
            of=None,
            refusal=_("只有党委办公室可以发布通报"),
            verb="notice.publish",
            system=True,
        ),
        # 催阅: the sender reminds those who have not read it; each person at most once a day.
        "urge": Move(
            _("催阅"),
            frozenset({Notice.State.PUBLISHED}),
            who="notices.access.can_follow_up",
            refusal=_("只有通报的发布人和党委办公室可以催阅"),
            verb="notice.urge",
        ),
    },
    state_refusal=_("通报当前状态为“%(state)s”，不能%(step)s"),
)


class NoticeAudience(AppendOnlyModel):
    """Who a notice is for, as written by the sender: everyone, a department, a role, a person,
    or the attendees of a meeting (a confidential resolution goes only to those who were there)."""

    class Kind(models.TextChoices):
        EVERYONE = "everyone", _("全体教职工")
        DEPARTMENT = "department", _("部门")
        ROLE = "role", _("角色")
        PERSON = "person", _("人员")
        ATTENDEES = "attendees", _("会议出席人员")

    notice = models.ForeignKey(
        Notice, verbose_name=pgettext_lazy("notice", "通报"), on_delete=models.PROTECT, related_name="audiences"
    )
    kind = models.CharField(_("范围"), max_length=12, choices=Kind.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("通报范围")
        verbose_name_plural = _("通报范围")
        ordering = ["notice", "id"]
        constraints = [
            # Exactly the column its kind names is filled in.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="everyone",
                        department__isnull=True,
                        role="",
                        person__isnull=True,
                        meeting__isnull=True,
                    )
                    | models.Q(
                        kind="department",
                        department__isnull=False,
                        role="",
                        person__isnull=True,
                        meeting__isnull=True,
                    )
                    | (
                        models.Q(kind="role", department__isnull=True, person__isnull=True, meeting__isnull=True)
                        & ~models.Q(role="")
                    )
                    | models.Q(
                        kind="person",
                        department__isnull=True,
                        role="",
                        person__isnull=False,
                        meeting__isnull=True,
                    )
                    | models.Q(
                        kind="attendees",
                        department__isnull=True,
                        role="",
                        person__isnull=True,
                        meeting__isnull=False,
                    )
                ),
                name="notice_audience_kind_matches",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == self.Kind.EVERYONE:
            return str(self.Kind.EVERYONE.label)
        if self.kind == self.Kind.DEPARTMENT:
            return gettext("部门：%(name)s") % {"name": self.department}
        if self.kind == self.Kind.ROLE:
            return gettext("角色：%(name)s") % {"name": self.get_role_display()}
        if self.kind == self.Kind.PERSON:
            return gettext("人员：%(name)s") % {"name": self.person}
        return gettext("%(meeting)s出席人员") % {"meeting": self.meeting}


class ReceiptQuerySet(models.QuerySet):
    """Receipts are never removed; the only change is the one moment a receipt is read."""

    def delete(self):
        raise TypeError("NoticeRecipient rows are never deleted")


class NoticeRecipient(models.Model):
    """One person a published notice reached, and when they read it （回执）： set once."""

    notice = models.ForeignKey(
        Notice, verbose_name=pgettext_lazy("notice", "通报"), on_delete=models.PROTECT, related_name="recipients"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.PROTECT, related_name="notice_receipts"
    )
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    objects = ReceiptQuerySet.as_manager()

    class Meta:
        verbose_name = _("通报回执")
        verbose_name_plural = _("通报回执")
        ordering = ["notice", "id"]
        constraints = [models.UniqueConstraint(fields=["notice", "person"], name="notice_recipient_once")]
        indexes = [models.Index(fields=["person", "read_at"], name="notice_recipient_unread_idx")]

    # The read receipt: written at publishing, read_at set once (notices/migrations/0002_append_only.py).
    record_rule = custom(settled="read_at IS NOT NULL")

    def __str__(self) -> str:
        return f"{self.notice} · {self.person}"

    def save(self, *args, **kwargs):
        # Written once, at publishing; read_at is then set by notice_mark_read's compare-and-set.
        if self.pk is not None and not self._state.adding:
            raise TypeError("NoticeRecipient rows are written once")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("NoticeRecipient rows are never deleted")


class NoticeAttachment(AppendOnlyModel):
    """An upper-level document (上级文件) or other file a notice carries. Added while the notice is a
    draft, checked by its content like an item's materials (core.files), kept as uploaded."""

    notice = models.ForeignKey(
        Notice, verbose_name=pgettext_lazy("notice", "通报"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to="notices/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    sha256 = models.CharField(_("SHA-256 校验值"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通报附件")
        verbose_name_plural = _("通报附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


# 全教会通报: the month's major department work, in its own module.
from notices.models_digest import MAJOR_WORK_TRANSITIONS, MajorWork  # noqa: E402, F401
