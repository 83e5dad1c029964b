from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import not_blank
from reports.models import Stage
from reports.selectors import FormLine


class TableQueryForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    stage = forms.ChoiceField(label=_("阶段"), choices=Stage.choices)


class DepartmentValuesForm(forms.Form):
    """One department's values for a year and stage: one field per active indicator, and the
    row each value replaces (the version the writer loaded, refused if it has moved on)."""

    reason = forms.CharField(
        label=_("说明 / 更正理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("更正已填报的数值时必填"),
    )

    def __init__(self, *args, lines: list[FormLine], **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            i = line.indicator
            label = f"{i.name}({i.unit})" if i.unit else i.name
            self.fields[self.value_field(line)] = forms.DecimalField(
                label=label,
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=2,
                initial=line.current.value if line.current else None,
                help_text=i.description,
            )
            self.fields[self.replaces_field(line)] = forms.IntegerField(
                required=False, widget=forms.HiddenInput, initial=line.current.pk if line.current else None
            )

    @staticmethod
    def value_field(line: FormLine) -> str:
        return f"value_{line.indicator.pk}"

    @staticmethod
    def replaces_field(line: FormLine) -> str:
        return f"replaces_{line.indicator.pk}"

    def rows(self):
        """(line, value field, hidden version field) for the template."""
        return [(line, self[self.value_field(line)], self[self.replaces_field(line)]) for line in self.lines]

    def values(self) -> dict:
        return {line.indicator.pk: self.cleaned_data.get(self.value_field(line)) for line in self.lines}

    def replaces(self) -> dict:
        return {line.indicator.pk: self.cleaned_data.get(self.replaces_field(line)) for line in self.lines}

    def clean(self):
        data = super().clean()
        if not any(data.get(self.value_field(line)) is not None for line in self.lines):
            raise forms.ValidationError(gettext("请至少填写一项数值"))
        return data


class FlagAnswerForm(forms.Form):
    """A department's explanation of one flagged value."""

    department = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    indicator = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    text = forms.CharField(
        label=_("说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), validators=[not_blank]
    )
