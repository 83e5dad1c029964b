"""党建报表 flags explain themselves: below the indicator's required minimum, or more than k
standard deviations from the mean of comparable units (all departments, or those of the same
kind), each linking to the unit's entry; the unit answers a flag with an explanation, kept."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from core.errors import InvalidTransition
from core.models import AuditEvent
from org.models import Department
from reports import rules, services
from reports.models import FlagAnswer, Indicator, ReportSettings, Stage
from reports.selectors import stage_table
from reports.selectors_flags import flagged_values

CST = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.datetime(2026, 3, 10, 10, 0, tzinfo=CST)  # the target window (1月1日–3月31日) is open

# 党员教育培训学时 targets: the eight offices and colleges near 32, the two branches near 12.
HOURS = {
    "党委办公室": "32",
    "校务办公室": "32",
    "纪委办公室": "31",
    "教务处": "33",
    "财务处": "32",
    "信息中心": "30",
    "智能制造学院": "34",
    "信息技术学院": "32",
    "机关第一党支部": "12",
    "智能制造学院党支部": "13",
}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def hours(school):
    indicator = Indicator.objects.create(name="党员教育培训学时", unit="学时", minimum=Decimal("31"))
    office = school["partyoffice"]
    for name, value in HOURS.items():
        services.entry_record(
            actor=office,
            department_id=Department.objects.get(name=name).pk,
            indicator_id=indicator.pk,
            year=2026,
            stage=Stage.TARGET,
            value=value,
            replaces=None,
        )
    return indicator


def flags_of(table):
    return {(f.department.name, f.cell.flag.kind): f for f in flagged_values(table)}


def test_the_rule_flags_a_value_below_the_minimum_whatever_the_spread():
    found = rules.flag_outliers({"a": Decimal(5), "b": Decimal(5), "c": Decimal(6)}, minimum=Decimal("5.5"))
    assert {k: f.kind for k, f in found.flags.items()} == {"a": rules.BELOW_MIN, "b": rules.BELOW_MIN}
    assert found.flags["a"].minimum == Decimal("5.5") and found.flags["a"].n == 3


def test_a_flag_says_which_minimum_a_value_is_below(hours):
    table = stage_table(2026, Stage.TARGET)
    flags = flags_of(table)
    assert flags[("信息中心", "below_min")].reason == "低于最低要求 31"
    assert flags[("机关第一党支部", "below_min")].reason == "低于最低要求 31"
    assert ("党委办公室", "below_min") not in flags


def test_within_kinds_the_branches_are_compared_with_branches_and_k_is_read_from_the_settings(hours):
    Indicator.objects.filter(pk=hours.pk).update(minimum=None)
    # Across all ten, the two branches are the low ones (about 2σ off); within kinds no one is.
    settings = ReportSettings.current()
    settings.outlier_k = Decimal("1.5")
    settings.save()
    flags = flags_of(stage_table(2026, Stage.TARGET))
    assert ("机关第一党支部", "low") in flags
    reason = flags[("机关第一党支部", "low")].reason
    assert reason.startswith("低于均值 ") and "与 10 个单位比较" in reason and "超过 1.5 个标准差即标记" in reason

    settings.compare_within_kind = True
    settings.save()
    flags = flags_of(stage_table(2026, Stage.TARGET))
    assert ("机关第一党支部", "low") not in flags
    # Among the offices (6 values, mean 31.67), 信息中心's 30 is more than 1.5σ below.
    reason = flags[("信息中心", "low")].reason
    assert reason.startswith("低于职能部门均值 ") and "与 6 个职能部门单位比较，均值 31.67" in reason


def test_a_department_head_answers_his_flag_and_the_answer_is_kept(hours, people):
    finance = Department.objects.get(name="信息中心")
    answer = services.flag_answer(
        actor=people("partyoffice"),
        department_id=finance.pk,
        indicator_id=hours.pk,
        year=2026,
        stage=Stage.TARGET,
        text="信息中心人员少，集中培训安排在下半年。",
    )
    assert (answer.flag, answer.flag_text, answer.entry.value) == ("below_min", "低于最低要求 31", Decimal("30"))
    assert AuditEvent.objects.get(verb="report.flag_answer").target_id == answer.pk
    table = stage_table(2026, Stage.TARGET)
    assert [a.text for a in flags_of(table)[("信息中心", "below_min")].answers] == [answer.text]


def test_only_the_unit_or_the_party_office_answers_and_only_a_flagged_value(hours, people):
    it = Department.objects.get(name="信息中心")
    with pytest.raises(InvalidTransition) as caught:
        services.flag_answer(
            actor=people("depthead"), department_id=it.pk, indicator_id=hours.pk, year=2026, stage="target", text="x"
        )
    assert caught.value.status == 403 and "信息中心" in caught.value.reason
    with pytest.raises(InvalidTransition) as caught:
        services.flag_answer(
            actor=people("depthead"),
            department_id=Department.objects.get(name="教务处").pk,
            indicator_id=hours.pk,
            year=2026,
            stage="target",
            text="无",
        )
    assert caught.value.status == 409 and "没有被标记" in caught.value.reason
    assert not FlagAnswer.objects.exists()


def test_the_flags_page_explains_links_to_the_entry_and_takes_an_answer(client, hours, people):
    client.force_login(people("partyoffice"))
    it = Department.objects.get(name="信息中心")
    url = "/reports/party-building/2026/target/flags/"
    html = client.get(url).content.decode()
    assert html.count('data-testid="flagged"') == 3  # 信息中心 and the two branches
    assert "低于最低要求 31" in html
    assert f"/reports/party-building/2026/target/departments/{it.pk}/" in html

    r = client.post(url, {"department": it.pk, "indicator": hours.pk, "text": "培训安排在下半年。"})
    assert r.status_code == 302 and r["Location"].endswith(f"#flag-{it.pk}-{hours.pk}")
    assert "培训安排在下半年。" in client.get(url).content.decode()

    r = client.post(url, {"department": it.pk, "indicator": hours.pk, "text": "　"})
    assert r.status_code == 400
    assert FlagAnswer.objects.count() == 1


def test_a_department_head_sees_every_flag_but_answers_only_his_own(client, hours, people):
    client.force_login(people("depthead"))
    html = client.get("/reports/party-building/2026/target/flags/").content.decode()
    assert html.count('data-testid="flagged"') == 3
    assert 'data-testid="answer-form"' not in html  # 教务处 is not flagged
    client.force_login(people("staff"))
    assert client.get("/reports/party-building/2026/target/flags/").status_code == 403
