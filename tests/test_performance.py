"""部门工作绩效: the school affairs office rates the departments from their tasks of the year
(on time 100, late 70, overdue and open 40, not yet due not counted), ranks them, publishes to
the leaders, and every score is traced to its tasks."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from core.errors import InvalidTransition
from core.models import AuditEvent, Notification
from org.models import Department
from supervision import services
from supervision.models import DepartmentScore, PerformanceRating, ScoreLine
from supervision.services.performance import performance_publish, performance_rate, ranks
from tests.factories import closed_task

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int):
    return time_machine.travel(dt.datetime(y, m, d, 10, tzinfo=SH), tick=False)


def task(people, title, department, deadline):
    letter = services.letter_write(actor=people("staff"), subject=f"来信：{title}", body="请研究。")
    return services.task_create(
        actor=people("partyoffice"),
        letter_id=letter.pk,
        track="performance",
        title=title,
        lead_department_id=Department.objects.get(name=department).pk,
        responsible_leader_id=people("member1").pk,
        deadline=deadline,
    )


@pytest.fixture
def year(people):
    """教务处: one task closed on time, one closed late; 财务处: one overdue, one not yet due."""
    with at(2026, 1, 5):
        a = task(people, "修订人才培养方案", "教务处", dt.date(2026, 3, 31))
        b = task(people, "完成课程思政示范课评选", "教务处", dt.date(2026, 4, 30))
        c = task(people, "完成年度预算执行分析", "财务处", dt.date(2026, 3, 31))
        d = task(people, "完成决算报告", "财务处", dt.date(2026, 12, 31))
    with at(2026, 3, 20):
        closed_task(a)
    with at(2026, 5, 10):
        closed_task(b)
    return {"a": a, "b": b, "c": c, "d": d}


def rate(people, **kw):
    with at(2026, 7, 1):
        return performance_rate(
            actor=people("affairsoffice"),
            year=2026,
            period_end=dt.date(2026, 6, 30),
            title="2026年上半年绩效考评",
            **kw,
        )


def test_ranks_share_equal_scores():
    assert ranks([80, 90, 80, 70]) == [2, 1, 2, 4]


def test_each_department_is_scored_from_its_tasks_and_ranked(people, year):
    rating = rate(people)

    scores = {s.department.name: s for s in DepartmentScore.objects.filter(rating=rating)}
    assert {n: (str(s.score), s.rank, s.tasks) for n, s in scores.items()} == {
        "教务处": ("85.0", 1, 2),
        "财务处": ("40.0", 2, 1),
    }
    lines = {(x.task_id, x.outcome, x.points) for x in ScoreLine.objects.filter(score__rating=rating)}
    assert lines == {(year["a"].pk, "on_time", 100), (year["b"].pk, "late", 70), (year["c"].pk, "overdue", 40)}
    assert AuditEvent.objects.get(verb="performance.rate").target_id == rating.pk
    assert rating.published_at is None


@pytest.mark.parametrize("username", ["partyoffice", "discipline", "depthead", "secretary"])
def test_only_the_school_affairs_office_rates(people, year, username):
    with pytest.raises(InvalidTransition) as caught, at(2026, 7, 1):
        performance_rate(actor=people(username), year=2026, period_end=dt.date(2026, 6, 30), title="考评")
    assert caught.value.status == 403 and "校务办" in caught.value.reason
    assert not PerformanceRating.objects.exists()


def test_a_period_rated_twice_or_to_come_is_refused(people, year):
    rate(people)
    with pytest.raises(InvalidTransition, match="已做过"):
        rate(people)
    with pytest.raises(InvalidTransition, match="不能晚于今天"), at(2026, 7, 1):
        performance_rate(actor=people("affairsoffice"), year=2026, period_end=dt.date(2026, 8, 1), title="考评")


def test_publishing_tells_the_leaders_once(people, year, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""  # the on-commit job runs here, in this process
    rating = rate(people)
    with django_capture_on_commit_callbacks(execute=True), at(2026, 7, 2):
        performance_publish(actor=people("affairsoffice"), rating_id=rating.pk)
    rating.refresh_from_db()
    assert rating.published_at is not None
    told = set(
        Notification.objects.filter(key=f"performance:{rating.pk}").values_list("recipient__username", flat=True)
    )
    assert {"secretary", "principal", "discipline"} <= told and "staff" not in told
    with pytest.raises(InvalidTransition, match="已发布"), transaction.atomic():
        performance_publish(actor=people("affairsoffice"), rating_id=rating.pk)
    with pytest.raises(InvalidTransition) as caught:
        performance_publish(actor=people("secretary"), rating_id=rating.pk)
    assert caught.value.status == 403


# --- pages -------------------------------------------------------------------------------------


def test_the_office_rates_and_publishes_from_the_pages(client, people, year):
    client.force_login(people("affairsoffice"))
    with at(2026, 7, 1):
        r = client.post("/performance/", {"year": 2026, "period_end": "2026-06-30", "title": "上半年考评", "note": ""})
        assert r.status_code == 302
        rating = PerformanceRating.objects.get()
        html = client.get(f"/performance/{rating.pk}/").content.decode()
        assert html.count('data-testid="score-row"') == 2 and "85.0" in html
        assert client.post(f"/performance/{rating.pk}/publish/").status_code == 302
    rating.refresh_from_db()
    assert rating.published_at is not None


def test_leaders_read_only_published_ratings_and_each_score_traces_to_its_tasks(client, people, year):
    rating = rate(people)
    client.force_login(people("secretary"))
    assert client.get(f"/performance/{rating.pk}/").status_code == 404
    performance_publish(actor=people("affairsoffice"), rating_id=rating.pk)
    edu = Department.objects.get(name="教务处")
    html = client.get(f"/performance/{rating.pk}/departments/{edu.pk}/").content.decode()
    assert "修订人才培养方案" in html and "完成课程思政示范课评选" in html
    assert html.count('data-testid="line"') == 2


def test_a_reader_who_may_not_publish_is_refused_with_the_reason(client, people, year):
    rating = rate(people)
    performance_publish(actor=people("affairsoffice"), rating_id=rating.pk)
    rating.refresh_from_db()
    published_at = rating.published_at
    client.force_login(people("secretary"))
    r = client.post(f"/performance/{rating.pk}/publish/")
    assert r.status_code == 403 and "只有校务办可以发布部门绩效考评" in r.content.decode()
    rating.refresh_from_db()
    assert rating.published_at == published_at


def test_a_department_head_reads_only_his_own_line_and_plan(client, people, year):
    rating = rate(people)
    performance_publish(actor=people("affairsoffice"), rating_id=rating.pk)
    client.force_login(people("finance"))
    html = client.get(f"/performance/{rating.pk}/").content.decode()
    assert "财务处" in html and "教务处" not in html
    edu, fin = Department.objects.get(name="教务处"), Department.objects.get(name="财务处")
    assert client.get(f"/performance/{rating.pk}/departments/{edu.pk}/").status_code == 404
    assert client.get(f"/performance/plan/{edu.pk}/").status_code == 403
    with at(2026, 7, 1):
        html = client.get(f"/performance/plan/{fin.pk}/?year=2026").content.decode()
    assert html.count('data-testid="plan-line"') == 2 and "逾期未办结" in html


def test_staff_are_refused(client, people):
    client.force_login(people("staff"))
    assert client.get("/performance/").status_code == 403
