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


class QueryCodeForm(ChoicesNow, forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=40,
        help_text=_("匿名写信时页面上显示的查询码，如 ABCD-EFGH-JKMN-PQRS。"),
        error_messages={"required": _("请输入查询码")},
    )


class ForwardForm(ChoicesNow, forms.Form):
    department = forms.ModelChoiceField(
        label=_("承办部门"),
        queryset=None,
        error_messages={"required": _("请选择承办部门"), "invalid_choice": _("请选择承办部门")},
    )
    note = forms.CharField(
        label=_("转办意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        from org.models import Department

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.order_by("sort_order", "name")
