"""全教会通报 (level three of 三通报): departments submit their major work of the month, the
party office selects and orders it, and the monthly digest carries it beside the PC decisions,
published and read-confirmed like any notice."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from core.errors import InvalidTransition
from core.models import AuditEvent
from notices import jobs
from notices import services as notice_services
from notices.models import MajorWork, Notice, NoticeRecipient
from notices.services import digest as services
from org.models import Department

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)
APRIL = datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI)


def refused(status: int, call, /, *args, **kwargs) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as caught:
        call(*args, **kwargs)
    assert caught.value.status == status, caught.value.reason
    return caught.value


def dept(name: str) -> Department:
    return Department.objects.get(name=name)


def submit(people, who="depthead", department="教务处", title="完成春季学期期中教学检查", **kw):
    return services.major_work_submit(
        actor=people(who),
        department_id=dept(department).pk,
        year=2026,
        month=3,
        title=title,
        summary=kw.get("summary", "检查课程 120 门，反馈问题 18 条，已全部整改。"),
    )


def test_a_department_head_submits_for_their_department_and_the_record_shows(people):
    with time_machine.travel(MARCH):
        work = submit(people)
    assert (work.state, work.period.isoformat(), work.submitted_by) == ("submitted", "2026-03-01", people("depthead"))
    assert AuditEvent.objects.filter(verb="major_work.submit", target_id=work.pk).exists()


def test_others_may_not_submit_and_the_future_is_refused(people):
    with time_machine.travel(MARCH):
        e = refused(403, submit, people, who="finance", department="教务处")
        assert "本部门负责人" in e.reason
        refused(403, submit, people, who="staff")
        e = refused(
            409,
            services.major_work_submit,
            actor=people("depthead"),
            department_id=dept("教务处").pk,
            year=2026,
            month=4,
            title="x",
            summary="y",
        )
        assert "本月或以前" in e.reason
        e = refused(409, submit, people, title="  ")
        assert "工作事项" in e.reason
    assert not MajorWork.objects.exists()


def test_the_party_office_selects_orders_and_declines_with_a_reason(people):
    with time_machine.travel(MARCH):
        a = submit(people, title="期中教学检查")
        b = submit(people, who="finance", department="财务处", title="完成年度预算批复")
        c = submit(people, who="dean", department="智能制造学院", title="举办技能节")
        office = people("partyoffice")
        refused(403, services.major_work_select, actor=people("depthead"), work_id=a.pk, selected=True)
        for w in (a, b, c):
            services.major_work_select(actor=office, work_id=w.pk, selected=True)
        services.major_work_move(actor=office, work_id=b.pk, up=True)
        e = refused(409, services.major_work_select, actor=office, work_id=c.pk, selected=False, reason=" ")
        assert "理由" in e.reason
        services.major_work_select(actor=office, work_id=c.pk, selected=False, reason="属日常工作")

    order = list(MajorWork.objects.filter(state="selected").order_by("position").values_list("title", flat=True))
    assert order == ["完成年度预算批复", "期中教学检查"]
    declined = MajorWork.objects.get(pk=c.pk)
    assert (declined.state, declined.decided_reason) == ("declined", "属日常工作")
    assert AuditEvent.objects.filter(verb="major_work.decline", target_id=c.pk, reason="属日常工作").exists()


def test_the_digest_carries_the_selected_work_in_order_and_is_read_confirmed(people):
    with time_machine.travel(MARCH):
        a = submit(people, title="期中教学检查")
        b = submit(people, who="finance", department="财务处", title="完成年度预算批复")
        c = submit(people, who="dean", department="智能制造学院", title="未选入的事项")
        for w in (a, b):
            services.major_work_select(actor=people("partyoffice"), work_id=w.pk, selected=True)
        services.major_work_move(actor=people("partyoffice"), work_id=b.pk, up=True)
    with time_machine.travel(APRIL):
        digest = Notice.objects.get(pk=jobs.compile_monthly_digest())
        e = refused(409, services.major_work_select, actor=people("partyoffice"), work_id=c.pk, selected=True)
        assert "已发布" in e.reason
        refused(409, submit, people, title="迟报的事项")

    body = digest.body
    assert "各部门重要工作（2 项）" in body
    assert body.index("财务处：完成年度预算批复") < body.index("教务处：期中教学检查")
    assert "未选入的事项" not in body
    assert set(MajorWork.objects.filter(notice=digest).values_list("pk", flat=True)) == {a.pk, b.pk}
    # Read-confirmed like any notice.
    teacher = people("teacher")
    assert NoticeRecipient.objects.filter(notice=digest, person=teacher, read_at__isnull=True).exists()
    assert notice_services.notice_mark_read(actor=teacher, notice_id=digest.pk)
    assert NoticeRecipient.objects.get(notice=digest, person=teacher).read_at is not None


def test_the_party_office_publishes_an_ended_month_at_once_others_may_not(people):
    with time_machine.travel(MARCH):
        refused(409, services.digest_publish, actor=people("partyoffice"), year=2026, month=3)
    with time_machine.travel(APRIL):
        refused(403, services.digest_publish, actor=people("depthead"), year=2026, month=3)
        notice = services.digest_publish(actor=people("partyoffice"), year=2026, month=3)
    assert notice.state == Notice.State.PUBLISHED and notice.created_by == people("partyoffice")


def test_the_board_takes_submissions_and_selections(client, people):
    url = reverse("notices:digest_board")
    with time_machine.travel(MARCH):
        client.force_login(people("teacher"))
        assert client.get(url).status_code == 403
        client.force_login(people("depthead"))
        page = client.get(url, {"year": 2026, "month": 3})
        assert 'data-testid="work-form"' in page.content.decode()
        bad = client.post(f"{url}?year=2026&month=3", {"department": dept("教务处").pk, "title": "", "summary": "x"})
        assert bad.status_code == 400 and "请填写工作事项" in bad.content.decode()
        ok = client.post(
            f"{url}?year=2026&month=3", {"department": dept("教务处").pk, "title": "期中检查", "summary": "已完成。"}
        )
        assert ok.status_code == 302
        work = MajorWork.objects.get()
        assert client.post(reverse("notices:work_step", args=[work.pk, "select"])).status_code == 403

        client.force_login(people("partyoffice"))
        page = client.get(url, {"year": 2026, "month": 3}).content.decode()
        assert "期中检查" in page and 'data-testid="select-work"' in page
        assert client.post(reverse("notices:work_step", args=[work.pk, "select"])).status_code == 302
        assert MajorWork.objects.get().state == "selected"
        client.force_login(people("finance"))  # another department's head does not see it
        assert client.post(reverse("notices:work_step", args=[work.pk, "decline"])).status_code == 404
    with time_machine.travel(APRIL):
        client.force_login(people("partyoffice"))
        page = client.get(url, {"year": 2026, "month": 3}).content.decode()
        assert 'data-testid="digest-publish"' in page
        response = client.post(reverse("notices:digest_publish"), {"year": 2026, "month": 3})
        assert response.status_code == 302
        digest = Notice.objects.get(level="monthly_digest")
        assert "教务处：期中检查" in client.get(reverse("notices:detail", args=[digest.pk])).content.decode()
