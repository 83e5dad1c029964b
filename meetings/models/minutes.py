"""What a meeting issues: numbered resolutions （决议事项）， and minutes （纪要） with their co-signatures
（会签）. Resolutions and signatures are written once; locked minutes never change."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from core.records import custom
from decisions.models import AgendaItem
from meetings.models.agenda import AgendaEntry
from meetings.models.meeting import Meeting
from org.models import MeetingBody


class Resolution(AppendOnlyModel):
    """决议事项： a final decision with its number, e.g. 党委会〔2026〕12号. Issued once, never changed."""

    body = models.ForeignKey(
        MeetingBody, verbose_name=_("会议机构"), on_delete=models.PROTECT, related_name="resolutions"
    )
    year = models.PositiveIntegerField(_("年度"))
    seq = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("文号"), max_length=40, unique=True)
    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="resolutions")
    entry = models.OneToOneField(
        AgendaEntry, verbose_name=_("议程"), on_delete=models.PROTECT, related_name="resolution"
    )
    item = models.ForeignKey(AgendaItem, verbose_name=_("议题"), on_delete=models.PROTECT, related_name="resolutions")
    outcome = models.CharField(_("结果"), max_length=24, choices=AgendaEntry.Outcome.choices)
    text = models.TextField(_("决议内容"))
    confidential = models.BooleanField(_("涉密"), default=False)
    issued_at = models.DateTimeField(_("形成时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("宣布人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("决议")
        verbose_name_plural = _("决议")
        ordering = ["-year", "-seq"]
        constraints = [models.UniqueConstraint(fields=["body", "year", "seq"], name="resolution_number_unique")]
        indexes = [models.Index(fields=["issued_at"], name="resolution_issued_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.item.title}"


class Minutes(models.Model):
    """纪要： drafted from the record, edited by the meeting secretary, co-signed by every member
    present, then locked. A correction is a new Minutes that amends the locked one."""

    class State(models.TextChoices):
        DRAFT = "draft", _("起草中")
        SIGNING = "signing", _("会签中")
        LOCKED = "locked", _("已签发归档")

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="minutes")
    amends = models.ForeignKey(
        "self", verbose_name=_("更正的纪要"), on_delete=models.PROTECT, null=True, blank=True, related_name="amendments"
    )
    text = models.TextField(_("纪要正文"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    signing_round = models.PositiveIntegerField(_("会签轮次"), default=0)
    number = models.CharField(_("纪要编号"), max_length=40, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    locked_at = models.DateTimeField(_("归档时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会议纪要")
        verbose_name_plural = _("会议纪要")
        ordering = ["meeting", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["draft", "signing", "locked"]), name="minutes_state_valid"
            ),
            models.UniqueConstraint(fields=["number"], condition=~models.Q(number=""), name="minutes_number_unique"),
        ]

    # Drafts are edited; locked minutes never change (meetings/migrations/0002_append_only.py).
    record_rule = custom(settled="state = 'locked'")

    def __str__(self) -> str:
        return self.number or gettext("%(meeting)s 纪要（草稿）") % {"meeting": self.meeting}


class MinutesSignature(AppendOnlyModel):
    minutes = models.ForeignKey(Minutes, verbose_name=_("纪要"), on_delete=models.PROTECT, related_name="signatures")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("会签人"), on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveIntegerField(_("会签轮次"))
    text_sha256 = models.CharField(_("所签文本摘要"), max_length=64)
    signed_at = models.DateTimeField(_("会签时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("纪要会签")
        verbose_name_plural = _("纪要会签")
        ordering = ["signed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["minutes", "member", "round"], name="minutes_sign_once")]
