from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ChoicesNow


class LetterForm(ChoicesNow, forms.Form):
    subject = forms.CharField(label=_("主题"), max_length=200)
    body = forms.CharField(
        label=_("内容"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("您的意见、建议或反映的问题。书记信箱每信必复。"),
    )


class ReplyForm(ChoicesNow, forms.Form):
    body = forms.CharField(label=_("回复内容"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5}))
