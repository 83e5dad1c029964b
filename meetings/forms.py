from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ChoicesNow
from meetings.models import Opinion, Vote
from org.models import MeetingBody


class MeetingForm(ChoicesNow, forms.Form):
    body = forms.ModelChoiceField(label=_("会议"), queryset=MeetingBody.objects.none(), empty_label=_("请选择会议"))
    starts_at = forms.DateTimeField(
        label=_("召开时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    place = forms.CharField(label=_("地点"), max_length=200, initial=_("行政楼第一会议室"))
    title = forms.CharField(
        label=_("会议名称（可选）"),
        max_length=200,
        required=False,
        help_text=_("留空则自动生成，如“党委会2026年第3次会议”"),
    )

    def __init__(self, *args, bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = MeetingBody.objects.filter(pk__in=[b.pk for b in bodies]).order_by("sort_order")


class ReasonForm(ChoicesNow, forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class OpinionForm(ChoicesNow, forms.Form):
    member = forms.TypedChoiceField(label=_("发言人"), coerce=int)
    stance = forms.ChoiceField(label=_("表态"), choices=Opinion.Stance.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("发言要点"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(u.pk, str(u)) for u in members]


class VoteForm(ChoicesNow, forms.Form):
    choice = forms.ChoiceField(label=_("您的表决意见"), choices=Vote.Choice.choices, widget=forms.RadioSelect)


class OutcomeForm(ChoicesNow, forms.Form):
    outcome = forms.ChoiceField(label=_("结论"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("结论说明 / 修改意见"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("“修改后通过”和“暂缓”须填写"),
    )

    def __init__(self, *args, outcomes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = outcomes


class MinutesForm(ChoicesNow, forms.Form):
    text = forms.CharField(label=_("纪要正文"), widget=forms.Textarea(attrs={"rows": 18}))
    version = forms.IntegerField(widget=forms.HiddenInput)


# --- what the step buttons send (meetings.views.meeting_act, entry_act, minutes_act) ---------
# Ids are checked here (400 when missing or not a number); the texts are checked by the
# services, which say what is missing in their own words.

PICK = {
    "required": _("请选择一项"),
    "invalid": _("请选择一项"),
    "min_value": _("请选择一项"),
    "max_value": _("请选择一项"),
}


def _pick(name: str):
    # No row has an id past 2**63 - 1, and the database could not hold one.
    return forms.IntegerField(min_value=1, max_value=2**63 - 1, error_messages=PICK)


def _text():
    return forms.CharField(required=False, strip=False)


class StepInput(forms.Form):
    """A step that sends nothing but the button."""


class ReasonInput(forms.Form):
    reason = _text()


class PublishInput(forms.Form):
    # 第一议题: why this agenda may open with something other than theory study.
    exception_reason = _text()


class ItemInput(forms.Form):
    item = _pick("item")
    reason = _text()


class PersonInput(forms.Form):
    person = _pick("person")
    reason = _text()


class RecusalInput(forms.Form):
    member = _pick("member")
    reason = _text()


class OpinionInput(forms.Form):
    member = _pick("member")
    stance = _text()
    text = _text()


class VoteInput(forms.Form):
    choice = _text()


class OutcomeInput(forms.Form):
    outcome = _text()
    note = _text()


# --- before and after the day (meetings.views_day) ---------------------------------------------


class LeadTimeConfirm(forms.Form):
    short_notice = forms.BooleanField(
        label=_("已知晓：会议时间距今不足材料提前期，未交材料的议题开会时将撤出议程，仍按此时间安排"),
        required=False,
    )


class ScheduleForm(MeetingForm, LeadTimeConfirm):
    """A new meeting; inside the materials lead time it asks to be confirmed."""


class RescheduleForm(ChoicesNow, LeadTimeConfirm):
    starts_at = forms.DateTimeField(
        label=_("新的召开时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(label=_("改期理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    field_order = ["starts_at", "reason", "short_notice", "version"]


class ObserverInput(forms.Form):
    person = _pick("person")
    reason = _text()


class VoteOpenInput(forms.Form):
    mode = _text()


class VoteEnterInput(forms.Form):
    member = _pick("member")
    choice = _text()


class OpinionCorrectInput(forms.Form):
    opinion = _pick("opinion")
    stance = _text()
    text = _text()
    reason = _text()


class VoteCorrectInput(forms.Form):
    vote = _pick("vote")
    choice = _text()
    reason = _text()


class AttendanceCorrectInput(forms.Form):
    person = _pick("person")
    present = forms.TypedChoiceField(
        choices=[("1", _("出席")), ("0", _("缺席"))], coerce=lambda v: v == "1", error_messages=PICK
    )
    was = _text()
    reason = _text()


class MinutesSendInput(forms.Form):
    """送会签 from the editor: the text on the screen is saved first (absent: send as saved)."""

    text = forms.CharField(required=False, strip=False)
    version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class VoteModeForm(ChoicesNow, forms.Form):
    mode = forms.ChoiceField(label=_("表决方式"), widget=forms.RadioSelect)

    def __init__(self, *args, modes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = modes
