"""What a meeting does with one item: the agenda entry, recusals （回避）， opinions （表态发言） and votes
（票决）. Opinions, votes and recusals are written once; a mistake is corrected by a new row."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from core.records import Opening, set_once
from decisions.models import AgendaItem
from meetings.models.meeting import Meeting


class AgendaEntry(models.Model):
    """One item on one meeting's agenda."""

    class Outcome(models.TextChoices):
        NONE = "", _("未决")
        PASSED = "passed", _("通过")
        PASSED_WITH_CHANGES = "passed_with_changes", _("修改后通过")
        PASSED_TO_PC = "passed_to_pc", _("商议通过，提交党委会决议")
        NOTED = "noted", _("已学习/已听取")
        DEFERRED = "deferred", _("暂缓")
        NOT_PASSED = "not_passed", _("未通过")

    class VoteState(models.TextChoices):
        NONE = "", _("未表决")
        OPEN = "open", _("表决中")
        CLOSED = "closed", _("表决结束")

    class VoteMode(models.TextChoices):
        """DOMAIN.md: 口头、举手、无记名、记名. The chair picks one when the vote opens."""

        NONE = "", _("未定")
        NAMED = "named", _("记名投票（成员各自投票）")
        HANDS = "hands", _("举手表决（记录人逐人登记）")
        ORAL = "oral", _("口头表决（记录人逐人登记）")
        SECRET = "secret", _("无记名投票")

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="entries")
    item = models.ForeignKey(
        AgendaItem, verbose_name=_("议题"), on_delete=models.PROTECT, related_name="agenda_entries"
    )
    position = models.PositiveIntegerField(_("顺序"))
    emergency = models.BooleanField(_("临时紧急议题"), default=False)
    emergency_reason = models.TextField(_("紧急列入理由"), blank=True)
    dropped_at = models.DateTimeField(_("撤出议程时间"), null=True, blank=True)
    dropped_reason = models.TextField(_("撤出理由"), blank=True)
    vote_state = models.CharField(_("表决"), max_length=8, choices=VoteState.choices, blank=True, default="")
    vote_mode = models.CharField(_("表决方式"), max_length=8, choices=VoteMode.choices, blank=True, default="")
    outcome = models.CharField(_("结果"), max_length=24, choices=Outcome.choices, blank=True, default="")
    outcome_note = models.TextField(_("结论/修改意见"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("宣布人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("议程")
        verbose_name_plural = _("议程")
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "item"],
                condition=models.Q(dropped_at__isnull=True),
                name="agenda_item_once_per_meeting",
            ),
        ]
        indexes = [models.Index(fields=["decided_at"], name="agenda_entry_decided_idx")]

    # The agenda is ordered while the meeting is planned; an entry is dropped or decided once, and
    # its vote opened and closed once; after that nothing on it changes.
    record_rule = set_once(
        Opening(
            ("position",),
            "OLD.outcome = '' AND OLD.dropped_at IS NULL"
            " AND (SELECT state FROM meetings_meeting WHERE id = OLD.meeting_id) = 'planning'",
        ),
        Opening(("dropped_at", "dropped_reason"), "OLD.dropped_at IS NULL AND OLD.outcome = ''"),
        Opening(
            ("outcome", "outcome_note", "decided_at", "decided_by_id"), "OLD.outcome = '' AND OLD.dropped_at IS NULL"
        ),
        Opening(
            ("vote_state",),
            "OLD.vote_state = 'open' OR (OLD.vote_state = '' AND OLD.outcome = '' AND OLD.dropped_at IS NULL)",
        ),
        Opening(("vote_mode",), "OLD.vote_state = '' AND OLD.outcome = '' AND OLD.dropped_at IS NULL"),
        settled="(outcome <> '' OR dropped_at IS NOT NULL) AND vote_state <> 'open'",
    )

    def __str__(self) -> str:
        return f"{self.meeting} · {self.position}. {self.item}"

    @property
    def is_open(self) -> bool:
        return self.dropped_at is None and not self.outcome


class Recusal(AppendOnlyModel):
    """回避： a member with a conflict of interest leaves the item: no opinion, no vote."""

    entry = models.ForeignKey(AgendaEntry, verbose_name=_("议程"), on_delete=models.PROTECT, related_name="recusals")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回避人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("回避原因"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回避")
        verbose_name_plural = _("回避")
        constraints = [models.UniqueConstraint(fields=["entry", "member"], name="recusal_once")]


class Opinion(AppendOnlyModel):
    class Stance(models.TextChoices):
        AGREE = "agree", _("同意")
        AGREE_WITH_CHANGES = "agree_with_changes", _("原则同意，有修改意见")
        DISAGREE = "disagree", _("不同意")
        RESERVE = "reserve", _("保留意见")

    entry = models.ForeignKey(AgendaEntry, verbose_name=_("议程"), on_delete=models.PROTECT, related_name="opinions")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发言人"), on_delete=models.PROTECT, related_name="+"
    )
    stance = models.CharField(_("表态"), max_length=24, choices=Stance.choices)
    text = models.TextField(_("发言要点"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    # A mistake is corrected by a new row that points at the one it replaces, with the reason.
    corrects = models.OneToOneField(
        "self", verbose_name=_("更正的记录"), on_delete=models.PROTECT, null=True, blank=True, related_name="correction"
    )
    reason = models.TextField(_("更正理由"), blank=True)

    class Meta:
        verbose_name = _("表态发言")
        verbose_name_plural = _("表态发言")
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "member"], condition=models.Q(corrects__isnull=True), name="opinion_once"
            )
        ]


class Vote(AppendOnlyModel):
    """票决： one per member per item, hidden from other members until the vote closes."""

    class Choice(models.TextChoices):
        FOR = "for", _("赞成")
        AGAINST = "against", _("反对")
        ABSTAIN = "abstain", _("弃权")

    entry = models.ForeignKey(AgendaEntry, verbose_name=_("议程"), on_delete=models.PROTECT, related_name="votes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("表决人"), on_delete=models.PROTECT, related_name="+"
    )
    choice = models.CharField(_("表决意见"), max_length=8, choices=Choice.choices)
    cast_at = models.DateTimeField(_("表决时间"), auto_now_add=True)
    # A show of hands or an oral vote is entered by the recorder, member by member.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    corrects = models.OneToOneField(
        "self", verbose_name=_("更正的记录"), on_delete=models.PROTECT, null=True, blank=True, related_name="correction"
    )
    reason = models.TextField(_("更正理由"), blank=True)

    class Meta:
        verbose_name = _("表决票")
        verbose_name_plural = _("表决票")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "member"], condition=models.Q(corrects__isnull=True), name="vote_once_per_member"
            ),
            models.CheckConstraint(
                condition=models.Q(choice__in=["for", "against", "abstain"]), name="vote_choice_valid"
            ),
        ]
