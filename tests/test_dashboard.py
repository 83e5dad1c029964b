"""一屏晾晒： the personal dashboard （工作台， "/"） and the leaders' dashboard （学校数据） as pages.

What each demo account finds waiting on it, that every entry opens the page where its action
is, the empty states, who may see the school's figures, the filters, the Excel files, and the
number of SQL queries at 10 and at 1,000 rows. The figures themselves are checked against
hand-computed values in test_dashboard_figures.py.
"""

import datetime as dt
import io
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from decisions.models import Category, Consultation, State
from meetings import services as meeting_services
from meetings.models import Attendance, Meeting, Minutes
from notices import services as notice_services
from notices.models import Notice, NoticeRecipient
from org.models import Department, User
from supervision import services as supervision_services
from supervision.models import Letter, ProgressReport, Task
from tests.factories import (
    all_opinions,
    at_state,
    meeting_for,
    reported_task,
    resolution_task,
    running_meeting,
    with_materials,
)
from tests.test_query_counts import COMMON, make_items

SH = ZoneInfo("Asia/Shanghai")
HELD = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)  # the Party committee meeting that was held
NOW = dt.datetime(2026, 3, 20, 9, 0, tzinfo=SH)  # "today" in these tests (a Friday)

DEMO = ["secretary", "principal", "member1", "discipline", "partyoffice", "affairsoffice", "depthead", "staff"]
SCHOOL_READERS = {"secretary", "principal", "member1", "member2", "vice", "discipline", "partyoffice", "affairsoffice"}
NOT_READERS = {"depthead", "finance", "dean", "staff", "teacher", "admin"}


@dataclass
class Desk:
    """The pks of everything on someone's desk (see the `desk` fixture)."""

    items: dict[str, int]
    tasks: dict[str, int]
    held: int
    minutes: int
    upcoming: int
    letter: int
    notice: int


def user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def desk(people):
    """A school on Friday 2026-03-20, 09:00, built through the services.

    On 03-02 the Party committee met (member2 away): item H was resolved, the minutes went out
    for co-signature and member1 has signed (secretary and principal have not; discipline
    observed and does not sign). Task O on H's resolution （教务处， leader member1） was due 03-10:
    ten days overdue today.

    Today: R waits on the head of 教务处 （部门审核）； S on the secretary and P （财务处， PO） on the
    principal （研判）； K on member1 （会前酝酿）； V (principal had concerns) and T (returned by the
    department) on staff, their submitter. Task X （任务布置， 教务处） was reported: it waits on the
    discipline secretary; Y （部门绩效， 财务处） reported: on the school affairs office; Z （教务处，
    assigned) and O on the head of 教务处 to report. Letter L waits for a reply (secretary, party
    office). A PC meeting on 03-23 is published with study item N on it. The party office
    published notice U for everyone; staff have read it.
    """
    staff, member1, principal = people("staff"), people("member1"), people("principal")
    items, tasks = {}, {}
    with time_machine.travel(HELD, tick=False):
        h = at_state(State.READY, submitter=staff, consultees=[member1], title="H 已决议")
        meeting, (entry,) = running_meeting([h], "PC", absent=("member2",))
        all_opinions(entry, meeting)
        meeting_services.entry_decide(actor=people("partyoffice"), entry_id=entry.pk, outcome="passed")
        meeting_services.meeting_adjourn(actor=people("partyoffice"), meeting_id=meeting.pk)
        minutes = Minutes.objects.get(meeting=meeting)
        meeting_services.minutes_send(actor=people("partyoffice"), minutes_id=minutes.pk)
        meeting_services.minutes_sign(actor=member1, minutes_id=minutes.pk)
        resolution = h.resolutions.get()
        tasks["O"] = resolution_task(resolution, title="O 逾期未报", days=8).pk
        items["H"] = h.pk

    with time_machine.travel(NOW, tick=False):
        items["R"] = at_state(State.DEPT_REVIEW, submitter=staff, title="R 待部门审核").pk
        items["S"] = at_state(State.SCREENING, submitter=staff, title="S 待研判").pk
        items["P"] = at_state(State.SCREENING, submitter=people("finance"), body_code="PO", title="P 待研判").pk
        items["K"] = at_state(State.CONSULTING, submitter=staff, consultees=[member1], title="K 待酝酿").pk
        items["V"] = at_state(State.REVISING, submitter=staff, consultees=[principal], title="V 意见不一").pk
        items["T"] = at_state(State.RETURNED, submitter=staff, title="T 退回修改").pk
        tasks["X"] = reported_task(resolution_task(resolution, title="X 待审核")).pk
        tasks["Y"] = reported_task(
            resolution_task(resolution, title="Y 待审核", track="performance", department="财务处")
        ).pk
        tasks["Z"] = resolution_task(resolution, title="Z 待报送").pk
        letter = supervision_services.letter_write(actor=staff, subject="L 来信", body="食堂排队时间太长。")
        n = at_state(State.READY, submitter=staff, category=Category.STUDY, title="N 学习")
        upcoming = meeting_for("PC")
        meeting_services.agenda_add(actor=people("partyoffice"), meeting_id=upcoming.pk, item_id=n.pk)
        with_materials(n)
        meeting_services.meeting_publish(actor=people("partyoffice"), meeting_id=upcoming.pk)
        items["N"] = n.pk
        notice = notice_services.notice_create_upper_document(
            actor=people("partyoffice"), title="U 上级文件精神", body="传达学习。", everyone=True
        )
        notice_services.notice_publish(actor=people("partyoffice"), notice_id=notice.pk)
        notice_services.notice_mark_read(actor=staff, notice_id=notice.pk)
        yield Desk(items, tasks, meeting.pk, minutes.pk, upcoming.pk, letter.pk, notice.pk)


