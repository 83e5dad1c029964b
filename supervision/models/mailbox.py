"""书记信箱： letters to the Party secretary, each answered （回复百分百）.

Anyone may write a letter; the secretary, or the party office on his behalf, replies. Replies
are kept as written (append-only); the first one marks the letter replied.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from core.records import Opening, set_once
from core.transitions import Move, declare


class Letter(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("待回复")
        REPLIED = "replied", _("已回复")

    # An anonymous letter (匿名来信) has no author and nothing else that leads to its writer; the
    # writer reads the replies with a query code, of which only the SHA-256 is kept.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("写信人"),
        on_delete=models.PROTECT,
        related_name="letters",
        null=True,
        blank=True,
    )
    anonymous = models.BooleanField(_("匿名来信"), default=False)
    code_hash = models.CharField(_("查询码摘要"), max_length=64, blank=True, default="", editable=False)
    reply_due = models.DateField(_("回复期限"), null=True, blank=True)
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("写信时间"), auto_now_add=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    replied_at = models.DateTimeField(_("首次回复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("书记信箱来信")
        verbose_name_plural = _("书记信箱来信")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="open", replied_at__isnull=True)
                | models.Q(state="replied", replied_at__isnull=False),
                name="letter_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(anonymous=True, author__isnull=True)
                | models.Q(anonymous=False, author__isnull=False, code_hash=""),
                name="letter_anonymous_has_no_author",
            ),
            models.UniqueConstraint(fields=["code_hash"], condition=~models.Q(code_hash=""), name="letter_code_unique"),
        ]
        indexes = [
            models.Index(fields=["author", "created_at"], name="letter_author_idx"),
            models.Index(fields=["created_at"], name="letter_created_idx"),
            models.Index(fields=["state", "created_at"], name="letter_state_idx"),
            models.Index(fields=["state", "reply_due"], name="letter_due_idx"),
        ]

    # A letter stays as written; the first reply marks it replied, once.
    record_rule = set_once(Opening(("state", "replied_at"), "OLD.state = 'open'"), settled="state = 'replied'")

    def __str__(self) -> str:
        return self.subject

    # 书记信箱 is private: a letter is read by its author and those who answer the mailbox
    # (supervision.access), so nothing that leaves the server names it.
    confidential = True

    @property
    def is_replied(self) -> bool:
        return self.state == self.State.REPLIED


# 回复百分百: the first reply marks the letter replied; later ones follow up and leave it so.
LETTER_TRANSITIONS = declare(
    Letter,
    {
        "reply": Move(
            _("回复"),
            frozenset({Letter.State.OPEN, Letter.State.REPLIED}),
            frozenset({Letter.State.REPLIED}),
            who="supervision.access.can_reply_letter",
            refusal=_("只有党委书记、党委办公室或来信转交部门的负责人可以回复来信"),
            verb="letter.reply",
        ),
    },
    state_refusal=_("来信当前状态为“%(state)s”，不能%(step)s"),
)


class LetterReply(AppendOnlyModel):
    """A reply to a letter, by the secretary or the party office for him: written once."""

    letter = models.ForeignKey(Letter, verbose_name=_("来信"), on_delete=models.PROTECT, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回复人"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("回复内容"))
    created_at = models.DateTimeField(_("回复时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("来信回复")
        verbose_name_plural = _("来信回复")
        ordering = ["letter", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.letter} · {self.author}"


class LetterForward(AppendOnlyModel):
    """A letter handed to a department to handle (转办). The department reads the subject and the
    text, never who wrote it, and answers it; its head's reply counts for the letter."""

    letter = models.ForeignKey(Letter, verbose_name=_("来信"), on_delete=models.PROTECT, related_name="forwards")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="letter_forwards"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("转办人"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("转办意见"), blank=True)
    created_at = models.DateTimeField(_("转办时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("来信转办")
        verbose_name_plural = _("来信转办")
        ordering = ["letter", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["letter", "department"], name="letter_forward_once")]

    def __str__(self) -> str:
        return f"{self.letter} → {self.department}"


class Holiday(models.Model):
    """A day off or a working day the school sets itself (调休, a school holiday), over the public
    calendar (chinese_calendar): editable in the admin, read when reply deadlines are counted."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("上班日"), default=False, help_text=_("勾选表示这一天照常上班（调休）。"))
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"
