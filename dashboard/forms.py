from functools import cached_property

from django import forms
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import ChoicesNow
from dashboard.selectors.school import Period
from org.models import Department
from reports.forms import TableQueryForm


def _parts() -> list[tuple[str, str]]:
    return (
        [("", _("全年"))]
        + [(f"q{q}", _("第%(quarter)s季度") % {"quarter": q}) for q in range(1, 5)]
        + [(f"m{m}", _("%(month)s月") % {"month": m}) for m in range(1, 13)]
    )


class FilterForm(ChoicesNow, forms.Form):
    """统计期间 (a year, a quarter or a month; this year by default) and 部门."""

    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    part = forms.ChoiceField(label=gettext_lazy("期间"), required=False)
    department = forms.ModelChoiceField(
        label=gettext_lazy("部门"),
        queryset=Department.objects.filter(active=True).order_by("sort_order", "name"),
        required=False,
        empty_label=gettext_lazy("全部部门"),
    )

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        if data is not None and not data.get("year"):
            # A bare link (?department=3) means this year.
            data = data.copy()
            data["year"] = today.year
        super().__init__(data, initial={"year": today.year, "part": ""}, **kwargs)
        self.fields["part"].choices = _parts()

    @cached_property
    def department_choices(self) -> list[tuple[str, str]]:
        """For the select: the choices fetched when the form was made (ChoicesNow), empty label first."""
        return [(str(value), str(label)) for value, label in self.fields["department"].widget.choices]

    def clean(self):
        data = super().clean()
        year = data.get("year")
        if year is not None:
            part = data.get("part") or ""
            number = int(part[1:]) if part else None
            period = Period(
                year, quarter=number if part.startswith("q") else None, month=number if part.startswith("m") else None
            )
            if period.start > timezone.localdate():
                raise forms.ValidationError(_("该统计期尚未开始"))
            data["period"] = period
        return data

    @property
    def period(self) -> Period:
        return self.cleaned_data["period"]

    @property
    def selected_department(self) -> Department | None:
        return self.cleaned_data.get("department")

    def query(self) -> str:
        """The filters as a query string, for the export links."""
        params = {"year": self.period.year}
        if self.period.part:
            params["part"] = self.period.part
        if self.selected_department is not None:
            params["department"] = self.selected_department.pk
        return urlencode(params)


class ReportStageForm(TableQueryForm):
    """党建工作年度报表's filters for the lists behind its figures: a year (this year for a bare
    link) and a stage."""

    def __init__(self, data=None, **kwargs):
        if data is not None and not data.get("year"):
            data = data.copy()
            data["year"] = timezone.localdate().year
        super().__init__(data, **kwargs)
