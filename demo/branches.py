"""The demo's party-branch track at the seed's scale: one Party committee, 8 general branches
(党总支) and 28 branches (党支部), each branch checked by the party office every past month of
the year (failed items become rectification tasks), some branches' self-checks, a year of 三会一课
with a few branches short, the posts' duty descriptions (党建履职说明书), a department
performance rating published to the leaders, and a flagged report value answered.

Written through the services, at the times they would have happened. Idempotent: nothing is
done once a general branch exists."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from org.models import Department, Role, RoleAssignment, User
from reports import services as report_services
from reports.models import Indicator, Stage
from reports.selectors import stage_table
from reports.selectors_flags import flagged_values
from supervision import services
from supervision.models import BranchCheckItem, DutyStatement, OrgLife
from supervision.services.performance import performance_publish, performance_rate

# General branch → its branches (the two of demo.people's first, so 28 in all).
GENERAL_BRANCHES = {
    "机关党总支": ["机关第一党支部", "机关第二党支部", "机关第三党支部", "机关第四党支部"],
    "智能制造学院党总支": [
        "智能制造学院党支部",
        "智能制造学院教工第二党支部",
        "智能制造学院学生党支部",
        "智能制造学院学生第二党支部",
    ],
    "信息技术学院党总支": [
        "信息技术学院教工党支部",
        "信息技术学院学生第一党支部",
        "信息技术学院学生第二党支部",
        "信息技术学院学生第三党支部",
    ],
    "经济管理学院党总支": ["经济管理学院教工党支部", "经济管理学院学生第一党支部", "经济管理学院学生第二党支部"],
    "建筑工程学院党总支": ["建筑工程学院教工党支部", "建筑工程学院学生第一党支部", "建筑工程学院学生第二党支部"],
    "艺术设计学院党总支": ["艺术设计学院教工党支部", "艺术设计学院学生党支部", "艺术设计学院学生第二党支部"],
    "基础教学部党总支": ["基础教学部第一党支部", "基础教学部第二党支部", "基础教学部第三党支部"],
    "离退休党总支": ["离退休第一党支部", "离退休第二党支部", "离退休第三党支部", "离退休第四党支部"],
}

STATEMENTS = [
    (
        Role.SECRETARY,
        "党委书记",
        "履行管党治党第一责任人职责\n主持党委会，研究部署党建工作\n每年为全校党员讲党课\n听取各党总支、党支部书记抓党建述职",
        "《中国共产党普通高等学校基层组织工作条例》",
    ),
    (
        Role.PARTY_OFFICE,
        "党委办公室主任",
        "组织党支部建设月度推磨式检查\n督促各支部按期召开三会一课\n汇总党建工作年度报表并标记异常\n整理年度考核结果，作为评优推先依据",
        "学校党建工作责任清单",
    ),
    (
        Role.DISCIPLINE,
        "纪委书记",
        "对党委会决议事项开展季度督查\n向党委会报告督查结果\n监督党支部整改落实",
        "学校党建工作责任清单",
    ),
    (
        Role.DEPT_HEAD,
        "党支部书记（部门负责人）",
        "每月召开支委会、党小组会\n每季度召开支部党员大会、讲党课\n每月开展支部自查，落实整改任务",
        "《中国共产党支部工作条例（试行）》",
    ),
    (
        Role.AFFAIRS_OFFICE,
        "校务办主任",
        "制定各部门年度工作计划\n定期开展部门工作绩效考评并排名\n向校领导发布考评结果",
        "学校年度工作要点",
    ),
]


def _branches(today: dt.date) -> list[Department]:
    order = 100
    branches = []
    for general, names in GENERAL_BRANCHES.items():
        parent, _new = Department.objects.get_or_create(
            name=general, defaults={"kind": Department.Kind.GENERAL_BRANCH, "sort_order": order}
        )
        for name in names:
            order += 1
            branch, new = Department.objects.get_or_create(
                name=name, defaults={"kind": Department.Kind.BRANCH, "sort_order": order, "parent": parent}
            )
            if not new and branch.parent_id is None:
                Department.objects.filter(pk=branch.pk).update(parent=parent)
            branches.append(branch)
    return branches


def _secretary(branch: Department) -> User:
    """The branch secretary of 机关第一党支部 (login: branchsec), who keeps its 三会一课 and self-checks."""
    user = User.objects.filter(username="branchsec").first()
    if user is None:
        from demo.people import demo_password

        user = User(username="branchsec", name="赵红", department=branch, title="机关第一党支部书记")
        user.email = "branchsec@school.example"
        user.password = demo_password()
        user.save()
    RoleAssignment.objects.get_or_create(user=user, role=Role.DEPT_HEAD, department=branch)
    RoleAssignment.objects.get_or_create(user=user, role=Role.STAFF, department=None)
    return user


def _at(day: dt.date):
    from demo.management.commands.seed_demo import back_in_time

    return back_in_time(timezone.make_aware(dt.datetime.combine(day, dt.time(10))))


def seed_branch_track() -> int:
    if Department.objects.filter(kind=Department.Kind.GENERAL_BRANCH).exists():
        return 0
    rng = random.Random(2026)
    today = timezone.localdate()
    u = {user.username: user for user in User.objects.all()}
    branches = _branches(today)
    secretary = _secretary(branches[0])
    items = list(BranchCheckItem.objects.filter(active=True)) or [
        BranchCheckItem.objects.create(title="“三会一课”按计划召开并有记录", points=40, position=1),
        BranchCheckItem.objects.create(title="党费按时收缴", points=30, position=2),
        BranchCheckItem.objects.create(title="党务公开及时", points=30, position=3),
    ]
    checked = 0
    for month in range(1, today.month):
        day = dt.date(today.year, month, 25)
        with _at(day):
            for branch in branches:
                if branch.branch_checks.filter(year=today.year, month=month, kind="office").exists():
                    continue
                weak = branch.sort_order % 9 == 0
                met = {i.pk: rng.random() > (0.12 if weak else 0.005) for i in items}
                services.branch_check_record(
                    actor=u["partyoffice"],
                    branch_id=branch.pk,
                    year=today.year,
                    month=month,
                    met=met,
                    note="按检查表逐项检查。",
                )
                checked += 1
            services.branch_self_check(
                actor=secretary,
                branch_id=branches[0].pk,
                year=today.year,
                month=month,
                met={i.pk: True for i in items},
                note="按月自查。",
            )
    # 三会一课: most branches keep the rhythm; every fifth skips some months and quarters.
    for n, branch in enumerate(branches):
        short = n % 5 == 4
        for month in range(1, today.month + 1):
            for kind in (OrgLife.COMMITTEE, OrgLife.GROUP):
                held_on = dt.date(today.year, month, 10 if kind == OrgLife.COMMITTEE else 15)
                if held_on > today or (short and month % 3 == 0):
                    continue
                services.org_life_record(
                    actor=secretary if branch == branches[0] else u["partyoffice"],
                    branch_id=branch.pk,
                    kind=kind,
                    held_on=held_on,
                    topic="学习与研究月度工作",
                    attendees=8,
                )
            if month % 3 == 2:
                for kind in (OrgLife.MEMBERS, OrgLife.LECTURE):
                    held_on = dt.date(today.year, month, 20)
                    if held_on <= today and not (short and kind == OrgLife.LECTURE):
                        services.org_life_record(
                            actor=secretary if branch == branches[0] else u["partyoffice"],
                            branch_id=branch.pk,
                            kind=kind,
                            held_on=held_on,
                            topic="专题党课" if kind == OrgLife.LECTURE else "支部党员大会",
                            attendees=20,
                        )
    for i, (role, post, duties, basis) in enumerate(STATEMENTS):
        DutyStatement.objects.get_or_create(
            role=role, post=post, defaults={"duties": duties, "basis": basis, "position": i}
        )
    _performance(u, today)
    _answer_a_flag(u)
    return checked + 1


def _performance(u, today: dt.date) -> None:
    """A rating of the year so far, published: the tasks the demo has handed out are its lines."""
    end = today - dt.timedelta(days=1)
    if end.year != today.year:
        return
    rating = performance_rate(
        actor=u["affairsoffice"],
        year=today.year,
        period_end=end,
        title=f"{today.year}年部门工作绩效考评（截至{end:%m月%d日}）",
    )
    performance_publish(actor=u["affairsoffice"], rating_id=rating.pk)


def _answer_a_flag(u) -> None:
    """信息中心 explains its flagged training hours (demo.party_building makes it an outlier)."""
    hours = Indicator.objects.filter(name="党员教育培训学时").first()
    if hours is None:
        return
    Indicator.objects.filter(pk=hours.pk).update(minimum=Decimal("30"))
    for stage in (Stage.PROGRESS, Stage.TARGET):
        table = stage_table(timezone.localdate().year, stage)
        for f in flagged_values(table):
            if f.department.name == "信息中心" and f.cell.indicator.pk == hours.pk and f.cell.entry:
                report_services.flag_answer(
                    actor=u["partyoffice"],
                    department_id=f.department.pk,
                    indicator_id=hours.pk,
                    year=table.year,
                    stage=stage,
                    text="信息中心上半年承担教学平台升级，集中培训安排在下半年，全年学时可达标。",
                )
                return
