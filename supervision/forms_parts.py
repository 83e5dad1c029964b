"""The forms of 协办, of tasks handed out by an office (工作部署) and of link evidence."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ChoicesNow
from decisions.forms import MultipleFileField, MultipleFileInput
from org.models import Department
from org.selectors import leaders
from supervision.models import Task

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Phones offer the camera for photos; documents stay selectable too (core.files checks both).
EVIDENCE_ACCEPT = "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.wps,.ofd,.zip,.txt"


def evidence_files(help_text=None):
    return MultipleFileField(
        label=_("佐证材料（文件或照片）"),
        required=False,
        help_text=help_text or _("可多选，手机上可直接拍照上传。"),
        widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )


def evidence_links():
    return forms.CharField(
        label=_("佐证链接"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("每行一个，如：校园网报道 https://www.example.edu.cn/news/1")}
        ),
        help_text=_("每行一个链接，可在链接前写说明。"),
    )


class PartReportForm(ChoicesNow, forms.Form):
    department = forms.TypedChoiceField(label=_("协办部门"), coerce=int)
    text = forms.CharField(
        label=_("承担部分进展"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写承担部分的进展")},
    )
    files = evidence_files()
    links = evidence_links()

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]


class PartnersForm(ChoicesNow, forms.Form):
    departments = forms.ModelMultipleChoiceField(
        label=_("协办部门"),
        queryset=Department.objects.filter(active=True),
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
        error_messages={"required": _("请选择协办部门")},
    )

    def __init__(self, *args, task: Task | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if task is not None:
            taken = [task.lead_department_id, *(p.department_id for p in task.partners.all())]
            self.fields["departments"].queryset = Department.objects.filter(active=True).exclude(pk__in=taken)


class AssignForm(ChoicesNow, forms.Form):
    plan = forms.ChoiceField(label=_("工作部署类别"))
    title = forms.CharField(label=_("任务名称"), max_length=200)
    description = forms.CharField(
        label=_("任务要求"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    lead_department = forms.ModelChoiceField(
        label=_("牵头部门"), queryset=Department.objects.filter(active=True), empty_label=_("请选择部门")
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("协办部门"),
        queryset=Department.objects.filter(active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
        help_text=_("可多选；协办部门各自报送承担部分的进展，牵头部门可见。"),
    )
    responsible_leader = forms.ModelChoiceField(label=_("责任领导"), queryset=None, empty_label=_("请选择校领导"))
    deadline = forms.DateField(label=_("完成时限"), widget=DATE)

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(p, Task.Plan(p).label) for p in plans]
        self.fields["responsible_leader"].queryset = leaders()
