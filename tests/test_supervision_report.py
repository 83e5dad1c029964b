"""季度督查报告： the discipline committee's quarterly report to the Party committee, compiled from
the data (supervision.selectors.quarterly), shown as a page, a PDF and an Excel workbook.

The figures are checked against a small school year worked out by hand (WORLD below), with the
clock held by time-machine at each step.
"""

import datetime as dt
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.utils.html import strip_tags
from pypdf import PdfReader

from org.models import Department
from supervision import jobs, services
from supervision.models import BranchCheckItem, Letter, PatrolFinding, Task, TaskEscalation
from supervision.selectors.quarterly import quarterly_report
from tests.factories import closed_task
from tests.test_query_counts import COMMON

SH = ZoneInfo("Asia/Shanghai")
READERS = ["secretary", "principal", "member1", "member2", "vice", "discipline", "partyoffice"]
REFUSED = ["affairsoffice", "depthead", "finance", "dean", "staff", "teacher", "admin"]


def at(y: int, m: int, d: int, h: int = 10):
    return time_machine.travel(dt.datetime(y, m, d, h, tzinfo=SH), tick=False)


def dept(name: str) -> Department:
    return Department.objects.get(name=name)


def letter_task(people, title, department, track, deadline):
    letter = services.letter_write(actor=people("staff"), subject=f"来信：{title}", body="请研究解决。")
    task = services.task_create(
        actor=people("partyoffice"),
        letter_id=letter.pk,
        track=track,
        title=title,
        lead_department_id=dept(department).pk,
        responsible_leader_id=people("member1").pk,
        deadline=deadline,
    )
    return letter, task


def finding_task(people, leader, actor, *, patrolled_on, department, title, deadline):
    finding = services.finding_record(
        actor=people(leader), patrolled_on=patrolled_on, place="校园", text=title, department_id=dept(department).pk
    )
    task = services.task_create(
        actor=people(actor),
        finding_id=finding.pk,
        track="task",
        title=title,
        lead_department_id=dept(department).pk,
        responsible_leader_id=people("member1").pk,
        deadline=deadline,
    )
    return finding, task


def branch_check(people, items, name, month, met):
    services.branch_check_record(
        actor=people("partyoffice"),
        branch_id=dept(name).pk,
        year=2026,
        month=month,
        met={i.pk: m for i, m in zip(items, met)},
    )


