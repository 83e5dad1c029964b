"""督查任务 pages (/supervision/): who gets which page, the forms through HTTP, the bulk actions,
evidence downloads, and constant query counts on the list and track pages.

The expected statuses are written from DOMAIN.md （四督查， Visibility） and the demo school
(demo/people.py), not from running the code:

- a task that is not confidential is seen by every leader （纪委书记 included）， the two offices,
  the administrator, the lead department's head and staff, and the item's submitter; anyone
  else gets 404 (its existence is not told); a confidential one by the responsible leader, the
  lead department's head, the track's supervisor and the resolution meeting's attendees;
- a track page by that track's supervisor （纪委： task; 校务办： performance, project;
  党委办公室： branch) and, read-only, by the leaders; 403 for everyone else;
- the 待我审核 tab for supervisors only; the new-task page for the assigners （党委办公室， 校务办，
  纪委）； the report form for the lead department's head, the review for the track's supervisor.
"""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from decisions.models import State
from org.models import Department, User
from supervision import services
from supervision.models import Evidence, Follow, Letter, Milestone, ProgressReport, ReportReview, Task, TaskEscalation
from tests.factories import at_state, evidence_file, reported_task, resolution_task

ANON = "anonymous"
LEADERS = {"secretary", "principal", "member1", "member2", "vice", "discipline"}
OFFICES = {"partyoffice", "affairsoffice"}
USERS = LEADERS | OFFICES | {"depthead", "staff", "finance", "dean", "teacher", "admin"}
# Task A: track "task", 教务处 leads, member1 responsible, from a PC resolution on staff's item.
SEES_A = LEADERS | OFFICES | {"depthead", "staff", "admin"}
# Task C: confidential, track "task", 财务处 leads, member1 responsible, from a confidential PC
# resolution on staff's item: member1, finance (head of 财务处), discipline (supervisor and
# observer), those who attend the PC (secretary, principal, member2, and the party office, its
# meeting secretary, as for the confidential item itself). Not vice, not staff.
SEES_C = {"secretary", "principal", "member1", "member2", "discipline", "finance", "partyoffice"}
ASSIGNERS = {"partyoffice", "affairsoffice", "discipline"}
SUPERVISORS = {"task": {"discipline"}, "performance": {"affairsoffice"}, "project": {"affairsoffice"}}
SUPERVISORS["branch"] = {"partyoffice"}

TODAY = timezone.localdate


def days(n: int) -> dt.date:
    return TODAY() + dt.timedelta(days=n)


@pytest.fixture
def world(people):
    item = at_state(State.RESOLVED, submitter=people("staff"))
    resolution = item.resolutions.get()
    a = resolution_task(resolution, milestones=[("制定方案", days(10), 1), ("组织实施", days(20), 3)])
    secret_item = at_state(State.RESOLVED, submitter=people("staff"), confidential=True)
    c = resolution_task(secret_item.resolutions.get(), department="财务处", title="涉密整改")
    return SimpleNamespace(item=item, resolution=resolution, a=a, c=c, secret_item=secret_item)


def client_for(client, people, username: str):
    if username != ANON:
        client.force_login(people(username))
    return client


def expect(client, people, url: str, matrix: dict[int, set[str]]):
    """Every account (and an anonymous visitor) against `url`; returns the wrong cells."""
    wrong = []
    for status, users in matrix.items():
        for username in users:
            client.logout()
            response = client_for(client, people, username).get(url)
            if response.status_code != status:
                wrong.append((username, status, response.status_code))
    client.logout()
    response = client.get(url)
    if response.status_code != 302 or "/login/" not in response["Location"]:
        wrong.append((ANON, 302, response.status_code))
    return wrong


# --- who gets which page ---------------------------------------------------------------------------


def test_the_list_opens_for_everyone_logged_in_and_shows_only_what_they_see(client, people, world):
    assert expect(client, people, "/supervision/?tab=all", {200: USERS}) == []
    for username in USERS:
        client.force_login(people(username))
        html = client.get("/supervision/?tab=all").content.decode()
        assert (world.a.title in html) == (username in SEES_A), username
        assert (world.c.title in html) == (username in SEES_C), username


def test_the_review_tab_is_for_supervisors(client, people, world):
    supervisors = {"discipline", "affairsoffice", "partyoffice"}
    assert expect(client, people, "/supervision/?tab=review", {200: supervisors, 403: USERS - supervisors}) == []


