"""What the meeting day adds to the record beside the opinions and the votes: the secret ballot
(counts, and who has voted, never who chose what) and corrections of marked attendance."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from core.records import Opening, set_once
from meetings.models.agenda import AgendaEntry
from meetings.models.meeting import Attendance, Meeting


class SecretBallot(models.Model):
    """无记名投票: the counts only. Who has voted is in BallotCast; which member chose what is
    written nowhere (no row, no time, no order links a member to a choice)."""

    entry = models.OneToOneField(
        AgendaEntry, verbose_name=_("议程"), on_delete=models.PROTECT, related_name="secret_ballot"
    )
    votes_for = models.PositiveIntegerField(_("赞成票"), default=0)
    votes_against = models.PositiveIntegerField(_("反对票"), default=0)
    votes_abstain = models.PositiveIntegerField(_("弃权票"), default=0)

    class Meta:
        verbose_name = _("无记名投票计票")
        verbose_name_plural = _("无记名投票计票")

    def __str__(self) -> str:
        return f"{self.entry} · {self.votes_for}/{self.votes_against}/{self.votes_abstain}"

    # The counts grow while the vote is open, then never change.
    record_rule = set_once(
        Opening(
            ("votes_for", "votes_against", "votes_abstain"),
            "(SELECT vote_state FROM meetings_agendaentry WHERE id = OLD.entry_id) = 'open'",
        ),
        settled="entry_id IN (SELECT id FROM meetings_agendaentry WHERE vote_state = 'closed')",
    )


class BallotCast(AppendOnlyModel):
    """无记名投票: that a member has voted on an entry, never how."""

    entry = models.ForeignKey(
        AgendaEntry, verbose_name=_("议程"), on_delete=models.PROTECT, related_name="ballots_cast"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("已投票人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("无记名投票·已投票")
        verbose_name_plural = _("无记名投票·已投票")
        constraints = [models.UniqueConstraint(fields=["entry", "member"], name="ballot_cast_once")]


class AttendanceCorrection(AppendOnlyModel):
    """出席更正: a marked attendance found wrong is corrected with who, when and why."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="attendance_corrections"
    )
    entry = models.ForeignKey(
        AgendaEntry,
        verbose_name=_("审议中的议题"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendance_corrections",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(_("原登记"), max_length=10, choices=Attendance.Status.choices)
    to_status = models.CharField(_("更正为"), max_length=10, choices=Attendance.Status.choices)
    reason = models.TextField(_("更正理由"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("更正人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("更正时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("出席更正")
        verbose_name_plural = _("出席更正")
        ordering = ["recorded_at", "id"]
