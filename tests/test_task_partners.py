"""Tasks as the school assigns them: co-operating departments (协办) each reporting their own part,
visible to the lead; tasks handed out by an office, not from a resolution (工作部署), on the same
tracks, reports and escalation; and evidence as files, phone photos and links."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.errors import InvalidTransition
from core.models import AuditEvent, Notification
from org.models import Department
from supervision import access
from supervision import services as task_services
from supervision.models import EvidenceLink, PartReport, Task, TaskPartner, Track
from supervision.services import assigned, partners
from supervision.services.supervising import task_escalate_overdue
from tests.factories import at_state, evidence_file, head_of, resolution_task, supervisor_of

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


def refused(status: int, call, /, *args, **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(*args, **kwargs)
    assert caught.value.status == status, caught.value.reason
    return caught.value


def dept(name: str) -> Department:
    return Department.objects.get(name=name)


def work_plan_task(people, **kw):
    return assigned.task_assign(
        actor=kw.pop("actor", people("affairsoffice")),
        plan=kw.pop("plan", Task.Plan.WORK_PLAN),
        title=kw.pop("title", "2026年度工作要点：建成智慧教室 20 间"),
        lead_department_id=kw.pop("lead", dept("教务处").pk),
        responsible_leader_id=people("member1").pk,
        deadline=kw.pop("deadline", timezone.localdate() + dt.timedelta(days=60)),
        partner_ids=kw.pop("partner_ids", [dept("财务处").pk, dept("信息中心").pk]),
        **kw,
    )


# --- 工作部署: tasks not from a resolution ----------------------------------------------------------


def test_the_affairs_office_assigns_a_work_plan_task_with_partners(
    people, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""  # the on-commit jobs run here, in this process
    with django_capture_on_commit_callbacks(execute=True):
        task = work_plan_task(people)

    task.refresh_from_db()
    assert (task.source, task.plan, task.track) == ("assigned", "work_plan", Track.PERFORMANCE)
    assert task.resolution_id is None and task.created_by == people("affairsoffice")
    assert set(task.partners.values_list("department__name", flat=True)) == {"财务处", "信息中心"}
    event = AuditEvent.objects.get(verb="task.create", target_id=task.pk)
    assert event.data["plan"] == "work_plan" and len(event.data["partners"]) == 2
    # The lead's head and the co-operating department's head are told.
    told = set(
        Notification.objects.filter(key=f"task:{task.pk}:v1:create").values_list("recipient__username", flat=True)
    )
    assert {"depthead", "finance"} <= told and "dean" not in told


def test_branch_tasks_are_the_party_offices_and_go_to_a_branch(people):
    e = refused(403, work_plan_task, people, plan=Task.Plan.BRANCH, lead=dept("机关第一党支部").pk)
    assert "党委办公室" in e.reason
    e = refused(403, work_plan_task, people, actor=people("partyoffice"))
    assert "校务办" in e.reason
    e = refused(409, work_plan_task, people, actor=people("partyoffice"), plan=Task.Plan.BRANCH, partner_ids=[])
    assert "党支部" in e.reason
    task = work_plan_task(
        people, actor=people("partyoffice"), plan=Task.Plan.BRANCH, lead=dept("机关第一党支部").pk, partner_ids=[]
    )
    assert task.track == Track.BRANCH
    refused(403, work_plan_task, people, actor=people("depthead"))
    e = refused(409, work_plan_task, people, partner_ids=[dept("教务处").pk])
    assert "牵头部门" in e.reason


def test_an_assigned_task_reports_reviews_and_escalates_like_any_other(people):
    task = work_plan_task(people, deadline=timezone.localdate() + dt.timedelta(days=1))
    head = head_of(task)
    task_services.task_report(
        actor=head, task_id=task.pk, text="已完成 8 间。", links="验收公示 https://www.example.edu.cn/n/8"
    )
    task_services.task_review(actor=supervisor_of(task), task_id=task.pk, decision="accept", rating="good")
    assert Task.objects.get(pk=task.pk).state == Task.State.IN_PROGRESS
    assert supervisor_of(task).username == "affairsoffice"

    escalated, _reminded = task_escalate_overdue(
        task=Task.objects.get(pk=task.pk), today=task.deadline + dt.timedelta(days=5)
    )
    assert escalated == 2 and Task.objects.get(pk=task.pk).escalation_level == 2


# --- 协办 ----------------------------------------------------------------------------------------------


def test_a_partner_reports_its_part_with_a_photo_and_a_link_visible_to_the_lead(people):
    task = work_plan_task(people)
    photo = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")

    part = partners.part_report(
        actor=people("finance"),
        task_id=task.pk,
        department_id=dept("财务处").pk,
        text="资金 120 万元已拨付。",
        files=[photo],
        links="拨付公示 https://www.example.edu.cn/cw/1\nhttps://www.example.edu.cn/cw/2",
    )

    assert (part.department.name, part.author) == ("财务处", people("finance"))
    assert [e.content_type for e in part.evidence.all()] == ["image/png"]
    assert [(link.title, link.url) for link in part.links.all()] == [
        ("拨付公示", "https://www.example.edu.cn/cw/1"),
        ("", "https://www.example.edu.cn/cw/2"),
    ]
    assert Task.objects.get(pk=task.pk).state == Task.State.ASSIGNED  # the lead's report moves the task
    lead_head = head_of(task)
    assert Task.objects.filter(access.task_visibility_filter(lead_head), pk=task.pk).exists()
    assert AuditEvent.objects.filter(verb="task.part_report", target_id=task.pk).exists()


def test_part_reports_are_refused_to_others_and_bad_evidence_is_refused(people):
    task = work_plan_task(people)
    e = refused(
        403, partners.part_report, actor=people("depthead"), task_id=task.pk, department_id=dept("教务处").pk, text="x"
    )
    assert "协办部门负责人" in e.reason
    refused(
        404, partners.part_report, actor=people("teacher"), task_id=task.pk, department_id=dept("财务处").pk, text="x"
    )
    e = refused(
        409,
        partners.part_report,
        actor=people("finance"),
        task_id=task.pk,
        department_id=dept("财务处").pk,
        text="x",
        links="javascript:alert(1)",
    )
    assert "链接" in e.reason
    fake = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    e = refused(
        409,
        partners.part_report,
        actor=people("finance"),
        task_id=task.pk,
        department_id=dept("财务处").pk,
        text="x",
        files=[fake],
    )
    assert "内容与扩展名不符" in e.reason
    assert not PartReport.objects.exists() and not EvidenceLink.objects.exists()


def test_partners_are_named_on_a_resolution_task_by_its_assigner(people):
    item = at_state("resolved", submitter=people("staff"))
    task = resolution_task(item.resolutions.get())
    refused(
        403, partners.task_partners_add, actor=people("depthead"), task_id=task.pk, department_ids=[dept("财务处").pk]
    )
    added = partners.task_partners_add(actor=people("discipline"), task_id=task.pk, department_ids=[dept("财务处").pk])
    assert [p.department.name for p in added] == ["财务处"]
    e = refused(
        409, partners.task_partners_add, actor=people("discipline"), task_id=task.pk, department_ids=[dept("财务处").pk]
    )
    assert "尚未指定" in e.reason
    assert TaskPartner.objects.filter(task=task).count() == 1
    # The partner's head now sees the task, and reports on it.
    assert Task.objects.filter(access.task_visibility_filter(people("finance")), pk=task.pk).exists()


# --- pages -------------------------------------------------------------------------------------------


def test_the_assign_page_and_the_task_page_show_partners_and_take_their_parts(client, people):
    client.force_login(people("depthead"))
    assert client.get(reverse("supervision:assign")).status_code == 403
    client.force_login(people("affairsoffice"))
    bad = client.post(reverse("supervision:assign"), {"plan": "work_plan", "title": ""})
    assert bad.status_code == 400
    response = client.post(
        reverse("supervision:assign"),
        {
            "plan": "performance",
            "title": "部门绩效：招生计划完成率",
            "lead_department": dept("教务处").pk,
            "partners": [dept("财务处").pk],
            "responsible_leader": people("member1").pk,
            "deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(plan="performance")

    client.force_login(people("finance"))
    page = client.get(reverse("supervision:detail", args=[task.pk])).content.decode()
    assert 'data-testid="part-form"' in page and 'accept="image/*' in page
    response = client.post(
        reverse("supervision:part_report", args=[task.pk]),
        {
            "department": dept("财务处").pk,
            "text": "预算已落实。",
            "links": "https://www.example.edu.cn/a",
            "files": [evidence_file()],
        },
    )
    assert response.status_code == 302

    client.force_login(people("depthead"))  # the lead sees the part
    page = client.get(reverse("supervision:detail", args=[task.pk])).content.decode()
    assert "预算已落实。" in page and "https://www.example.edu.cn/a" in page and "部门工作绩效" in page
    assert 'data-testid="part-form"' not in page
    ev = PartReport.objects.get().evidence.get()
    assert client.get(reverse("supervision:part_evidence", args=[ev.pk])).status_code == 200
    client.force_login(people("teacher"))
    assert client.get(reverse("supervision:part_evidence", args=[ev.pk])).status_code == 404