@pytest.fixture
def world(people):
    """2026, the second quarter (April–June), told day by day. Tasks:

    A  任务布置 教务处   due 03-31  closed 03-28            before the quarter: left out
    B  任务布置 教务处   due 04-30  closed 04-25            closed on time
    C  部门绩效 财务处   due 05-15  closed 05-20            closed late
    D  任务布置 财务处   due 06-10  open                    overdue 20 days at 06-30; level 1 (06-12), 2 (06-16); 3 only on 07-02
    E  项目建设 教务处   due 06-30  open                    open, due on the last day: not overdue
    F  任务布置 教务处   due 04-20  closed 03-30 (early)    deadline in the quarter: counted, closed on time
    G  任务布置 智能制造 due 07-31  closed 07-05            open at 06-30, not overdue
    H  任务布置 教务处   due 06-20  closed 07-03, 涉密       overdue 10 days at 06-30; level 1 (06-22), 3 (06-25)
    I  任务布置 财务处   due 07-20  made 07-02              after the quarter: left out

    Letters in the quarter: D's (04-10, replied 04-11), E's (05-01), L1 (05-05, replied 05-06),
    L2 (06-28, replied only 07-02). Findings patrolled in the quarter: G's (06-01), H's (05-31),
    F3 (06-10), F5 (06-29, its task I made 07-02); F4 (03-30) before it. Branch checks (50 points):
    机关第一 April 50, May 20 (March 50, outside); 智能制造学院 April 30, June 10.
    """
    t = {}
    with at(2026, 3, 20):
        _, t["A"] = letter_task(people, "任务A", "教务处", "task", dt.date(2026, 3, 31))
        _, t["B"] = letter_task(people, "任务B", "教务处", "task", dt.date(2026, 4, 30))
        _, t["C"] = letter_task(people, "任务C", "财务处", "performance", dt.date(2026, 5, 15))
    with at(2026, 3, 25):
        _, t["F"] = letter_task(people, "任务F", "教务处", "task", dt.date(2026, 4, 20))
    with at(2026, 3, 28):
        closed_task(t["A"])
    with at(2026, 3, 30):
        closed_task(t["F"])
        services.finding_record(actor=people("member1"), patrolled_on=dt.date(2026, 3, 30), place="操场", text="F4")
    with at(2026, 4, 10):
        d_letter, t["D"] = letter_task(people, "任务D", "财务处", "task", dt.date(2026, 6, 10))
    with at(2026, 4, 11):
        services.letter_reply(actor=people("secretary"), letter_id=d_letter.pk, body="已交办。")
    with at(2026, 4, 25):
        closed_task(t["B"])
    with at(2026, 5, 1):
        _, t["E"] = letter_task(people, "任务E", "教务处", "project", dt.date(2026, 6, 30))
    with at(2026, 5, 5):
        l1 = services.letter_write(actor=people("teacher"), subject="L1", body="建议。")
    with at(2026, 5, 6):
        services.letter_reply(actor=people("partyoffice"), letter_id=l1.pk, body="已收悉。")
    with at(2026, 5, 20):
        closed_task(t["C"])
    with at(2026, 6, 1):
        _, t["G"] = finding_task(
            people,
            "member1",
            "member1",
            patrolled_on=dt.date(2026, 6, 1),
            department="智能制造学院",
            title="任务G",
            deadline=dt.date(2026, 7, 31),
        )
        _, t["H"] = finding_task(
            people,
            "vice",
            "discipline",
            patrolled_on=dt.date(2026, 5, 31),
            department="教务处",
            title="任务H",
            deadline=dt.date(2026, 6, 20),
        )
        Task.objects.filter(pk=t["H"].pk).update(confidential=True)
    with at(2026, 6, 10):
        services.finding_record(actor=people("principal"), patrolled_on=dt.date(2026, 6, 10), place="食堂", text="F3")
    with at(2026, 6, 12, 1):
        jobs.remind_tasks()  # D: level 1
    with at(2026, 6, 16, 1):
        jobs.remind_tasks()  # D: level 2 (6 days late > 3)
    with at(2026, 6, 22, 1):
        jobs.remind_tasks()  # H: level 1
    with at(2026, 6, 25):
        services.task_escalate(actor=people("discipline"), task_id=t["H"].pk, reason="多次督促仍未整改")
    with at(2026, 6, 28):
        l2 = services.letter_write(actor=people("dean"), subject="L2", body="反映问题。")
    with at(2026, 6, 29):
        f5 = services.finding_record(
            actor=people("member1"),
            patrolled_on=dt.date(2026, 6, 29),
            place="财务处",
            text="F5",
            department_id=dept("财务处").pk,
        )
    with at(2026, 7, 1):
        items = [
            BranchCheckItem.objects.create(title="三会一课", points=20, position=1),
            BranchCheckItem.objects.create(title="主题党日", points=20, position=2),
            BranchCheckItem.objects.create(title="党费收缴", points=10, position=3),
        ]
        branch_check(people, items, "机关第一党支部", 3, (True, True, True))
        branch_check(people, items, "机关第一党支部", 4, (True, True, True))
        branch_check(people, items, "机关第一党支部", 5, (True, False, False))
        branch_check(people, items, "智能制造学院党支部", 4, (True, False, True))
        branch_check(people, items, "智能制造学院党支部", 6, (False, False, True))
    with at(2026, 7, 2):
        services.letter_reply(actor=people("secretary"), letter_id=l2.pk, body="已转相关部门。")
        t["I"] = services.task_create(
            actor=people("member1"),
            finding_id=f5.pk,
            track="task",
            title="任务I",
            lead_department_id=dept("财务处").pk,
            responsible_leader_id=people("member1").pk,
            deadline=dt.date(2026, 7, 20),
        )
        services.task_escalate(actor=people("discipline"), task_id=t["D"].pk, reason="逾期仍未办结")
    with at(2026, 7, 3):
        closed_task(Task.objects.get(pk=t["H"].pk))
    with at(2026, 7, 5):
        closed_task(t["G"])
    return t


