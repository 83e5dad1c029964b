from django import forms
from django.utils.translation import gettext_lazy as _

MAX_WORKBOOK_BYTES = 10 * 1024 * 1024


class StaffWorkbookForm(forms.Form):
    workbook = forms.FileField(
        label=_("人员导入表"),
        help_text=_("用导入模板填写的 .xlsx 文件，不超过 10 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_workbook(self):
        workbook = self.cleaned_data["workbook"]
        if not workbook.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 文件（Excel 2007 及以后的格式）。"))
        if workbook.size > MAX_WORKBOOK_BYTES:
            raise forms.ValidationError(_("文件超过 10 MB，请分批导入。"))
        return workbook
