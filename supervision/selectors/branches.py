"""Reads of party-branch building （党支部建设）： the year table and a month's check.

A month's percentage is its score ÷ its full score × 100. The annual score of a branch is the
mean of the percentages of the months it was checked, rounded half up to one decimal; months
not checked are shown as missing and not counted. Each read is a fixed number of queries.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from org.models import Department
from supervision import access
from supervision.models import BranchCheck, BranchCheckItem, BranchCheckMark

ONE_DECIMAL = Decimal("0.1")
# Only the party office's checks are scored into the year; a branch's self-checks are not.
OFFICE = BranchCheck.Kind.OFFICE

# The annual grade (年度考核等次) from the annual score: the lowest score of each grade.
GRADES = [(Decimal(90), _("优秀")), (Decimal(80), _("良好")), (Decimal(60), _("合格")), (Decimal(0), _("不合格"))]


def grade(annual: Decimal | None) -> str:
    """The grade of an annual score; "未检查" when no month was checked."""
    if annual is None:
        return _("未检查")
    return next(str(name) for lowest, name in GRADES if annual >= lowest)


can_read_branches = access.can_read_branches  # the rule lives in supervision.access


def round1(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def month_percent(check: BranchCheck) -> Decimal | None:
    """Unrounded: rounding happens once, on the mean."""
    if not check.full_score:
        return None
    return Decimal(check.score) * 100 / Decimal(check.full_score)


def mean_percent(checks) -> Decimal | None:
    """The mean of the months' percentages, one decimal; None when no month counts."""
    values = [p for p in (month_percent(c) for c in checks) if p is not None]
    if not values:
        return None
    return round1(sum(values, Decimal(0)) / len(values))


@dataclass(frozen=True)
class BranchYearRow:
    branch: Department
    months: list[BranchCheck | None]  # January … December
    annual: Decimal | None

    @property
    def grade(self) -> str:
        return grade(self.annual)

    @property
    def checked(self) -> int:
        return sum(1 for c in self.months if c is not None)

    @property
    def cells(self) -> list[tuple[int, BranchCheck | None]]:
        return list(zip(range(1, 13), self.months))


@dataclass(frozen=True)
class BranchYear:
    year: int
    rows: list[BranchYearRow]
    month_numbers: range = range(1, 13)


def branches_for(year: int):
    """The active branches, and any other branch checked in `year` (so the record stays whole)."""
    return (
        Department.objects.filter(kind=Department.Kind.BRANCH)
        .filter(Q(active=True) | Q(branch_checks__year=year, branch_checks__kind=OFFICE))
        .distinct()
        .order_by("sort_order", "name")
    )


def branch_year(year: int) -> BranchYear:
    """Each branch × 12 months with the check (or None) and the annual score. Two queries."""
    branches = list(branches_for(year))
    by_branch: dict[int, dict[int, BranchCheck]] = {}
    for check in BranchCheck.objects.filter(year=year, kind=OFFICE).order_by("month"):
        by_branch.setdefault(check.branch_id, {})[check.month] = check
    rows = []
    for branch in branches:
        months = by_branch.get(branch.pk, {})
        row_months = [months.get(m) for m in range(1, 13)]
        rows.append(BranchYearRow(branch, row_months, mean_percent([c for c in row_months if c])))
    return BranchYear(year, rows)


def active_items() -> list[BranchCheckItem]:
    return list(BranchCheckItem.objects.filter(active=True).order_by("position", "id"))


def check_detail(check_id: int) -> BranchCheck | None:
    marks = Prefetch("marks", queryset=BranchCheckMark.objects.select_related("item").order_by("item__position", "id"))
    rectification = Prefetch("marks__rectification")
    return (
        BranchCheck.objects.select_related("branch", "checker")
        .prefetch_related(marks, rectification)
        .filter(pk=check_id)
        .first()
    )


@dataclass(frozen=True)
class BranchAverage:
    branch: Department
    checks: int
    average: Decimal | None


def period_checks(year: int, months: list[int]):
    """The party office's checks of `months` of `year` (self-checks are not counted). Unordered."""
    return BranchCheck.objects.filter(year=year, month__in=months, kind=OFFICE)


def period_average(year: int, months: list[int]) -> tuple[int, Decimal | None, list[BranchAverage]]:
    """The checks of `months` of `year`: how many, their mean percentage, and per branch. One query."""
    checks = list(
        period_checks(year, months).select_related("branch").order_by("branch__sort_order", "branch__name", "month")
    )
    per_branch: dict[int, list[BranchCheck]] = {}
    for c in checks:
        per_branch.setdefault(c.branch_id, []).append(c)
    rows = [BranchAverage(cs[0].branch, len(cs), mean_percent(cs)) for cs in per_branch.values()]
    return len(checks), mean_percent(checks), rows


def open_months(year: int, today: dt.date) -> list[int]:
    """The months of `year` that can be checked by `today` (not those still to come)."""
    if year > today.year:
        return []
    return list(range(1, 13 if year < today.year else today.month + 1))
