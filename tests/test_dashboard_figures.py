"""学校数据： every figure of the leaders' dashboard against values worked out by hand.

The school's first half of 2026 (and a little of 2025) is told day by day through the services,
the clock held by time-machine at each step (Asia/Shanghai); the tests then look at it on
Saturday 2026-06-20, 10:00. WORLD below is the data set; each test says how its numbers follow.
"""

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from dashboard.selectors.school import Period, median_days, school_figures
from decisions import services as item_services
from decisions.models import Category, State
from meetings import services as meeting_services
from notices import services as notice_services
from org.models import Department, User
from supervision import services
from supervision.selectors.quarterly import quarterly_report
from tests.factories import all_opinions, at_state, closed_task, resolution_task, running_meeting

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 6, 20)


def at(y: int, m: int, d: int, h: int = 10, minute: int = 0):
    return time_machine.travel(dt.datetime(y, m, d, h, minute, tzinfo=SH), tick=False)


def dept(name: str) -> Department:
    return Department.objects.get(name=name)


def user(username: str) -> User:
    return User.objects.get(username=username)


def letter_task(title, department, track, deadline):
    letter = services.letter_write(actor=user("staff"), subject=f"来信：{title}", body="请研究解决。")
    task = services.task_create(
        actor=user("partyoffice"),
        letter_id=letter.pk,
        track=track,
        title=title,
        lead_department_id=dept(department).pk,
        responsible_leader_id=user("member1").pk,
        deadline=deadline,
    )
    return letter, task


def reply(letter):
    services.letter_reply(actor=user("secretary"), letter_id=letter.pk, body="已收悉，已交办。")


def hold(items, code, decisions):
    """A meeting of `code` opened now with `items`, each decided as `decisions` says, adjourned."""
    organizer = user("partyoffice" if code == "PC" else "affairsoffice")
    meeting, entries = running_meeting(items, code)
    for entry, outcome in zip(entries, decisions):
        if outcome != "noted":
            all_opinions(entry, meeting)
        meeting_services.entry_decide(actor=organizer, entry_id=entry.pk, outcome=outcome)
    meeting_services.meeting_adjourn(actor=organizer, meeting_id=meeting.pk)
    return meeting


