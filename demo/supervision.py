"""The demo's follow-up of the held Party committee meeting: the resolution noticed at every level,
its tasks in every state, and the other sources of supervision (mailbox, patrols, branch checks)."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from demo.study_and_work import seed_major_work
from demo.supervision_sources import seed_sources
from meetings.models import Meeting, Resolution
from notices import services as notice_services
from org.models import Department, User
from supervision import services
from supervision.models import BranchCheckItem, Task
from supervision.services import MilestoneSpec
from supervision.services.calendar import duties_load_defaults

CHECKLIST = [
    ("“三会一课”按计划召开并有记录", 30),
    ("主题党日活动开展", 20),
    ("党费按时收缴", 20),
    ("发展党员程序规范", 15),
    ("党务公开及时", 15),
]


def _file(name: str, text: str):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


def seed_supervision(held: Meeting) -> None:
    u = {user.username: user for user in User.objects.all()}
    d = {dept.name: dept for dept in Department.objects.all()}
    today = timezone.localdate()
    resolution = Resolution.objects.get(meeting=held, outcome__in=["passed", "passed_with_changes"])
    _notices(u, resolution)

    def task(title, dept, track, *, leader="member1", by="discipline", days=45, milestones=()):
        return services.task_create(
            actor=u[by],
            resolution_id=resolution.pk,
            track=track,
            title=title,
            lead_department_id=d[dept].pk,
            responsible_leader_id=u[leader].pk,
            deadline=today + timedelta(days=days),
            milestones=[MilestoneSpec(t, today + timedelta(days=n)) for t, n in milestones],
        )

    def report(t, who, text, *, final=False, milestones=(), files=()):
        ids = [m.pk for m in t.milestones.all() if m.title in milestones]
        return services.task_report(
            actor=u[who], task_id=t.pk, text=text, is_final=final, milestone_ids=ids, files=list(files)
        )

    # 待落实: just handed out.
    task("设备到货验收与资产入账", "财务处", "task", days=60)
    # 落实中: a report accepted, the first milestone done.
    tender = task(
        "组织公开招标采购工业机器人工作站",
        "财务处",
        "task",
        milestones=[("编制招标文件", 7), ("开标评标", 20), ("签订采购合同", 30)],
    )
    report(tender, "finance", "招标文件已编制完成并经法律顾问审核。", milestones=["编制招标文件"])
    services.task_review(actor=u["discipline"], task_id=tender.pk, decision="accept", comment="请按期开标。")
    # 已报送·待审核: the college's report waits for the school affairs office (project track).
    site = task(
        "实训中心场地改造",
        "智能制造学院",
        "project",
        by="affairsoffice",
        milestones=[("改造方案", 10), ("施工", 35), ("验收", 44)],
    )
    report(site, "dean", "改造方案已完成，施工单位已进场。", milestones=["改造方案"])
    # 已报送·待审核 with a closing report: the discipline committee can close it (同意办结).
    plan = task("调整世赛集训基地教学计划", "教务处", "task", leader="principal", days=20)
    report(
        plan,
        "depthead",
        "新教学计划已经教学工作委员会审议通过并发布。",
        final=True,
        files=[_file("教学计划调整通知.txt", "关于调整世赛集训基地教学计划的通知")],
    )
    # 退回补充.
    training = task("组织设备操作师资培训", "教务处", "task", days=40)
    report(training, "depthead", "已联系设备厂商，培训计划待定。")
    services.task_review(
        actor=u["discipline"], task_id=training.pk, decision="return", comment="请补充培训时间安排和参训名单。"
    )
    # 已办结, with evidence and a rating.
    needs = task("采购需求论证", "财务处", "task", days=10)
    report(
        needs,
        "finance",
        "需求论证会已召开，论证意见见附件。",
        final=True,
        files=[_file("需求论证意见.txt", "专家论证意见：需求合理，预算适当。")],
    )
    services.task_review(
        actor=u["discipline"], task_id=needs.pk, decision="close", comment="论证充分，同意办结。", rating="good"
    )
    # 已逾期 and escalated: the deadline has passed (the demo moves it back) and the sweep told the leader.
    consumables = task("编制实训耗材清单", "智能制造学院", "project", by="affairsoffice", days=1)
    Task.objects.filter(pk=consumables.pk).update(deadline=today - timedelta(days=5))
    consumables.refresh_from_db()
    # The sweep's first level, as on the day after its deadline (the responsible leader and heads told).
    services.task_escalate_overdue(task=consumables, today=consumables.deadline + timedelta(days=1))

    _mailbox_and_patrols(u, d, today)
    seed_sources(u, d, today)
    _branch_checks(u, d, today)
    duties_load_defaults()


def _notices(u, resolution: Resolution) -> None:
    """三通报： the resolution is noticed (queued for the next school affairs meeting) and read by
    some; the all-staff digest of the month it was issued in carries it and is read by some."""
    notice = notice_services.notice_for_resolution(resolution_id=resolution.pk)
    for who in ("principal", "member1", "vice"):
        notice_services.notice_mark_read(actor=u[who], notice_id=notice.pk)
    issued = timezone.localtime(resolution.issued_at)
    # The month's major department work, selected by the party office, goes into the digest too.
    seed_major_work(issued.year, issued.month)
    digest = notice_services.digest_compile(year=issued.year, month=issued.month)
    for who in ("principal", "member1", "depthead"):
        notice_services.notice_mark_read(actor=u[who], notice_id=digest.pk)


def _mailbox_and_patrols(u, d, today) -> None:
    answered = services.letter_write(
        actor=u["teacher"], subject="实训楼晚间开放时间建议", body="建议实训楼晚间开放至21:30，方便学生备赛训练。"
    )
    services.letter_reply(
        actor=u["partyoffice"], letter_id=answered.pk, body="感谢建议。已转校务办研究，下周起试行延长开放。"
    )
    services.task_create(
        actor=u["partyoffice"],
        letter_id=answered.pk,
        track="performance",
        title="试行实训楼晚间延长开放",
        lead_department_id=d["智能制造学院"].pk,
        responsible_leader_id=u["member1"].pk,
        deadline=today + timedelta(days=14),
    )
    services.letter_write(
        actor=u["staff"], subject="关于食堂午餐排队时间过长的反映", body="近期午餐高峰排队超过20分钟，建议增开窗口。"
    )
    finding = services.finding_record(
        actor=u["member1"],
        patrolled_on=today - timedelta(days=2),
        place="实训楼三楼",
        text="消防通道堆放纸箱杂物，应急指示灯损坏一处。",
        department_id=d["智能制造学院"].pk,
    )
    services.task_create(
        actor=u["member1"],
        finding_id=finding.pk,
        track="performance",
        title="清理实训楼三楼消防通道并更换应急指示灯",
        lead_department_id=d["智能制造学院"].pk,
        responsible_leader_id=u["member1"].pk,
        deadline=today + timedelta(days=2),
    )
    services.finding_record(
        actor=u["vice"],
        patrolled_on=today - timedelta(days=1),
        place="图书馆自习区",
        text="自习区照明良好，学生秩序井然，未发现问题。",
    )


def _branch_checks(u, d, today) -> None:
    items = [
        BranchCheckItem.objects.create(title=title, points=points, position=i)
        for i, (title, points) in enumerate(CHECKLIST)
    ]
    last_month = today.replace(day=1) - timedelta(days=1)
    for branch, missed in (("机关第一党支部", {3}), ("智能制造学院党支部", {1, 4})):
        services.branch_check_record(
            actor=u["partyoffice"],
            branch_id=d[branch].pk,
            year=last_month.year,
            month=last_month.month,
            met={item.pk: i not in missed for i, item in enumerate(items)},
            note="总体规范，个别项目需整改。",
        )
