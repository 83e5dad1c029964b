"""The school the permission walk (tests/test_permission_walk.py) runs in: the demo school
(`seed_demo`) and, beside it, what the demo does not have: confidential items with attachments,
a confidential resolution with its minutes, its notice and a confidential task with evidence,
notices with narrow audiences and a draft, a calendar token and a notification.

`build_world()` returns the objects by key; the walk's rules name the keys. Every confidential
title carries a marker （涉密标记…） that must appear on no page of someone who may not see it.
"""

from dataclasses import dataclass, field
from io import StringIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from core.models import Notification
from decisions import services as item_services
from decisions.models import AgendaItem, Attachment
from decisions.models import State as ItemState
from meetings import services as meeting_services
from meetings.models import AgendaEntry, Meeting, Minutes, Resolution
from notices import services as notice_services
from notices.models import Notice
from org.models import Department, User
from supervision import services as supervision_services
from supervision.models import BranchCheck, Evidence, Letter, PatrolFinding, PatrolPhoto, ProgressReport, Task
from supervision.services.calendar import calendar_token_get
from tests.factories import all_opinions, at_state, draft, evidence_file, resolution_task, running_meeting

# Titles of what is confidential: each must stay off every page of those who may not see it.
SECRET_ITEM_SCREENING = "涉密标记甲：教职工住房调配方案"
SECRET_ITEM_CONSULTING = "涉密标记乙：财务专项审计整改"
SECRET_ITEM_RESOLVED = "涉密标记丙：学院中层干部调整"
SECRET_TASK = "涉密标记丁：干部调整后续谈话"
SECRET_NOTICE = "涉密标记戊：上级巡视反馈意见"
SECRET_ITEM_LIVE = "涉密标记己：校园安全专项整治"
SECURITY_ITEM = "关于调整校园安保外包服务的请示"  # the demo's confidential PO item


@dataclass
class World:
    pk: dict[str, int] = field(default_factory=dict)
    value: dict[str, str] = field(default_factory=dict)


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 materials", content_type="application/pdf")


