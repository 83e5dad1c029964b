"""Forms of a branch's own pages: its self-check (自查) and its 三会一课 records.

They check the shape of the input only; who may and once a month are the services'.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import ChoicesNow
from org.models import Department
from supervision.forms_followup import BranchCheckForm
from supervision.models import OrgLife


def _branches(ids):
    rows = Department.objects.filter(kind=Department.Kind.BRANCH, active=True)
    return rows if ids is None else rows.filter(pk__in=ids)


class SelfCheckForm(BranchCheckForm):
    """A branch's self-check: the party office's checklist, for the branches the person keeps."""

    def __init__(self, *args, branch_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["rectify_by"]
        self.fields["branch"].queryset = _branches(branch_ids)
        self.fields["note"].label = _("自查情况")


class OrgLifeForm(ChoicesNow, forms.Form):
    branch = forms.ModelChoiceField(
        label=_("党支部"), queryset=Department.objects.none(), empty_label=_("请选择党支部")
    )
    kind = forms.ChoiceField(label=_("会议类型"), choices=OrgLife.choices)
    held_on = forms.DateField(label=_("召开日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    topic = forms.CharField(label=_("会议主题"), max_length=200)
    attendees = forms.IntegerField(label=_("参加人数"), min_value=0, max_value=9999, initial=0)

    def __init__(self, *args, branch_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = _branches(branch_ids)
        if not self.is_bound:
            self.initial.setdefault("held_on", timezone.localdate())
