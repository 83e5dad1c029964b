"""Forms of department performance: a new rating's year, end day and name."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import not_blank


class RatingForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    period_end = forms.DateField(
        label=_("考评截止日"),
        help_text=_("截至这一天的任务完成情况计分"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    title = forms.CharField(label=_("考评名称"), max_length=100, validators=[not_blank])
    note = forms.CharField(
        label=_("考评说明"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("year", today.year)
            self.initial.setdefault("period_end", today)
            self.initial.setdefault("title", _("%(year)s年部门工作绩效考评") % {"year": today.year})


class PlanQueryForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
