"""The forms of the study records (第一议题, 中心组学习)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.models import Reflection, StudySession


class StudyForm(forms.Form):
    texts = forms.CharField(
        label=_("学习篇目"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=StudySession._meta.get_field("texts").help_text,
        error_messages={"required": _("请填写学习篇目")},
    )
    participants = forms.TypedMultipleChoiceField(
        label=_("参学人员"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一名参学人员")},
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].choices = [(p.pk, str(p)) for p in people]


class TextsForm(forms.Form):
    texts = forms.CharField(
        label=_("学习篇目"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写学习篇目")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReflectionForm(forms.Form):
    text = forms.CharField(
        label=Reflection._meta.get_field("text").verbose_name,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("请填写心得体会")},
    )


class StudyYearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    body = forms.TypedChoiceField(label=_("会议机构"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", _("全部"))] + [(b.pk, b.name) for b in bodies]
