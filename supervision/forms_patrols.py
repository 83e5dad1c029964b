"""Forms of the patrol rota, the patrol record from the phone, and key-area supervision."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import ChoicesNow
from decisions.forms import MultipleFileField
from org.models import Department, User
from supervision.forms_followup import leaders
from supervision.models import PatrolArea


class RotaForm(ChoicesNow, forms.Form):
    week = forms.DateField(label=_("巡查周（周一）"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    leader = forms.ModelChoiceField(label=_("巡查领导"), queryset=User.objects.none())
    areas = forms.ModelMultipleChoiceField(
        label=_("巡查区域"), queryset=PatrolArea.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders()
        self.fields["areas"].queryset = PatrolArea.objects.filter(active=True)

    def clean_week(self):
        week = self.cleaned_data["week"]
        if week.weekday() != 0:
            raise forms.ValidationError(_("巡查周须从周一开始"))
        return week


class PatrolRecordForm(ChoicesNow, forms.Form):
    area = forms.ModelChoiceField(label=_("巡查区域"), queryset=PatrolArea.objects.none())
    patrolled_at = forms.DateTimeField(
        label=_("巡查时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    note = forms.CharField(
        label=_("巡查情况"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    finding = forms.CharField(
        label=_("发现问题"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("未发现问题可留空；填写后记为一条巡查发现，可转为督查任务。"),
    )
    department = forms.ModelChoiceField(
        label=_("涉及部门"), queryset=Department.objects.none(), required=False, empty_label=_("（不涉及具体部门）")
    )
    photos = MultipleFileField(label=_("照片"), required=False, help_text=_("可多选，JPG 或 PNG，最多 6 张。"))
    leader = forms.ModelChoiceField(
        label=_("巡查领导"), queryset=User.objects.none(), required=False, empty_label=_("（本人）")
    )

    def __init__(self, *args, for_leader: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = PatrolArea.objects.filter(active=True)
        self.fields["department"].queryset = Department.objects.filter(active=True)
        if for_leader:
            del self.fields["leader"]
        else:
            self.fields["leader"].queryset = leaders()
        if not self.is_bound:
            self.initial.setdefault("patrolled_at", timezone.localtime().replace(second=0, microsecond=0))


class KeyAreaForm(ChoicesNow, forms.Form):
    from supervision.models import KeyArea as _KeyArea

    area = forms.ChoiceField(label=_("重点领域"), choices=_KeyArea.choices)
    process = forms.CharField(label=_("监督事项"), max_length=200)
    held_on = forms.DateField(label=_("监督日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    present = forms.BooleanField(label=_("纪委到场监督"), required=False, initial=True)
    findings = forms.CharField(
        label=_("监督发现"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class HalfYearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(label=_("半年"), coerce=int, choices=[(1, _("上半年")), (2, _("下半年"))])


class ReportActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("edit", _("保存评述")), ("file", _("提交党委会"))], required=False)


class CommentaryForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    commentary = forms.CharField(
        label=_("工作评述"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )


class FileReportForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