def test_my_tasks_are_those_of_departments_i_head_or_lead(client, people, world):
    for username, sees in [("depthead", True), ("member1", True), ("finance", False), ("discipline", False)]:
        client.force_login(people(username))
        html = client.get("/supervision/?tab=mine").content.decode()
        assert (world.a.title in html) == sees, username
    client.force_login(people("finance"))
    assert world.c.title in client.get("/supervision/?tab=mine").content.decode()


def test_the_task_page_is_for_those_who_see_the_task(client, people, world):
    assert expect(client, people, f"/supervision/tasks/{world.a.pk}/", {200: SEES_A, 404: USERS - SEES_A}) == []
    assert expect(client, people, f"/supervision/tasks/{world.c.pk}/", {200: SEES_C, 404: USERS - SEES_C}) == []
    client.force_login(people("secretary"))
    assert client.get("/supervision/tasks/999999/").status_code == 404


@pytest.mark.parametrize("track", ["task", "performance", "project", "branch"])
def test_a_track_page_is_for_its_supervisors_and_for_leaders_to_read(client, people, world, track):
    allowed = SUPERVISORS[track] | LEADERS
    assert expect(client, people, f"/supervision/track/{track}/", {200: allowed, 403: USERS - allowed}) == []


@pytest.mark.parametrize("action", ["report", "review", "urge", "escalate"])
def test_the_task_actions_take_only_posts(client, people, world, action):
    client.force_login(people("discipline"))
    assert client.get(f"/supervision/tasks/{world.a.pk}/{action}/").status_code == 405


def test_an_unknown_track_is_not_found(client, people, world):
    client.force_login(people("discipline"))
    assert client.get("/supervision/track/nonsense/").status_code == 404


def test_leaders_read_a_track_without_the_bulk_actions(client, people, world):
    client.force_login(people("secretary"))
    html = client.get("/supervision/track/task/").content.decode()
    assert 'data-testid="read-only"' in html
    assert 'name="tasks"' not in html
    client.force_login(people("discipline"))
    html = client.get("/supervision/track/task/").content.decode()
    assert f'name="tasks" value="{world.a.pk}"' in html


def test_the_new_task_page_is_for_assigners(client, people, world):
    url = f"/supervision/new/?resolution={world.resolution.pk}"
    assert expect(client, people, url, {200: ASSIGNERS, 403: USERS - ASSIGNERS}) == []
    client.force_login(people("discipline"))
    page = client.get(url).content.decode()
    assert world.resolution.number in page
    assert f'value="{world.item.title}"' in page  # the title is prefilled from the resolution
    assert client.get("/supervision/new/?resolution=999999").status_code == 404
    assert client.get("/supervision/new/").status_code == 400


def test_a_task_from_a_letter_is_handed_out_by_those_who_read_the_mailbox(client, people, world):
    letter = services.letter_write(actor=people("teacher"), subject="实训楼照明不足", body="三楼走廊灯坏了。")
    url = f"/supervision/new/?letter={letter.pk}"
    # The mailbox is read by the secretary and the party office; the writer sees it but may not assign.
    readers = {"secretary", "partyoffice"}
    assert expect(client, people, url, {200: readers, 403: {"teacher"}, 404: USERS - readers - {"teacher"}}) == []
    client.force_login(people("partyoffice"))
    response = client.post(
        url,
        {
            "track": "task",
            "title": "实训楼走廊照明整改",
            "lead_department": Department.objects.get(name="智能制造学院").pk,
            "responsible_leader": people("vice").pk,
            "deadline": days(14).isoformat(),
            **management_form(),
        },
    )
    task = Task.objects.get(title="实训楼走廊照明整改")
    assert response.status_code == 302 and response["Location"] == f"/supervision/tasks/{task.pk}/"
    assert task.source == Task.Source.LETTER and task.letter == letter


def test_a_task_from_a_patrol_finding_is_handed_out_by_its_leader_or_an_assigner(client, people, world):
    finding = services.finding_record(
        actor=people("vice"),
        patrolled_on=TODAY(),
        place="实训楼三楼",
        text="消防通道堆放杂物\n需要清理",
        department_id=Department.objects.get(name="智能制造学院").pk,
    )
    url = f"/supervision/new/?finding={finding.pk}"
    allowed = ASSIGNERS | {"vice"}
    assert expect(client, people, url, {200: allowed, 403: USERS - allowed}) == []
    client.force_login(people("vice"))
    page = client.get(url).content.decode()
    assert 'value="消防通道堆放杂物"' in page  # the finding's first line
    data = task_data(people, title="清理消防通道", track="task", lead_department=finding.department_id)
    response = client.post(url, {k: v for k, v in data.items() if not k.startswith("m-")} | management_form())
    task = Task.objects.get(title="清理消防通道")
    assert response.status_code == 302 and task.finding == finding and task.source == Task.Source.PATROL


