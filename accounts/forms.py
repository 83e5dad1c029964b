from django import forms


class CallbackForm(forms.Form):
    """What a platform sends back to Yishi: the code (or authCode, or CAS ticket) and our state."""

    code = forms.CharField(max_length=512)
    state = forms.CharField(max_length=128, required=False)

    def __init__(self, data, *, code_field: str):
        data = {"code": data.get(code_field, ""), "state": data.get("state", "")}
        super().__init__(data)


class AppCodeForm(forms.Form):
    """免登: the code DingTalk's JSAPI gave the page inside the workbench."""

    code = forms.CharField(max_length=512)
