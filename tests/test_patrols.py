"""校园周巡查： leaders (or the offices for them) record what the week's patrol found; leaders and
the offices see every finding, a department head those about their department; the finding's
leader or a supervising office turns one into a supervision task (/supervision/new/?finding=)."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from core.errors import InvalidTransition
from core.models import AuditEvent
from org.models import Department
from supervision import services
from supervision.models import PatrolFinding
from tests.test_query_counts import COMMON

TODAY = dt.datetime(2026, 4, 16, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Thursday, week 2026-W16

ROW = re.compile(r'href="/patrols/(\d+)/"')
LEADERS = ["secretary", "principal", "member1", "member2", "vice", "discipline"]
OFFICES = ["partyoffice", "affairsoffice"]
ASSIGNERS = {"partyoffice", "affairsoffice", "discipline"}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def dept(name: str) -> Department:
    return Department.objects.get(name=name)


def record(
    people, username="member1", *, days_ago=1, place="实训楼三楼", text="消防通道堆放杂物。", department="教务处", **kw
):
    return services.finding_record(
        actor=people(username),
        patrolled_on=timezone.localdate() - dt.timedelta(days=days_ago),
        place=place,
        text=text,
        department_id=dept(department).pk if department else None,
        **kw,
    )


def refused(status: int, call, /, **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(**kwargs)
    assert caught.value.status == status, caught.value.reason
    return caught.value


def to_task(people, finding, username="member1"):
    return services.task_create(
        actor=people(username),
        finding_id=finding.pk,
        track="performance",
        title="清理消防通道",
        lead_department_id=finding.department_id,
        responsible_leader_id=people("member1").pk,
        deadline=timezone.localdate() + dt.timedelta(days=7),
    )


# --- recording (services.finding_record) ------------------------------------------------------


@pytest.mark.parametrize("username", LEADERS + OFFICES)
def test_leaders_and_offices_record_a_finding(people, username):
    finding = record(people, username)

    assert finding.leader == people(username)
    assert finding.department == dept("教务处")
    event = AuditEvent.objects.get(verb="patrol.record", target_id=finding.pk)
    assert event.actor == people(username) and event.data["department"] == dept("教务处").pk


@pytest.mark.parametrize("username", ["depthead", "finance", "dean", "staff", "teacher"])
def test_no_one_else_records_a_finding(people, username):
    refused(403, record, people=people, username=username)
    assert not PatrolFinding.objects.exists()


def test_an_office_records_for_a_leader_and_no_one_else_may(people):
    finding = record(people, "partyoffice", leader_id=people("vice").pk)
    assert finding.leader == people("vice")
    assert AuditEvent.objects.get(verb="patrol.record").data["for_leader"] == people("vice").pk

    refused(403, record, people=people, username="member1", leader_id=people("vice").pk)
    refused(409, record, people=people, username="partyoffice", leader_id=people("staff").pk)
    assert PatrolFinding.objects.count() == 1


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"place": "  "}, "请填写巡查地点和发现的问题"),
        ({"text": ""}, "请填写巡查地点和发现的问题"),
        ({"days_ago": -1}, "巡查日期不能晚于今天"),
    ],
)
def test_a_finding_needs_a_place_a_text_and_a_day_not_in_the_future(people, change, reason):
    assert refused(409, record, people=people, **change).reason == reason
    assert not PatrolFinding.objects.exists()


def test_an_unknown_or_closed_department_is_refused(people):
    closed = Department.objects.create(name="已撤销部门", active=False)
    refused(
        409,
        services.finding_record,
        actor=people("member1"),
        patrolled_on=timezone.localdate(),
        place="操场",
        text="看台破损",
        department_id=closed.pk,
    )
    refused(
        409,
        services.finding_record,
        actor=people("member1"),
        patrolled_on=timezone.localdate(),
        place="操场",
        text="看台破损",
        department_id=99999,
    )
    assert not PatrolFinding.objects.exists()


def test_findings_are_append_only(people):
    finding = record(people)
    finding.text = "改过"
    with pytest.raises(TypeError):
        finding.save()
    with pytest.raises(TypeError):
        PatrolFinding.objects.filter(pk=finding.pk).delete()


# --- the list: who sees what ---------------------------------------------------------------------


def world(people):
    """Three findings: about 教务处 (member1), about 财务处 (vice, last week), about no department."""
    return {
        "jwc": record(people, "member1", days_ago=1, place="教学楼A座", department="教务处"),
        "cwc": record(people, "vice", days_ago=8, place="财务处大厅", text="排队叫号机故障。", department="财务处"),
        "none": record(people, "principal", days_ago=2, place="操场", text="看台栏杆松动。", department=None),
    }


def listed(client, url="/patrols/") -> set[int]:
    response = client.get(url)
    assert response.status_code == 200
    return {int(pk) for pk in ROW.findall(response.content.decode())}


@pytest.mark.parametrize(
    "username, sees",
    [
        *[(u, {"jwc", "cwc", "none"}) for u in LEADERS + OFFICES],
        ("depthead", {"jwc"}),  # head of 教务处
        ("finance", {"cwc"}),  # head of 财务处
        ("dean", set()),  # head of 智能制造学院: nothing about it yet
    ],
)
def test_who_sees_which_finding(client, people, username, sees):
    findings = world(people)
    client.force_login(people(username))

    assert listed(client) == {findings[k].pk for k in sees}
    for key, finding in findings.items():
        assert client.get(f"/patrols/{finding.pk}/").status_code == (200 if key in sees else 404)


@pytest.mark.parametrize("username", ["staff", "teacher"])
def test_staff_are_refused_the_patrol_pages(client, people, username):
    findings = world(people)
    client.force_login(people(username))

    for url in ("/patrols/", f"/patrols/{findings['jwc'].pk}/", "/patrols/new/"):
        response = client.get(url)
        assert response.status_code == 403
        assert 'data-testid="refused"' in response.content.decode()


def test_the_pages_need_a_login(client, people):
    finding = record(people)
    for url in ("/patrols/", "/patrols/new/", f"/patrols/{finding.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_list_filters_by_week_leader_department_search_and_task(client, people):
    f = world(people)
    to_task(people, f["jwc"])
    client.force_login(people("secretary"))

    assert listed(client, "/patrols/?week=2026-W16") == {f["jwc"].pk, f["none"].pk}
    assert listed(client, "/patrols/?week=2026-W15") == {f["cwc"].pk}
    assert listed(client, f"/patrols/?leader={people('vice').pk}") == {f["cwc"].pk}
    assert listed(client, f"/patrols/?department={dept('教务处').pk}") == {f["jwc"].pk}
    assert listed(client, "/patrols/?q=栏杆") == {f["none"].pk}
    assert listed(client, "/patrols/?tasked=1") == {f["jwc"].pk}
    assert listed(client, "/patrols/?tasked=0") == {f["cwc"].pk, f["none"].pk}
    html = client.get("/patrols/?q=没有这回事").content.decode()
    assert "没有符合条件的巡查发现" in html


def test_a_bad_filter_is_reported_and_left_out(client, people):
    f = world(people)
    client.force_login(people("secretary"))

    response = client.get("/patrols/?week=下周&leader=99999")
    html = response.content.decode()

    assert response.status_code == 200
    assert 'data-testid="filter-errors"' in html and "巡查周格式应为 2026-W14" in html
    assert {int(pk) for pk in ROW.findall(html)} == {x.pk for x in f.values()}


def test_the_htmx_filter_gets_only_the_results(client, people):
    world(people)
    client.force_login(people("secretary"))
    html = client.get("/patrols/?q=操场", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results").content.decode()
    assert html.lstrip().startswith('<div id="results">') and "<nav" not in html


# --- finding → task -----------------------------------------------------------------------------


@pytest.mark.parametrize("username", LEADERS + OFFICES)
def test_the_to_task_link_is_for_the_finding_leader_and_the_assigners(client, people, username):
    finding = record(people, "member1")
    client.force_login(people(username))
    link = f'href="/supervision/new/?finding={finding.pk}"'

    shown = username == "member1" or username in ASSIGNERS
    assert (link in client.get("/patrols/").content.decode()) is shown
    assert (link in client.get(f"/patrols/{finding.pk}/").content.decode()) is shown


def test_the_to_task_link_follows_the_service_rule(people):
    finding = record(people, "member1")
    refused(403, to_task, people=people, finding=finding, username="principal")  # a leader, not this finding's
    assert to_task(people, finding, "affairsoffice").finding == finding


def test_a_finding_that_became_a_task_links_it(client, people):
    finding = record(people, "member1")
    client.force_login(people("depthead"))
    assert 'data-testid="finding-untasked"' in client.get("/patrols/").content.decode()

    task = to_task(people, finding)
    html = client.get("/patrols/").content.decode()

    assert f'href="/supervision/tasks/{task.pk}/"' in html and "清理消防通道" in html
    assert "finding-untasked" not in html
    assert f'href="/supervision/tasks/{task.pk}/"' in client.get(f"/patrols/{finding.pk}/").content.decode()


# --- the form ------------------------------------------------------------------------------------


def test_a_leader_records_through_the_page(client, people):
    client.force_login(people("member2"))
    form = client.get("/patrols/new/").content.decode()
    assert 'name="patrolled_on"' in form and 'value="2026-04-16"' in form
    assert 'name="leader"' not in form  # a leader records their own patrol

    response = client.post(
        "/patrols/new/",
        {
            "patrolled_on": "2026-04-15",
            "place": "学生宿舍5号楼",
            "text": "楼道灯不亮。",
            "department": dept("教务处").pk,
        },
    )

    finding = PatrolFinding.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/patrols/{finding.pk}/"
    assert finding.leader == people("member2") and finding.patrolled_on == dt.date(2026, 4, 15)


def test_an_office_chooses_the_leader_on_the_page(client, people):
    client.force_login(people("affairsoffice"))
    assert 'name="leader"' in client.get("/patrols/new/").content.decode()

    client.post(
        "/patrols/new/",
        {"patrolled_on": "2026-04-15", "place": "食堂", "text": "地面湿滑。", "leader": people("vice").pk},
    )

    assert PatrolFinding.objects.get().leader == people("vice")


@pytest.mark.parametrize(
    "data, status, message",
    [
        ({"patrolled_on": "", "place": "", "text": ""}, 400, "这个字段是必填项"),
        ({"patrolled_on": "昨天", "place": "食堂", "text": "地面湿滑。"}, 400, "输入一个有效的日期"),
        ({"patrolled_on": "2026-04-20", "place": "食堂", "text": "地面湿滑。"}, 409, "巡查日期不能晚于今天"),
        ({"patrolled_on": "2026-04-15", "place": "食堂", "text": "   "}, 400, "这个字段是必填项"),
    ],
)
def test_bad_input_rerenders_the_form_with_the_reason(client, people, data, status, message):
    client.force_login(people("member1"))

    response = client.post("/patrols/new/", data)

    assert response.status_code == status
    assert message in response.content.decode()
    assert 'name="place"' in response.content.decode()
    assert not PatrolFinding.objects.exists()


@pytest.mark.parametrize("username", ["depthead", "finance", "dean"])
def test_department_heads_read_but_do_not_record(client, people, username):
    client.force_login(people(username))
    assert client.get("/patrols/").status_code == 200
    assert 'href="/patrols/new/"' not in client.get("/patrols/").content.decode()
    assert client.get("/patrols/new/").status_code == 403
    assert client.post("/patrols/new/", {"patrolled_on": "2026-04-15", "place": "食堂", "text": "x"}).status_code == 403
    assert not PatrolFinding.objects.exists()


# --- queries and pages ----------------------------------------------------------------------------


def add_findings(people, n: int, *, with_tasks: bool = True):
    """n findings by two leaders about two departments; every other one became a task."""
    leaders, depts = [people("member1"), people("vice")], [dept("教务处"), dept("财务处")]
    start = PatrolFinding.objects.count()
    rows = PatrolFinding.objects.bulk_create(
        PatrolFinding(
            leader=leaders[i % 2],
            patrolled_on=timezone.localdate() - dt.timedelta(days=(start + i) % 30),
            place=f"巡查地点{start + i:03d}",
            text="问题",
            department=depts[i % 2],
        )
        for i in range(n)
    )
    if with_tasks:
        for finding in rows[::2]:
            to_task(people, finding)


# The queries of /patrols/ for a leader: COMMON to every logged-in page (tests/test_query_counts.py)
# + the leader options + the department options (filter bar) + the paginator's COUNT + one page of
# findings (leader, department joined) + their tasks (one prefetch).
PATROL_LIST_QUERIES = COMMON + 5


def test_the_list_costs_the_same_queries_at_5_and_50_findings(client, people, django_assert_num_queries):
    client.force_login(people("secretary"))
    add_findings(people, 5)
    with django_assert_num_queries(PATROL_LIST_QUERIES):
        assert len(set(ROW.findall(client.get("/patrols/").content.decode()))) == 5

    add_findings(people, 45)
    with django_assert_num_queries(PATROL_LIST_QUERIES):
        html = client.get("/patrols/").content.decode()
    assert len(set(ROW.findall(html))) == 20 and "第 1 / 3 页" in html
    with django_assert_num_queries(PATROL_LIST_QUERIES):
        html = client.get("/patrols/?page=3").content.decode()
    assert len(set(ROW.findall(html))) == 10


def test_pages_keep_the_filter(client, people):
    add_findings(people, 45, with_tasks=False)
    client.force_login(people("secretary"))
    html = client.get(f"/patrols/?department={dept('教务处').pk}").content.decode()
    assert "第 1 / 2 页" in html
    assert f"department={dept('教务处').pk}&amp;page=2" in html