@pytest.fixture
def july(world):
    with at(2026, 7, 10):
        yield world


def tally(row):
    return (row.total, row.closed, row.on_time, row.still_open, row.overdue_open, row.on_time_rate)


# --- the figures -------------------------------------------------------------------------------------


def test_the_second_quarter_by_hand(july):
    r = quarterly_report(2026, 2)

    assert (r.period.start, r.period.end, r.as_of) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30), dt.date(2026, 6, 30))
    # B C D E F G H: closed B C F (on time B F); open D E G H (overdue D H); 2 / (3 + 2)
    assert tally(r.total) == (7, 3, 2, 4, 2, Decimal("40.0"))
    assert {t.key: tally(t) for t in r.by_track} == {
        "task": (5, 2, 2, 3, 2, Decimal("50.0")),  # B D F G H
        "performance": (1, 1, 0, 0, 0, Decimal("0.0")),  # C, late
        "project": (1, 0, 0, 1, 0, None),  # E, not yet judged
        "branch": (0, 0, 0, 0, 0, None),
    }
    assert [(t.label, tally(t)) for t in r.by_department] == [
        ("教务处", (4, 2, 2, 2, 1, Decimal("66.7"))),  # B E F H
        ("财务处", (2, 1, 0, 1, 1, Decimal("0.0"))),  # C D
        ("智能制造学院", (1, 0, 0, 1, 0, None)),  # G
    ]


def test_the_overdue_list_and_the_escalations(july, people):
    r = quarterly_report(2026, 2)

    assert [
        (o.pk, o.title, o.department, o.leader, o.deadline, o.days_overdue, o.level, o.level_label) for o in r.overdue
    ] == [
        (july["D"].pk, "任务D", "财务处", "张卫东", dt.date(2026, 6, 10), 20, 2, "提请督查部门督办"),
        (july["H"].pk, "（涉密任务）", "教务处", "张卫东", dt.date(2026, 6, 20), 10, 3, "升级督办（不落实）"),
    ]
    assert [(e.task_pk, e.level, e.by, e.at.astimezone(SH).date()) for e in r.escalations] == [
        (july["D"].pk, 1, "系统自动督办", dt.date(2026, 6, 12)),
        (july["D"].pk, 2, "系统自动督办", dt.date(2026, 6, 16)),
        (july["H"].pk, 1, "系统自动督办", dt.date(2026, 6, 22)),
        (july["H"].pk, 3, "赵敏", dt.date(2026, 6, 25)),
    ]
    assert r.escalations[3].title == "（涉密任务）" and r.escalations[3].reason == ""  # 涉密: not named
    assert r.escalation_counts == [(1, "逾期提醒责任领导", 2), (2, "提请督查部门督办", 1), (3, "升级督办（不落实）", 1)]
    # D's level 3 came after the quarter: the report does not count it, and the task row has it.
    assert Task.objects.get(pk=july["D"].pk).escalation_level == 3


def test_letters_findings_and_branches(july):
    r = quarterly_report(2026, 2)

    # D's, E's, L1, L2; replied by 06-30: D's and L1 (L2 only on 07-02); tasks: D's and E's
    assert (r.letters, r.letters_replied, r.letters_reply_rate, r.letters_tasked) == (4, 2, Decimal("50.0"), 2)
    # G's, H's, F3, F5 (its task came on 07-02)
    assert (r.findings, r.findings_tasked, r.findings_task_rate) == (4, 2, Decimal("50.0"))
    # 100, 40, 60, 20 (March left out)
    assert (r.branch_checks, r.branch_average) == (4, Decimal("55.0"))
    assert [(b.branch.name, b.checks, b.average) for b in r.branch_rows] == [
        ("机关第一党支部", 2, Decimal("70.0")),
        ("智能制造学院党支部", 2, Decimal("40.0")),
    ]


