"""The whole loop in one test: a staff member's item is submitted, reviewed, screened, talked
over, deliberated at PO, resolved at PC; the resolution is noticed at the next school affairs
meeting and in the month's all-staff digest; its tasks go to the departments, are reported with
evidence, accepted and closed; the item closes with its last task. And the rule of 两议： nothing
is implemented on a two-deliberation item before the PC resolution."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.errors import InvalidTransition
from core.models import AuditEvent, Notification
from decisions import services as item_services
from decisions.models import MajorKind, State
from meetings import services as meeting_services
from meetings.models import Resolution
from notices import services as notice_services
from notices.models import Notice, NoticeRecipient
from notices.selectors import receipts
from org.models import Department
from supervision import services
from supervision.models import Task
from supervision.selectors import progress_of
from tests.factories import all_opinions, meeting_for, running_meeting, vote_all, with_materials


def test_it_takes_an_item_from_submission_to_closure(people, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = ""  # the on-commit jobs run here, in this process
    staff, depthead, secretary, principal = (
        people("staff"),
        people("depthead"),
        people("secretary"),
        people("principal"),
    )
    member1, discipline, affairs = people("member1"), people("discipline"), people("affairsoffice")
    with django_capture_on_commit_callbacks(execute=True):
        item = item_services.item_create(
            actor=staff,
            requested_body=people("principal").department and meeting_body("PO"),
            title="关于建设产教融合实训基地的请示",
            category="decision",
            background="行业企业合作需要稳定的实训场所。",
            proposal="与两家龙头企业共建实训基地，学校投入300万元。",
            amount=3_000_000,
            major_kind="",
            confidential=False,
        )
        assert item.major_kind == MajorKind.FUNDS  # over the threshold: 三重一大 by itself
        item_services.item_submit(actor=staff, item_id=item.pk)
        item_services.item_dept_approve(actor=depthead, item_id=item.pk, comment="同意")
        item_services.item_screen_accept(actor=principal, item_id=item.pk, consultees=[member1])
        item_services.item_consult_answer(actor=member1, item_id=item.pk, agree=True, text="同意")
        with_materials(item)

        # 两议, first: the principal's office deliberates and sends it on; nothing is implemented yet.
        sa = meeting_for("SA", days_ahead=10)
        po_meeting, (po_entry,) = running_meeting([item], "PO")
        all_opinions(po_entry, po_meeting)
        vote_all(po_entry, po_meeting)
        meeting_services.entry_decide(actor=affairs, entry_id=po_entry.pk, outcome="passed_to_pc", note="同意")
        assert not Resolution.objects.filter(item=item).exists()
        assert not Notice.objects.filter(resolution__item=item).exists()
        assert not Task.objects.filter(item=item).exists()

        # Then the Party committee resolves.
        pc_meeting, (pc_entry,) = running_meeting([item], "PC")
        all_opinions(pc_entry, pc_meeting)
        vote_all(pc_entry, pc_meeting)
        meeting_services.entry_decide(actor=people("partyoffice"), entry_id=pc_entry.pk, outcome="passed")
    resolution = Resolution.objects.get(item=item)
    assert resolution.number.startswith("党委会〔")

    # 三通报: noticed at once, queued for the next school affairs meeting, read receipts kept.
    notice = Notice.objects.get(resolution=resolution)
    assert notice.meeting_id == sa.pk
    assert notice_services.notice_mark_read(actor=staff, notice_id=notice.pk)
    read, total, unread = _receipts(notice)
    assert read == 1 and total > 1 and staff.pk not in unread and secretary.pk in unread
    # …and in the month's all-staff digest, compiled once the month has ended.
    issued = timezone.localtime(resolution.issued_at)
    with time_machine.travel(issued.replace(day=28) + timedelta(days=5)):
        digest = notice_services.digest_compile(year=issued.year, month=issued.month)
    assert resolution.number in digest.body

    # 四督查: the tasks go to the departments with deadlines and milestones.
    finance = Department.objects.get(name="财务处")
    academic = Department.objects.get(name="教务处")
    deadline = timezone.localdate() + timedelta(days=60)
    with django_capture_on_commit_callbacks(execute=True):
        services.item_follow(actor=people("member2"), item_id=item.pk, follow=True)
        funds = services.task_create(
            actor=discipline,
            resolution_id=resolution.pk,
            track="task",
            title="落实基地建设资金",
            lead_department_id=finance.pk,
            responsible_leader_id=member1.pk,
            deadline=deadline,
            milestones=[
                services.MilestoneSpec("资金纳入年度预算", deadline - timedelta(days=30), 1),
                services.MilestoneSpec("资金拨付到位", deadline, 3),
            ],
        )
        courses = services.task_create(
            actor=affairs,
            resolution_id=resolution.pk,
            track="project",
            title="开发基地配套课程",
            lead_department_id=academic.pk,
            responsible_leader_id=principal.pk,
            deadline=deadline,
        )
    assert Notification.objects.filter(recipient=people("finance"), key__startswith=f"task:{funds.pk}:").exists()

    with django_capture_on_commit_callbacks(execute=True):
        first = funds.milestones.order_by("position").first()
        services.task_report(
            actor=people("finance"), task_id=funds.pk, text="已纳入2027年预算。", milestone_ids=[first.pk]
        )
        services.task_review(actor=discipline, task_id=funds.pk, decision="accept", comment="继续推进")
    funds.refresh_from_db()
    assert funds.state == Task.State.IN_PROGRESS
    assert progress_of(funds).percent == 25  # weight 1 of 4
    # The follower was told of each change, each with the state that change produced.
    told = Notification.objects.filter(recipient=people("member2"), key__startswith=f"task:{funds.pk}:")
    assert sorted(n.text.rsplit(",", 1)[1] for n in told) == ["已报送·待审核", "待落实", "落实中"]

    with django_capture_on_commit_callbacks(execute=True):
        services.task_report(
            actor=people("finance"), task_id=funds.pk, text="资金已拨付。", is_final=True, files=[_pdf()]
        )
        services.task_review(actor=discipline, task_id=funds.pk, decision="close", comment="同意办结", rating="good")
        services.task_report(actor=depthead, task_id=courses.pk, text="课程开发完成。", is_final=True, files=[_pdf()])
        services.task_review(actor=affairs, task_id=courses.pk, decision="return", comment="请补充课程标准。")
        item.refresh_from_db()
        assert item.state == State.RESOLVED  # one task still open
        services.task_report(actor=depthead, task_id=courses.pk, text="已补充课程标准。", is_final=True, files=[_pdf()])
        services.task_review(actor=affairs, task_id=courses.pk, decision="close")

    item.refresh_from_db()
    assert item.state == State.CLOSED
    assert progress_of(Task.objects.get(pk=funds.pk)).percent == 100
    verbs = list(
        AuditEvent.objects.filter(target_type="decisions.agendaitem", target_id=item.pk).values_list("verb", flat=True)
    )
    assert verbs[0] == "item.create" and verbs[-1] == "item.close"
    assert {"item.forward_to_pc", "item.decide"} <= set(verbs)
    # Closed is final: no more tasks on it.
    with pytest.raises(InvalidTransition, match="已办结"):
        services.task_create(
            actor=discipline,
            resolution_id=resolution.pk,
            track="task",
            title="再加一项",
            lead_department_id=finance.pk,
            responsible_leader_id=member1.pk,
            deadline=deadline,
        )


def test_no_task_on_a_two_deliberation_item_before_the_pc_resolution(
    people, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""  # the on-commit jobs run here, in this process
    from tests.factories import at_state

    with django_capture_on_commit_callbacks(execute=True):
        item = at_state(
            State.READY, submitter=people("staff"), consultees=[people("member1")], body_code="PO", amount=500000
        )
        meeting, (entry,) = running_meeting([item], "PO")
        all_opinions(entry, meeting)
        vote_all(entry, meeting)
        meeting_services.entry_decide(
            actor=people("affairsoffice"), entry_id=entry.pk, outcome="passed_to_pc", note="同意"
        )
    item.refresh_from_db()
    assert item.state == State.READY and item.requested_body.code == "PC"
    assert not Notice.objects.filter(resolution__item=item).exists()
    assert not NoticeRecipient.objects.filter(notice__resolution__item=item).exists()
    # There is no resolution to implement, and a task cannot be made from anything else of the item.
    assert not Resolution.objects.filter(item=item).exists()
    assert not Task.objects.filter(item=item).exists()


def meeting_body(code):
    from org.models import MeetingBody

    return MeetingBody.objects.get(code=code)


def _receipts(notice):
    r = receipts(notice)
    return r.read, r.total, {row.person_id for row in r.unread}


def _pdf():
    from tests.factories import evidence_file

    return evidence_file()
