"""The demo's party-building report (demo.party_building.seed_party_building)."""

import datetime as dt

import time_machine

from core.models import AuditEvent
from demo.party_building import seed_party_building
from org.models import Department
from reports import rules, selectors
from reports.models import Indicator, ReportEntry

CST = dt.timezone(dt.timedelta(hours=8))


def flags(table) -> list[tuple[str, str, str]]:
    return [(r.department.name, c.indicator.name, c.flag.kind) for r in table.rows for c in r.cells if c.flag]


def test_it_loads_targets_and_progress_with_one_outlier_and_one_missing_value(school):
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=CST), tick=False):
        created = seed_party_building()

    # 6 indicators, 10 × 6 targets, 1 correction, 10 × 6 − 1 progress values (the settings row
    # comes with the migration).
    assert created == 6 + 60 + 1 + 59
    target, progress, result = selectors.year_tables(2026)
    assert len(target.rows) == 10 and len(target.columns) == 6
    assert flags(target) == []
    assert flags(progress) == [
        ("信息中心", "党员教育培训学时", rules.LOW),
        ("信息技术学院", "主题党日次数", rules.MISSING),
    ]
    assert {f[2] for f in flags(result)} == {rules.MISSING}  # the results are being filled in now
    # The correction shows in the history, with its reason.
    college = Department.objects.get(name="信息技术学院")
    [(indicator, rows)] = [h for h in selectors.department_history(college, 2026, "target") if len(h[1]) > 1]
    assert indicator.name == "发展党员数" and [r.value for r in rows] == [3, 4] and rows[1].reason
    # Written through the services, in the windows: one audit event per value.
    assert AuditEvent.objects.filter(verb__startswith="report.").count() == ReportEntry.objects.count() == 120
    assert {e.entered_at.astimezone(CST).date() for e in ReportEntry.objects.all()} == {
        dt.date(2026, 1, 20),
        dt.date(2026, 1, 27),
        dt.date(2026, 6, 15),
    }


def test_a_second_run_changes_nothing(school):
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=CST), tick=False):
        seed_party_building()
        counts = (Indicator.objects.count(), ReportEntry.objects.count(), AuditEvent.objects.count())
        assert seed_party_building() == 0
    assert counts == (Indicator.objects.count(), ReportEntry.objects.count(), AuditEvent.objects.count())


def test_before_june_there_is_no_progress_yet(school):
    with time_machine.travel(dt.datetime(2026, 4, 10, 9, tzinfo=CST), tick=False):
        seed_party_building()
    assert not ReportEntry.objects.filter(stage="progress").exists()
    assert ReportEntry.objects.filter(stage="target").count() == 61


def test_early_in_january_the_targets_are_written_now(school):
    now = dt.datetime(2026, 1, 5, 9, tzinfo=CST)
    with time_machine.travel(now, tick=False):
        seed_party_building()
    assert set(ReportEntry.objects.values_list("entered_at", flat=True)) == {now}
    assert ReportEntry.objects.filter(stage="target").count() == 61
