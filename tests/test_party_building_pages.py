"""The party-building report's pages: who reads the table （晾晒： leaders, the party office and
every department head, the whole table), who fills in a department, the flags and targets on
the page, the Excel workbook's cells, and constant query counts at 10 and 200 departments."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.utils.html import strip_tags
from openpyxl import load_workbook

from core.models import AuditEvent
from org.models import Department
from reports import services
from reports.models import Indicator, ReportEntry, ReportSettings, Stage
from tests.test_query_counts import COMMON

CST = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.datetime(2026, 7, 10, 10, 0, tzinfo=CST)  # the progress window (6月1日–7月31日) is open
URL = "/reports/party-building/"

READERS = ["secretary", "principal", "member1", "discipline", "partyoffice", "affairsoffice"]
READERS += ["depthead", "finance", "dean"]
NOT_READERS = ["staff", "teacher", "admin"]

# 党员教育培训学时 at mid-year: the hand-computed column of tests/test_party_building_rules.py
# (m = 5.00125; 9.01 is just over 2σ), two departments missing.
HOURS = {
    "党委办公室": "2",
    "校务办公室": "4",
    "纪委办公室": "4",
    "教务处": "4",
    "财务处": "5",
    "信息中心": "5",
    "智能制造学院": "7",
    "信息技术学院": "9.01",
    "机关第一党支部": None,
    "智能制造学院党支部": None,
}
# 主题党日次数: only three departments so far: too few for a 2σ outlier.
DAYS = {"党委办公室": "6", "教务处": "5", "财务处": "6"}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def dept(name: str) -> Department:
    return Department.objects.get(name=name)


@pytest.fixture
def indicators(db):
    return {
        "hours": Indicator.objects.create(name="党员教育培训学时", unit="学时", sort_order=1),
        "days": Indicator.objects.create(name="主题党日次数", unit="次", sort_order=2),
    }


def put(people, indicator, name, stage, value, *, when):
    services.entry_record(
        actor=people("partyoffice"),
        department_id=dept(name).pk,
        indicator_id=indicator.pk,
        year=2026,
        stage=stage,
        value=Decimal(value),
        replaces=None,
        at=when,
    )


@pytest.fixture
def report(people, indicators):
    """Targets in February (32 hours, 12 days; 信息中心 40 hours), progress in June."""
    feb, jun = dt.datetime(2026, 2, 10, 9, tzinfo=CST), dt.datetime(2026, 6, 15, 9, tzinfo=CST)
    for name in HOURS:
        put(people, indicators["hours"], name, "target", "40" if name == "信息中心" else "32", when=feb)
        put(people, indicators["days"], name, "target", "12", when=feb)
    for name, value in HOURS.items():
        if value is not None:
            put(people, indicators["hours"], name, "progress", value, when=jun)
    for name, value in DAYS.items():
        put(people, indicators["days"], name, "progress", value, when=jun)
    return indicators


def cells(html: str) -> dict[tuple[int, int], str]:
    """(department id, indicator id) → data-flag of each cell on the table page."""
    found = {}
    for row in re.finditer(r'data-testid="report-row" data-department="(\d+)">(.*?)</tr>', html, re.S):
        for cell in re.finditer(r'data-testid="cell" data-indicator="(\d+)" data-flag="(\w*)"', row.group(2)):
            found[(int(row.group(1)), int(cell.group(1)))] = cell.group(2)
    return found


# --- who may read --------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", READERS)
def test_leaders_the_party_office_and_department_heads_read_the_whole_table(client, people, report, username):
    client.force_login(people(username))

    response = client.get(URL, {"year": 2026, "stage": "progress"})

    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r'data-testid="report-row"', html)) == 10  # every department, not just one's own
    assert "校领导</th>" not in html


@pytest.mark.parametrize("username", NOT_READERS)
def test_staff_and_the_administrator_are_refused(client, people, report, username):
    client.force_login(people(username))
    for url in (
        URL,
        f"{URL}2026.xlsx",
        f"{URL}2026/progress/departments/{dept('教务处').pk}/history/",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "只对校领导、党委办公室和部门负责人开放" in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_log_in(client, report):
    assert client.get(URL).status_code == 302
    assert client.get(f"{URL}2026.xlsx").status_code == 302


def test_a_head_sees_their_own_row_marked_and_may_fill_in_only_that_one(client, people, report):
    client.force_login(people("depthead"))
    html = client.get(URL, {"year": 2026, "stage": "progress"}).content.decode()

    jiaowu = dept("教务处").pk
    assert html.count('data-testid="own"') == 1
    links = re.findall(r'href="/reports/party-building/2026/progress/departments/(\d+)/" data-testid="enter"', html)
    assert links == [str(jiaowu)]


def test_the_party_office_may_fill_in_every_department(client, people, report):
    client.force_login(people("partyoffice"))
    html = client.get(URL, {"year": 2026, "stage": "progress"}).content.decode()
    assert html.count('data-testid="enter"') == 10


def test_leaders_read_but_do_not_fill_in(client, people, report):
    client.force_login(people("secretary"))
    html = client.get(URL, {"year": 2026, "stage": "progress"}).content.decode()
    assert 'data-testid="enter"' not in html
    assert client.get(f"{URL}2026/progress/departments/{dept('教务处').pk}/").status_code == 403


def test_out_of_its_window_a_stage_offers_no_form(client, people, report):
    client.force_login(people("partyoffice"))
    html = client.get(URL, {"year": 2026, "stage": "target"}).content.decode()

    assert 'data-testid="enter"' not in html
    assert "2026年度年初目标的填报时间为 2026-01-01 至 2026-03-31，已经截止。" in html
    page = client.get(f"{URL}2026/target/departments/{dept('教务处').pk}/").content.decode()
    assert 'data-testid="refusal"' in page and 'type="submit"' not in page


@pytest.mark.parametrize(
    ("username", "department", "status"),
    [
        ("depthead", "教务处", 200),
        ("partyoffice", "教务处", 200),
        ("partyoffice", "智能制造学院党支部", 200),
        ("finance", "财务处", 200),
        ("dean", "智能制造学院", 200),
        ("finance", "教务处", 403),
        ("dean", "教务处", 403),
        ("affairsoffice", "教务处", 403),
        ("principal", "教务处", 403),
        ("discipline", "教务处", 403),
        ("member1", "教务处", 403),
        ("staff", "教务处", 403),
        ("teacher", "智能制造学院", 403),
        ("partyoffice", "校领导", 404),
    ],
)
def test_the_form_is_for_the_head_of_the_department_and_the_party_office(
    client, people, report, username, department, status
):
    client.force_login(people(username))
    assert client.get(f"{URL}2026/progress/departments/{dept(department).pk}/").status_code == status


# --- entering through the page -------------------------------------------------------------------------


def form_data(client, url) -> dict:
    html = client.get(url).content.decode()
    data = dict(re.findall(r'name="(replaces_\d+)" value="(\d*)"', html))
    data.update(re.findall(r'name="(value_\d+)" id="[^"]*" value="([^"]*)"', html))
    return data


def test_a_head_fills_in_and_corrects_their_department(client, people, report):
    client.force_login(people("depthead"))
    url = f"{URL}2026/progress/departments/{dept('教务处').pk}/"
    hours, days = report["hours"], report["days"]
    data = form_data(client, url)
    assert data[f"value_{hours.pk}"] == "4.00"

    # A correction without a reason is refused with the reason on the page; nothing is written.
    data[f"value_{hours.pk}"] = "6"
    response = client.post(url, data)
    assert response.status_code == 409
    assert "须说明理由" in response.content.decode()

    response = client.post(url, {**data, "reason": "补录6月份的集中培训"})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?year=2026&stage=progress"
    current = ReportEntry.objects.get(
        department=dept("教务处"), indicator=hours, stage="progress", superseded_by__isnull=True
    )
    assert (current.value, current.reason, current.entered_by.username) == (
        Decimal("6"),
        "补录6月份的集中培训",
        "depthead",
    )
    assert current.supersedes.value == Decimal("4")
    assert AuditEvent.objects.filter(verb="report.correct", actor=people("depthead")).count() == 1
    assert ReportEntry.objects.get(department=dept("教务处"), indicator=days, stage="progress").value == Decimal("5")

    # The same page sent again carries the old version: refused, not merged.
    response = client.post(url, {**data, f"value_{hours.pk}": "7", "reason": "再改"})
    assert response.status_code == 409
    assert "请刷新页面核对后再填" in response.content.decode()

    history = client.get(f"{url}history/").content.decode()
    assert history.count('data-testid="history-row"') == 3  # 4 → 6, and 5 for the other indicator
    assert "补录6月份的集中培训" in history


def test_a_staff_member_cannot_post_a_value(client, people, report):
    client.force_login(people("staff"))
    url = f"{URL}2026/progress/departments/{dept('教务处').pk}/"
    response = client.post(url, {f"value_{report['hours'].pk}": "9"})
    assert response.status_code == 403
    assert not ReportEntry.objects.filter(entered_by=people("staff")).exists()


# --- what the table shows ------------------------------------------------------------------------------


def test_the_table_flags_the_outlier_and_the_missing_values(client, people, report):
    client.force_login(people("secretary"))
    html = client.get(URL, {"year": 2026, "stage": "progress"}).content.decode()

    flags = cells(html)
    hours, days = report["hours"].pk, report["days"].pk
    assert flags[(dept("信息技术学院").pk, hours)] == "high"
    assert flags[(dept("机关第一党支部").pk, hours)] == "missing"
    assert flags[(dept("智能制造学院党支部").pk, hours)] == "missing"
    assert [k for k, v in flags.items() if k[1] == hours and v] == [
        (dept("信息技术学院").pk, hours),
        (dept("机关第一党支部").pk, hours),
        (dept("智能制造学院党支部").pk, hours),
    ]
    # 主题党日: three values, none can be 2σ away; the seven others are missing.
    assert sorted(v for k, v in flags.items() if k[1] == days) == [""] * 3 + ["missing"] * 7
    assert 'data-testid="too-few"' in html and "主题党日次数（n = 3）" in html
    assert "高于均值 2.00 个标准差" in html  # z ≈ 2.0019
    text = strip_tags(html)  # each count is a link to its list (数字可点开)
    assert "本阶段异常值 1 个，未填报 9 项。" in text
    assert "除“校领导”外的全部在用部门，共 10 个" in text


def test_progress_shows_the_target_and_the_percentage_reached(client, people, report):
    client.force_login(people("depthead"))
    html = client.get(URL, {"year": 2026, "stage": "progress"}).content.decode()
    row = re.search(rf'data-department="{dept("教务处").pk}">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-testid="value">4</span>.*?目标 32 · <span data-testid="percent">12.5%</span>', row, re.S)
    # Mean and σ under the column: m = 5.00125 → 5.00, σ = √4.0100109375 ≈ 2.00.
    assert re.search(r'data-testid="mean">5.00</td>', html)
    assert re.search(r'data-testid="sd">2.00</td>', html)


def test_the_page_states_the_rule(client, people, report):
    client.force_login(people("dean"))
    html = client.get(URL, {"year": 2026, "stage": "progress"}).content.decode()
    assert "总体标准差" in html and "|数值 − m| 大于 2 × σ" in html and "恰好等于不标记" in html
    assert "未填报的部门一律标记" in html


def test_the_default_stage_is_the_one_open_now(client, people, report):
    client.force_login(people("secretary"))
    html = client.get(URL).content.decode()
    assert 'aria-current="page" href="?year=2026&amp;stage=progress"' in html


def test_a_bad_query_is_answered_400(client, people, report):
    client.force_login(people("secretary"))
    assert client.get(URL, {"year": "abc", "stage": "progress"}).status_code == 400
    assert client.get(URL, {"year": 2026, "stage": "later"}).status_code == 400
    assert client.get(f"{URL}2026/later/departments/{dept('教务处').pk}/history/").status_code == 404


def test_the_percentage_rule_can_be_chosen_in_the_settings(client, people, report):
    ReportSettings.objects.update(outlier_method="percent", outlier_percent=Decimal("50"))
    client.force_login(people("secretary"))
    html = client.get(URL, {"year": 2026, "stage": "progress"}).content.decode()
    flags = cells(html)
    # m = 5.00125, 50% of it ≈ 2.50: 2 (3.00 below) and 9.01 (4.01 above) are beyond it; 7 (2.00 above) is not.
    hours = report["hours"].pk
    assert flags[(dept("党委办公室").pk, hours)] == "low"
    assert flags[(dept("信息技术学院").pk, hours)] == "high"
    assert flags[(dept("智能制造学院").pk, hours)] == ""
    assert 'data-testid="too-few"' not in html


# --- the workbook --------------------------------------------------------------------------------------

RED, YELLOW = "FFFFC7CE", "FFFFEB9C"


def workbook(client, people):
    client.force_login(people("principal"))
    response = client.get(f"{URL}2026.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="party-building-2026.xlsx"' in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content))


def fill(cell) -> str | None:
    return cell.fill.start_color.rgb if cell.fill and cell.fill.fill_type == "solid" else None


def test_the_workbook_has_a_sheet_per_stage_with_chinese_headers(client, people, report):
    wb = workbook(client, people)

    assert wb.sheetnames == ["年初目标", "年中进度", "年终结果", "说明"]
    assert [c.value for c in wb["年初目标"][1]] == [
        "部门",
        "党员教育培训学时（学时）",
        "主题党日次数（次）",
        "异常说明",
    ]
    assert [c.value for c in wb["年中进度"][1]] == [
        "部门",
        "党员教育培训学时（学时） · 目标",
        "党员教育培训学时（学时） · 年中进度",
        "党员教育培训学时（学时） · 完成率（%）",
        "主题党日次数（次） · 目标",
        "主题党日次数（次） · 年中进度",
        "主题党日次数（次） · 完成率（%）",
        "异常说明",
    ]


def test_the_workbook_marks_the_flagged_cells(client, people, report):
    ws = workbook(client, people)["年中进度"]
    rows = {row[0].value: row for row in ws.iter_rows(min_row=2) if row[0].value}

    jiaowu = rows["教务处"]
    assert [c.value for c in jiaowu[:7]] == ["教务处", 32, 4, 12.5, 12, 5, pytest.approx(41.7)]
    assert all(fill(c) is None for c in jiaowu)
    assert jiaowu[7].value in (None, "")

    outlier = rows["信息技术学院"]
    assert outlier[2].value == 9.01 and fill(outlier[2]) == RED
    assert fill(outlier[1]) is None and fill(outlier[3]) is None  # the target and the percentage are not flagged
    assert outlier[5].value == "未填报" and fill(outlier[5]) == YELLOW
    assert outlier[7].value == "党员教育培训学时：高于均值 2.00 个标准差；主题党日次数：未填报"

    branch = rows["机关第一党支部"]
    assert branch[2].value == "未填报" and fill(branch[2]) == YELLOW

    flagged = {(row[0].value, n) for row in ws.iter_rows(min_row=2) for n, c in enumerate(row) if fill(c)}
    assert len([f for f in flagged if f[1] == 2]) == 3  # 党员教育培训学时: one outlier, two missing
    assert len([f for f in flagged if f[1] == 5]) == 7  # 主题党日次数: seven missing
    assert rows["平均值"][2].value == pytest.approx(5.00125)
    assert rows["标准差 σ（总体）"][2].value == pytest.approx(2.0025, abs=1e-4)
    assert rows["填报数 n"][5].value == 3
    assert any(str(r[0].value).startswith("注：部门数不超过 5 时") for r in ws.iter_rows(min_row=2) if r[0].value)


def test_the_workbook_explains_the_colours(client, people, report):
    ws = workbook(client, people)["说明"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert fill(rows["异常值"][0]) == RED and fill(rows["未填报"][0]) == YELLOW
    assert "总体标准差" in rows["规则"][1].value
    assert rows["年终结果填报时间"][1].value == "2026-12-01 — 2027-01-31"


# --- constant queries ----------------------------------------------------------------------------------

# The report's own queries: 1 the settings row, 2 the departments (a subquery adds those with
# values this year), 3 the indicators (likewise), 4 the current values of the stage and of the
# targets (one query: LEFT JOIN on superseded_by IS NULL).
REPORT_QUERIES = 4
# Every page also makes COMMON: session, user with roles, the navigation (tests/test_query_counts.py).
TABLE_PAGE = COMMON + REPORT_QUERIES
# The workbook has no navigation: session, user with roles.
WORKBOOK = 2 + REPORT_QUERIES


def more_departments(people, indicators, total: int) -> None:
    """Departments up to `total`, each with a target and a progress value for each indicator."""
    have = Department.objects.exclude(kind="leadership").count()
    new = Department.objects.bulk_create(
        [Department(name=f"批量部门{n:03d}", kind="office", sort_order=100 + n) for n in range(total - have)]
    )
    writer = people("partyoffice")
    ReportEntry.objects.bulk_create(
        [
            ReportEntry(indicator=i, department=d, year=2026, stage=stage, value=Decimal(n % 7 + 1), entered_by=writer)
            for n, d in enumerate(new)
            for i in indicators.values()
            for stage in (Stage.TARGET, Stage.PROGRESS)
        ]
    )
    assert Department.objects.exclude(kind="leadership").count() == total


@pytest.mark.parametrize(
    ("url", "queries", "rows"),
    [
        (f"{URL}?year=2026&stage=progress", TABLE_PAGE, 'data-testid="report-row"'),
        (f"{URL}?year=2026&stage=target", TABLE_PAGE, 'data-testid="report-row"'),
        (f"{URL}2026.xlsx", WORKBOOK, None),
    ],
    ids=["progress", "target", "xlsx"],
)
def test_the_table_and_the_workbook_cost_the_same_queries_at_10_and_200_departments(
    client, people, report, url, queries, rows, django_assert_num_queries
):
    client.force_login(people("partyoffice"))
    with django_assert_num_queries(queries):
        response = client.get(url)
    if rows:
        assert response.content.decode().count(rows) == 10

    more_departments(people, report, 200)
    with django_assert_num_queries(queries):
        response = client.get(url)
    if rows:
        assert response.content.decode().count(rows) == 200
    else:
        assert load_workbook(io.BytesIO(response.content))["年中进度"].max_row >= 201


def test_the_selectors_make_four_queries(people, report, django_assert_num_queries):
    from reports import selectors

    with django_assert_num_queries(REPORT_QUERIES):
        table = selectors.stage_table(2026, "progress")
    assert len(table.rows) == 10
    with django_assert_num_queries(REPORT_QUERIES):
        assert len(selectors.year_tables(2026)) == 3