def home_of(username: str):
    client = Client()
    client.force_login(user(username))
    response = client.get("/")
    assert response.status_code == 200
    return response, client


def sections(response) -> dict[str, list[str]]:
    """Every list on the page, by key: the titles of its entries."""
    dash = response.context["dash"]
    every = [*dash.waiting, dash.meetings, dash.notices, dash.recent] + ([dash.overdue] if dash.overdue else [])
    return {s.key: [e.title for e in s.entries] for s in every}


# What each demo account finds on its desk (DOMAIN.md, "One screen": what waits on them, the
# next meetings, what is overdue). Keys are the lists shown; "recent" (my latest items) is left
# out here and checked below. A role's own lists are shown even when empty.
EXPECTED = {
    "secretary": {
        "review": [],  # 审批待办: a leader's steps of the review chain (none configured here)
        "screening": ["S 待研判"],
        "consultations": [],
        "minutes": ["党委会2026年第1次会议"],
        "letters": ["L 来信"],
        "meetings": ["党委会2026年第2次会议"],
        "overdue": [],
        "notices": ["U 上级文件精神"],
    },
    "principal": {
        "review": [],  # 审批待办: a leader's steps of the review chain (none configured here)
        "screening": ["P 待研判"],
        "consultations": [],  # V: answered (a concern)
        "minutes": ["党委会2026年第1次会议"],
        "meetings": ["党委会2026年第2次会议"],
        "overdue": [],
        "notices": ["U 上级文件精神"],
    },
    "member1": {
        "review": [],  # 审批待办: a leader's steps of the review chain (none configured here)
        "consultations": ["K 待酝酿"],
        "minutes": [],  # signed already
        "meetings": ["党委会2026年第2次会议"],
        "overdue": ["O 逾期未报"],  # the responsible leader
        "notices": ["U 上级文件精神"],
    },
    "discipline": {
        "review": [],  # 审批待办: a leader's steps of the review chain (none configured here)
        "consultations": [],
        "minutes": [],  # observed (列席): observers do not co-sign
        "task_reviews": ["X 待审核"],
        "unfollowed": [],  # 决而未果: none waiting here
        "meetings": ["党委会2026年第2次会议"],
        "overdue": [],
        "notices": ["U 上级文件精神"],
    },
    "partyoffice": {
        "review": [],  # heads 党委办公室
        "task_reviews": [],  # supervises party-branch building
        "tasks_to_report": [],
        "letters": ["L 来信"],  # answers the mailbox for the secretary
        "unfollowed": [],  # 决而未果
        "meetings": ["党委会2026年第2次会议"],  # its recorder
        "overdue": [],
        "notices": ["U 上级文件精神"],
    },
    "affairsoffice": {
        "review": [],
        "task_reviews": ["Y 待审核"],  # supervises department performance and projects
        "tasks_to_report": [],
        "meetings": [],
        "overdue": [],
        "notices": ["U 上级文件精神"],
    },
    "depthead": {
        "review": ["R 待部门审核"],
        "tasks_to_report": ["O 逾期未报", "Z 待报送"],  # by deadline; X waits for review
        "meetings": [],
        "overdue": ["O 逾期未报"],  # heads the lead department
        "notices": ["U 上级文件精神"],
    },
    "staff": {
        "revise": ["T 退回修改", "V 意见不一"],
        "meetings": [],
        "notices": [],  # read
    },
}
WAITING_TOTAL = {
    "secretary": 3,
    "principal": 2,
    "member1": 1,
    "discipline": 1,
    "partyoffice": 1,
    "affairsoffice": 1,
    "depthead": 3,
    "staff": 2,
}