@pytest.fixture
def world(people):
    """WORLD (every time 10:00 unless said; 教务处 = staff's and depthead's department):

    Items (submitted → decided; days from submission to resolution):
      Old  staff, PC          2025-12-20, still ready                              (2025 only)
      A    staff, PC          01-05 → PC M1 01-20 passed; its task T1 closed → closed   15.0
      B    finance 财务处， PC  01-08 → M1 01-20 passed                                  12.0
      C    depthead, PO       02-01 → PO M2 02-10 22:00 passed                          9.5
      D    staff, PC          03-01 → PC M3 04-02 not passed
      E    staff, PC, study   03-02 → M3 noted
      G    staff, PC, 涉密     03-15 → M3 passed                                         18.0
      F    teacher 智能制造学院 04-01 → M3 04-02 passed                                    1.0
      H dept_review 05-10, I screening 05-11, J consulting 05-12, K returned 05-13,
      L rejected 05-14, W withdrawn 05-15 (all staff, PC); Q a draft, never submitted.
    Meetings held: PC M1 (01-20), PO M2 (02-10), PC M3 (04-02); all members present.

    Supervision tasks:
      T6 letter 财务处 任务布置  made 2025-12-01, due 2025-12-31, closed 2025-12-30 (2025 only)
      T7 letter 财务处 任务布置  made 2025-11-01, due 2026-01-15, open: overdue
      T1 A's resolution 教务处 任务布置  made 01-21, due 02-28, closed 02-20: on time
      T2 letter 财务处 部门绩效  made 01-25, due 03-15, closed 03-20: late
      T3 letter 教务处 任务布置  made 02-01, due 04-30, open: overdue since 05-01
      T4 letter 智能制造学院 项目建设 made 03-01, due 07-31, open, not due
      T5 letter 教务处 支部建设  made 04-01, due 05-31, closed 05-31: on time (the last day)

    Letters: T7's (2025-11-01), T6's (2025-12-01, replied 12-02), T2's (01-25, replied 01-26),
    T3's (02-01, replied 02-02), T4's (03-01), T5's (04-01), L8 (05-01, replied 05-02), L9 (06-10).

    Notices:
      N1 上级文件 to secretary, principal, member1, staff, depthead, published 01-10; read by
         secretary 01-11, principal 01-12, depthead 06-01.
      N2 上级文件 to 教务处 (staff, depthead), published 04-05; read by staff 04-06.
      NG G's resolution （涉密）： to M3's attendees (secretary, principal, member1, member2,
         discipline observing, partyoffice recording), published 04-02; read by secretary and
         principal 04-03, member1 04-04, discipline 04-05.
    """
    staff, member1, member2 = people("staff"), people("member1"), people("member2")
    w = {}
    with at(2025, 11, 1):
        _, w["T7"] = letter_task("T7", "财务处", "task", dt.date(2026, 1, 15))
    with at(2025, 12, 1):
        t6_letter, w["T6"] = letter_task("T6", "财务处", "task", dt.date(2025, 12, 31))
    with at(2025, 12, 2):
        reply(t6_letter)
    with at(2025, 12, 20):
        at_state(State.READY, submitter=staff, consultees=[member1], title="Old")
    with at(2025, 12, 30):
        closed_task(w["T6"])

    with at(2026, 1, 5):
        a = at_state(State.READY, submitter=staff, consultees=[member1], title="A")
    with at(2026, 1, 8):
        b = at_state(State.READY, submitter=people("finance"), consultees=[member1], title="B")
    with at(2026, 1, 10):
        n1 = notice_services.notice_create_upper_document(
            actor=people("partyoffice"),
            title="N1",
            body="传达上级文件精神。",
            people=[people(u) for u in ("secretary", "principal", "member1", "staff", "depthead")],
        )
        notice_services.notice_publish(actor=people("partyoffice"), notice_id=n1.pk)
    with at(2026, 1, 11):
        notice_services.notice_mark_read(actor=people("secretary"), notice_id=n1.pk)
    with at(2026, 1, 12):
        notice_services.notice_mark_read(actor=people("principal"), notice_id=n1.pk)
    with at(2026, 1, 20):
        hold([a, b], "PC", ["passed", "passed"])
    with at(2026, 1, 21):
        w["T1"] = resolution_task(a.resolutions.get(), title="T1", days=38)  # due 02-28
    with at(2026, 1, 25):
        t2_letter, w["T2"] = letter_task("T2", "财务处", "performance", dt.date(2026, 3, 15))
    with at(2026, 1, 26):
        reply(t2_letter)
    with at(2026, 2, 1):
        c = at_state(State.READY, submitter=people("depthead"), consultees=[member1], body_code="PO", title="C")
        t3_letter, w["T3"] = letter_task("T3", "教务处", "task", dt.date(2026, 4, 30))
    with at(2026, 2, 2):
        reply(t3_letter)
    with at(2026, 2, 10, 22):
        hold([c], "PO", ["passed"])
    with at(2026, 2, 20):
        closed_task(w["T1"])
    with at(2026, 3, 1):
        d = at_state(State.READY, submitter=staff, consultees=[member1], title="D")
        _, w["T4"] = letter_task("T4", "智能制造学院", "project", dt.date(2026, 7, 31))
    with at(2026, 3, 2):
        e = at_state(State.READY, submitter=staff, category=Category.STUDY, title="E")
    with at(2026, 3, 15):
        g = at_state(State.READY, submitter=staff, consultees=[member1], confidential=True, title="G")
    with at(2026, 3, 20):
        closed_task(w["T2"])
    with at(2026, 4, 1):
        f = at_state(State.READY, submitter=people("teacher"), consultees=[member1], title="F")
        _, w["T5"] = letter_task("T5", "教务处", "branch", dt.date(2026, 5, 31))
    with at(2026, 4, 2):
        m3 = hold([d, e, f, g], "PC", ["not_passed", "noted", "passed", "passed"])
        ng = notice_services.notice_for_resolution(resolution_id=g.resolutions.get().pk)
    with at(2026, 4, 3):
        for u in ("secretary", "principal"):
            notice_services.notice_mark_read(actor=people(u), notice_id=ng.pk)
    with at(2026, 4, 4):
        notice_services.notice_mark_read(actor=member1, notice_id=ng.pk)
    with at(2026, 4, 5):
        notice_services.notice_mark_read(actor=people("discipline"), notice_id=ng.pk)
        n2 = notice_services.notice_create_upper_document(
            actor=people("partyoffice"), title="N2", body="传达。", departments=[dept("教务处")]
        )
        notice_services.notice_publish(actor=people("partyoffice"), notice_id=n2.pk)
    with at(2026, 4, 6):
        notice_services.notice_mark_read(actor=staff, notice_id=n2.pk)
    with at(2026, 5, 1):
        l8 = services.letter_write(actor=people("teacher"), subject="L8", body="建议。")
    with at(2026, 5, 2):
        reply(l8)
    with at(2026, 5, 10):
        at_state(State.DEPT_REVIEW, submitter=staff, title="H")
    with at(2026, 5, 11):
        at_state(State.SCREENING, submitter=staff, title="I")
    with at(2026, 5, 12):
        at_state(State.CONSULTING, submitter=staff, consultees=[member2], title="J")
    with at(2026, 5, 13):
        at_state(State.RETURNED, submitter=staff, title="K")
    with at(2026, 5, 14):
        at_state(State.REJECTED, submitter=staff, title="L")
    with at(2026, 5, 15):
        at_state(State.WITHDRAWN, submitter=staff, consultees=[member2], title="W")
        item_services.item_create(
            actor=staff,
            requested_body=a.requested_body,
            title="Q",
            category=Category.DECISION,
            background="背景",
            proposal="方案",
            amount=None,
            major_kind="",
            confidential=False,
        )
    with at(2026, 5, 31):
        closed_task(w["T5"])
    with at(2026, 6, 1):
        notice_services.notice_mark_read(actor=people("depthead"), notice_id=n1.pk)
    with at(2026, 6, 10):
        services.letter_write(actor=staff, subject="L9", body="反映。")

    assert {i.title: i.state for i in a.__class__.objects.all()} == {
        "Old": State.READY,
        "A": State.CLOSED,
        "B": State.RESOLVED,
        "C": State.RESOLVED,
        "D": State.NOT_PASSED,
        "E": State.NOTED,
        "F": State.RESOLVED,
        "G": State.RESOLVED,
        "H": State.DEPT_REVIEW,
        "I": State.SCREENING,
        "J": State.CONSULTING,
        "K": State.RETURNED,
        "L": State.REJECTED,
        "W": State.WITHDRAWN,
        "Q": State.DRAFT,
    }
    w["M3"] = m3
    with at(2026, 6, 20):
        yield w


