from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ChoicesNow
from org.models import Department, Role, User


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj}({obj.department})" if obj.department_id else str(obj)


class UpperDocumentForm(ChoicesNow, forms.Form):
    """上级文件精神·党委会通报： what the notice says and whom it is for."""

    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(
        label=_("正文"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("上级文件的名称、文号和主要精神，以及学校的贯彻要求"),
    )
    everyone = forms.BooleanField(label=_("全体教职工"), required=False)
    departments = forms.ModelMultipleChoiceField(
        label=_("部门"),
        queryset=Department.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    roles = forms.MultipleChoiceField(
        label=_("角色"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    people = PersonChoiceField(
        label=_("人员"),
        queryset=User.objects.filter(is_active=True).select_related("department").order_by("department", "username"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("按住 Ctrl（Mac 上为 ⌘）可选多人"),
    )
    confidential = forms.BooleanField(
        label=_("涉密"), required=False, help_text=_("涉密通报只发给指定的部门、角色或人员，每次查阅均留痕")
    )

    def clean(self):
        data = super().clean()
        chosen = data.get("everyone") or data.get("departments") or data.get("roles") or data.get("people")
        if not chosen:
            raise forms.ValidationError(_("请选择通报范围：全体、部门、角色或人员"))
        if data.get("everyone") and data.get("confidential"):
            raise forms.ValidationError(_("涉密通报不能发给全体教职工，请指定部门、角色或人员"))
        return data

    def audience(self) -> dict:
        d = self.cleaned_data
        return {
            "everyone": d["everyone"],
            "departments": list(d["departments"]),
            "roles": list(d["roles"]),
            "people": list(d["people"]),
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件（上级文件等）"), error_messages={"required": _("请选择文件")})