@pytest.mark.parametrize("username", DEMO)
def test_each_demo_account_finds_what_waits_on_it(username, desk):
    response, _client = home_of(username)
    found = sections(response)
    found.pop("recent")
    assert found == EXPECTED[username]
    html = response.content.decode()
    assert response.context["dash"].waiting_total == WAITING_TOTAL[username]
    assert f"共有 {WAITING_TOTAL[username]} 项等您处理" in html
    for key, titles in EXPECTED[username].items():
        assert f'data-testid="count-{key}">{len(titles)}<' in html, key
        if not titles:
            assert f'data-testid="empty-{key}"' in html, key


def test_my_latest_items_are_on_the_desk_too(desk):
    response, _client = home_of("staff")
    recent = response.context["dash"].recent
    assert recent.total == 7  # H R S K V T N
    assert len(recent.entries) == 5
    assert not recent.highlight  # my own items ask nothing of me: a grey count


# Where each list's entries lead, and what the page there lets the person do.
ACTION_MARKERS = {
    "review": "/act/dept_approve/",
    "screening": "/act/screen_accept/",
    "consultations": "/act/consult_answer/",
    "revise": "/edit/",
    "minutes": "/act/sign/",
    "task_reviews": 'data-testid="review-form"',
    "tasks_to_report": 'data-testid="report-form"',
    "letters": 'name="body"',
}


@pytest.mark.parametrize("username", DEMO)
def test_every_entry_opens_the_page_where_its_action_is(username, desk):
    response, client = home_of(username)
    dash = response.context["dash"]
    html = response.content.decode()
    opened = 0
    for section in [*dash.waiting, dash.meetings, dash.notices] + ([dash.overdue] if dash.overdue else []):
        for entry in section.entries:
            assert f'href="{entry.url}" data-testid="entry-{section.key}"' in html
            page = client.get(entry.url)
            assert page.status_code == 200, (section.key, entry.url)
            marker = ACTION_MARKERS.get(section.key)
            if marker:
                assert marker in page.content.decode(), (section.key, entry.url)
            opened += 1
    assert opened == sum(len(v) for v in EXPECTED[username].values())