def build_world() -> World:
    call_command("seed_demo", stdout=StringIO())
    # The walk's items below go the way its rules were written for: the department head's 审阅
    # alone (the demo's configured chain is walked by tests/test_review_chain.py).
    from decisions.models import ReviewChain, ReviewChainStep

    ReviewChainStep.objects.all().delete()
    ReviewChain.objects.all().delete()
    u = {user.username: user for user in User.objects.all()}
    w = World()
    pk = w.pk
    pk.update({f"user:{name}": user.pk for name, user in u.items()})

    # --- the demo's own objects -------------------------------------------------------------
    items = {i.title: i for i in AgendaItem.objects.all()}
    pk["item_draft"] = items["关于修订《学生顶岗实习管理办法》的请示"].pk  # staff, PO, draft
    pk["item_dept_review"] = items["关于2027年春季学期教学日历安排的请示"].pk  # staff, PO
    pk["item_scheduled"] = items["关于申报省级高水平专业群建设项目的请示"].pk  # depthead, PC
    pk["item_resolved"] = items["关于采购智能制造实训设备的请示"].pk  # finance, PC, resolved
    pk["item_security"] = items[SECURITY_ITEM].pk  # affairsoffice, PO, confidential, revising
    assert AgendaItem.objects.get(pk=pk["item_draft"]).state == ItemState.DRAFT
    assert AgendaItem.objects.get(pk=pk["item_dept_review"]).state == ItemState.DEPT_REVIEW
    assert AgendaItem.objects.get(pk=pk["item_scheduled"]).state == ItemState.SCHEDULED
    assert AgendaItem.objects.get(pk=pk["item_resolved"]).state == ItemState.RESOLVED
    assert AgendaItem.objects.get(pk=pk["item_security"]).state == ItemState.REVISING
    pk["att_scheduled"] = Attachment.objects.get(item_id=pk["item_scheduled"]).pk
    pk["att_resolved"] = Attachment.objects.get(item_id=pk["item_resolved"]).pk

    held = Meeting.objects.get(body__code="PC", state=Meeting.State.ADJOURNED)
    pk["meeting_held"] = held.pk
    pk["meeting_upcoming"] = Meeting.objects.get(body__code="PC", state=Meeting.State.PUBLISHED).pk
    pk["meeting_sa"] = Meeting.objects.get(body__code="SA").pk
    pk["entry_resolved"] = AgendaEntry.objects.get(meeting=held, item_id=pk["item_resolved"]).pk
    pk["minutes_locked"] = Minutes.objects.get(meeting=held).pk
    resolution = Resolution.objects.get(item_id=pk["item_resolved"])
    pk["resolution"] = resolution.pk
    pk["notice_resolution"] = Notice.objects.get(resolution=resolution).pk
    pk["notice_digest"] = Notice.objects.get(level=Notice.Level.MONTHLY_DIGEST).pk

    tasks = {t.title: t for t in Task.objects.all()}
    pk["task_reported"] = tasks["调整世赛集训基地教学计划"].pk  # 教务处, final report, evidence
    pk["task_closed"] = tasks["采购需求论证"].pk  # 财务处, closed, evidence
    pk["task_letter"] = tasks["试行实训楼晚间延长开放"].pk  # 智能制造学院, from the teacher's letter
    pk["task_patrol"] = tasks["清理实训楼三楼消防通道并更换应急指示灯"].pk  # 智能制造学院
    pk["evidence_reported"] = Evidence.objects.get(report__task_id=pk["task_reported"]).pk
    pk["report_reported"] = ProgressReport.objects.get(task_id=pk["task_reported"], review__isnull=True).pk
    pk["evidence_closed"] = Evidence.objects.get(report__task_id=pk["task_closed"]).pk
    pk["letter_open"] = Letter.objects.get(author=u["staff"]).pk
    pk["finding_college"] = PatrolFinding.objects.get(leader=u["member1"]).pk  # 智能制造学院
    pk["finding_library"] = PatrolFinding.objects.get(leader=u["vice"]).pk  # no department
    pk["patrol_photo"] = PatrolPhoto.objects.order_by("pk").first().pk  # member2's patrol of 实训楼
    pk["branch_check"] = BranchCheck.objects.order_by("pk").first().pk

    # --- what the demo lacks ----------------------------------------------------------------
    # A confidential PC item of 教务处 waiting for screening, with its materials.
    screening = draft(u["staff"], title=SECRET_ITEM_SCREENING, confidential=True)
    pk["att_screening"] = item_services.attachment_add(
        actor=u["staff"], item_id=screening.pk, upload=_pdf("screening.pdf")
    ).pk
    item_services.item_submit(actor=u["staff"], item_id=screening.pk)
    item_services.item_dept_approve(actor=u["depthead"], item_id=screening.pk)
    pk["item_screening"] = screening.pk

    # A confidential PO item of 财务处 in consultation: member2 named, not yet answered.
    consulting = draft(u["finance"], title=SECRET_ITEM_CONSULTING, body_code="PO", confidential=True)
    item_services.item_submit(actor=u["finance"], item_id=consulting.pk)
    item_services.item_screen_accept(actor=u["principal"], item_id=consulting.pk, consultees=[u["member2"]])
    pk["item_consulting"] = consulting.pk

    # A confidential PC item of 智能制造学院 (the teacher's), resolved at a meeting that has ended:
    # its minutes are a draft, its resolution is confidential, and so is its task, led by the
    # college (the dean reports, with evidence), with vice as the responsible leader (not at PC).
    secret = at_state(ItemState.RESOLVED, submitter=u["teacher"], title=SECRET_ITEM_RESOLVED, confidential=True)
    secret_resolution = secret.resolutions.get()
    assert secret_resolution.confidential
    meeting = secret_resolution.meeting
    meeting_services.meeting_adjourn(actor=u["partyoffice"], meeting_id=meeting.pk)
    pk["item_secret"] = secret.pk
    pk["att_secret"] = Attachment.objects.get(item=secret).pk
    pk["meeting_secret"] = meeting.pk
    pk["entry_secret"] = secret_resolution.entry_id
    pk["minutes_secret"] = Minutes.objects.get(meeting=meeting).pk
    pk["resolution_secret"] = secret_resolution.pk
    notice = notice_services.notice_for_resolution(resolution_id=secret_resolution.pk)
    pk["notice_secret_resolution"] = notice.pk
    task = resolution_task(
        secret_resolution, title=SECRET_TASK, department="智能制造学院", leader=u["vice"].pk, track="task"
    )
    assert task.confidential
    report = supervision_services.task_report(
        actor=u["dean"], task_id=task.pk, text="谈话已完成。", is_final=True, files=[evidence_file()]
    )
    pk["task_secret"] = task.pk
    pk["evidence_secret"] = Evidence.objects.get(report=report).pk

    # A confidential PC item of 教务处 being deliberated now: everyone present, every opinion stated, the vote open.
    live = at_state(
        ItemState.READY, submitter=u["staff"], consultees=[u["member1"]], title=SECRET_ITEM_LIVE, confidential=True
    )
    live_meeting, (live_entry,) = running_meeting([live], "PC")
    all_opinions(live_entry, live_meeting)
    meeting_services.vote_open(actor=u["partyoffice"], entry_id=live_entry.pk)
    pk["item_live"] = live.pk
    pk["meeting_live"] = live_meeting.pk
    pk["entry_live"] = live_entry.pk

    # Notices: a confidential one to 教务处; an ordinary one to 财务处 only; a draft.
    office = u["partyoffice"]
    secret_notice = notice_services.notice_create_upper_document(
        actor=office,
        title=SECRET_NOTICE,
        body="巡视反馈意见原文，限教务处阅。",
        departments=[Department.objects.get(name="教务处")],
        confidential=True,
    )
    pk["notice_att_secret"] = notice_services.notice_attachment_add(
        actor=office,
        notice_id=secret_notice.pk,
        upload=SimpleUploadedFile("巡视反馈意见.pdf", b"%PDF-1.4 walk", content_type="application/pdf"),
    ).pk
    notice_services.notice_publish(actor=office, notice_id=secret_notice.pk)
    pk["notice_secret"] = secret_notice.pk
    finance_notice = notice_services.notice_create_upper_document(
        actor=office,
        title="关于做好年度预算编制工作的通知",
        body="请财务处按上级要求做好预算编制。",
        departments=[Department.objects.get(name="财务处")],
    )
    notice_services.notice_publish(actor=office, notice_id=finance_notice.pk)
    pk["notice_finance"] = finance_notice.pk
    pk["notice_draft"] = notice_services.notice_create_upper_document(
        actor=office, title="关于学习贯彻上级会议精神的通报（草稿）", body="草稿", everyone=True
    ).pk

    # The staff member's calendar feed and one notification of theirs.
    w.value["token_staff"] = calendar_token_get(person=u["staff"]).token
    note = Notification.objects.filter(recipient=u["staff"]).order_by("pk").first()
    if note is None:
        note = Notification.objects.create(recipient=u["staff"], key="walk:staff", text="提醒", route="home")
    pk["notification_staff"] = note.pk

    now = timezone.localdate()
    w.value["year"] = str(now.year)
    w.value["quarter"] = str((now.month - 1) // 3 + 1)
    pk["dept_jiaowu"] = Department.objects.get(name="教务处").pk
    pk["dept_finance"] = Department.objects.get(name="财务处").pk

    # The demo's study record, work-plan task with a partner's part, and declined department work.
    from meetings.models import StudySession
    from notices.models import MajorWork
    from supervision.models import PartEvidence

    pk["study_pc"] = StudySession.objects.get(body__code="PC").pk
    pk["task_plan"] = Task.objects.get(plan="work_plan").pk
    pk["part_evidence"] = PartEvidence.objects.get(part__task_id=pk["task_plan"]).pk
    pk["major_work_declined"] = MajorWork.objects.get(state="declined").pk
    _performance_and_flags(w, u)
    return w


def _performance_and_flags(w: World, u: dict) -> None:
    """The demo's published performance rating (with 智能制造学院's score), a draft rating beside it,
    and the stage of the report whose flagged value the demo has 信息中心 explain."""
    from reports.models import FlagAnswer
    from supervision.models import PerformanceRating
    from supervision.services.performance import performance_rate

    pk = w.pk
    published = PerformanceRating.objects.filter(published_at__isnull=False).order_by("pk").first()
    assert published is not None, "seed_demo publishes a performance rating"
    pk["rating_published"] = published.pk
    today = timezone.localdate()
    draft_rating = performance_rate(
        actor=u["affairsoffice"], year=today.year, period_end=today, title="部门工作绩效考评（待发布）"
    )
    pk["rating_draft"] = draft_rating.pk
    pk["dept_college"] = Department.objects.get(name="智能制造学院").pk  # the dean's
    assert published.scores.filter(department_id=pk["dept_college"]).exists()
    assert draft_rating.scores.filter(department_id=pk["dept_college"]).exists()
    answer = FlagAnswer.objects.order_by("pk").first()
    assert answer is not None, "seed_demo answers a flagged report value"
    w.value["flag_year"] = str(answer.year)
    w.value["flag_stage"] = str(answer.stage)