def figures(username: str, period: Period, **kw):
    return school_figures(user(username), period, today=TODAY, **kw)


def stage_counts(f) -> dict[str, int]:
    return {s.state: s.count for s in f.stages if s.count}


def tallies(rows) -> list[tuple]:
    return [(t.label, t.total, t.closed, t.on_time, t.still_open, t.overdue_open, t.on_time_rate) for t in rows]


YEAR = Period(2026)
Q1, Q2 = Period(2026, quarter=1), Period(2026, quarter=2)
FEB = Period(2026, month=2)


def test_items_by_stage(world):
    f = figures("secretary", YEAR)
    # Submitted in 2026, by where they are now; Old (2025) and the draft Q are not counted.
    assert stage_counts(f) == {
        "dept_review": 1,  # H
        "returned": 1,  # K
        "screening": 1,  # I
        "consulting": 1,  # J
        "resolved": 4,  # B C F G
        "closed": 1,  # A: its only task closed
        "not_passed": 1,  # D
        "noted": 1,  # E
        "rejected": 1,  # L
        "withdrawn": 1,  # W
    }
    assert f.items_total == 13
    assert [s.state for s in f.stages][:3] == ["dept_review", "returned", "screening"]  # the workflow's order
    # The vice principal attends only the PO: the confidential PC item G is not his to see.
    assert figures("vice", YEAR).items_total == 12
    # Submitted in the second quarter: F H I J K L W.
    assert figures("secretary", Q2).items_total == 7
    assert stage_counts(figures("secretary", Period(2025))) == {"ready": 1}  # Old


