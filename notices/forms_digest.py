"""The forms of the monthly digest's department work (全教会通报)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class MonthForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12)


class MajorWorkForm(forms.Form):
    department = forms.TypedChoiceField(label=_("部门"), coerce=int)
    title = forms.CharField(label=_("工作事项"), max_length=200, error_messages={"required": _("请填写工作事项")})
    summary = forms.CharField(
        label=_("工作情况"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写工作情况")},
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]


class WorkStepForm(forms.Form):
    reason = forms.CharField(required=False, max_length=300)