def test_evidence_downloads_only_for_those_who_see_the_task(client, people, world):
    services.task_report(
        actor=people("depthead"), task_id=world.a.pk, text="方案已制定", files=[evidence_file("实施方案.pdf")]
    )
    evidence = Evidence.objects.get()
    url = f"/supervision/evidence/{evidence.pk}/"
    assert expect(client, people, url, {200: SEES_A, 404: USERS - SEES_A}) == []
    client.force_login(people("depthead"))
    response = client.get(url)
    assert b"".join(response.streaming_content) == b"%PDF-1.4 evidence"
    assert "attachment" in response["Content-Disposition"]


# --- the list ----------------------------------------------------------------------------------------


def test_a_row_shows_the_overdue_badge_progress_and_waiting_report(client, people, world):
    reported_task(world.a)
    Task.objects.filter(pk=world.a.pk).update(deadline=days(-3))  # time has passed the deadline
    Milestone.objects.filter(task=world.a, title="组织实施").update(done_at=timezone.now())
    client.force_login(people("discipline"))
    html = client.get("/supervision/?tab=review").content.decode()
    assert world.a.title in html
    assert "已逾期" in html
    assert 'value="75"' in html  # 3 of 4 weight done
    assert 'data-testid="waiting"' in html
    assert world.c.title not in html  # nothing waits on it


def test_filters_and_live_search(client, people, world):
    Task.objects.filter(pk=world.a.pk).update(deadline=days(-1))
    client.force_login(people("discipline"))
    html = client.get("/supervision/?tab=all&overdue=on").content.decode()
    assert world.a.title in html and world.c.title not in html
    finance = Department.objects.get(name="财务处").pk
    html = client.get(f"/supervision/?tab=all&department={finance}").content.decode()
    assert world.c.title in html and world.a.title not in html
    html = client.get("/supervision/?tab=all&state=closed").content.decode()
    assert 'data-testid="empty"' in html

    response = client.get("/supervision/?tab=all&q=涉密", headers={"HX-Request": "true", "HX-Target": "results"})
    html = response.content.decode()
    assert "<html" not in html and 'id="results"' in html
    assert world.c.title in html and world.a.title not in html


def test_an_unknown_filter_value_is_ignored(client, people, world):
    client.force_login(people("discipline"))
    response = client.get("/supervision/?tab=all&state=bogus&department=abc&track=x")
    assert response.status_code == 200
    assert world.a.title in response.content.decode()


# --- the report form -------------------------------------------------------------------------------


def test_the_department_head_reports_with_evidence_and_asks_for_closure(client, people, world):
    client.force_login(people("depthead"))
    page = client.get(f"/supervision/tasks/{world.a.pk}/").content.decode()
    assert 'data-testid="report-form"' in page and 'data-testid="review-form"' not in page
    response = client.post(
        f"/supervision/tasks/{world.a.pk}/report/",
        {"text": "全部完成", "is_final": "on", "files": [evidence_file("总结.pdf"), evidence_file("照片.pdf")]},
    )
    assert response.status_code == 302
    world.a.refresh_from_db()
    assert world.a.state == Task.State.REPORTED
    report = ProgressReport.objects.get(task=world.a)
    assert report.is_final and report.evidence.count() == 2
    page = client.get(f"/supervision/tasks/{world.a.pk}/").content.decode()
    assert "总结.pdf" in page and "办结报告已报送" in page
    assert 'data-testid="report-form"' not in page  # one report waits at a time