def test_median_days_from_submission_to_resolution(world):
    f = figures("secretary", YEAR)
    # Resolutions in 2026: A 15.0, B 12.0, C 9.5, F 1.0, G 18.0 → sorted 1.0 9.5 12.0 15.0 18.0: the middle one.
    assert (f.resolutions, f.median_days) == (5, Decimal("12.0"))
    bodies = {b.code: b for b in f.bodies}
    # PC: A 15, B 12, F 1, G 18 → 1 12 15 18: (12 + 15) / 2 = 13.5. PO: C alone, 9.5 (02-01 10:00 → 02-10 22:00).
    assert (bodies["PC"].resolutions, bodies["PC"].median_days) == (4, Decimal("13.5"))
    assert (bodies["PO"].resolutions, bodies["PO"].median_days) == (1, Decimal("9.5"))
    assert bodies["SA"].median_days is None
    # Without G (vice): 1 9.5 12 15 → (9.5 + 12) / 2 = 10.75, rounded half up: 10.8; PC 1 12 15 → 12.0.
    v = figures("vice", YEAR)
    assert (v.resolutions, v.median_days) == (4, Decimal("10.8"))
    assert {b.code: b.median_days for b in v.bodies}["PC"] == Decimal("12.0")
    # Q1: A B C → 9.5 12 15 → 12.0. Q2: F G → (1 + 18) / 2 = 9.5. February: C, 9.5.
    assert (figures("secretary", Q1).resolutions, figures("secretary", Q1).median_days) == (3, Decimal("12.0"))
    assert figures("secretary", Q2).median_days == Decimal("9.5")
    assert figures("secretary", FEB).median_days == Decimal("9.5")
    # 2025 had no resolution: no median.
    assert figures("secretary", Period(2025)).median_days is None


def test_the_median_itself():
    day = dt.timedelta(days=1)
    assert median_days([]) is None
    assert median_days([day * 3]) == Decimal("3.0")
    assert median_days([day, day * 2]) == Decimal("1.5")
    assert median_days([day, dt.timedelta(hours=36), day * 9]) == Decimal("1.5")
    assert median_days([dt.timedelta(hours=1)]) == Decimal("0.0")  # 1/24 = 0.04
    assert median_days([dt.timedelta(hours=3)]) == Decimal("0.1")  # 0.125 → 0.1
    assert median_days([dt.timedelta(hours=1), dt.timedelta(hours=2)]) == Decimal("0.1")  # 0.0625 → 0.1


def test_meetings_held_and_items_decided_per_body(world):
    f = figures("secretary", YEAR)
    # PC met on 01-20 (A B) and 04-02 (D E F G); PO on 02-10 (C). SA and AS did not meet.
    assert [(b.code, b.meetings, b.decided, b.resolutions) for b in f.bodies] == [
        ("PC", 2, 6, 4),
        ("PO", 1, 1, 1),
        ("SA", 0, 0, 0),
        ("AS", 0, 0, 0),
        ("CG", 0, 0, 0),
    ]
    # The vice principal sees the same meetings (leaders see every meeting) but not G's entry.
    assert [(b.code, b.meetings, b.decided) for b in figures("vice", YEAR).bodies][:2] == [("PC", 2, 5), ("PO", 1, 1)]
    # February: the PO meeting only.
    assert [(b.code, b.meetings, b.decided) for b in figures("secretary", FEB).bodies][:2] == [
        ("PC", 0, 0),
        ("PO", 1, 1),
    ]
    # Q2: M3 only.
    assert [(b.code, b.meetings, b.decided) for b in figures("secretary", Q2).bodies][:2] == [
        ("PC", 1, 4),
        ("PO", 0, 0),
    ]