def test_the_running_quarter_is_taken_as_of_today(july):
    r = quarterly_report(2026, 3)

    assert r.as_of == dt.date(2026, 7, 10)
    # D E G H I: closed G (on time) H (late); open D E I; overdue D (30 days) E (10 days); and the
    # five rectification tasks of the items the 1 July checks found unmet (open, due 31 July)
    assert tally(r.total) == (10, 2, 1, 8, 2, Decimal("25.0"))
    assert [(o.title, o.days_overdue, o.level) for o in r.overdue] == [("任务D", 30, 3), ("任务E", 10, 0)]
    assert [e.level for e in r.escalations] == [3]
    assert (r.letters, r.letters_reply_rate, r.findings, r.branch_checks, r.branch_average) == (0, None, 0, 0, None)


def test_a_past_report_does_not_change_later(july):
    before = quarterly_report(2026, 2)
    with at(2026, 8, 1):
        closed_task(Task.objects.get(pk=july["D"].pk))
        services.letter_reply(
            actor=july["D"].created_by, letter_id=Letter.objects.get(subject="来信：任务E").pk, body="迟复。"
        )
        after = quarterly_report(2026, 2)
    assert tally(after.total) == tally(before.total)
    assert after.letters_replied == before.letters_replied == 2
    assert [o.pk for o in after.overdue] == [o.pk for o in before.overdue]


# --- the page ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", READERS)
def test_the_readers_open_the_report(client, people, username):
    client.force_login(people(username))
    response = client.get("/reports/supervision/")
    assert response.status_code == 200
    assert "督查工作情况报告" in response.content.decode()


@pytest.mark.parametrize("username", REFUSED)
def test_everyone_else_is_refused(client, people, username):
    client.force_login(people(username))
    for url in ("/reports/supervision/", "/reports/supervision/2026-Q1.pdf", "/reports/supervision/2026-Q1.xlsx"):
        response = client.get(url)
        assert response.status_code == 403
        assert "只有纪委书记、党委书记、党委办公室和校领导可以查看季度督查报告" in response.content.decode()


def test_the_report_needs_a_login(client, db):
    assert client.get("/reports/supervision/")["Location"].startswith("/login/")


def test_the_page_shows_the_figures_and_the_definitions(client, people, july):
    client.force_login(people("discipline"))

    response = client.get("/reports/supervision/?year=2026&quarter=2")
    html = response.content.decode()
    text = strip_tags(html)  # each count is a link to its list (数字可点开)

    assert response.status_code == 200
    assert "2026年第2季度督查工作情况报告" in html
    assert "统计期间 2026-04-01 至 2026-06-30，统计日 2026-06-30。" in html
    assert "纳入统计的督查任务 7 项：已办结 3 项，其中按期办结 2 项；在办 4 项，其中逾期未办结 2 项。" in text
    assert "按时办结率 40.0%。" in html
    assert html.count('data-testid="overdue-row"') == 2
    assert f'href="/supervision/tasks/{july["D"].pk}/"' in html
    assert "任务H" not in html and "（涉密任务）" in html
    assert f'href="/supervision/tasks/{july["H"].pk}/"' not in html  # not named, not linked
    assert "本季度收到来信 4 封，已回复 2 封，转为督查任务 2 封；回复率 50.0%。" in text
    assert "本季度记录巡查发现 4 条，转为督查任务 2 条。" in text
    assert "本季度开展支部月度检查 4 次，平均得分 55.0%。" in text
    assert 'data-testid="definitions"' in html and "按期办结数 ÷（已办结数 + 逾期未办结数）" in html
    assert 'href="/reports/supervision/2026-Q2.pdf"' in html and 'href="/reports/supervision/2026-Q2.xlsx"' in html


def test_the_default_is_the_running_quarter(client, people, july):
    client.force_login(people("secretary"))
    html = client.get("/reports/supervision/").content.decode()
    assert "2026年第3季度督查工作情况报告" in html and "统计日 2026-07-10" in html