def test_a_refused_report_is_shown_with_its_reason_and_keeps_what_was_typed(client, people, world):
    client.force_login(people("depthead"))
    milestone = world.a.milestones.get(title="制定方案")
    response = client.post(
        f"/supervision/tasks/{world.a.pk}/report/",
        {"text": "已完成全部工作，请审核。", "is_final": "on", "milestones": [milestone.pk]},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "申请办结须上传佐证材料" in html
    assert "已完成全部工作，请审核。" in html
    assert f'value="{milestone.pk}"' in html and "checked" in html
    assert not ProgressReport.objects.exists()


def test_only_the_lead_department_head_reports(client, people, world):
    client.force_login(people("staff"))  # 教务处 staff see the task
    page = client.get(f"/supervision/tasks/{world.a.pk}/").content.decode()
    assert 'data-testid="report-form"' not in page
    response = client.post(f"/supervision/tasks/{world.a.pk}/report/", {"text": "进展"})
    assert response.status_code == 403
    assert "只有牵头部门负责人可以报送进展" in response.content.decode()
    client.force_login(people("finance"))
    assert client.post(f"/supervision/tasks/{world.a.pk}/report/", {"text": "进展"}).status_code == 404
    assert not ProgressReport.objects.exists()


def test_reported_milestones_are_done_when_the_report_is_accepted(client, people, world):
    milestone = world.a.milestones.get(title="组织实施")
    client.force_login(people("depthead"))
    client.post(f"/supervision/tasks/{world.a.pk}/report/", {"text": "实施完成", "milestones": [milestone.pk]})
    report = ProgressReport.objects.get()
    client.force_login(people("discipline"))
    response = client.post(
        f"/supervision/tasks/{world.a.pk}/review/",
        {"report": report.pk, "decision": "accept", "comment": "继续推进", "rating": "good"},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_at is not None
    page = client.get(f"/supervision/tasks/{world.a.pk}/").content.decode()
    assert 'value="75"' in page and "良好" in page and "继续推进" in page


# --- the review form -------------------------------------------------------------------------------


def test_the_supervisor_closes_a_final_report(client, people, world, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""  # the on-commit jobs run here, in this process
    reported_task(world.a, final=True)
    report = ProgressReport.objects.get()
    client.force_login(people("discipline"))
    page = client.get(f"/supervision/tasks/{world.a.pk}/").content.decode()
    assert 'data-testid="review-form"' in page
    assert f'name="report" value="{report.pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/supervision/tasks/{world.a.pk}/review/",
            {"report": report.pk, "decision": "close", "comment": "同意办结", "rating": "excellent"},
        )
    assert response.status_code == 302
    world.a.refresh_from_db()
    world.item.refresh_from_db()
    assert world.a.state == Task.State.CLOSED
    assert world.item.state == State.CLOSED  # its only task closed
    assert people("depthead").notifications.filter(route="supervision:detail", args=[world.a.pk]).exists()
    page = client.get(f"/supervision/tasks/{world.a.pk}/").content.decode()
    assert "已办结" in page and 'value="100"' in page and "同意办结" in page


def test_a_stale_review_is_refused_with_409(client, people, world):
    reported_task(world.a)
    first = ProgressReport.objects.get()
    services.task_review(actor=people("discipline"), task_id=world.a.pk, decision="accept", comment="")
    reported_task(world.a, text="第二次进展")
    client.force_login(people("discipline"))
    # A page loaded before the first review still carries the first report's id.
    response = client.post(
        f"/supervision/tasks/{world.a.pk}/review/", {"report": first.pk, "decision": "accept", "comment": "可以"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "待审核的报告已变化" in html
    assert ReportReview.objects.count() == 1
    # The page shown again keeps the comment and now answers the report that waits.
    second = ProgressReport.objects.latest("id")
    assert f'name="report" value="{second.pk}"' in html and "可以</textarea>" in html


def test_a_review_after_someone_else_reviewed_is_refused_with_409(client, people, world):
    reported_task(world.a)
    report = ProgressReport.objects.get()
    services.task_review(actor=people("discipline"), task_id=world.a.pk, decision="accept")
    client.force_login(people("discipline"))
    response = client.post(f"/supervision/tasks/{world.a.pk}/review/", {"report": report.pk, "decision": "close"})
    assert response.status_code == 409
    assert "不能执行此操作" in response.content.decode()


def test_a_return_needs_a_comment_and_keeps_the_rating_chosen(client, people, world):
    reported_task(world.a)
    report = ProgressReport.objects.get()
    client.force_login(people("discipline"))
    response = client.post(
        f"/supervision/tasks/{world.a.pk}/review/", {"report": report.pk, "decision": "return", "rating": "fail"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "退回须写明需补充的内容" in html
    assert '<option value="fail" selected>' in html
    world.a.refresh_from_db()
    assert world.a.state == Task.State.REPORTED


def test_only_the_tracks_supervisor_reviews(client, people, world):
    reported_task(world.a)
    report = ProgressReport.objects.get()
    client.force_login(people("affairsoffice"))  # supervises performance and projects, not this track
    page = client.get(f"/supervision/tasks/{world.a.pk}/").content.decode()
    assert 'data-testid="review-form"' not in page
    response = client.post(f"/supervision/tasks/{world.a.pk}/review/", {"report": report.pk, "decision": "accept"})
    assert response.status_code == 403
    assert "只有本类督查的督查部门可以审核" in response.content.decode()


# --- urging, escalating, following -----------------------------------------------------------------


def test_the_supervisor_urges_once_a_day(client, people, world):
    client.force_login(people("discipline"))
    response = client.post(f"/supervision/tasks/{world.a.pk}/urge/", {"note": "请加快进度"}, follow=True)
    assert "已催办，提醒 2 人" in response.content.decode()
    response = client.post(f"/supervision/tasks/{world.a.pk}/urge/", {}, follow=True)
    assert "今天已催办过" in response.content.decode()
    client.force_login(people("depthead"))
    assert client.post(f"/supervision/tasks/{world.a.pk}/urge/", {}).status_code == 403


def test_the_supervisor_escalates_with_a_reason(client, people, world):
    client.force_login(people("discipline"))
    response = client.post(f"/supervision/tasks/{world.a.pk}/escalate/", {"reason": ""})
    assert response.status_code == 400
    assert "督办升级须写明理由" in response.content.decode()
    response = client.post(f"/supervision/tasks/{world.a.pk}/escalate/", {"reason": "两次催办无进展"})
    assert response.status_code == 302
    world.a.refresh_from_db()
    assert world.a.escalation_level == 3
    page = client.get(f"/supervision/tasks/{world.a.pk}/").content.decode()
    assert "两次催办无进展" in page and 'data-testid="escalate"' not in page
    response = client.post(f"/supervision/tasks/{world.a.pk}/escalate/", {"reason": "再次"})
    assert response.status_code == 409 and "该任务已升级督办" in response.content.decode()


def test_someone_who_sees_the_task_follows_and_unfollows_its_item(client, people, world):
    client.force_login(people("depthead"))
    page = client.get(f"/supervision/tasks/{world.a.pk}/").content.decode()
    assert 'data-testid="follow"' in page
    url = f"/supervision/follow/{world.item.pk}/"
    response = client.post(url, {"follow": "1", "next": f"/supervision/tasks/{world.a.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/supervision/tasks/{world.a.pk}/"
    assert Follow.objects.filter(item=world.item, person__username="depthead").exists()
    assert 'data-testid="unfollow"' in client.get(f"/supervision/tasks/{world.a.pk}/").content.decode()

    response = client.post(url, {"follow": "0"}, headers={"HX-Request": "true"})
    assert 'data-testid="follow"' in response.content.decode() and "<html" not in response.content.decode()
    assert not Follow.objects.filter(person__username="depthead").exists()


def test_following_an_item_one_cannot_see_is_not_found(client, people, world):
    client.force_login(people("teacher"))
    response = client.post(f"/supervision/follow/{world.item.pk}/", {"follow": "1"})
    assert response.status_code == 404
    assert not Follow.objects.exists()
    assert client.get(f"/supervision/tasks/{world.a.pk}/").status_code == 404  # still unseen
    assert client.post("/supervision/follow/999999/", {"follow": "1"}).status_code == 404


def test_the_task_page_shows_source_and_history(client, people, world):
    reported_task(world.a)
    client.force_login(people("secretary"))
    page = client.get(f"/supervision/tasks/{world.a.pk}/").content.decode()
    assert f'href="/items/{world.item.pk}/"' in page and world.resolution.number in page
    assert "下达任务" in page and "报送进展" in page
    assert "制定方案" in page
    assert 'data-testid="no-actions"' in page  # a leader reads


def test_a_confidential_tasks_item_title_is_shown_only_to_those_who_see_the_item(client, people, world):
    client.force_login(people("finance"))  # leads the task, does not see the PC item
    page = client.get(f"/supervision/tasks/{world.c.pk}/").content.decode()
    assert world.secret_item.title not in page
    assert world.secret_item.resolutions.get().number in page
    client.force_login(people("member1"))
    page = client.get(f"/supervision/tasks/{world.c.pk}/").content.decode()
    assert world.secret_item.title in page


# --- new task ------------------------------------------------------------------------------------


def management_form(prefix: str = "m", total: int = 5) -> dict:
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "5"}


def task_data(people, **overrides) -> dict:
    data = {
        "track": "project",
        "title": "实训基地二期建设",
        "description": "按决议完成二期建设",
        "lead_department": Department.objects.get(name="信息中心").pk,
        "responsible_leader": people("vice").pk,
        "deadline": days(60).isoformat(),
        **management_form(),
        "m-0-title": "完成招标",
        "m-0-due": days(20).isoformat(),
        "m-0-weight": "1",
        "m-1-title": "设备安装",
        "m-1-due": days(50).isoformat(),
        "m-1-weight": "2",
    }
    data.update(overrides)
    return data


def test_an_assigner_hands_out_a_task_with_milestones(client, people, world):
    client.force_login(people("affairsoffice"))
    response = client.post(f"/supervision/new/?resolution={world.resolution.pk}", task_data(people))
    task = Task.objects.get(title="实训基地二期建设")
    assert response.status_code == 302 and response["Location"] == f"/supervision/tasks/{task.pk}/"
    assert [m.title for m in task.milestones.all()] == ["完成招标", "设备安装"]
    assert task.resolution == world.resolution and task.created_by == people("affairsoffice")
    page = client.get(response["Location"]).content.decode()
    assert "督查任务已下达" in page


def test_a_refused_task_is_shown_with_its_reason_and_keeps_what_was_typed(client, people, world):
    client.force_login(people("affairsoffice"))
    data = task_data(people, deadline=days(-1).isoformat(), title="逾期的任务")
    response = client.post(f"/supervision/new/?resolution={world.resolution.pk}", data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "完成时限不能早于今天" in html
    assert 'value="逾期的任务"' in html and 'value="完成招标"' in html
    assert not Task.objects.filter(title="逾期的任务").exists()


def test_a_milestone_needs_a_due_date(client, people, world):
    client.force_login(people("discipline"))
    data = task_data(people, **{"m-0-due": ""})
    response = client.post(f"/supervision/new/?resolution={world.resolution.pk}", data)
    assert response.status_code == 400
    assert "请填写节点时限" in response.content.decode()


def test_the_responsible_leader_must_be_a_leader(client, people, world):
    client.force_login(people("discipline"))
    response = client.post(
        f"/supervision/new/?resolution={world.resolution.pk}", task_data(people, responsible_leader=people("staff").pk)
    )
    assert response.status_code == 400
    assert not Task.objects.filter(title="实训基地二期建设").exists()


# --- bulk actions ----------------------------------------------------------------------------------


def test_bulk_accept_asks_first_then_reports_each_refusal(client, people, world):
    b = resolution_task(world.resolution, title="第二项任务")
    reported_task(world.a)
    client.force_login(people("discipline"))
    url = "/supervision/track/task/bulk/"

    response = client.post(url, {"action": "accept", "tasks": [world.a.pk, b.pk], "comment": "继续推进"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="bulk-confirm"' in html and world.a.title in html and "第二项任务" in html
    world.a.refresh_from_db()
    assert world.a.state == Task.State.REPORTED  # nothing happens before the confirmation

    seen = dict(re.findall(r'name="(report_\d+)" value="(\d+)"', html))
    assert seen == {f"report_{world.a.pk}": str(world.a.reports.get().pk), f"report_{b.pk}": "0"}

    response = client.post(
        url,
        {"action": "accept", "tasks": [world.a.pk, b.pk], "comment": "继续推进", "confirm": "1", **seen},
        follow=True,
    )
    html = response.content.decode()
    assert "已处理 1 项" in html
    assert "未处理“第二项任务”" in html and "不能执行此操作" in html
    world.a.refresh_from_db()
    assert world.a.state == Task.State.IN_PROGRESS


def test_bulk_accept_refuses_a_report_that_arrived_after_the_confirmation(client, people, world):
    reported_task(world.a, text="第一份报告")
    client.force_login(people("discipline"))
    url = "/supervision/track/task/bulk/"
    html = client.post(url, {"action": "accept", "tasks": [world.a.pk]}).content.decode()
    seen = dict(re.findall(r'name="(report_\d+)" value="(\d+)"', html))
    # Meanwhile the report is returned on the task page and the department reports again.
    services.task_review(actor=people("discipline"), task_id=world.a.pk, decision="return", comment="请补充")
    reported_task(world.a, text="第二份报告，尚未看过")

    response = client.post(url, {"action": "accept", "tasks": [world.a.pk], "confirm": "1", **seen}, follow=True)

    assert "已处理 0 项" in response.content.decode() and "待审核的报告已变化" in response.content.decode()
    world.a.refresh_from_db()
    assert world.a.state == Task.State.REPORTED


def test_bulk_escalation_needs_a_reason(client, people, world):
    client.force_login(people("discipline"))
    response = client.post(
        "/supervision/track/task/bulk/", {"action": "escalate", "tasks": [world.a.pk], "confirm": "1"}
    )
    assert response.status_code == 400
    assert "升级督办须写明理由" in response.content.decode()
    assert not TaskEscalation.objects.exists()
    response = client.post(
        "/supervision/track/task/bulk/",
        {"action": "escalate", "tasks": [world.a.pk], "comment": "长期未报送", "confirm": "1"},
        follow=True,
    )
    assert "已处理 1 项" in response.content.decode()
    assert TaskEscalation.objects.get().reason == "长期未报送"


def test_bulk_actions_are_for_the_tracks_supervisor_only(client, people, world):
    data = {"action": "urge", "tasks": [world.a.pk], "confirm": "1"}
    client.force_login(people("secretary"))  # reads the track
    assert client.post("/supervision/track/task/bulk/", data).status_code == 403
    client.force_login(people("affairsoffice"))
    assert client.post("/supervision/track/task/bulk/", data).status_code == 403
    # A task of another track is no choice on this track's page.
    assert client.post("/supervision/track/performance/bulk/", data).status_code == 400
    client.force_login(people("depthead"))
    assert client.post("/supervision/track/task/bulk/", data).status_code == 403
    assert not TaskEscalation.objects.exists()


def test_bulk_without_a_ticked_task_says_so(client, people, world):
    client.force_login(people("discipline"))
    response = client.post("/supervision/track/task/bulk/", {"action": "urge"})
    assert response.status_code == 400
    assert "请先勾选任务" in response.content.decode()


# --- track pages -----------------------------------------------------------------------------------


def test_the_performance_track_sums_up_each_department(client, people, world):
    perf = [
        resolution_task(world.resolution, track="performance", department="财务处", title=f"绩效{i}") for i in range(3)
    ]
    reported_task(perf[0], final=True)
    services.task_review(
        actor=people("affairsoffice"), task_id=perf[0].pk, decision="close", rating="excellent", comment="好"
    )
    Task.objects.filter(pk=perf[1].pk).update(deadline=days(-2))
    client.force_login(people("affairsoffice"))
    html = client.get("/supervision/track/performance/").content.decode()
    assert 'data-testid="department-summary"' in html
    row = html.split('data-testid="department-row"')[1].split("</tr>")[0]
    assert "财务处" in row
    cells = [c.split(">", 1)[1].split("<")[0] for c in row.split("<td")[2:5]]
    assert cells == ["3", "1", "1"]  # tasks, closed, closed on time
    assert '<span class="badge bg-danger">1</span>' in row  # overdue
    assert "优秀 1" in row
    assert 'data-testid="count-overdue"' in html


def test_the_track_page_searches_live(client, people, world):
    resolution_task(world.resolution, title="教材选用专项督查")
    client.force_login(people("discipline"))
    response = client.get("/supervision/track/task/?q=教材", headers={"HX-Request": "true", "HX-Target": "results"})
    html = response.content.decode()
    assert "<html" not in html and 'data-testid="bulk-form"' in html
    assert "教材选用专项督查" in html and world.a.title not in html


def test_the_project_track_shows_milestones(client, people, world):
    resolution_task(world.resolution, track="project", title="智慧教室建设", milestones=[("完成招标", days(5), 1)])
    client.force_login(people("affairsoffice"))
    html = client.get("/supervision/track/project/").content.decode()
    assert 'data-testid="milestones"' in html and "完成招标" in html


# --- query counts ----------------------------------------------------------------------------------


def make_tasks(people, n: int, *, track: str = "performance") -> list[Task]:
    """n tasks over four departments, each with two milestones and a reviewed, rated report.
    Built with bulk_create: the pages only read them."""
    letter = Letter.objects.first() or services.letter_write(actor=people("staff"), subject="建议", body="内容")
    departments = list(Department.objects.filter(name__in=["教务处", "财务处", "信息中心", "智能制造学院"]))
    leader = people("member1")
    start = Task.objects.count()
    tasks = Task.objects.bulk_create(
        [
            Task(
                track=track,
                source=Task.Source.LETTER,
                letter=letter,
                title=f"批量任务{start + i:03d}",
                lead_department=departments[i % 4],
                responsible_leader=leader,
                deadline=days(i - n // 2),
                state=Task.State.IN_PROGRESS,
            )
            for i in range(n)
        ]
    )
    Milestone.objects.bulk_create(
        [Milestone(task=t, title=f"节点{k}", due=t.deadline, weight=k + 1) for t in tasks for k in range(2)]
    )
    head = people("depthead")
    reports = ProgressReport.objects.bulk_create([ProgressReport(task=t, author=head, text="进展") for t in tasks])
    ReportReview.objects.bulk_create(
        [ReportReview(report=r, reviewer=people("affairsoffice"), decision="accept", rating="good") for r in reports]
    )
    return tasks


def queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


# Every logged-in page makes 7 queries first (tests/test_query_counts.py: session, user, role
# assignments, unread notifications, screening and consultation badges, chaired bodies), and one
# more for a department head (the review badge): 校务办's director heads 校务办公室.
COMMON = 7
HEAD = 1


def test_the_list_costs_the_same_queries_at_3_and_30_tasks(client, people, school, django_assert_max_num_queries):
    client.force_login(people("affairsoffice"))
    make_tasks(people, 3)
    small, html = queries(client, "/supervision/?tab=all")
    assert html.count('data-testid="task-row"') == 3
    make_tasks(people, 27)
    # COMMON, + the departments of the filter, + the page's count, + the page's rows (with
    # department, leader, progress and the waiting report in one query).
    with django_assert_max_num_queries(COMMON + HEAD + 3):
        large, html = queries(client, "/supervision/?tab=all")
    assert html.count('data-testid="task-row"') == 20
    assert small == large


def test_the_track_page_costs_the_same_queries_at_3_and_30_tasks(client, people, school, django_assert_max_num_queries):
    client.force_login(people("affairsoffice"))
    make_tasks(people, 3)
    small, html = queries(client, "/supervision/track/performance/")
    assert html.count('data-testid="task-row"') == 3
    make_tasks(people, 27)
    # COMMON, + counts by state, + overdue count, + the department summary, + the ratings,
    # + the departments of the filter, + the page's count, + the page's rows.
    with django_assert_max_num_queries(COMMON + HEAD + 7):
        large, html = queries(client, "/supervision/track/performance/")
    assert html.count('data-testid="task-row"') == 20
    assert small == large


def test_the_project_track_costs_the_same_queries_at_3_and_30_tasks(client, people, school):
    client.force_login(people("affairsoffice"))
    make_tasks(people, 3, track="project")
    small, _ = queries(client, "/supervision/track/project/")
    make_tasks(people, 27, track="project")
    large, html = queries(client, "/supervision/track/project/")
    assert html.count('data-testid="milestones"') == 20
    assert small == large


def test_demo_accounts_exist(school):
    # The matrices above name these accounts: a renamed demo account would make them pass vacuously.
    assert set(User.objects.values_list("username", flat=True)) >= USERS


def test_every_view_of_a_confidential_task_is_on_record(client, people, world):
    from core.models import AuditEvent

    def views(task):
        return AuditEvent.objects.filter(verb="task.view", target_type="supervision.task", target_id=task.pk)

    client.force_login(people("member1"))
    assert client.get(f"/supervision/tasks/{world.c.pk}/").status_code == 200
    assert client.get(f"/supervision/tasks/{world.a.pk}/").status_code == 200
    assert list(views(world.c).values_list("actor__username", flat=True)) == ["member1"]
    assert not views(world.a).exists()
    client.force_login(people("vice"))  # may not see it: a 404, and nothing said about it
    assert client.get(f"/supervision/tasks/{world.c.pk}/").status_code == 404
    assert views(world.c).count() == 1


def test_the_item_page_loads_its_supervision_section(client, people, world):
    client.force_login(people("staff"))
    page = client.get(f"/items/{world.item.pk}/").content.decode()
    assert f'hx-get="/supervision/item/{world.item.pk}/"' in page

    html = client.get(f"/supervision/item/{world.item.pk}/").content.decode()
    assert world.a.title in html and world.resolution.number in html
    assert 'data-testid="resolution-to-task"' not in html  # staff do not assign
    assert f'value="/items/{world.item.pk}/"' in html  # follow without htmx comes back to the item

    client.force_login(people("discipline"))
    html = client.get(f"/supervision/item/{world.item.pk}/").content.decode()
    assert f'href="/supervision/new/?resolution={world.resolution.pk}"' in html


def test_the_item_section_says_how_many_tasks_are_hidden_and_is_404_for_an_unseen_item(client, people, world):
    client.force_login(people("vice"))  # sees the confidential item? No: not at its meeting
    assert client.get(f"/supervision/item/{world.secret_item.pk}/").status_code == 404
    client.force_login(people("teacher"))  # another department's staff: not the item
    assert client.get(f"/supervision/item/{world.item.pk}/").status_code == 404


def test_an_item_before_its_resolution_has_no_supervision_section(client, people):
    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
    client.force_login(people("staff"))
    assert "/supervision/item/" not in client.get(f"/items/{item.pk}/").content.decode()


def test_the_branch_track_leads_to_the_checks_and_the_task_track_to_the_quarterly_report(client, people, world):
    client.force_login(people("partyoffice"))
    assert 'href="/branches/"' in client.get("/supervision/track/branch/").content.decode()
    client.force_login(people("discipline"))
    assert 'href="/reports/supervision/"' in client.get("/supervision/track/task/").content.decode()
