from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import links
from core.records import APPEND_ONLY
from core.transitions import Move, declare


class AppendOnlyQuerySet(models.QuerySet):
    """History is written once: the ORM refuses bulk updates and deletes too."""

    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise TypeError(f"{self.model.__name__} rows are append-only")


class AppendOnlyModel(models.Model):
    """Part of the record, written once (core.records: PostgreSQL refuses UPDATE, DELETE, TRUNCATE)."""

    objects = AppendOnlyQuerySet.as_manager()
    record_rule = APPEND_ONLY

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are append-only")


class AuditEvent(AppendOnlyModel):
    """One step on record （留痕）： who did what to which record, when, and why.

    Targets are named by app label, model and id so that every app can write here
    without core knowing the apps above it.
    """

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verb = models.CharField(_("动作"), max_length=64)
    target_type = models.CharField(_("对象类型"), max_length=64)
    target_id = models.BigIntegerField(_("对象编号"))
    from_state = models.CharField(_("原状态"), max_length=32, blank=True)
    to_state = models.CharField(_("新状态"), max_length=32, blank=True)
    reason = models.TextField(_("理由/意见"), blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.verb} {self.target_type}#{self.target_id}"


class Notification(models.Model):
    """An in-app message for one person. `key` makes a message idempotent: the same
    event never notifies the same person twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(_("去重键"), max_length=200)
    text = models.CharField(_("内容"), max_length=500)
    route = models.CharField(_("链接页面"), max_length=100, blank=True)
    args = models.JSONField(_("链接参数"), default=list, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.text

    @property
    def url(self) -> str:
        """The page it opens, reversed now from the stored route and arguments."""
        return links.path(self.route, self.args)


class Sequence(models.Model):
    """Numbers issued per series and year (resolution and minutes numbers). Rows are locked to
    take the next number, so two requests never get the same one."""

    name = models.CharField(_("序列"), max_length=40)
    year = models.PositiveIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用到"), default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")
        constraints = [models.UniqueConstraint(fields=["name", "year"], name="sequence_unique")]

    def __str__(self) -> str:
        return f"{self.name} {self.year}: {self.last}"


class Reminder(AppendOnlyModel):
    """A reminder is a row first (who, what, unique key), then deliveries, one per channel.

    The database is the source of truth: Redis only carries the work, so losing it loses no
    reminder, and the unique key means a sweep that runs twice reminds once."""

    key = models.CharField(_("去重键"), max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="reminders"
    )
    text = models.CharField(_("内容"), max_length=500)
    route = models.CharField(_("链接页面"), max_length=100, blank=True)
    args = models.JSONField(_("链接参数"), default=list, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-id"]

    @property
    def url(self) -> str:
        """The page it opens, reversed now from the stored route and arguments."""
        return links.path(self.route, self.args)

    def __str__(self) -> str:
        return self.text


class Delivery(models.Model):
    class Channel(models.TextChoices):
        IN_APP = "in_app", _("站内通知")
        EMAIL = "email", _("电子邮件")
        DINGTALK = "dingtalk", _("钉钉机器人")
        # Personal work notices (core.providers): to the person, not to a group.
        DINGTALK_WORK = "ding_work", _("钉钉工作通知")
        WECOM = "wecom", _("企业微信应用消息")

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        # E-mail and DingTalk are claimed (committed) before they are sent, so a worker that dies
        # mid-send leaves the row here and no retry sends it again (core.reminders).
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        GAVE_UP = "gave_up", _("未能确认送达，待人工处理")

    reminder = models.ForeignKey(Reminder, verbose_name=_("提醒"), on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), db_index=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("提醒发送")
        verbose_name_plural = _("提醒发送")
        constraints = [
            models.UniqueConstraint(fields=["reminder", "channel"], name="delivery_once_per_channel"),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "sending", "sent", "gave_up"]), name="delivery_state_valid"
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        # Not the reminder's text: it may name a confidential item, and this is shown in the admin.
        return f"#{self.pk} · {self.get_channel_display()} · {self.get_state_display()}"


D = Delivery.State
# A delivery is the sending job's own record (core.reminders): its moves are Yishi's, except the
# keeper's "send again now" in the admin. No audit event: the row with its attempts is the record.
DELIVERY_TRANSITIONS = declare(
    Delivery,
    {
        "claim": Move(_("认领发送"), frozenset({D.PENDING}), frozenset({D.SENDING}), system=True),
        "sent": Move(_("发送成功"), frozenset({D.PENDING, D.SENDING}), frozenset({D.SENT}), system=True),
        "retry": Move(_("稍后重试"), frozenset({D.PENDING, D.SENDING}), frozenset({D.PENDING}), system=True),
        "give_up": Move(_("放弃"), frozenset({D.PENDING, D.SENDING}), frozenset({D.GAVE_UP}), system=True),
        "retry_now": Move(
            _("立即重新发送"),
            frozenset({D.PENDING, D.GAVE_UP}),
            frozenset({D.PENDING}),
            who="core.reminders.may_resend",
            of=None,
            refusal=_("只有系统管理员可以重新发送提醒"),
        ),
    },
    state_refusal=_("提醒发送当前为“%(state)s”，不能%(step)s"),
)


class OutboxJob(models.Model):
    """A background job, written in the transaction of the change it follows (core.jobs.enqueue).

    When that transaction commits the job is handed to RQ (or run, without Redis) and `sent_at`
    is set. A row still waiting was refused by Redis, or its process died before handing it
    over: `core.jobs.flush_outbox` hands it over, once. Only dotted paths and JSON arguments are
    kept, so every job here is a plain function that takes ids (the jobs are safe to run twice)."""

    func = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("位置参数"), default=list, blank=True)
    kwargs = models.JSONField(_("关键字参数"), default=dict, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("投递时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待投递任务")
        verbose_name_plural = _("待投递任务")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at", "id"], condition=models.Q(sent_at__isnull=True), name="outbox_waiting_idx"
            )
        ]

    def __str__(self) -> str:
        return self.func
