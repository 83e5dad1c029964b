"""Reads of a branch's organisational life (三会一课), its self-checks and rectification, and the
party office's summary of the year (its screen on the home page).

三会一课 are counted against their required frequency (supervision.models.ORG_LIFE_EVERY_MONTHS):
a period (a month, or a quarter) counts once it has ended; a branch falls short where an ended
period has no meeting of that kind, and the flag names those periods.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from org.models import Department
from supervision.models import ORG_LIFE_EVERY_MONTHS, BranchCheck, BranchMeeting, OrgLife, Task
from supervision.selectors.branches import branch_year, branches_for


def ended_periods(year: int, every: int, today: dt.date) -> list[tuple[int, int]]:
    """The (first month, last month) of each period of `every` months of `year` ended before `today`."""
    out = []
    for first in range(1, 13, every):
        last = first + every - 1
        end = dt.date(year + 1, 1, 1) if last == 12 else dt.date(year, last + 1, 1)
        if end <= today:
            out.append((first, last))
    return out


def period_name(year: int, first: int, every: int) -> str:
    if every == 1:
        return _("%(month)s月") % {"month": first}
    return _("第%(q)s季度") % {"q": (first - 1) // 3 + 1}


@dataclass(frozen=True)
class OrgLifeCount:
    kind: str
    label: str
    held: int
    required: int
    short_periods: list[str] = field(default_factory=list)

    @property
    def short(self) -> bool:
        return bool(self.short_periods)

    @property
    def reason(self) -> str:
        """Why the cell is flagged, in words."""
        if not self.short_periods:
            return ""
        return _("%(kind)s应每%(every)s至少召开一次，%(periods)s未召开") % {
            "kind": self.label,
            "every": _("月") if ORG_LIFE_EVERY_MONTHS[self.kind] == 1 else _("季度"),
            "periods": "、".join(self.short_periods),
        }


@dataclass(frozen=True)
class OrgLifeRow:
    branch: Department
    counts: list[OrgLifeCount]

    @property
    def short(self) -> bool:
        return any(c.short for c in self.counts)


def org_life_year(year: int, today: dt.date, branch_ids=None) -> list[OrgLifeRow]:
    """Each branch × the four kinds: held this year, required by `today`, short periods. Two queries."""
    branches = list(branches_for(year))
    if branch_ids is not None:
        branches = [b for b in branches if b.pk in branch_ids]
    months: dict[tuple[int, str], Counter] = {}
    held: Counter = Counter()
    for branch_id, kind, held_on in BranchMeeting.objects.filter(held_on__year=year).values_list(
        "branch_id", "kind", "held_on"
    ):
        months.setdefault((branch_id, kind), Counter())[held_on.month] += 1
        held[(branch_id, kind)] += 1
    rows = []
    for branch in branches:
        counts = []
        for kind, label in OrgLife.choices:
            every = ORG_LIFE_EVERY_MONTHS[kind]
            periods = ended_periods(year, every, today)
            by_month = months.get((branch.pk, kind), Counter())
            short = [
                period_name(year, first, every)
                for first, last in periods
                if not any(by_month[m] for m in range(first, last + 1))
            ]
            counts.append(OrgLifeCount(kind, str(label), held[(branch.pk, kind)], len(periods), short))
        rows.append(OrgLifeRow(branch, counts))
    return rows


def branch_records(branch: Department, year: int) -> list[BranchMeeting]:
    return list(BranchMeeting.objects.filter(branch=branch, held_on__year=year).select_related("recorded_by"))


def self_check_counts(year: int) -> dict[int, int]:
    """Branch → how many months of `year` it checked itself. One query."""
    rows = BranchCheck.objects.filter(year=year, kind=BranchCheck.Kind.SELF).values("branch_id")
    return {r["branch_id"]: r["n"] for r in rows.annotate(n=Count("id"))}


def rectification_counts(year: int) -> dict[int, tuple[int, int]]:
    """Branch → (open, all) rectification tasks from the year's checks. One query."""
    rows = (
        Task.objects.filter(source=Task.Source.CHECK, check_mark__check_row__year=year)
        .values("lead_department_id")
        .annotate(n=Count("id"), open=Count("id", filter=~Q(state=Task.State.CLOSED)))
    )
    return {r["lead_department_id"]: (r["open"], r["n"]) for r in rows}


@dataclass(frozen=True)
class BranchPanel:
    """The party office's screen: the year's grades, branches short of 三会一课, open rectification."""

    year: int
    grades: list[tuple[str, int]]
    short_branches: list[OrgLifeRow]
    open_rectifications: int
    overdue_rectifications: int


def branch_panel(year: int, today: dt.date) -> BranchPanel:
    table = branch_year(year)
    grades = Counter(row.grade for row in table.rows)
    order = [_("优秀"), _("良好"), _("合格"), _("不合格"), _("未检查")]
    rectify = Task.objects.filter(source=Task.Source.CHECK).exclude(state=Task.State.CLOSED)
    return BranchPanel(
        year=year,
        grades=[(str(name), grades.get(str(name), 0)) for name in order],
        short_branches=[r for r in org_life_year(year, today) if r.short],
        open_rectifications=rectify.count(),
        overdue_rectifications=rectify.filter(deadline__lt=today).count(),
    )
