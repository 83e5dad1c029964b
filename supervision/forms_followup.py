"""Forms of the follow-up pages: campus patrols, branch checks, the quarterly report's period.

They check the shape of the input only; the rules (who, when, once a month) are the services'.
"""

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import ChoicesNow
from org.models import LEADER_ROLES, Department, User

WEEK = re.compile(r"(\d{4})-W(\d{1,2})")


def parse_week(value: str) -> dt.date | None:
    """The Monday of an ISO week written as <input type=week> sends it ("2026-W14")."""
    m = WEEK.fullmatch((value or "").strip())
    if not m:
        return None
    try:
        return dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        return None


def leaders() -> "forms.models.QuerySet[User]":
    return User.objects.filter(is_active=True, role_assignments__role__in=LEADER_ROLES).distinct().order_by("username")


class PatrolFilterForm(ChoicesNow, forms.Form):
    """The filter bar of the patrol list (GET). A bad value is reported and left out of the filter."""

    TASKED = [("", _("全部")), ("1", _("已转督查任务")), ("0", _("未转任务"))]

    week = forms.CharField(
        label=_("巡查周"), required=False, widget=forms.TextInput(attrs={"type": "week", "class": "form-control"})
    )
    leader = forms.ModelChoiceField(
        label=_("巡查领导"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("全部领导"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    department = forms.ModelChoiceField(
        label=_("涉及部门"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("全部部门"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    tasked = forms.ChoiceField(
        label=_("是否转任务"), choices=TASKED, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control", "placeholder": _("按地点、问题搜索")}),
    )

    def __init__(self, *args, leaders=None, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if leaders is not None:
            self.fields["leader"].queryset = leaders
        if departments is not None:
            self.fields["department"].queryset = departments

    def clean_week(self):
        value = self.cleaned_data["week"]
        if not value:
            return None
        monday = parse_week(value)
        if monday is None:
            raise forms.ValidationError(_("巡查周格式应为 2026-W14"))
        return monday

    def filters(self) -> dict:
        """The valid filters (a field with an error is left out)."""
        data = getattr(self, "cleaned_data", {})
        leader, department, tasked = data.get("leader"), data.get("department"), data.get("tasked") or ""
        return {
            "week": data.get("week"),
            "leader_id": leader.pk if leader else None,
            "department_id": department.pk if department else None,
            "q": data.get("q") or "",
            "tasked": None if tasked == "" else tasked == "1",
        }


class PatrolFindingForm(ChoicesNow, forms.Form):
    patrolled_on = forms.DateField(
        label=_("巡查日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    place = forms.CharField(label=_("巡查地点"), max_length=200)
    text = forms.CharField(
        label=_("发现问题"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明看到的情况和需要整改的问题；未发现问题也可记录。"),
    )
    department = forms.ModelChoiceField(
        label=_("涉及部门"),
        queryset=Department.objects.filter(active=True),
        required=False,
        empty_label=_("（不涉及具体部门）"),
    )
    leader = forms.ModelChoiceField(
        label=_("巡查领导"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("（本人）"),
        help_text=_("办公室代领导记录时选择巡查领导；留空记为本人。"),
    )

    def __init__(self, *args, for_leader: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if for_leader:
            del self.fields["leader"]
        else:
            self.fields["leader"].queryset = leaders()
        if not self.is_bound:
            self.initial.setdefault("patrolled_on", timezone.localdate())


class BranchCheckForm(ChoicesNow, forms.Form):
    """One branch's monthly check: one tick per active checklist item (BranchCheckItem)."""

    branch = forms.ModelChoiceField(
        label=_("党支部"),
        queryset=Department.objects.filter(kind=Department.Kind.BRANCH, active=True),
        empty_label=_("请选择党支部"),
    )
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(label=_("月份"), coerce=int)
    note = forms.CharField(
        label=_("检查意见"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    rectify_by = forms.DateField(
        label=_("整改时限"),
        required=False,
        help_text=_("未达标的每一项生成一项整改任务；不填则为检查之日起 30 天"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[self.item_field(item)] = forms.BooleanField(
                label=gettext("%(title)s（%(points)s 分）") % {"title": item.title, "points": item.points},
                required=False,
            )
        self.fields["month"].choices = [(m, gettext("%(month)s月") % {"month": m}) for m in range(1, 13)]
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("year", today.year)
            self.initial.setdefault("month", today.month)

    @staticmethod
    def item_field(item) -> str:
        return f"item_{item.pk}"

    def item_fields(self):
        return [self[self.item_field(i)] for i in self.items]

    def met(self) -> dict[int, bool]:
        return {i.pk: bool(self.cleaned_data.get(self.item_field(i))) for i in self.items}


class QuarterForm(ChoicesNow, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("季度"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [(q, gettext("第%(quarter)s季度") % {"quarter": q}) for q in range(1, 5)]

    def clean(self):
        data = super().clean()
        year, quarter = data.get("year"), data.get("quarter")
        if year and quarter:
            today = timezone.localdate()
            if (year, quarter) > (today.year, (today.month - 1) // 3 + 1):
                raise forms.ValidationError(_("该季度尚未开始，无法生成报告"))
        return data


class DutyViewForm(ChoicesNow, forms.Form):
    """The responsibility calendar's view (year, month, week, day), its day and, for the party
    office, the role whose duties it shows."""

    view = forms.ChoiceField(
        choices=[("year", _("年")), ("month", _("月")), ("week", _("周")), ("day", _("日"))], required=False
    )
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    role = forms.ChoiceField(required=False)

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("全部角色")), *roles]

    def clean_date(self):
        day = self.cleaned_data.get("date")
        if day is not None and not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
            raise forms.ValidationError(_("日期须在 2000 年至 2100 年之间"))
        return day
