"""Forms of the task pages （督查任务）. They parse input; the rules live in services.tasks."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ChoicesNow
from core.text import is_blank
from org.models import Department
from org.selectors import leaders
from supervision.forms_parts import evidence_files, evidence_links
from supervision.models import Milestone, ReportReview, Task, Track
from supervision.services import BULK_ACTIONS, MilestoneSpec

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_MILESTONES = 5


class TaskFilterForm(ChoicesNow, forms.Form):
    """The list's filters; an unknown value is ignored, never an error page."""

    q = forms.CharField(required=False, max_length=100)
    track = forms.ChoiceField(required=False, choices=[("", _("全部类别")), *Track.choices])
    state = forms.ChoiceField(required=False, choices=[("", _("全部状态")), *Task.State.choices])
    department = forms.ModelChoiceField(
        required=False, queryset=Department.objects.filter(active=True), empty_label=_("全部部门")
    )
    overdue = forms.BooleanField(required=False, label=_("只看逾期"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "class": "form-control", "placeholder": _("按任务名称搜索"), "aria-label": _("搜索")}
        )
        for name, label in (("track", _("督查类别")), ("state", _("状态")), ("department", _("牵头部门"))):
            self.fields[name].widget.attrs.update({"class": "form-select", "aria-label": label})
        self.fields["overdue"].widget.attrs["class"] = "form-check-input"

    def values(self) -> dict:
        if self.is_valid():
            return self.cleaned_data
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


class TaskForm(ChoicesNow, forms.Form):
    track = forms.ChoiceField(label=_("督查类别"), choices=Track.choices)
    title = forms.CharField(label=_("任务名称"), max_length=200)
    description = forms.CharField(
        label=_("任务要求"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    lead_department = forms.ModelChoiceField(
        label=_("牵头部门"), queryset=Department.objects.filter(active=True), empty_label=_("请选择部门")
    )
    responsible_leader = forms.ModelChoiceField(label=_("责任领导"), queryset=None, empty_label=_("请选择校领导"))
    deadline = forms.DateField(label=_("完成时限"), widget=DATE)
    confidential = forms.BooleanField(
        label=_("涉密任务"),
        required=False,
        help_text=_("仅责任领导、牵头部门负责人、督查部门可见；涉密决议的任务自动涉密"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_leader"].queryset = leaders()


class MilestoneForm(ChoicesNow, forms.Form):
    title = forms.CharField(label=_("节点"), max_length=200, required=False)
    due = forms.DateField(label=_("节点时限"), required=False, widget=DATE)
    weight = forms.IntegerField(label=_("权重"), min_value=1, max_value=100, required=False, initial=1)

    def clean(self):
        data = super().clean()
        if data.get("title") and not data.get("due"):
            self.add_error("due", _("请填写节点时限"))
        if data.get("due") and not data.get("title"):
            self.add_error("title", _("请填写节点名称"))
        return data

    def spec(self) -> MilestoneSpec | None:
        d = self.cleaned_data
        if not d.get("title"):
            return None
        return MilestoneSpec(title=d["title"], due=d["due"], weight=d.get("weight") or 1)


MilestoneFormSet = forms.formset_factory(
    MilestoneForm, extra=MAX_MILESTONES, max_num=MAX_MILESTONES, absolute_max=MAX_MILESTONES
)


class MilestoneChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title}（{obj.due:%Y-%m-%d}）"


class ProgressReportForm(ChoicesNow, forms.Form):
    text = forms.CharField(label=_("进展情况"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))
    files = evidence_files(_("可多选，手机上可直接拍照上传。申请办结须上传佐证材料。"))
    links = evidence_links()
    milestones = MilestoneChoiceField(
        label=_("本次完成的节点"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    is_final = forms.BooleanField(
        label=_("申请办结"), required=False, help_text=_("任务已全部完成，请督查部门审核办结。")
    )

    def __init__(self, *args, task: Task, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the task's open milestones are offered (the service checks it again).
        if any(m.done_at is None for m in task.milestones.all()):
            self.fields["milestones"].queryset = Milestone.objects.filter(task=task, done_at__isnull=True)
        else:
            del self.fields["milestones"]


class ReviewForm(ChoicesNow, forms.Form):
    report = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("审核结果"), choices=ReportReview.Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回须写明需补充的内容。"),
    )
    rating = forms.ChoiceField(label=_("评价"), required=False, choices=ReportReview.Rating.choices)

    def offer(self, decisions) -> None:
        """Show only `decisions` (services.review_decisions); a forged other one is the service's to refuse."""
        self.fields["decision"].choices = [(d, label) for d, label in ReportReview.Decision.choices if d in decisions]


class UrgeForm(ChoicesNow, forms.Form):
    note = forms.CharField(label=_("催办说明（可选）"), required=False, max_length=2000)


class EscalateForm(ChoicesNow, forms.Form):
    reason = forms.CharField(
        label=_("升级督办理由"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}), strip=True
    )


BULK_LABELS = {
    "accept": _("审核通过待审核的报告"),
    "close": _("同意办结"),
    "urge": _("催办"),
    "escalate": _("升级督办"),
}


class FollowForm(forms.Form):
    """关注 / 取消关注： follow is "1" to follow; next is the page to go back to."""

    follow = forms.CharField(required=False)
    next = forms.CharField(required=False, strip=False)


class BulkForm(ChoicesNow, forms.Form):
    action = forms.ChoiceField(label=_("批量操作"), choices=[(a, BULK_LABELS[a]) for a in BULK_ACTIONS])
    tasks = forms.ModelMultipleChoiceField(queryset=None, error_messages={"required": _("请先勾选任务")})
    comment = forms.CharField(
        label=_("意见或理由"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("升级督办须写明理由。"),
    )

    # "1" once the person has seen the confirmation (the tasks and the reports waiting on them).
    confirm = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, tasks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = tasks

    @property
    def confirmed(self) -> bool:
        return self.is_valid() and self.cleaned_data["confirm"] == "1"

    def seen_reports(self, tasks) -> dict[int, int]:
        """The report each ticked task had waiting when the confirmation was shown (report_<task
        id>, a hidden field per task): 0 (no such row) for anything but an id."""
        seen = {}
        for t in tasks:
            try:
                number = int(self.data.get(f"report_{t.pk}"))
            except (TypeError, ValueError):
                number = 0
            seen[t.pk] = number if 0 < number < 2**63 else 0
        return seen

    def clean(self):
        data = super().clean()
        # Said here so that the confirmation asks for it once, not every task refused for it.
        if data.get("action") == "escalate" and is_blank(data.get("comment")):
            self.add_error("comment", _("升级督办须写明理由"))
        return data
