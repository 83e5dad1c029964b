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

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("写信人"), on_delete=models.PROTECT, related_name="letters"
    )
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
        ]
        indexes = [
            models.Index(fields=["author", "created_at"], name="letter_author_idx"),
            models.Index(fields=["created_at"], name="letter_created_idx"),
            models.Index(fields=["state", "created_at"], name="letter_state_idx"),
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
            who="supervision.access.can_answer",
            of=None,
            refusal=_("只有党委书记或党委办公室可以回复来信"),
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