def test_entries_lead_to_the_right_record(desk):
    response, _client = home_of("depthead")
    dash = response.context["dash"]
    review = next(s for s in dash.waiting if s.key == "review")
    assert review.entries[0].url == f"/items/{desk.items['R']}/"
    report = next(s for s in dash.waiting if s.key == "tasks_to_report")
    assert [e.url for e in report.entries] == [
        f"/supervision/tasks/{desk.tasks['O']}/",
        f"/supervision/tasks/{desk.tasks['Z']}/",
    ]
    assert report.entries[0].flag == "逾期 10 天"
    assert dash.overdue.entries[0].flag == "逾期 10 天"
    response, _client = home_of("secretary")
    dash = response.context["dash"]
    by_key = {s.key: s for s in dash.waiting}
    assert by_key["minutes"].entries[0].url == f"/meetings/minutes/{desk.minutes}/"
    assert by_key["letters"].entries[0].url == f"/mailbox/{desk.letter}/"
    assert dash.meetings.entries[0].url == f"/meetings/{desk.upcoming}/"
    assert dash.notices.entries[0].url == f"/notices/{desk.notice}/"


def test_a_person_with_nothing_waiting_is_told_so(school):
    response, _client = home_of("teacher")
    html = response.content.decode()
    assert response.context["dash"].waiting == []
    assert "目前没有等您处理的事项。" in html
    assert "近期没有您要参加的会议。" in html
    assert "通报均已阅读。" in html
    assert "您还没有议题。" in html
    assert 'data-testid="leaders-link"' not in html  # no school figures for a teacher
    assert 'data-testid="section-overdue"' not in html  # answers for no task


def test_a_long_list_shows_five_and_links_to_all_of_them(school, people):
    make_items(7, submitters=[people("staff")], state=State.DEPT_REVIEW)
    response, _client = home_of("depthead")
    review = next(s for s in response.context["dash"].waiting if s.key == "review")
    assert (len(review.entries), review.total) == (5, 7)
    html = response.content.decode()
    assert '<a href="/items/review/" data-testid="more-review">查看全部 7 项</a>' in html
    # The oldest submission first: it has waited longest.
    assert [e.title for e in review.entries] == [f"批量议题{i:03d}" for i in (6, 5, 4, 3, 2)]


def test_the_leaders_link_is_on_the_desk_of_those_who_may_follow_it(school):
    for username in SCHOOL_READERS:
        assert 'data-testid="leaders-link"' in home_of(username)[0].content.decode(), username
    for username in NOT_READERS:
        assert 'data-testid="leaders-link"' not in home_of(username)[0].content.decode(), username


# --- the leaders' dashboard: who, filters, Excel ---------------------------------------------------------


@pytest.mark.parametrize("url", ["/dashboard/leaders/", "/dashboard/leaders/export/departments.xlsx"])
def test_the_school_figures_are_for_leaders_and_the_offices(url, school):
    for username in SCHOOL_READERS:
        client = Client()
        client.force_login(user(username))
        assert client.get(url).status_code == 200, username
    for username in NOT_READERS:
        client = Client()
        client.force_login(user(username))
        response = client.get(url)
        assert response.status_code == 403, username
        assert "只有校领导、党委办公室和校务办可以查看学校数据" in response.content.decode()
    response = Client().get(url)
    assert response.status_code == 302 and response.url.startswith("/login/?next=")


def leaders_page(username: str, query: str = ""):
    client = Client()
    client.force_login(user(username))
    return client.get(f"/dashboard/leaders/{query}"), client


