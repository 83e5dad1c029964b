"""全教会通报, level three of 三通报: the month's major department work (部门重要工作) beside the
PC decisions. Departments submit their items for a month; the party office selects and orders
them; the monthly digest carries the selected ones in that order. Once a digest has carried an
item, the item is part of the record: nothing on it changes.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.records import Opening, set_once
from core.transitions import Move, declare
from org.models import Department


class MajorWork(models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", _("已报送·待遴选")
        SELECTED = "selected", _("已选入通报")
        DECLINED = "declined", _("未选入")

    period = models.DateField(_("通报月份"), help_text=_("该月第一天"))
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="major_work"
    )
    title = models.CharField(_("工作事项"), max_length=200)
    summary = models.TextField(_("工作情况"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"), auto_now_add=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.SUBMITTED)
    position = models.PositiveIntegerField(_("通报顺序"), default=0)
    decided_reason = models.CharField(_("未选入理由"), max_length=300, blank=True)
    notice = models.ForeignKey(
        "notices.Notice",
        verbose_name=_("所在月度通报"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="major_work",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("部门重要工作")
        verbose_name_plural = _("部门重要工作")
        ordering = ["period", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["submitted", "selected", "declined"]), name="major_work_state_valid"
            ),
            # The digest carries selected items only.
            models.CheckConstraint(
                condition=models.Q(notice__isnull=True) | models.Q(state="selected"),
                name="major_work_digest_selected",
            ),
        ]
        indexes = [models.Index(fields=["period", "state", "position"], name="major_work_period_idx")]

    # Selected, declined and ordered until a digest carries it; then settled.
    record_rule = set_once(
        Opening(("state", "position", "decided_reason", "version", "notice_id"), "OLD.notice_id IS NULL"),
        settled="notice_id IS NOT NULL",
    )

    def __str__(self) -> str:
        return f"{self.department} · {self.title}"


W = MajorWork.State
SELECTS = "notices.access.is_party_office"
OFFICE_ONLY = _("只有党委办公室可以遴选和排序部门重要工作")

# The party office selects, declines and orders the submitted items; the digest then carries the
# selected ones (notices.services.digest).
MAJOR_WORK_TRANSITIONS = declare(
    MajorWork,
    {
        "select": Move(
            _("选入通报"),
            frozenset({W.SUBMITTED, W.DECLINED}),
            frozenset({W.SELECTED}),
            who=SELECTS,
            of=None,
            refusal=OFFICE_ONLY,
            verb="major_work.select",
        ),
        "decline": Move(
            _("不选入"),
            frozenset({W.SUBMITTED, W.SELECTED}),
            frozenset({W.DECLINED}),
            who=SELECTS,
            of=None,
            refusal=OFFICE_ONLY,
            verb="major_work.decline",
            needs_reason=True,
        ),
        "order": Move(
            _("调整顺序"),
            frozenset({W.SELECTED}),
            who=SELECTS,
            of=None,
            refusal=OFFICE_ONLY,
            verb="major_work.order",
        ),
    },
    state_refusal=_("该工作事项当前为“%(state)s”，不能%(step)s"),
)
