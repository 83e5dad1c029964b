from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import ChoicesNow
from core.text import is_blank
from decisions.models import AgendaItem, Category
from decisions.services import amount_problem, attachment_problem, major_kind_for, scope_problem
from org.models import MeetingBody
from org.selectors import leaders


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _files_help_text() -> str:
    return gettext("可多选。单个文件不超过 %(mb)s MB；允许 %(ext)s") % {
        "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "ext": ", ".join(settings.ATTACHMENT_EXTENSIONS),
    }


class ItemForm(ChoicesNow, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    files = MultipleFileField(
        label=_("附件"),
        required=False,
        # Formatted when shown, so that it is in the reader's language.
        help_text=lazy(_files_help_text, str)(),
    )

    class Meta:
        model = AgendaItem
        fields = [
            "title",
            "requested_body",
            "category",
            "major_kind",
            "amount",
            "confidential",
            "background",
            "proposal",
        ]
        widgets = {
            "background": forms.Textarea(attrs={"rows": 4}),
            "proposal": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_body"].queryset = MeetingBody.objects.order_by("sort_order", "code")
        self.fields["requested_body"].empty_label = _("请选择会议")
        self.fields["major_kind"].required = False
        self.fields["category"].choices = [("", _("请选择类别")), *Category.choices]
        self.fields["title"].widget.attrs["placeholder"] = _("例如：关于调整2027年度实训设备采购计划的请示")
        self.fields["amount"].widget.attrs.update({"min": "0", "step": "0.01", "inputmode": "decimal"})

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        problem = amount_problem(amount)
        if problem:
            raise forms.ValidationError(problem)
        return amount

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        problems = [p for p in (attachment_problem(f) for f in files) if p]
        if problems:
            raise forms.ValidationError(problems)
        return files

    def clean(self):
        data = super().clean()
        body, category = data.get("requested_body"), data.get("category")
        if body and category:
            major = major_kind_for(amount=data.get("amount"), major_kind=data.get("major_kind") or "")
            problem = scope_problem(body=body, category=category, major_kind=major)
            if problem:
                self.add_error("requested_body", problem)
        return data

    def item_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ReasonForm(ChoicesNow, forms.Form):
    reason = forms.CharField(
        label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, strip=True, required=True
    )


class CommentForm(ChoicesNow, forms.Form):
    comment = forms.CharField(
        label=_("审核意见（可选）"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class ScreenAcceptForm(ChoicesNow, forms.Form):
    consultees = forms.ModelMultipleChoiceField(
        label=_("会前酝酿：征求意见的班子成员"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("所选成员全部同意后议题方可上会（意见不一不上会）。学习、汇报、通报类议题可不征求意见。"),
    )
    comment = forms.CharField(label=_("研判意见（可选）"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, item=None, screener=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The leaders the service accepts: neither the submitter nor the screener himself.
        qs = leaders()
        if item is not None:
            qs = qs.exclude(pk=item.submitter_id)
        if screener is not None:
            qs = qs.exclude(pk=screener.pk)
        self.fields["consultees"].queryset = qs


class ConsultAnswerForm(ChoicesNow, forms.Form):
    answer = forms.ChoiceField(
        label=_("意见"), choices=[("agree", _("同意上会")), ("concern", _("有不同意见"))], widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("意见内容"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        help_text=_("有不同意见时必填"),
    )

    def clean(self):
        data = super().clean()
        if data.get("answer") == "concern" and is_blank(data.get("text")):
            self.add_error("text", _("有不同意见时须写明意见内容"))
        return data


class MaterialsForm(ChoicesNow, forms.Form):
    files = MultipleFileField(label=_("补充会议材料"), required=True)

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if not files:
            raise forms.ValidationError(_("请选择要上传的文件"))
        problems = [p for p in (attachment_problem(f) for f in files) if p]
        if problems:
            raise forms.ValidationError(problems)
        return files