def test_supervision_on_time_and_overdue_by_track_and_department(world):
    f = figures("secretary", YEAR)
    # 2026 as of 06-20: T1 T2 T3 T4 T5 and T7 (open since 2025); T6 closed in 2025 is out.
    # 任务布置: T1 on time, T3 and T7 overdue → 1 / (1 + 2) = 33.3. 部门绩效: T2 late → 0 / 1.
    # 项目建设: T4 not due → no rate. 支部建设: T5 on time → 100.
    assert tallies(f.by_track) == [
        ("任务布置完成情况", 3, 1, 1, 2, 2, Decimal("33.3")),
        ("部门工作绩效", 1, 1, 0, 0, 0, Decimal("0.0")),
        ("项目建设成果", 1, 0, 0, 1, 0, None),
        ("党支部建设成效", 1, 1, 1, 0, 0, Decimal("100.0")),
    ]
    # 教务处 T1 T3 T5: 2 / (2 + 1) = 66.7; 财务处 T2 T7: 0 / (1 + 1); 智能制造学院 T4: none judged.
    assert tallies(f.by_department) == [
        ("教务处", 3, 2, 2, 1, 1, Decimal("66.7")),
        ("财务处", 2, 1, 0, 1, 1, Decimal("0.0")),
        ("智能制造学院", 1, 0, 0, 1, 0, None),
    ]
    # 6 tasks: 3 closed (2 on time), 3 open (2 overdue) → 2 / (3 + 2) = 40.0.
    assert tallies([f.tasks_total]) == [("合计", 6, 3, 2, 3, 2, Decimal("40.0"))]
    # February, as of 02-28: T1 closed on time; T2 and T3 open, not due; T7 overdue → 1 / (1 + 1).
    assert tallies([figures("secretary", FEB).tasks_total]) == [("合计", 4, 1, 1, 3, 1, Decimal("50.0"))]
    # 2025, as of 12-31: T6 on time; T7 open, not yet due (01-15) → 1 / 1.
    assert tallies([figures("secretary", Period(2025)).tasks_total]) == [("合计", 2, 1, 1, 1, 0, Decimal("100.0"))]


@pytest.mark.parametrize("quarter", [1, 2])
def test_supervision_agrees_with_the_quarterly_report(world, quarter):
    """Same definitions, same figures: the dashboard's quarter is the discipline committee's."""
    f = figures("secretary", Period(2026, quarter=quarter))
    report = quarterly_report(2026, quarter, today=TODAY)
    assert tallies(f.by_track) == tallies(report.by_track)
    assert tallies(f.by_department) == tallies(report.by_department)
    assert tallies([f.tasks_total]) == tallies([report.total])
    # Q1 as of 03-31: T1 on time, T2 late, T3 and T4 open not due, T7 overdue → 1 / (2 + 1) = 33.3.
    if quarter == 1:
        assert tallies([f.tasks_total]) == [("合计", 5, 2, 1, 3, 1, Decimal("33.3"))]