@pytest.mark.parametrize(
    "query, message",
    [
        ("year=abc&quarter=2", "输入整数"),
        ("year=2026&quarter=5", "选择一个有效的选项"),
        ("year=2026", "这个字段是必填项"),
        ("year=2026&quarter=4", "该季度尚未开始，无法生成报告"),
    ],
)
def test_a_bad_period_rerenders_the_form_with_the_reason(client, people, july, query, message):
    client.force_login(people("discipline"))
    response = client.get(f"/reports/supervision/?{query}")
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html and 'name="year"' in html
    assert "督查工作情况报告" not in html


def test_a_download_of_a_quarter_to_come_is_refused(client, people, july):
    client.force_login(people("discipline"))
    response = client.get("/reports/supervision/2026-Q4.pdf")
    assert response.status_code == 400 and "该季度尚未开始" in response.content.decode()


# The report page: COMMON to every logged-in page (tests/test_query_counts.py) + the report's
# own: the scoped tasks (department, leader joined; the escalation level as of the day as a
# subquery), the quarter's escalations (task, department, escalator joined), the letters and the
# findings (one aggregate each), the branch checks (branch joined).
REPORT_QUERIES = COMMON + 5


def test_the_page_costs_the_same_queries_with_more_rows(client, people, july, django_assert_num_queries):
    client.force_login(people("discipline"))
    url = "/reports/supervision/?year=2026&quarter=2"
    with django_assert_num_queries(REPORT_QUERIES):
        client.get(url)

    letter = Letter.objects.first()
    with at(2026, 5, 10):
        tasks = Task.objects.bulk_create(
            Task(
                track=["task", "performance", "project", "branch"][i % 4],
                source="letter",
                letter=letter,
                title=f"批量任务{i}",
                lead_department=dept(["教务处", "财务处", "信息中心", "校务办公室"][i % 4]),
                responsible_leader=people("member1"),
                deadline=dt.date(2026, 6, 1),
            )
            for i in range(40)
        )
        TaskEscalation.objects.bulk_create(TaskEscalation(task=t, level=1, reason="逾期") for t in tasks)
        PatrolFinding.objects.bulk_create(
            PatrolFinding(leader=people("vice"), patrolled_on=dt.date(2026, 5, 10), place=f"地点{i}", text="问题")
            for i in range(40)
        )
    with django_assert_num_queries(REPORT_QUERIES):
        html = client.get(url).content.decode()
    assert html.count('data-testid="overdue-row"') == 42
    assert "本季度记录巡查发现 44 条" in strip_tags(html)


# --- PDF and Excel ---------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", "", text)


