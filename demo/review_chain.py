"""The demo's review chain (审阅 → 审核 → 审批), who is in charge of what (分管, with a change of
portfolio this year), one item through the whole chain with a countersign, one waiting on its
leader in charge, and one passed resolution still without follow-up (决而未果)."""

import datetime as dt
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from decisions import services
from decisions.models import Category, ReviewChain, ReviewChainStep, Reviewer
from decisions.services.review import review_countersign, review_countersign_answer
from meetings import services as meeting_services
from org.models import Department, MeetingBody, User
from org.services import portfolio_assign

DEFAULT_CHAIN = [
    (Reviewer.DEPT_HEAD, "审阅", False),
    (Reviewer.LEADER_IN_CHARGE, "审核", True),
    (Reviewer.BODY_OFFICE, "审批", False),
]

# department -> [(leader, starts_on as (month, day))]: 教务处 changed hands on 1 July.
PORTFOLIOS = {
    "教务处": [("vice", (1, 1)), ("member1", (7, 1))],
    "智能制造学院": [("member1", (1, 1))],
    "信息技术学院": [("member1", (1, 1))],
    "财务处": [("principal", (1, 1))],
    "信息中心": [("vice", (1, 1))],
    "党委办公室": [("member2", (1, 1))],
    "校务办公室": [("principal", (1, 1))],
    "纪委办公室": [("member2", (1, 1))],
}


def seed_chain_config() -> None:
    chain, _created = ReviewChain.objects.get_or_create(
        department=None, category="", defaults={"name": "全校默认审批流程（审阅→审核→审批）"}
    )
    for n, (who, label, countersign) in enumerate(DEFAULT_CHAIN, start=1):
        ReviewChainStep.objects.get_or_create(
            chain=chain, position=n, defaults={"reviewer": who, "label": label, "may_countersign": countersign}
        )


def seed_portfolios(u: dict[str, User]) -> None:
    year = timezone.localdate().year
    for name, rows in PORTFOLIOS.items():
        dept = Department.objects.get(name=name)
        for leader, (month, day) in rows:
            portfolio_assign(actor=None, leader=u[leader], department=dept, starts_on=dt.date(year, month, day))


def seed_review_chain() -> None:
    u = {user.username: user for user in User.objects.all()}
    seed_portfolios(u)
    seed_chain_config()
    pc = MeetingBody.objects.get(code="PC")
    po = MeetingBody.objects.get(code="PO")

    def new(who, **fields):
        fields.setdefault("amount", None)
        fields.setdefault("major_kind", "")
        fields.setdefault("confidential", False)
        return services.item_create(actor=u[who], **fields)

    # A whole chain, with a countersign by the finance office, now waiting for screening.
    lab = new(
        "staff",
        title="关于建设虚拟仿真实训教学中心的请示",
        category=Category.PROPOSAL,
        background="专业群建设需要虚拟仿真实训条件，现有机房不能满足。",
        proposal="利用图书馆三楼闲置空间建设虚拟仿真实训教学中心，分两期实施。",
        requested_body=pc,
    )
    services.item_submit(actor=u["staff"], item_id=lab.pk)
    services.item_dept_approve(actor=u["depthead"], item_id=lab.pk, comment="同意报送。")
    review_countersign(
        actor=u["member1"], item_id=lab.pk, departments=[Department.objects.get(name="财务处")], note="请核实资金来源。"
    )
    review_countersign_answer(actor=u["finance"], item_id=lab.pk, opinion="一期资金可从专业群建设经费列支。")
    services.item_dept_approve(actor=u["member1"], item_id=lab.pk, comment="同意，报党委会研究。")
    services.item_dept_approve(actor=u["partyoffice"], item_id=lab.pk, comment="材料齐全，同意报送研判。")

    # Waiting on its leader in charge (a phone's 审批待办).
    exam = new(
        "staff",
        title="关于调整期末考试安排的请示",
        category=Category.DECISION,
        background="期末考试周与技能大赛省赛时间冲突。",
        proposal="期末考试周整体后移一周。",
        requested_body=po,
    )
    services.item_submit(actor=u["staff"], item_id=exam.pk)
    services.item_dept_approve(actor=u["depthead"], item_id=exam.pk, comment="同意。")

    # 三重一大 asked for the principal's office: routed to the Party committee, the reason on its page.
    services.item_submit(
        actor=u["staff"],
        item_id=new(
            "staff",
            title="关于教务处副处长人选的建议",
            category=Category.PROPOSAL,
            major_kind="appointment",
            background="教务处副处长岗位空缺。",
            proposal="建议由教学科科长转任。",
            requested_body=po,
        ).pk,
    )


def seed_unfollowed(held_at: dt.datetime) -> None:
    """决而未果: a principal's office decision passed three weeks ago, with no task and no reason."""
    from demo.management.commands.seed_demo import back_in_time

    u = {user.username: user for user in User.objects.all()}
    po = MeetingBody.objects.get(code="PO")
    when = timezone.localtime() - timedelta(days=21)
    with back_in_time(when - timedelta(days=3)):
        item = services.item_create(
            actor=u["affairsoffice"],
            title="关于实行校园一卡通无感通行的决定",
            category=Category.DECISION,
            background="校门人脸识别系统已完成调试。",
            proposal="新学期起师生凭一卡通或人脸识别无感通行，访客线上预约。",
            requested_body=po,
            amount=None,
            major_kind="",
            confidential=False,
        )
        upload = SimpleUploadedFile("方案.txt", "校园一卡通无感通行实施方案".encode(), content_type="text/plain")
        services.attachment_add(actor=u["affairsoffice"], item_id=item.pk, upload=upload)
        services.item_submit(actor=u["affairsoffice"], item_id=item.pk)
        services.item_dept_approve(actor=u["principal"], item_id=item.pk, comment="同意。")
        services.item_dept_approve(actor=u["affairsoffice"], item_id=item.pk, comment="同意报送。")
        services.item_screen_accept(actor=u["principal"], item_id=item.pk, consultees=[u["member1"]])
        services.item_consult_answer(actor=u["member1"], item_id=item.pk, agree=True)
        meeting = meeting_services.meeting_schedule(
            actor=u["affairsoffice"], body=po, starts_at=when, place="行政楼第二会议室"
        )
        meeting_services.agenda_add(actor=u["affairsoffice"], meeting_id=meeting.pk, item_id=item.pk)
        meeting_services.meeting_publish(actor=u["affairsoffice"], meeting_id=meeting.pk)
    with back_in_time(when):
        meeting_services.meeting_open(actor=u["affairsoffice"], meeting_id=meeting.pk)
        for a in meeting.attendance.select_related("person"):
            meeting_services.attendance_mark(
                actor=u["affairsoffice"], meeting_id=meeting.pk, person_id=a.person_id, present=True
            )
        entry = meeting.entries.get()
        for who in ("member1", "vice", "principal"):
            meeting_services.opinion_record(
                actor=u["affairsoffice"], entry_id=entry.pk, member_id=u[who].pk, stance="agree", text=""
            )
        meeting_services.entry_decide(actor=u["affairsoffice"], entry_id=entry.pk, outcome="passed")
        meeting_services.meeting_adjourn(actor=u["affairsoffice"], meeting_id=meeting.pk)