def test_notices_unread_per_level(world):
    f = figures("secretary", YEAR)
    rows = [(r.level, r.notices, r.receipts, r.unread, r.unread_rate) for r in f.notices]
    # 上级文件: N1 5 receipts, member1 and staff unread; N2 2, depthead unread → 3 / 7 = 42.9.
    # 党委会决议: NG 6 receipts, member2 and partyoffice unread → 2 / 6 = 33.3. No digest this year.
    assert rows == [
        ("upper_document", 2, 7, 3, Decimal("42.9")),
        ("pc_resolution", 1, 6, 2, Decimal("33.3")),
        ("monthly_digest", 0, 0, 0, None),
    ]
    total = f.notices_total
    assert (total.notices, total.receipts, total.unread, total.unread_rate) == (3, 13, 5, Decimal("38.5"))
    # Q1, as of 03-31: N1 only; depthead read it on 06-01, after the quarter: 3 of 5 unread then.
    q1 = figures("secretary", Q1).notices[0]
    assert (q1.notices, q1.receipts, q1.unread, q1.unread_rate) == (1, 5, 3, Decimal("60.0"))
    # 教务处's people (staff, depthead): N1 staff unread, depthead read; N2 depthead unread → 2 of 4.
    mine = figures("secretary", YEAR, department=dept("教务处"))
    assert [(r.receipts, r.unread) for r in mine.notices] == [(4, 2), (0, 0), (0, 0)]


def test_mailbox_reply_rate(world):
    f = figures("secretary", YEAR)
    # 2026: T2's, T3's, T4's, T5's, L8, L9 → 6 letters, 3 replied (T2's, T3's, L8) → 50%.
    # All letters: 8, replied T6's, T2's, T3's, L8 → 4 / 8 = 50%.
    m = f.mailbox
    assert (m.letters, m.replied, m.percent, m.all_letters, m.all_replied, m.all_percent) == (6, 3, 50, 8, 4, 50)
    # Q1: T2's, T3's, T4's → 2 of 3 replied = 66.7, rounded half up to 67%.
    q1 = figures("secretary", Q1).mailbox
    assert (q1.letters, q1.replied, q1.percent) == (3, 2, 67)
    # 2025: T7's and T6's, T6's replied → 50%.
    y25 = figures("secretary", Period(2025)).mailbox
    assert (y25.letters, y25.replied, y25.percent) == (2, 1, 50)


def test_the_department_filter(world):
    f = figures("secretary", YEAR, department=dept("教务处"))
    # 教务处's 2026 items: A C D E G H I J K L W (B is 财务处's, F 智能制造学院's).
    assert f.items_total == 11
    # Its resolutions: A 15.0, C 9.5, G 18.0 → 15.0; decided: PC A D E G, PO C.
    assert (f.resolutions, f.median_days) == (3, Decimal("15.0"))
    assert [(b.code, b.meetings, b.decided, b.resolutions) for b in f.bodies][:2] == [("PC", 2, 4, 2), ("PO", 1, 1, 1)]
    # Its tasks: T1 T3 T5.
    assert tallies(f.by_department) == [("教务处", 3, 2, 2, 1, 1, Decimal("66.7"))]
    assert tallies([f.tasks_total]) == [("合计", 3, 2, 2, 1, 1, Decimal("66.7"))]
    # Letters are the school's: not by department.
    assert f.mailbox.letters == 6


def test_the_page_shows_the_figures_and_says_how_they_are_computed(world):
    client = Client()
    client.force_login(user("secretary"))
    html = client.get("/dashboard/leaders/").content.decode()
    assert 'data-testid="figure-items">13<' in html
    assert 'data-testid="figure-resolutions">5<' in html
    assert 'data-testid="figure-median">12.0<' in html
    assert 'data-testid="figure-on-time">40.0%<' in html
    assert "逾期 2 项" in html
    assert re.search(r'data-testid="figure-unread"><a [^>]*unread=1">5</a> / <a [^>]*>13</a>', html)
    assert 'data-testid="figure-reply-rate">50%<' in html
    assert "决议形成时间 − 议题提交时间" in html  # how the median is computed
    assert "按期办结数 ÷（已办结数 + 逾期未办结数）× 100%" in html
    # A chart bar carries its exact figure.
    assert "<title>党委会 · 研究议题：6</title>" in html
    assert "<title>任务布置完成情况 · 逾期未办结：2</title>" in html