def test_the_period_is_this_year_unless_chosen(school):
    with time_machine.travel(NOW, tick=False):
        response, _client = leaders_page("secretary")
        figures = response.context["figures"]
        assert (figures.period.start, figures.period.end, figures.as_of) == (
            dt.date(2026, 1, 1),
            dt.date(2026, 12, 31),
            dt.date(2026, 3, 20),
        )
        assert "2026年（2026-01-01 至 2026-12-31），统计日 2026-03-20" in response.content.decode()

        for query, start, end, as_of in [
            ("?year=2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2025, 12, 31)),
            ("?year=2025&part=q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31), dt.date(2025, 12, 31)),
            ("?year=2026&part=q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31), dt.date(2026, 3, 20)),
            ("?year=2026&part=m2", dt.date(2026, 2, 1), dt.date(2026, 2, 28), dt.date(2026, 2, 28)),
            ("?year=2024&part=m2", dt.date(2024, 2, 1), dt.date(2024, 2, 29), dt.date(2024, 2, 29)),
            ("?part=m3", dt.date(2026, 3, 1), dt.date(2026, 3, 31), dt.date(2026, 3, 20)),  # this year's March
        ]:
            response, _client = leaders_page("secretary", query)
            assert response.status_code == 200, query
            f = response.context["figures"]
            assert (f.period.start, f.period.end, f.as_of) == (start, end, as_of), query


@pytest.mark.parametrize(
    "query, reason",
    [
        ("?year=2026&part=q2", "该统计期尚未开始"),
        ("?year=2027", "该统计期尚未开始"),
        ("?year=1999", "年度"),
        ("?year=2026&part=q5", "期间"),
        ("?year=abc", "年度"),
        ("?year=2026&department=999999", "部门"),
    ],
)
def test_a_bad_filter_is_refused_with_the_reason(query, reason, school):
    with time_machine.travel(NOW, tick=False):
        response, client = leaders_page("secretary", query)
        assert response.status_code == 400
        assert reason in response.content.decode()
        assert client.get(f"/dashboard/leaders/export/stages.xlsx{query}").status_code == 400


def test_the_department_filter_narrows_items_and_tasks(desk):
    jiaowu = Department.objects.get(name="教务处")
    finance = Department.objects.get(name="财务处")
    response, _client = leaders_page("secretary", f"?year=2026&department={jiaowu.pk}")
    f = response.context["figures"]
    assert f.department == jiaowu
    # 教务处's submissions (staff's): H R S K V T N; P is 财务处's.
    assert f.items_total == 7
    assert [t.label for t in f.by_department] == ["教务处"]
    assert f.tasks_total.total == 3  # O X Z
    response, _client = leaders_page("secretary", f"?year=2026&department={finance.pk}")
    f = response.context["figures"]
    assert f.items_total == 1  # P
    assert [(t.label, t.total) for t in f.by_department] == [("财务处", 1)]  # Y
    html = response.content.decode()
    assert f'<option value="{finance.pk}" selected>财务处</option>' in html
    assert f"department={finance.pk}" in html  # the export links keep the filter


def test_every_table_has_an_excel_file_with_the_same_figures(desk):
    response, client = leaders_page("secretary")
    page_tables = response.context["tables"]
    html = response.content.decode()
    for key, table in page_tables.items():
        link = f'href="/dashboard/leaders/export/{key}.xlsx?year=2026"'
        assert link in html, key
        xlsx = client.get(f"/dashboard/leaders/export/{key}.xlsx?year=2026")
        assert xlsx.status_code == 200
        assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert xlsx["Content-Disposition"] == f'attachment; filename="dashboard-{key}-2026.xlsx"'
        wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
        assert wb.sheetnames == [table.title, "统计口径"]
        rows = [list(r) for r in wb[table.title].iter_rows(values_only=True)]
        assert rows[0] == table.headers
        expected = [*table.rows, *([table.foot] if table.foot else [])]
        assert rows[1:] == [[_excel(v) for v in row] for row in expected], key
        about = dict(wb["统计口径"].iter_rows(min_row=2, values_only=True))
        assert about["统计期间"] == "2026年（2026-01-01 — 2026-12-31）"
        assert about["本表统计日"] == "2026-03-20"
        assert about["部门"] == "全部部门"
        assert "中位数" in about["提交至决议天数"]


def _excel(value):
    from decimal import Decimal

    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return float(value)
    return value


def test_an_export_keeps_the_filters(desk):
    jiaowu = Department.objects.get(name="教务处")
    _response, client = leaders_page("secretary")
    xlsx = client.get(f"/dashboard/leaders/export/departments.xlsx?year=2026&part=q1&department={jiaowu.pk}")
    assert xlsx["Content-Disposition"] == 'attachment; filename="dashboard-departments-2026-Q1.xlsx"'
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    sheet = wb["督查任务按牵头部门"]
    assert [c.value for c in sheet[1]] == [
        "牵头部门",
        "任务总数",
        "已办结",
        "按期办结",
        "在办",
        "逾期未办结",
        "按时办结率（%）",
    ]
    # O X Z, all open; O ten days overdue, none closed: 0 of 1 judged on time.
    assert [c.value for c in sheet[2]] == ["教务处", 3, 0, 0, 3, 1, 0.0]
    assert [c.value for c in sheet[3]] == ["合计", 3, 0, 0, 3, 1, 0.0]
    about = dict(wb["统计口径"].iter_rows(min_row=2, values_only=True))
    assert about["统计期间"] == "2026年第1季度（2026-01-01 — 2026-03-31）"
    assert about["部门"] == "教务处"


def test_an_unknown_table_is_not_found(school):
    client = Client()
    client.force_login(user("secretary"))
    assert client.get("/dashboard/leaders/export/everything.xlsx").status_code == 404


def test_the_charts_are_inline_svg_without_scripts_or_styles(desk):
    response, _client = leaders_page("secretary")
    html = response.content.decode()
    charts = re.findall(r"<svg .*?</svg>", html, re.S)
    named = set(re.findall(r'<svg [^>]*data-testid="(chart-[a-z]+)"', html))
    assert {"chart-stages", "chart-bodies", "chart-tracks", "chart-departments", "chart-notices"} <= named
    for svg in charts:
        assert "<script" not in svg and "style=" not in svg and "javascript:" not in svg
    for svg in (c for c in charts if "chart-" in c):
        assert re.search(r'viewBox="0 0 300 \d+" width="100%"', svg)
    # A strict Content-Security-Policy comes later: nothing inline on the page itself either.
    main = html.split("<main", 1)[1]
    assert "<script" not in main and " style=" not in main


def test_with_nothing_to_count_the_page_says_so_instead_of_drawing(school):
    with time_machine.travel(NOW, tick=False):
        response, _client = leaders_page("secretary")
    html = response.content.decode()
    assert "<svg " not in html.split("<main", 1)[1]
    for key in ("stages", "bodies", "tracks", "notices", "mailbox"):
        assert f'data-testid="no-chart-{key}"' in html, key
    assert "统计期内没有数据。" in html  # the department table has no row
    assert 'data-testid="figure-median">—<' in html
    assert 'data-testid="figure-reply-rate">100%<' in html  # no letter left unanswered


# --- query counts --------------------------------------------------------------------------------------


def grow(desk, people, n: int) -> None:
    """n more rows on every list of the desk, made with bulk_create (the pages only read them)."""
    now = timezone.now()
    staff, finance, member1 = people("staff"), people("finance"), people("member1")
    make_items(n, submitters=[staff], state=State.DEPT_REVIEW)  # depthead's review
    make_items(n, submitters=[staff, finance], state=State.SCREENING)  # secretary's screening
    make_items(n, submitters=[staff], state=State.RETURNED)  # staff's own, to revise
    asked = make_items(n, submitters=[staff], state=State.CONSULTING, consultation_round=1)
    Consultation.objects.bulk_create(
        Consultation(item=i, round=1, consultee=member1, requested_by=people("secretary")) for i in asked
    )
    resolution_id = Task.objects.get(pk=desk.tasks["O"]).resolution_id
    jiaowu = Department.objects.get(name="教务处")

    def tasks(state, **fields):
        return Task.objects.bulk_create(
            Task(
                track=fields.pop("track", "task"),
                source="resolution",
                resolution_id=resolution_id,
                title=f"批量任务{i}",
                lead_department=jiaowu,
                responsible_leader=member1,
                deadline=fields.get("deadline", now.date() + dt.timedelta(days=i % 40 - 20)),
                state=state,
                created_by=people("discipline"),
            )
            for i in range(n)
        )

    tasks(Task.State.ASSIGNED)  # depthead to report; some overdue (member1's and depthead's)
    reported = tasks(Task.State.REPORTED)
    ProgressReport.objects.bulk_create(ProgressReport(task=t, author=people("depthead"), text="进展") for t in reported)
    Letter.objects.bulk_create(Letter(author=staff, subject=f"来信{i}", body="内容") for i in range(n))
    notices = Notice.objects.bulk_create(
        Notice(level=Notice.Level.UPPER_DOCUMENT, title=f"通报{i}", body="正文", state="published", published_at=now)
        for i in range(n)
    )
    everyone = list(User.objects.all())
    NoticeRecipient.objects.bulk_create(NoticeRecipient(notice=x, person=p) for x in notices for p in everyone)
    held = Meeting.objects.get(pk=desk.held)
    later = Meeting.objects.get(pk=desk.upcoming)

    def meetings(like, state, starts_at):
        return Meeting.objects.bulk_create(
            Meeting(
                body=like.body,
                title=f"批量会议{i}",
                starts_at=starts_at + dt.timedelta(hours=i),
                place="会议室",
                chair=like.chair,
                secretary=like.secretary,
                created_by=like.created_by,
                state=state,
                opened_at=starts_at if state == Meeting.State.ADJOURNED else None,
                closed_at=starts_at if state == Meeting.State.ADJOURNED else None,
            )
            for i in range(n)
        )

    signing = meetings(held, Meeting.State.ADJOURNED, HELD)
    coming = meetings(later, Meeting.State.PUBLISHED, now + dt.timedelta(days=5))
    members = list(held.attendance.all())
    Attendance.objects.bulk_create(
        Attendance(meeting=m, person_id=a.person_id, kind=a.kind, status=a.status)
        for m in signing + coming
        for a in members
    )
    Minutes.objects.bulk_create(Minutes(meeting=m, text="纪要", state="signing", signing_round=1) for m in signing)


# The personal dashboard's queries beyond COMMON (session, user with roles, the navigation's one
# query, which also tells whether the person chairs a body):
#   everyone: the item lists (my returned items, my latest items, and the review and screening
#             queues where the person has them) in one query; minutes to co-sign; next meetings;
#             unread notices                                                                    4
#   then one query per task list: reports to review (the tracks' supervisors), tasks to report
#             (department heads), overdue tasks (leaders and department heads); consultations
#             (leaders); letters (the secretary and the party office)
HOME_QUERIES = {
    "secretary": COMMON + 4 + 3,  # overdue, consultations, letters
    "principal": COMMON + 4 + 2,  # overdue, consultations
    "member1": COMMON + 4 + 2,  # overdue, consultations
    "discipline": COMMON + 4 + 3 + 1,  # reports to review, overdue, consultations; 决而未果
    # reports to review, tasks to report, overdue, letters; the branch panel: branches and checks,
    # branches and 三会一课, open and overdue rectification; 决而未果
    "partyoffice": COMMON + 4 + 4 + 6 + 1,
    "affairsoffice": COMMON + 4 + 3,  # reports to review, tasks to report, overdue
    "depthead": COMMON + 4 + 2,  # tasks to report, overdue
    "staff": COMMON + 4,
}


def queries_for(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def test_the_desk_costs_the_same_queries_at_10_and_at_1000_rows(desk, people):
    # Every demo account, on one school grown once (growing it is the slow part).
    clients = {}
    for username in DEMO:
        clients[username] = Client()
        clients[username].force_login(user(username))
    grow(desk, people, 10)
    small, before = {}, {}
    for username in DEMO:
        small[username], response = queries_for(clients[username], "/")
        assert small[username] == HOME_QUERIES[username], username
        before[username] = {s.key: s.total for s in response.context["dash"].waiting}
    grow(desk, people, 990)
    for username in DEMO:
        large, response = queries_for(clients[username], "/")
        assert large == small[username], username
        after = {s.key: s.total for s in response.context["dash"].waiting}
        # Every list that grew for this person shows the new total and still five entries.
        assert after.keys() == before[username].keys(), username
        for key in after:
            assert after[key] >= before[username][key], (username, key)
        assert all(len(s.entries) <= 5 for s in response.context["dash"].waiting), username
        if username != "staff":
            assert response.context["dash"].notices.total > 999, username


# The leaders' dashboard: COMMON (item visibility asks the bodies the viewer attends as a
# subquery, so it costs nothing more), then the figures: the meeting bodies with their meetings
# held and items decided (one query), resolutions (with their items' submission times), the
# supervision tasks (one query, as the quarterly report), the notice receipts by level, items by
# stage, the letters (the period's and the reply rate over all, one query); and the departments
# of the filter. + the chosen department when one is given.
FIGURES = 6
LEADERS_QUERIES = {
    "secretary": COMMON + FIGURES + 1,
    "discipline": COMMON + FIGURES + 1,
    "partyoffice": COMMON + FIGURES + 1,
}


def grow_school(desk, people, n: int) -> None:
    """n more of every row the school's figures count: items, resolutions' entries and tasks,
    notices with their receipts, letters and meetings (grow above), and n resolutions."""
    grow(desk, people, n)
    held = Meeting.objects.get(pk=desk.held)
    items = make_items(n, submitters=[people("staff")], state=State.RESOLVED)
    from meetings.models import AgendaEntry, Resolution

    start = Resolution.objects.count()
    entries = AgendaEntry.objects.bulk_create(
        AgendaEntry(meeting=held, item=i, position=100 + k, outcome="passed", decided_at=HELD)
        for k, i in enumerate(items)
    )
    Resolution.objects.bulk_create(
        Resolution(
            body=held.body,
            year=2026,
            seq=1000 + start + k,
            number=f"批量决议{start + k}",
            meeting=held,
            entry=e,
            item=e.item,
            outcome="passed",
            text="决议",
            issued_by=held.chair,
        )
        for k, e in enumerate(entries)
    )


def test_the_school_figures_cost_the_same_queries_at_10_and_at_1000_rows(desk, people):
    # Every reader of the figures, on one school grown once (growing it is the slow part).
    clients = {}
    for username in LEADERS_QUERIES:
        clients[username] = Client()
        clients[username].force_login(user(username))
    grow_school(desk, people, 10)
    small, before = {}, {}
    for username, client in clients.items():
        small[username], response = queries_for(client, "/dashboard/leaders/")
        assert small[username] == LEADERS_QUERIES[username], username
        before[username] = response.context["figures"]
    grow_school(desk, people, 990)
    jiaowu = Department.objects.get(name="教务处").pk
    for username, client in clients.items():
        large, response = queries_for(client, "/dashboard/leaders/")
        assert large == small[username], username
        after, was = response.context["figures"], before[username]
        assert after.items_total > was.items_total + 900, username
        assert after.resolutions == was.resolutions + 990, username
        assert after.tasks_total.total > was.tasks_total.total + 900, username
        assert after.mailbox.letters == was.mailbox.letters + 990, username
        # The chosen department adds one query (the form looks it up), whatever the rows.
        filtered, _response = queries_for(client, f"/dashboard/leaders/?year=2026&department={jiaowu}")
        assert filtered == small[username] + 1, username
        # An export: the same reads, without the page's navigation and the departments of the form.
        export, _response = queries_for(client, "/dashboard/leaders/export/departments.xlsx?year=2026")
        assert export <= small[username], username