def test_the_pdf_holds_the_heading_and_the_figures(client, people, july):
    client.force_login(people("discipline"))

    response = client.get("/reports/supervision/2026-Q2.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="supervision-2026-Q2.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "2026年第2季度督查工作情况报告" in text
    assert "按时办结率40.0%" in text
    assert "任务D" in text and "任务H" not in text
    assert "统计口径" in text


def test_the_pdf_is_in_the_site_language_whoever_asks(client, people, july):
    client.force_login(people("discipline"))
    client.cookies["django_language"] = "en"
    text = pdf_text(client.get("/reports/supervision/2026-Q2.pdf").content)
    assert "2026年第2季度督查工作情况报告" in text and "任务布置完成情况" in text


def test_the_excel_file_has_a_sheet_per_section(client, people, july):
    client.force_login(people("partyoffice"))

    response = client.get("/reports/supervision/2026-Q2.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == [
        "概况",
        "按督查类别",
        "按牵头部门",
        "逾期任务",
        "本季度督办",
        "书记信箱",
        "校园周巡查",
        "支部建设",
        "统计口径",
    ]
    summary = {row[0]: row[1] for row in wb["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["报告期间"] == "2026年第2季度"
    assert summary["统计日"].date() == dt.date(2026, 6, 30)
    assert (summary["督查任务总数"], summary["已办结"], summary["按期办结"], summary["逾期未办结"]) == (7, 3, 2, 2)
    assert summary["按时办结率（%）"] == 40.0 and summary["来信回复率（%）"] == 50.0
    assert summary["支部平均得分（%）"] == 55.0

    tracks = list(wb["按督查类别"].iter_rows(values_only=True))
    assert tracks[0] == ("督查类别", "任务总数", "已办结", "按期办结", "在办", "逾期未办结", "按时办结率（%）")
    assert tracks[1] == ("任务布置完成情况", 5, 2, 2, 3, 2, 50.0)
    assert tracks[3] == ("项目建设成果", 1, 0, 0, 1, 0, "—")
    assert tracks[-1] == ("合计", 7, 3, 2, 4, 2, 40.0)
    depts = list(wb["按牵头部门"].iter_rows(min_row=2, values_only=True))
    assert depts[0] == ("教务处", 4, 2, 2, 2, 1, 66.7)

    overdue = list(wb["逾期任务"].iter_rows(values_only=True))
    assert overdue[0][:6] == ("任务", "督查类别", "牵头部门", "责任领导", "完成时限", "逾期天数")
    assert overdue[1][0] == "任务D" and overdue[1][4].date() == dt.date(2026, 6, 10) and overdue[1][5:7] == (20, 2)
    assert overdue[2][0] == "（涉密任务）"
    escalations = list(wb["本季度督办"].iter_rows(min_row=2, values_only=True))
    assert len(escalations) == 4 and escalations[0][0] == dt.datetime(2026, 6, 12, 1, 0)
    assert list(wb["书记信箱"].iter_rows(min_row=2, values_only=True)) == [(4, 2, 50.0, 2)]
    assert list(wb["校园周巡查"].iter_rows(min_row=2, values_only=True)) == [(4, 2, 50.0)]
    assert list(wb["支部建设"].iter_rows(min_row=2, values_only=True))[-1] == ("全部支部", 4, 55.0)
    terms = [row[0] for row in wb["统计口径"].iter_rows(min_row=2, values_only=True)]
    assert "按时办结率" in terms and "统计日" in terms


def test_the_page_lists_the_overdue_tasks_a_page_at_a_time(client, people, july, monkeypatch):
    """At a large school a quarter has hundreds of overdue tasks: the page shows them OVERDUE_PAGE at
    a time, with the count; the PDF and the workbook list them all."""
    from supervision.views import quarterly as report_views

    monkeypatch.setattr(report_views, "OVERDUE_PAGE", 1)
    client.force_login(people("discipline"))
    url = "/reports/supervision/?year=2026&quarter=2"
    first = client.get(url).content.decode()
    second = client.get(url + "&overdue_page=2").content.decode()
    assert first.count('data-testid="overdue-row"') == 1 and second.count('data-testid="overdue-row"') == 1
    assert 'data-testid="overdue-pages"' in first and "共 2 项" in first
    row = re.compile(r'data-testid="overdue-row"><td class="item-title">(.*?)</td>')
    assert row.findall(first) != row.findall(second)
    # The summary above still counts both.
    assert "其中逾期未办结 2 项" in strip_tags(first) and "其中逾期未办结 2 项" in strip_tags(second)


def test_the_page_the_pdf_and_the_workbook_list_the_same_overdue_tasks(client, people, july):
    """Section 四 of every document comes from one selector (report_context): the PDF once listed
    no overdue task while the page and the workbook listed them."""
    client.force_login(people("discipline"))
    html = client.get("/reports/supervision/?year=2026&quarter=2").content.decode()
    row = re.compile(
        r'data-testid="overdue-row"><td class="item-title">(?:<a [^>]*>)?(.*?)(?:</a>)?</td>.*?</td><td>(\d+)</td>',
        re.S,
    )
    on_page = [(title, int(days)) for title, days in row.findall(html)]

    wb = openpyxl.load_workbook(io.BytesIO(client.get("/reports/supervision/2026-Q2.xlsx").content))
    in_workbook = [(r[0], r[5]) for r in wb["逾期任务"].iter_rows(min_row=2, values_only=True)]

    text = pdf_text(client.get("/reports/supervision/2026-Q2.pdf").content)
    section = text.split("四、逾期未办结任务")[1].split("五、本季度督办情况")[0]

    assert on_page == in_workbook == [("任务D", 20), ("（涉密任务）", 10)]
    assert "统计日没有逾期未办结的任务" not in section
    assert [title for title, _days in on_page] == re.findall(r"任务D|（涉密任务）", section)
    assert "2026-06-10" in section and "2026-06-20" in section
