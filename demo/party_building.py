"""The demo's party-building report （党建工作年度报表）： the indicators, this year's targets for
every department concerned (one corrected, so its history shows), and the mid-year progress,
with one department far off on one indicator (flagged) and one value not reported (flagged).

Everything is written through reports.services with `at=` set inside each stage's window (the
target in January, the progress in June), so the record carries the times it would have had.
A stage whose window has not opened yet this year (progress before June) is left empty.
Idempotent: nothing is done once indicators exist."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from org.models import Department, Role, User
from reports import services
from reports.models import Indicator, ReportSettings, Stage

INDICATORS = [
    # name, unit, what it counts
    ("发展党员数", "人", "本年度接收为预备党员的人数"),
    ("“三会一课”完成率", "%", "按计划召开的支部党员大会、支委会、党小组会和党课次数 ÷ 计划次数"),
    ("主题党日次数", "次", "本年度开展的主题党日活动次数"),
    ("党员教育培训学时", "学时", "党员人均参加教育培训的学时"),
    ("党费收缴率", "%", "按时足额交纳党费的党员 ÷ 应交纳党员"),
    ("支部月度检查平均分", "分", "党委办公室月度检查得分（百分制）的平均"),
]

# Department → this year's targets, in the order of INDICATORS.
TARGETS = {
    "党委办公室": ["2", "100", "12", "36", "100", "92"],
    "校务办公室": ["1", "100", "12", "32", "100", "90"],
    "纪委办公室": ["1", "100", "12", "32", "100", "90"],
    "教务处": ["2", "100", "12", "32", "100", "90"],
    "财务处": ["1", "100", "12", "32", "100", "90"],
    "信息中心": ["1", "100", "12", "32", "100", "90"],
    "智能制造学院": ["4", "100", "12", "36", "100", "92"],
    "信息技术学院": ["3", "100", "12", "36", "100", "92"],
    "机关第一党支部": ["2", "100", "12", "32", "100", "90"],
    "智能制造学院党支部": ["3", "100", "12", "36", "100", "92"],
}

# Mid-year progress. None: not reported (flagged 未填报). 信息中心's training hours are far
# below the others' (flagged: 2.8σ below the mean of the ten departments; the most ten values
# allow is 3σ).
PROGRESS = {
    "党委办公室": ["1", "100", "6", "22", "100", "94"],
    "校务办公室": ["0", "95", "6", "18", "98", "88"],
    "纪委办公室": ["1", "100", "6", "17", "100", "91"],
    "教务处": ["1", "90", "5", "16", "100", "86"],
    "财务处": ["0", "100", "6", "18", "100", "89"],
    "信息中心": ["0", "92", "5", "3", "98", "84"],
    "智能制造学院": ["2", "95", "7", "20", "100", "90"],
    "信息技术学院": ["1", "95", None, "19", "98", "90"],
    "机关第一党支部": ["1", "100", "6", "17", "100", "88"],
    "智能制造学院党支部": ["1", "100", "6", "21", "100", "91"],
}

# Who fills each department in: its head where the demo has one, else the party office.
ENTERED_BY = {"党委办公室": "partyoffice", "校务办公室": "affairsoffice", "教务处": "depthead", "财务处": "finance"}
ENTERED_BY["智能制造学院"] = "dean"


def _moment_in(window, *, days_after_opening: int) -> dt.datetime | None:
    """A time inside the stage's window and not in the future; None if the window has not opened."""
    now = timezone.now()
    opens = timezone.make_aware(dt.datetime.combine(window.opens, dt.time(10, 0)))
    if opens > now:
        return None
    wanted = opens + dt.timedelta(days=days_after_opening)
    closes = timezone.make_aware(dt.datetime.combine(window.closes, dt.time(10, 0)))
    return min(wanted, closes, now)


def seed_party_building() -> int:
    """Returns the number of records created (0 when the report is already there)."""
    if Indicator.objects.exists():
        return 0
    created = 0
    settings = ReportSettings.objects.order_by("pk").first()
    if settings is None:  # the migration makes it; a flushed database has none
        settings = ReportSettings.objects.create()
        created += 1
    indicators = [
        Indicator.objects.create(name=name, unit=unit, description=text, sort_order=n)
        for n, (name, unit, text) in enumerate(INDICATORS, start=1)
    ]
    created += len(indicators)
    u = {
        user.username: user
        for user in User.objects.filter(role_assignments__role__in=[Role.PARTY_OFFICE, Role.DEPT_HEAD])
    }
    departments = {d.name: d for d in Department.objects.filter(name__in=list(TARGETS))}
    year = timezone.localdate().year

    def fill(stage: Stage, table: dict[str, list[str | None]], *, at: dt.datetime) -> int:
        n = 0
        for name, values in table.items():
            department = departments.get(name)
            if department is None:
                continue
            written = services.department_values_record(
                actor=u[ENTERED_BY.get(name, "partyoffice")],
                department_id=department.pk,
                year=year,
                stage=stage,
                values={i.pk: (Decimal(v) if v is not None else None) for i, v in zip(indicators, values)},
                replaces={i.pk: None for i in indicators},
                at=at,
            )
            n += len(written)
        return n

    at = _moment_in(settings.window(year, Stage.TARGET), days_after_opening=19)
    if at is None:
        return created
    created += fill(Stage.TARGET, TARGETS, at=at)
    # A correction, so that a history shows: the party office raises a college's target.
    college = departments.get("信息技术学院")
    if college is not None:
        first = indicators[0].entries.get(department=college, year=year, stage=Stage.TARGET)
        services.entry_record(
            actor=u["partyoffice"],
            department_id=college.pk,
            indicator_id=indicators[0].pk,
            year=year,
            stage=Stage.TARGET,
            value=Decimal("4"),
            replaces=first.pk,
            reason="按党委组织工作会议要求，二级学院发展党员目标上调1人。",
            at=min(at + dt.timedelta(days=7), timezone.now()),
        )
        created += 1
    at = _moment_in(settings.window(year, Stage.PROGRESS), days_after_opening=14)
    if at is not None:
        created += fill(Stage.PROGRESS, PROGRESS, at=at)
    return created
