"""党支部建设： the party office checks each branch once a month against the admin's checklist;
the year table shows each branch × 12 months and the annual score (the mean of the checked
months' percentages, one decimal; months not checked are not counted)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine

from core.errors import InvalidTransition
from core.models import AuditEvent
from org.models import Department
from supervision import services
from supervision.models import BranchCheck, BranchCheckItem, BranchCheckMark
from supervision.selectors import branches as selectors
from tests.test_query_counts import COMMON

TODAY = dt.datetime(2026, 12, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
LEADERS = ["secretary", "principal", "member1", "member2", "vice", "discipline"]
OTHERS = ["affairsoffice", "depthead", "finance", "dean", "staff", "teacher", "admin"]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def items(db):
    """The checklist: 20 + 20 + 10 = 50 points."""
    return [
        BranchCheckItem.objects.create(title="三会一课按时召开", points=20, position=1),
        BranchCheckItem.objects.create(title="主题党日活动有记录", points=20, position=2),
        BranchCheckItem.objects.create(title="党费按时收缴", points=10, position=3),
    ]


def branch(name="机关第一党支部") -> Department:
    return Department.objects.get(name=name)


def check(people, items, *, month, met=(True, True, True), name="机关第一党支部", year=2026, username="partyoffice"):
    return services.branch_check_record(
        actor=people(username),
        branch_id=branch(name).pk,
        year=year,
        month=month,
        met={item.pk: m for item, m in zip(items, met)},
        note="总体规范。",
    )


def refused(status: int, call, /, **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(**kwargs)
    assert caught.value.status == status, caught.value.reason
    return caught.value


# --- recording (services.branch_check_record) ----------------------------------------------------


def test_the_score_is_the_points_of_the_items_met(people, items):
    c = check(people, items, month=3, met=(True, False, True))

    assert (c.score, c.full_score) == (30, 50)
    assert {(m.item_id, m.met, m.points) for m in BranchCheckMark.objects.filter(check_row=c)} == {
        (items[0].pk, True, 20),
        (items[1].pk, False, 0),
        (items[2].pk, True, 10),
    }
    assert AuditEvent.objects.get(verb="branch.check").data == {
        "branch": branch().pk,
        "year": 2026,
        "month": 3,
        "score": 30,
    }


def test_once_per_branch_and_month(people, items):
    check(people, items, month=5)

    reason = refused(409, check, people=people, items=items, month=5, met=(False, False, False)).reason

    assert reason == "机关第一党支部 2026年5月已检查"
    assert BranchCheck.objects.get().score == 50
    check(people, items, month=5, name="智能制造学院党支部")  # another branch, same month: fine
    check(people, items, month=5, year=2025)  # same branch, a year earlier: fine


@pytest.mark.parametrize("username", LEADERS + OTHERS)
def test_only_the_party_office_checks(people, items, username):
    refused(403, check, people=people, items=items, month=1, username=username)
    assert not BranchCheck.objects.exists()


def test_a_department_that_is_no_branch_and_a_month_to_come_are_refused(people, items):
    jwc = Department.objects.get(name="教务处")
    refused(
        409, services.branch_check_record, actor=people("partyoffice"), branch_id=jwc.pk, year=2026, month=1, met={}
    )
    assert refused(409, check, people=people, items=items, month=1, year=2027).reason == "不能检查尚未到来的月份"
    assert refused(409, check, people=people, items=items, month=13).reason == "月份无效"
    assert not BranchCheck.objects.exists()


def test_without_checklist_items_nothing_is_recorded(people):
    reason = refused(409, check, people=people, items=[], month=1).reason
    assert "请管理员在后台添加" in reason


def test_inactive_items_are_left_out(people, items):
    BranchCheckItem.objects.filter(pk=items[2].pk).update(active=False)
    c = check(people, items, month=2)
    assert (c.score, c.full_score) == (40, 40)
    assert c.marks.count() == 2


# --- the annual score ---------------------------------------------------------------------------------


def test_the_annual_score_is_the_mean_of_the_checked_months(people, items):
    check(people, items, month=1, met=(True, True, True))  # 50/50 = 100 %
    check(people, items, month=2, met=(True, True, False))  # 40/50 = 80 %
    check(people, items, month=4, met=(True, False, False))  # 20/50 = 40 %; March not checked
    check(people, items, month=6, met=(False, True, True), name="智能制造学院党支部")  # 30/50 = 60 %
    check(people, items, month=7, met=(True, True, True), year=2025)  # another year

    table = selectors.branch_year(2026)

    rows = {r.branch.name: r for r in table.rows}
    assert list(rows) == ["机关第一党支部", "智能制造学院党支部"]  # the demo's branches, in order
    first = rows["机关第一党支部"]
    assert [c.score if c else None for c in first.months] == [50, 40, None, 20] + [None] * 8
    assert first.checked == 3
    assert first.annual == Decimal("73.3")  # (100 + 80 + 40) / 3 = 73.33…
    assert rows["智能制造学院党支部"].annual == Decimal("60.0")
    assert selectors.branch_year(2024).rows[0].annual is None  # nothing checked: no score


def test_the_annual_score_rounds_half_up_over_different_full_scores(people):
    a = BranchCheckItem.objects.create(title="甲", points=49, position=1)
    b = BranchCheckItem.objects.create(title="乙", points=151, position=2)
    check(people, [a, b], month=1, met=(True, False))  # 49/200 = 24.5 %
    check(people, [a, b], month=2, met=(False, False))  # 0 %
    BranchCheckItem.objects.filter(pk=b.pk).update(active=False)
    check(people, [a], month=3, met=(True,))  # 49/49 = 100 %

    # (24.5 + 0 + 100) / 3 = 41.5 exactly; and the first two alone: 12.25 → 12.3 (half up, not to even)
    assert selectors.branch_year(2026).rows[0].annual == Decimal("41.5")
    first_two = BranchCheck.objects.filter(month__in=[1, 2])
    assert selectors.mean_percent(first_two) == Decimal("12.3")


# --- the pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username, year_page, check_page",
    [("partyoffice", 200, 200)] + [(u, 200, 403) for u in LEADERS] + [(u, 403, 403) for u in OTHERS],
)
def test_who_opens_the_branch_pages(client, people, items, username, year_page, check_page):
    c = check(people, items, month=1)
    client.force_login(people(username))

    assert client.get("/branches/").status_code == year_page
    assert client.get(f"/branches/checks/{c.pk}/").status_code == year_page
    assert client.get("/branches/check/").status_code == check_page


def test_the_pages_need_a_login(client, people):
    for url in ("/branches/", "/branches/check/", "/branches/checks/1/"):
        assert client.get(url)["Location"].startswith("/login/")


def test_the_year_table_shows_scores_missing_months_and_the_definition(client, people, items):
    c = check(people, items, month=1, met=(True, True, False))
    client.force_login(people("secretary"))

    html = client.get("/branches/?year=2026").content.decode()

    assert "党支部建设 · 2026 年度" in html
    assert f'href="/branches/checks/{c.pk}/"' in html and "40/50" in html
    assert re.search(r'data-testid="annual">\s*80\.0', html)
    assert "未检查的月份不计入平均" in html
    assert "/branches/check/" not in html  # a leader reads; only the party office checks


def test_the_party_office_gets_a_check_link_for_each_open_month(client, people, items):
    check(people, items, month=1)
    client.force_login(people("partyoffice"))

    html = client.get("/branches/?year=2026").content.decode()

    b = branch().pk
    assert f"/branches/check/?branch={b}&amp;year=2026&amp;month=2" in html
    assert f"/branches/check/?branch={b}&amp;year=2026&amp;month=12" in html
    assert f'/branches/check/?branch={b}&amp;year=2026&amp;month=1"' not in html  # done
    html = client.get("/branches/?year=2027").content.decode()  # next year: nothing to check yet
    assert 'month=1"' not in html


def test_without_items_the_pages_say_what_to_do(client, people):
    client.force_login(people("partyoffice"))

    html = client.get("/branches/check/").content.decode()
    assert 'data-testid="no-items"' in html and "支部检查项目" in html
    assert '<form method="post"' not in html
    assert 'data-testid="no-items"' in client.get("/branches/").content.decode()


def test_recording_through_the_page(client, people, items):
    client.force_login(people("partyoffice"))
    form = client.get(f"/branches/check/?branch={branch().pk}&year=2026&month=11").content.decode()
    assert "三会一课按时召开（20 分）" in form
    assert f'<option value="{branch().pk}" selected>' in form

    response = client.post(
        "/branches/check/",
        {
            "branch": branch().pk,
            "year": 2026,
            "month": 11,
            f"item_{items[0].pk}": "on",
            f"item_{items[2].pk}": "on",
            "note": "党费收缴及时。",
        },
    )

    assert response.status_code == 302 and response["Location"] == "/branches/?year=2026"
    c = BranchCheck.objects.get()
    assert (c.month, c.score, c.full_score, c.note, c.checker) == (11, 30, 50, "党费收缴及时。", people("partyoffice"))
    html = client.get(response["Location"]).content.decode()
    assert "机关第一党支部 2026年11月检查已记录：30 / 50 分。" in html

    detail = client.get(f"/branches/checks/{c.pk}/").content.decode()
    assert detail.count('data-testid="mark-row"') == 3 and "未达标" in detail and "党费收缴及时。" in detail


def test_a_second_check_of_the_month_gets_409_with_the_reason(client, people, items):
    check(people, items, month=11)
    client.force_login(people("partyoffice"))

    response = client.post("/branches/check/", {"branch": branch().pk, "year": 2026, "month": 11})

    assert response.status_code == 409
    assert "机关第一党支部 2026年11月已检查" in response.content.decode()
    assert BranchCheck.objects.count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"year": 2026, "month": 1}, "这个字段是必填项"),  # no branch
        ({"branch": "教务处", "year": 2026, "month": 1}, "选择一个有效的选项"),
        ({"year": "明年", "month": 1}, "输入整数"),
        ({"year": 2026, "month": 13}, "选择一个有效的选项"),
    ],
)
def test_bad_input_rerenders_the_form(client, people, items, data, message):
    client.force_login(people("partyoffice"))

    response = client.post("/branches/check/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BranchCheck.objects.exists()


def test_a_month_to_come_is_refused_on_the_page(client, people, items):
    client.force_login(people("partyoffice"))
    response = client.post("/branches/check/", {"branch": branch().pk, "year": 2027, "month": 1})
    assert response.status_code == 409 and "不能检查尚未到来的月份" in response.content.decode()


# --- queries ---------------------------------------------------------------------------------------


def add_branches(n: int, items) -> None:
    """n more branches, each checked in every month of 2026."""
    start = Department.objects.filter(kind=Department.Kind.BRANCH).count()
    new = Department.objects.bulk_create(
        Department(name=f"第{start + i:03d}党支部", kind=Department.Kind.BRANCH, sort_order=100 + start + i)
        for i in range(n)
    )
    from django.contrib.auth import get_user_model

    checker = get_user_model().objects.get(username="partyoffice")
    BranchCheck.objects.bulk_create(
        BranchCheck(branch=b, year=2026, month=m, checker=checker, score=40, full_score=50)
        for b in new
        for m in range(1, 13)
    )


# /branches/ for the party office: COMMON to every logged-in page (tests/test_query_counts.py)
# + the branches + the year's checks + the active checklist items + the self-checks and the
# rectification tasks counted per branch.
BRANCH_YEAR_QUERIES = COMMON + 5


def test_the_year_table_costs_the_same_queries_at_5_and_50_branches(client, people, items, django_assert_num_queries):
    client.force_login(people("partyoffice"))
    add_branches(3, items)  # with the demo's two: 5
    with django_assert_num_queries(BRANCH_YEAR_QUERIES):
        html = client.get("/branches/?year=2026").content.decode()
    assert html.count('data-testid="branch-row"') == 5

    add_branches(45, items)
    with django_assert_num_queries(BRANCH_YEAR_QUERIES):
        html = client.get("/branches/?year=2026").content.decode()
    assert html.count('data-testid="branch-row"') == 50
    assert html.count(">80.0") >= 48


# --- the admin -------------------------------------------------------------------------------------


def test_the_administrator_edits_the_checklist_and_reads_the_checks_on_their_pages_only(client, people, items):
    c = check(people, items, month=1)
    client.force_login(people("admin"))

    assert client.get("/admin/supervision/branchcheckitem/").status_code == 200
    response = client.post(
        "/admin/supervision/branchcheckitem/add/", {"title": "组织生活会", "points": 15, "position": 4, "active": "on"}
    )
    assert response.status_code == 302
    assert BranchCheckItem.objects.filter(title="组织生活会", points=15).exists()

    # The checks, tasks and findings are the record: not in the admin.
    assert client.get(f"/admin/supervision/branchcheck/{c.pk}/change/").status_code == 404
    for model in ("branchcheck", "task", "patrolfinding"):
        assert client.get(f"/admin/supervision/{model}/").status_code == 404
