"""Forms of the review chain: asking departments to countersign (会签), and a department's view."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ChoicesNow
from org.models import Department


class CountersignForm(ChoicesNow, forms.Form):
    departments = forms.ModelMultipleChoiceField(
        label=_("会签部门"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个会签部门")},
    )
    note = forms.CharField(
        label=_("会签说明（可选）"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )

    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Department.objects.filter(active=True).exclude(kind=Department.Kind.LEADERSHIP)
        if item is not None:
            qs = qs.exclude(pk=item.department_id)
        self.fields["departments"].queryset = qs


class CountersignAnswerForm(ChoicesNow, forms.Form):
    opinion = forms.CharField(
        label=_("会签意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=True
    )
