"""The demo's 第一议题 and 中心组学习 records, a task with co-operating departments (协办) and a
task handed out by an office, and the month's major department work for the all-staff digest."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from decisions import services as item_services
from decisions.models import Category
from meetings import services as meeting_services
from meetings.models import Meeting
from meetings.services import study
from notices.services import digest as digest_services
from org.models import Department, MeetingBody, User
from supervision.models import Task
from supervision.services import assigned, partners

REFLECTIONS = {
    "secretary": "要把学习成果转化为推进学校高质量发展的实际举措，带头落实“三重一大”集体决策。",
    "principal": "结合职业教育改革，进一步完善产教融合机制，抓好专业群建设。",
    "member1": "教学工作要坚持立德树人，对标新要求修订人才培养方案。",
    "member2": "组织工作要把学习教育与干部队伍建设结合起来。",
    "vice": "后勤保障要树牢服务意识，办好师生关心的实事。",
    "discipline": "纪检监督要紧盯重点领域和关键环节，推动全面从严治党向纵深发展。",
}


def _users() -> dict[str, User]:
    return {user.username: user for user in User.objects.all()}


def seed_pc_study(held: Meeting) -> None:
    """The held Party committee meeting opened with theory study (第一议题): its record, with the
    reflections of three members (optional for the committee), archived."""
    u = _users()
    session = study.study_record(
        actor=u["partyoffice"],
        meeting_id=held.pk,
        texts="习近平总书记在全国教育大会上的重要讲话\n《教育强国建设规划纲要（2024—2035年）》",
    )
    for who in ("secretary", "principal", "member1"):
        study.reflection_submit(actor=u[who], session_id=session.pk, text=REFLECTIONS[who])
    study.study_archive(actor=u["partyoffice"], session_id=session.pk)


def seed_central_group(back_in_time) -> None:
    """A meeting of the central group (中心组学习) last month: every participant's reflection, as
    its policy requires, then archived; and next month's meeting still collecting reflections."""
    u = _users()
    cg = MeetingBody.objects.get(code="CG")
    held_at = timezone.localtime().replace(day=1, hour=9, minute=0, second=0, microsecond=0) - timedelta(days=10)
    with back_in_time(held_at - timedelta(days=7)):
        item = item_services.item_create(
            actor=u["partyoffice"],
            title="党委理论学习中心组专题学习：新时代职业教育改革",
            category=Category.STUDY,
            background="按年度中心组学习计划安排。",
            proposal="集中学习，每位成员会后提交心得体会。",
            requested_body=cg,
            amount=None,
            major_kind="",
            confidential=False,
        )
        upload = SimpleUploadedFile(
            "中心组学习材料.txt", "职业教育法及配套文件汇编".encode(), content_type="text/plain"
        )
        item_services.attachment_add(actor=u["partyoffice"], item_id=item.pk, upload=upload)
        item_services.item_submit(actor=u["partyoffice"], item_id=item.pk)
        item.refresh_from_db()
        if item.state == "dept_review":
            head = User.objects.filter(
                role_assignments__role="dept_head", role_assignments__department=item.department
            ).first()
            item_services.item_dept_approve(actor=head, item_id=item.pk)
        item_services.item_screen_accept(actor=cg.chair, item_id=item.pk, comment="列入本月中心组学习。")
        meeting = meeting_services.meeting_schedule(
            actor=u["partyoffice"], body=cg, starts_at=held_at, place="党员活动室", title="党委理论学习中心组专题学习"
        )
        meeting_services.agenda_add(actor=u["partyoffice"], meeting_id=meeting.pk, item_id=item.pk)
        meeting_services.meeting_publish(actor=u["partyoffice"], meeting_id=meeting.pk)
    with back_in_time(held_at):
        meeting_services.meeting_open(actor=u["partyoffice"], meeting_id=meeting.pk)
        for a in meeting.attendance.all():
            meeting_services.attendance_mark(
                actor=u["partyoffice"], meeting_id=meeting.pk, person_id=a.person_id, present=True
            )
        session = study.study_record(
            actor=u["partyoffice"],
            meeting_id=meeting.pk,
            texts="《中华人民共和国职业教育法》\n关于深化现代职业教育体系建设改革的意见",
        )
        entry = meeting.entries.get()
        meeting_services.entry_decide(actor=u["partyoffice"], entry_id=entry.pk, outcome="noted")
        meeting_services.meeting_adjourn(actor=u["partyoffice"], meeting_id=meeting.pk)
    for p in session.participants.select_related("person"):
        study.reflection_submit(actor=p.person, session_id=session.pk, text=REFLECTIONS[p.person.username])
    study.study_archive(actor=u["partyoffice"], session_id=session.pk)


def seed_major_work(year: int, month: int) -> None:
    """The month's major department work: three submitted, two selected and ordered, one declined."""
    u = _users()
    d = {dept.name: dept for dept in Department.objects.all()}

    def submit(who, dept, title, summary):
        return digest_services.major_work_submit(
            actor=u[who], department_id=d[dept].pk, year=year, month=month, title=title, summary=summary
        )

    exams = submit(
        "depthead", "教务处", "完成期中教学检查", "检查课程 126 门，听课 210 节，反馈问题 18 条，已全部整改。"
    )
    budget = submit("finance", "财务处", "完成工业机器人工作站采购预算批复", "预算 128 万元已批复，招标文件编制完成。")
    fair = submit("dean", "智能制造学院", "举办第五届职业技能节", "设赛项 12 个，参赛学生 860 人次。")
    office = u["partyoffice"]
    for w in (exams, budget, fair):
        digest_services.major_work_select(actor=office, work_id=w.pk, selected=True)
    digest_services.major_work_move(actor=office, work_id=budget.pk, up=True)
    digest_services.major_work_select(
        actor=office, work_id=fair.pk, selected=False, reason="已在学院通报，全教会不再重复。"
    )


def seed_tasks_with_partners() -> None:
    """A work-plan task (年度工作要点) with two co-operating departments, one of which reported its
    part with a link; and a branch task handed out by the party office."""
    u = _users()
    d = {dept.name: dept for dept in Department.objects.all()}
    today = timezone.localdate()
    task = assigned.task_assign(
        actor=u["affairsoffice"],
        plan=Task.Plan.WORK_PLAN,
        title="年度工作要点：建成智慧教室 20 间",
        description="教务处牵头，财务处保障资金，信息中心负责网络与设备部署。",
        lead_department_id=d["教务处"].pk,
        responsible_leader_id=u["member1"].pk,
        deadline=today + timedelta(days=120),
        partner_ids=[d["财务处"].pk, d["信息中心"].pk],
    )
    partners.part_report(
        actor=u["finance"],
        task_id=task.pk,
        department_id=d["财务处"].pk,
        text="建设资金 360 万元已列入年度预算，首批 120 万元已拨付。",
        files=[SimpleUploadedFile("资金拨付单.txt", "首批资金拨付 120 万元".encode(), content_type="text/plain")],
        links="预算公开 https://www.example.edu.cn/cwc/2026/ys",
    )
    assigned.task_assign(
        actor=u["partyoffice"],
        plan=Task.Plan.BRANCH,
        title="开展“一支部一品牌”创建",
        lead_department_id=d["机关第一党支部"].pk,
        responsible_leader_id=u["member2"].pk,
        deadline=today + timedelta(days=90),
    )
