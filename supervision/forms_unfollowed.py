from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ChoicesNow


class NoTaskForm(ChoicesNow, forms.Form):
    reason = forms.CharField(
        label=_("无需督查的理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=True,
        help_text=_("如：学习、通报类决议，或制度已印发执行"),
    )
