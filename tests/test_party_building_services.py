"""Writing the party-building report (reports.services): who may enter which department, the
windows in which each stage is open, corrections as new rows that keep the history, one audit
event per value written, and the record that nothing changes in place."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import DatabaseError, IntegrityError, connection, transaction

from core.errors import InvalidTransition
from core.models import AuditEvent
from org.models import Department
from reports import selectors, services
from reports.models import Indicator, ReportEntry, ReportSettings, Stage

CST = dt.timezone(dt.timedelta(hours=8))


def at(y, m, d, hh=10, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=CST)


@pytest.fixture
def indicators(db):
    return [
        Indicator.objects.create(name="发展党员数", unit="人", sort_order=1),
        Indicator.objects.create(name="主题党日次数", unit="次", sort_order=2),
    ]


def dept(name="教务处") -> Department:
    return Department.objects.get(name=name)


def enter(people, indicators, *, who="depthead", name="教务处", stage="target", year=2026, value="3", **kw):
    kw.setdefault("replaces", None)
    return services.entry_record(
        actor=people(who),
        department_id=dept(name).pk,
        indicator_id=indicators[0].pk,
        year=year,
        stage=stage,
        value=value,
        **kw,
    )


def refused(status: int, call, /, **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(**kwargs)
    assert caught.value.status == status, caught.value.reason
    return caught.value


@pytest.fixture
def in_target_window():
    with time_machine.travel(at(2026, 2, 10), tick=False):
        yield


# --- who may enter ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("in_target_window")
def test_a_department_head_enters_a_value_for_their_department(people, indicators):
    entry = enter(people, indicators, value="3")

    assert (entry.department, entry.year, entry.stage, entry.value) == (dept(), 2026, "target", Decimal("3.00"))
    assert entry.entered_by == people("depthead") and entry.supersedes is None
    event = AuditEvent.objects.get(verb="report.enter")
    assert (event.actor, event.target_type, event.target_id) == (people("depthead"), "reports.reportentry", entry.pk)
    assert event.data == {
        "department": dept().pk,
        "indicator": indicators[0].pk,
        "year": 2026,
        "stage": "target",
        "value": "3.00",
        "previous": None,
        "supersedes": None,
        "at": entry.entered_at.isoformat(),
    }


ENTER_JIAOWU = {"depthead", "partyoffice"}
EVERYONE = ["secretary", "principal", "member1", "discipline", "partyoffice", "affairsoffice"]
EVERYONE += ["depthead", "staff", "finance", "dean", "teacher"]


@pytest.mark.usefixtures("in_target_window")
@pytest.mark.parametrize("username", EVERYONE)
def test_only_the_head_of_the_department_and_the_party_office_may_enter_it(people, indicators, username):
    if username in ENTER_JIAOWU:
        assert enter(people, indicators, who=username).entered_by.username == username
    else:
        e = refused(403, enter, people=people, indicators=indicators, who=username)
        assert "只有本部门负责人或党委办公室" in e.reason
        assert not ReportEntry.objects.exists() and not AuditEvent.objects.filter(verb__startswith="report.").exists()


@pytest.mark.usefixtures("in_target_window")
def test_the_party_office_enters_any_department_and_a_head_only_their_own(people, indicators):
    for name in ("财务处", "信息技术学院", "机关第一党支部"):
        assert enter(people, indicators, who="partyoffice", name=name).department.name == name
    assert enter(people, indicators, who="dean", name="智能制造学院").entered_by.username == "dean"
    refused(403, enter, people=people, indicators=indicators, who="finance", name="教务处")
    refused(403, enter, people=people, indicators=indicators, who="dean", name="智能制造学院党支部")


@pytest.mark.usefixtures("in_target_window")
def test_the_school_leadership_is_not_a_department_of_the_report(people, indicators):
    e = refused(403, enter, people=people, indicators=indicators, who="partyoffice", name="校领导")
    assert "不在党建工作报表的填报范围内" in e.reason


@pytest.mark.usefixtures("in_target_window")
def test_an_inactive_department_or_indicator_is_not_entered(people, indicators):
    Department.objects.filter(name="信息中心").update(active=False)
    refused(403, enter, people=people, indicators=indicators, who="partyoffice", name="信息中心")
    Indicator.objects.filter(pk=indicators[0].pk).update(active=False)
    e = refused(409, enter, people=people, indicators=indicators)
    assert "已停用" in e.reason


# --- windows -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "year", "moment", "why"),
    [
        ("target", 2026, at(2025, 12, 31, 23, 59), "尚未开始"),
        ("target", 2026, at(2026, 1, 1, 0, 1), None),
        ("target", 2026, at(2026, 3, 31, 23, 59), None),  # school time: 15:59 UTC
        ("target", 2026, at(2026, 4, 1, 0, 1), "已经截止"),  # still 31 March in UTC
        ("progress", 2026, at(2026, 5, 31, 18), "尚未开始"),
        ("progress", 2026, at(2026, 6, 1, 8), None),
        ("progress", 2026, at(2026, 7, 31, 18), None),
        ("progress", 2026, at(2026, 8, 1, 8), "已经截止"),
        ("result", 2026, at(2026, 11, 30, 18), "尚未开始"),
        ("result", 2026, at(2026, 12, 1, 8), None),
        ("result", 2026, at(2027, 1, 31, 18), None),  # the result window runs into the next year
        ("result", 2026, at(2027, 2, 1, 8), "已经截止"),
        ("target", 2027, at(2026, 12, 15), "尚未开始"),
    ],
)
def test_each_stage_is_open_only_in_its_window(people, indicators, stage, year, moment, why):
    with time_machine.travel(moment, tick=False):
        if why is None:
            assert enter(people, indicators, stage=stage, year=year).stage == stage
        else:
            e = refused(409, enter, people=people, indicators=indicators, stage=stage, year=year)
            assert why in e.reason
            assert str(year) in e.reason
            assert not ReportEntry.objects.exists()


def test_the_refusal_names_the_window(people, indicators):
    with time_machine.travel(at(2026, 8, 3), tick=False):
        e = refused(409, enter, people=people, indicators=indicators, stage="progress")
    assert e.reason == "2026年度年中进度的填报时间为 2026-06-01 至 2026-07-31，已经截止。"


def test_the_windows_are_a_setting(people, indicators):
    ReportSettings.objects.update(
        progress_opens_month=7, progress_opens_day=1, progress_closes_month=8, progress_closes_day=15
    )
    with time_machine.travel(at(2026, 6, 15), tick=False):
        refused(409, enter, people=people, indicators=indicators, stage="progress")
    with time_machine.travel(at(2026, 8, 10), tick=False):
        assert enter(people, indicators, stage="progress").stage == "progress"


def test_the_29th_of_february_is_the_28th_in_a_common_year(db):
    s = ReportSettings(target_closes_month=2, target_closes_day=29)
    assert s.window(2027, "target").closes == dt.date(2027, 2, 28)
    assert s.window(2028, "target").closes == dt.date(2028, 2, 29)
    s.full_clean()  # a real day in a leap year


def test_a_day_that_never_exists_is_refused_by_the_settings_form(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        ReportSettings(target_closes_month=2, target_closes_day=30).full_clean()
    assert "target_closes_day" in caught.value.message_dict


def test_without_a_settings_row_the_defaults_apply(db):
    ReportSettings.objects.all().delete()
    w = ReportSettings.current().window(2026, "result")
    assert (w.opens, w.closes) == (dt.date(2026, 12, 1), dt.date(2027, 1, 31))


def test_at_writes_a_past_value_inside_its_window_but_never_a_future_one(people, indicators):
    with time_machine.travel(at(2026, 12, 5), tick=False):
        entry = enter(people, indicators, stage="progress", at=at(2026, 6, 20))
        assert entry.entered_at == at(2026, 6, 20)
        e = refused(409, enter, people=people, indicators=indicators, stage="target", at=at(2026, 6, 20))
        assert "已经截止" in e.reason
        refused(409, enter, people=people, indicators=indicators, stage="result", at=at(2026, 12, 6))


# --- corrections and history -------------------------------------------------------------------------


@pytest.mark.usefixtures("in_target_window")
def test_a_correction_is_a_new_row_that_supersedes_the_old_one(people, indicators):
    first = enter(people, indicators, value="3")
    with time_machine.travel(at(2026, 2, 12), tick=False):
        second = enter(people, indicators, who="partyoffice", value="4", replaces=first.pk, reason="按组织部新要求上调")

    first.refresh_from_db()
    assert (first.value, second.value) == (Decimal("3"), Decimal("4"))
    assert second.supersedes == first and first.superseded_by == second
    assert (second.entered_by.username, second.reason, second.entered_at) == (
        "partyoffice",
        "按组织部新要求上调",
        at(2026, 2, 12),
    )
    current = ReportEntry.objects.get(superseded_by__isnull=True)
    assert current == second
    [row] = [r for r in selectors.stage_table(2026, "target").rows if r.department == dept()]
    assert row.cells[0].value == Decimal("4")
    correct = AuditEvent.objects.get(verb="report.correct")
    assert (correct.actor.username, correct.reason, correct.target_id) == (
        "partyoffice",
        "按组织部新要求上调",
        second.pk,
    )
    assert (correct.data["previous"], correct.data["value"], correct.data["supersedes"]) == ("3.00", "4.00", first.pk)
    [(indicator, rows)] = selectors.department_history(dept(), 2026, "target")
    assert indicator == indicators[0] and rows == [first, second]


@pytest.mark.usefixtures("in_target_window")
def test_a_correction_needs_a_reason(people, indicators):
    first = enter(people, indicators, value="3")
    e = refused(409, enter, people=people, indicators=indicators, value="4", replaces=first.pk, reason="  ")
    assert "须说明理由" in e.reason
    assert ReportEntry.objects.count() == 1


@pytest.mark.usefixtures("in_target_window")
def test_a_stale_page_is_refused_not_merged(people, indicators):
    first = enter(people, indicators, value="3")
    enter(people, indicators, who="partyoffice", value="4", replaces=first.pk, reason="更正")

    # The head still has the page with 3 on it.
    e = refused(409, enter, people=people, indicators=indicators, value="5", replaces=first.pk, reason="更正")
    assert "已由孙丽于 2026-02-10 10:00 更新为 4.00" in e.reason
    # Someone who saw no value yet.
    refused(409, enter, people=people, indicators=indicators, value="5", replaces=None)
    assert ReportEntry.objects.count() == 2


@pytest.mark.usefixtures("in_target_window")
def test_the_same_value_again_writes_nothing(people, indicators):
    first = enter(people, indicators, value="3")
    assert enter(people, indicators, value="3.00", replaces=first.pk) is None
    assert ReportEntry.objects.count() == 1 and AuditEvent.objects.filter(verb__startswith="report.").count() == 1


@pytest.mark.usefixtures("in_target_window")
@pytest.mark.parametrize("value", ["-1", "1.234", "abc", "NaN", "10000000000"])
def test_a_bad_value_is_refused(people, indicators, value):
    refused(409, enter, people=people, indicators=indicators, value=value)


@pytest.mark.usefixtures("in_target_window")
def test_a_departments_form_is_written_all_or_nothing(people, indicators):
    a, b = indicators
    record = services.department_values_record
    written = record(
        actor=people("depthead"),
        department_id=dept().pk,
        year=2026,
        stage="target",
        values={a.pk: Decimal("3"), b.pk: None},
        replaces={a.pk: None, b.pk: None},
    )
    assert [e.indicator for e in written] == [a]

    # The second form changes a (no reason) and fills b: neither is written.
    refused(
        409,
        record,
        actor=people("depthead"),
        department_id=dept().pk,
        year=2026,
        stage="target",
        values={b.pk: Decimal("12"), a.pk: Decimal("4")},
        replaces={a.pk: written[0].pk, b.pk: None},
    )
    assert ReportEntry.objects.count() == 1
    # A value once reported cannot be emptied.
    e = refused(
        409,
        record,
        actor=people("depthead"),
        department_id=dept().pk,
        year=2026,
        stage="target",
        values={a.pk: None, b.pk: Decimal("12")},
        replaces={a.pk: written[0].pk, b.pk: None},
    )
    assert "不能清空" in e.reason
    # With a reason both go in, one audit event each.
    written = record(
        actor=people("depthead"),
        department_id=dept().pk,
        year=2026,
        stage="target",
        values={a.pk: Decimal("4"), b.pk: Decimal("12")},
        replaces={a.pk: written[0].pk, b.pk: None},
        reason="补报并更正",
    )
    assert len(written) == 2
    assert sorted(AuditEvent.objects.filter(verb__startswith="report.").values_list("verb", flat=True)) == [
        "report.correct",
        "report.enter",
        "report.enter",
    ]


# --- nothing changes in place ------------------------------------------------------------------------


@pytest.mark.usefixtures("in_target_window")
def test_the_orm_refuses_to_change_or_delete_a_value(people, indicators):
    entry = enter(people, indicators)
    entry.value = Decimal("9")
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        ReportEntry.objects.filter(pk=entry.pk).update(value=9)
    with pytest.raises(TypeError):
        ReportEntry.objects.all().delete()


@pytest.mark.usefixtures("in_target_window")
def test_the_database_keeps_one_chain_per_key(people, indicators):
    first = enter(people, indicators)
    row = {
        "indicator": indicators[0],
        "department": dept(),
        "year": 2026,
        "stage": Stage.TARGET,
        "entered_by": people("depthead"),
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportEntry.objects.create(value=5, **row)  # a second "first" row
    ReportEntry.objects.create(value=5, supersedes=first, reason="x", **row)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportEntry.objects.create(value=6, supersedes=first, reason="y", **row)  # a fork


@pytest.mark.postgres
@pytest.mark.usefixtures("in_target_window")
@pytest.mark.parametrize(
    "sql",
    ["UPDATE reports_reportentry SET value = 99 WHERE id = %s", "DELETE FROM reports_reportentry WHERE id = %s"],
    ids=["update", "delete"],
)
def test_the_database_refuses_raw_sql_that_changes_a_value(people, indicators, sql):
    entry = enter(people, indicators)
    with pytest.raises(DatabaseError) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entry.pk])
    assert "append-only" in str(exc.value)
    assert ReportEntry.objects.get(pk=entry.pk).value == Decimal("3")
