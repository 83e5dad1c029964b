from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from core.records import Opening, custom, set_once
from decisions.models import AgendaItem
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


# The study records live in their own module (meetings/models_study.py); imported here so Django
# finds them with the rest of the app's models.
# The package's other module reads the classes above; Django finds its models through this import.
from meetings.models.ballots import AttendanceCorrection, BallotCast, SecretBallot  # noqa: E402
from meetings.models.documents import StoredDocument  # noqa: E402
from meetings.models_study import Reflection, StudyParticipant, StudySession  # noqa: E402

__all__ = [
    "AgendaEntry",
    "Attendance",
    "AttendanceCorrection",
    "BallotCast",
    "Meeting",
    "Minutes",
    "MinutesSignature",
    "Opinion",
    "Recusal",
    "Reflection",
    "Resolution",
    "StudyParticipant",
    "StudySession",
    "SecretBallot",
    "StoredDocument",
    "Vote",
]
