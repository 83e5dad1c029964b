"""A school of N× a large vocational college, written straight into the tables (seed_scale).

The services are the only path for writes in the application; here they would take hours, so
this module writes the rows they would have written, with bulk_create, in the states the rules
allow: items move along STEPS, only passed PC/PO entries carry a numbered resolution (the
numbers continue in core.Sequence), tasks come from resolutions (or letters and patrol
findings), an item is closed only when all its tasks are, every notice has its recipients,
and history (AuditEvent) rows are only inserted. Everything comes from one random.Random(seed)
and a fixed base date, so the same factor and seed give the same rows.

What it leaves out, on purpose: PO "passed, to PC" chains （三重一大 items go to PC directly），
deferred entries, attachments and evidence files on disk (Evidence rows name files that are not
there), reminders and notifications. Notices exist for the most recent PC resolutions and
monthly digests only, as if the 三通报 module had gone live then: a notice to everyone reaches
every member of staff, so 300,000 receipts at N=1 are about a hundred such notices.
"""

import datetime as dt
import hashlib
import random
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, models

from core.models import AuditEvent, Sequence
from decisions.models import AgendaItem, Consultation
from demo.people import BODIES, demo_password, seed_org
from meetings.models import AgendaEntry, Attendance, Meeting, Minutes, MinutesSignature, Opinion, Resolution, Vote
from notices.models import Notice, NoticeAudience, NoticeRecipient
from org.models import Department, MeetingBody, Role, RoleAssignment, User
from supervision.models import (
    Evidence,
    Letter,
    LetterReply,
    Milestone,
    PatrolFinding,
    ProgressReport,
    ReportReview,
    Task,
    TaskEscalation,
)

TZ = ZoneInfo("Asia/Shanghai")
# The end of the generated history: fixed, so a seed gives the same rows whenever it runs.
BASE = dt.datetime(2026, 11, 16, 9, 0, tzinfo=TZ)
YEARS = 10
START = BASE.replace(year=BASE.year - YEARS)

# At factor 1 (a large vocational college, ten years).
AT_ONE = {
    "staff": 3000,
    "departments": 120,
    "meetings": 2000,
    "items": 20000,
    "tasks": 60000,
    "receipts": 300000,
    "history": 1000000,
}
BODY_SHARE = {"PC": 0.25, "PO": 0.35, "SA": 0.25, "AS": 0.15}
ITEM_SHARE = {"PC": 0.35, "PO": 0.45, "SA": 0.12, "AS": 0.08}
CATEGORIES = {
    "PC": [("study", 10), ("report", 15), ("proposal", 15), ("decision", 50), ("briefing", 10)],
    "PO": [("report", 20), ("proposal", 30), ("decision", 50)],
    "SA": [("study", 30), ("report", 50), ("briefing", 20)],
    "AS": [("report", 60), ("briefing", 40)],
}
SECRETARY = {"PC": "partyoffice", "PO": "affairsoffice", "SA": "affairsoffice", "AS": "affairsoffice"}
LEADERS = ["secretary", "principal", "member1", "member2", "vice"]
SUPERVISOR = {"task": "discipline", "performance": "affairsoffice", "project": "affairsoffice", "branch": "partyoffice"}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建文国红云飞宇浩凯晨阳欣怡佳琪思雨子涵博睿嘉俊志远海波"
)
SUBJECTS = [
    "学生顶岗实习管理办法",
    "实训基地建设",
    "教师企业实践",
    "产教融合型企业合作",
    "专业人才培养方案",
    "“双师型”教师队伍建设",
    "校园安全管理",
    "学生资助工作",
    "职业技能等级证书试点",
    "现代学徒制试点",
    "智慧校园建设",
    "图书馆数字资源采购",
    "教学质量诊断与改进",
    "招生就业工作",
    "继续教育与社会培训",
    "实验实训设备采购",
    "学生宿舍维修改造",
    "食堂服务外包",
    "科研项目经费管理",
    "国际交流合作项目",
    "课程思政示范课建设",
    "技能大赛集训",
    "中层干部选拔任用",
    "年度预算调整",
    "校企共建产业学院",
]
VERBS = ["关于修订", "关于制定", "关于调整", "关于开展", "关于申报", "关于推进", "关于落实", "关于完善"]
KINDS = ["的请示", "的议案", "的报告", "的方案", "的意见"]
# Fates that end before any leader is consulted.
CONSULT_NEVER = frozenset({"draft", "dept_review", "returned", "screening", "rejected", "withdrawn"})
PLACES = ["行政楼第一会议室", "行政楼第二会议室", "图书馆报告厅", "实训中心会议室"]


def scaled(name: str, factor: float) -> int:
    return max(1, round(AT_ONE[name] * factor))


@contextmanager
def recorded_times(*models_):
    """Let bulk_create keep the times given (auto_now / auto_now_add would stamp them all now)."""
    saved = []
    for model in models_:
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in saved:
            f.auto_now, f.auto_now_add = now, now_add


@dataclass
class Tables:
    """Rows written and seconds spent per table."""

    rows: Counter = field(default_factory=Counter)
    seconds: Counter = field(default_factory=Counter)


class Writer:
    def __init__(self):
        self.tables = Tables()
        self.batch = 5000 if connection.vendor == "postgresql" else None
        self.history: list[AuditEvent] = []

    def save(self, objs: list) -> list:
        if not objs:
            return objs
        model = type(objs[0])
        began = time.perf_counter()
        for i in range(0, len(objs), 20000):
            model.objects.bulk_create(objs[i : i + 20000], batch_size=self.batch)
        self.tables.seconds[model._meta.db_table] += time.perf_counter() - began
        self.tables.rows[model._meta.db_table] += len(objs)
        return objs

    def event(self, when, actor, verb, target_type, target_id, from_state="", to_state="", reason="", data=None):
        self.history.append(
            AuditEvent(
                created_at=when,
                actor_id=actor,
                verb=verb,
                target_type=target_type,
                target_id=target_id,
                from_state=from_state,
                to_state=to_state,
                reason=reason,
                data=data or {},
            )
        )
        if len(self.history) >= 50000:
            self.flush()

    def flush(self):
        rows, self.history = self.history, []
        self.save(rows)


def build(*, factor: float, seed: int = 2026, log=print) -> Tables:
    """Write the school. The database must hold no agenda items yet (a fresh, migrated one)."""
    if AgendaItem.objects.exists():
        raise RuntimeError("seed_scale needs a database without agenda items (migrate a fresh one)")
    rng = random.Random(seed)
    w = Writer()
    with (
        recorded_times(
            AgendaItem, Consultation, Meeting, Opinion, Vote, Resolution, Minutes, MinutesSignature, AuditEvent
        ),
        recorded_times(
            Notice, Task, ProgressReport, Evidence, ReportReview, Letter, LetterReply, PatrolFinding, TaskEscalation
        ),
    ):
        School(rng, factor, w, log).run()
    w.flush()
    return w.tables


def _t(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


class School:
    def __init__(self, rng: random.Random, factor: float, w: Writer, log):
        self.rng, self.factor, self.w, self.log = rng, factor, w, log

    def run(self):
        seed_org()
        self.people()
        self.meetings()
        self.items()
        self.tasks()
        self.notices()
        self.top_up_history()

    def at(self, when: dt.datetime, hours: float) -> dt.datetime:
        return when + dt.timedelta(hours=hours)

    # --- departments and people --------------------------------------------------------------
    def people(self):
        rng, w = self.rng, self.w
        existing = Department.objects.count()
        wanted = scaled("departments", self.factor)
        new_depts = []
        for n in range(max(0, wanted - existing)):
            kind = rng.choices(["office", "college", "branch"], [3, 2, 5])[0]
            label = {"office": "职能部门", "college": "二级学院", "branch": "党支部"}[kind]
            new_depts.append(Department(name=f"第{n + 1:03d}{label}", kind=kind, sort_order=100 + n))
        w.save(new_depts)
        self.departments = list(Department.objects.exclude(kind="leadership").order_by("pk"))
        self.u = {u.username: u.pk for u in User.objects.all()}
        # The demo accounts were here from the start: they receive every notice.
        User.objects.filter(pk__in=self.u.values()).update(date_joined=START - dt.timedelta(days=1))
        password = demo_password()
        staff = []
        depts = list(Department.objects.exclude(kind="leadership").order_by("pk"))
        for n in range(max(0, scaled("staff", self.factor) - len(self.u))):
            joined = START - dt.timedelta(days=1) if rng.random() < 0.6 else START + (BASE - START) * rng.random()
            staff.append(
                User(
                    username=f"t{n + 1:05d}",
                    name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                    department=rng.choice(depts),
                    title="教职工",
                    email=f"t{n + 1:05d}@school.example",
                    password=password,
                    date_joined=joined,
                )
            )
        w.save(staff)
        staff_ids = dict(User.objects.filter(username__startswith="t").values_list("username", "pk"))
        by_dept = defaultdict(list)
        for s in staff:
            by_dept[s.department_id].append(staff_ids[s.username])
        heads = dict(RoleAssignment.objects.filter(role=Role.DEPT_HEAD).values_list("department_id", "user_id"))
        roles = [RoleAssignment(user_id=staff_ids[s.username], role=Role.STAFF) for s in staff]
        for d in depts:
            if d.pk not in heads and by_dept[d.pk]:
                heads[d.pk] = by_dept[d.pk][0]
                roles.append(RoleAssignment(user_id=heads[d.pk], role=Role.DEPT_HEAD, department_id=d.pk))
        w.save(roles)
        # Every department that submits items or leads tasks has a head (who reviews and reports).
        self.heads = heads
        self.departments = [d for d in depts if d.pk in heads]
        self.branches = [d for d in self.departments if d.kind == "branch"] or self.departments
        self.members_of = defaultdict(list)
        for d in self.departments:
            self.members_of[d.pk] = by_dept[d.pk] or [heads[d.pk]]
        for name, pk in User.objects.filter(pk__in=self.u.values()).values_list("username", "department_id"):
            if pk in self.members_of and name not in LEADERS:
                self.members_of[pk].append(self.u[name])
        # Who was on staff when: "everyone" at a given moment (superusers are not staff).
        self.joined = sorted(User.objects.filter(is_superuser=False, is_active=True).values_list("date_joined", "pk"))

    # --- meetings, attendance ---------------------------------------------------------------
    def meetings(self):
        rng, w = self.rng, self.w
        self.bodies = {b.code: b for b in MeetingBody.objects.all()}
        total = scaled("meetings", self.factor)
        span = (BASE - START).total_seconds()
        meetings = []
        for code, share in BODY_SHARE.items():
            count = max(1, round(total * share))
            chair, members, observers = BODIES[code]
            for n in range(count):
                day = START + dt.timedelta(seconds=span * (n + rng.random()) / count)
                day = day.replace(hour=rng.choice((9, 14)), minute=rng.choice((0, 30)), second=0, microsecond=0)
                meetings.append((day, code, "cancelled" if rng.random() < 0.02 else "adjourned"))
            # One to come, its agenda published.
            meetings.append((BASE + dt.timedelta(days=3 + len(meetings) % 5, hours=5), code, "published"))
        meetings.sort()
        seq = Counter()
        rows = []
        for day, code, state in meetings:
            seq[(code, day.year)] += 1
            body = self.bodies[code]
            rows.append(
                Meeting(
                    body=body,
                    title=f"{day.year}年第{seq[(code, day.year)]}次{body.name}",
                    starts_at=day,
                    place=rng.choice(PLACES),
                    chair_id=self.u[BODIES[code][0]],
                    secretary_id=self.u[SECRETARY[code]],
                    materials_days=body.materials_days,
                    state=state,
                    created_by_id=self.u[SECRETARY[code]],
                    created_at=day - dt.timedelta(days=14),
                    opened_at=day if state == "adjourned" else None,
                    closed_at=self.at(day, 2.5) if state == "adjourned" else None,
                )
            )
        w.save(rows)
        self.all_meetings = list(Meeting.objects.order_by("starts_at", "pk"))
        attendance, self.present = [], {}
        for m in self.all_meetings:
            code = _code(self, m)
            chair, members, observers = BODIES[code]
            absent = (
                rng.choice([x for x in members if x != chair])
                if len(members) > 2 and m.state == "adjourned" and rng.random() < 0.05
                else None
            )
            self.present[m.pk] = [self.u[x] for x in members if x != absent]
            done = m.state == "adjourned"
            for who in members:
                status = ("absent" if who == absent else "present") if done else "unknown"
                attendance.append(
                    Attendance(
                        meeting=m,
                        person_id=self.u[who],
                        kind="member",
                        status=status,
                        absence_reason="公务外出" if who == absent else "",
                    )
                )
            for who in observers:
                attendance.append(
                    Attendance(
                        meeting=m, person_id=self.u[who], kind="observer", status="present" if done else "unknown"
                    )
                )
            secretary = self.u[SECRETARY[code]]
            tt = _t(Meeting)
            w.event(m.created_at, secretary, "meeting.schedule", tt, m.pk, to_state="planning")
            if m.state == "cancelled":
                w.event(
                    m.starts_at - dt.timedelta(days=1),
                    secretary,
                    "meeting.cancel",
                    tt,
                    m.pk,
                    "planning",
                    "cancelled",
                    "工作安排调整",
                )
                continue
            w.event(m.starts_at - dt.timedelta(days=7), secretary, "meeting.publish", tt, m.pk, "planning", "published")
            if done:
                w.event(m.starts_at, secretary, "meeting.open", tt, m.pk, "published", "in_progress")
                for who in members + observers:
                    w.event(m.starts_at, secretary, "meeting.attendance", tt, m.pk, data={"person": self.u[who]})
                w.event(m.closed_at, secretary, "meeting.adjourn", tt, m.pk, "in_progress", "adjourned")
        w.save(attendance)

    # --- agenda items and what meetings made of them ----------------------------------------
    def items(self):
        rng, w = self.rng, self.w
        total = scaled("items", self.factor)
        held = defaultdict(list)
        coming = {}
        for m in self.all_meetings:
            if m.state == "adjourned":
                held[_code(self, m)].append(m)
            elif m.state == "published":
                coming[_code(self, m)] = m
        plans = []  # (item, meeting or None, fate)
        for code, share in ITEM_SHARE.items():
            body = self.bodies[code]
            for _ in range(max(1, round(total * share))):
                category = rng.choices(*zip(*CATEGORIES[code]))[0]
                major, amount = "", None
                if code == "PC" and category in ("proposal", "decision") and rng.random() < 0.6:
                    major = rng.choice(["decision", "appointment", "project", "funds"])
                    if major == "funds":
                        amount = Decimal(rng.randrange(100_000, 5_000_000, 1000))
                elif code == "PO" and category == "decision" and rng.random() < 0.3:
                    amount = Decimal(rng.randrange(5_000, 99_000, 500))
                dept = rng.choice(self.departments)
                r = rng.random()
                if r < 0.90 and held[code]:
                    meeting, fate = rng.choice(held[code]), "held"
                    created = meeting.starts_at - dt.timedelta(days=rng.uniform(10, 45))
                elif r < 0.93:
                    meeting, fate = coming[code], "scheduled"
                    created = BASE - dt.timedelta(days=rng.uniform(10, 30))
                elif r < 0.96:
                    meeting = None
                    fate = rng.choice(
                        ["draft", "dept_review", "returned", "screening", "consulting", "revising", "ready"]
                    )
                    created = BASE - dt.timedelta(days=rng.uniform(1, 40))
                else:
                    meeting, fate = None, rng.choice(["rejected", "withdrawn"])
                    created = START + (BASE - START) * rng.random()
                subject = rng.choice(SUBJECTS)
                title = f"{rng.choice(VERBS)}{subject}{rng.choice(KINDS)}({created.year}-{len(plans) + 1:05d})"
                item = AgendaItem(
                    title=title,
                    category=category,
                    background=f"根据上级关于{subject}的部署和学校工作实际，{dept.name}提出本议题。",
                    proposal=f"拟由{dept.name}牵头，{subject}按方案分步实施，经费按预算执行。",
                    amount=amount,
                    major_kind=major,
                    requested_body=body,
                    confidential=rng.random() < 0.05,
                    submitter_id=rng.choice(self.members_of[dept.pk]),
                    department=dept,
                    created_at=created,
                    submitted_at=None if fate == "draft" else self.at(created, rng.uniform(2, 48)),
                )
                plans.append((item, meeting, fate))
        plans.sort(key=lambda p: p[0].created_at)
        for item, _meeting, fate in plans:
            item.consultees = self.consultees(item)
            item.rounds = 2 if item.consultees and fate in ("held", "scheduled") and rng.random() < 0.1 else 1
            item.consultation_round = item.rounds if item.consultees and fate not in CONSULT_NEVER else 0
            item.state = "ready" if fate in ("consulting", "revising") and not item.consultees else fate
            if fate == "held":
                item.state = "scheduled"  # agenda() settles it from the outcome
            item.updated_at = item.submitted_at or item.created_at
        w.save([p[0] for p in plans])
        self.consult_and_history(plans)
        self.agenda(plans)

    def consultees(self, item) -> list[int]:
        if item.category not in ("proposal", "decision") or item.requested_body.code not in ("PC", "PO"):
            return []
        chair = BODIES[item.requested_body.code][0]
        pool = [x for x in LEADERS if x != chair]
        return [self.u[x] for x in self.rng.sample(pool, self.rng.choice((1, 2, 3)))]

    def consult_and_history(self, plans):
        rng, w = self.rng, self.w
        consultations = []
        tt = _t(AgendaItem)
        for item, _meeting, fate in plans:
            w.event(item.created_at, item.submitter_id, "item.create", tt, item.pk, to_state="draft")
            if fate == "draft":
                continue
            t = item.submitted_at
            w.event(t, item.submitter_id, "item.submit", tt, item.pk, "draft", "dept_review")
            head = self.heads[item.department_id]
            if fate == "dept_review":
                continue
            t = self.at(t, rng.uniform(2, 72))
            if fate == "returned":
                w.event(t, head, "item.dept_return", tt, item.pk, "dept_review", "returned", "请补充依据和经费测算。")
                continue
            w.event(t, head, "item.dept_approve", tt, item.pk, "dept_review", "screening")
            screener = self.u[BODIES[item.requested_body.code][0]]
            if fate == "screening":
                continue
            t = self.at(t, rng.uniform(2, 72))
            if fate == "rejected":
                w.event(
                    t, screener, "item.screen_reject", tt, item.pk, "screening", "rejected", "不属于本会议议事范围。"
                )
                continue
            consultees = item.consultees
            if fate == "withdrawn":
                w.event(
                    t,
                    item.submitter_id,
                    "item.withdraw",
                    tt,
                    item.pk,
                    "screening",
                    "withdrawn",
                    "工作安排调整，暂不上会。",
                )
                continue
            w.event(
                t, screener, "item.screen_accept", tt, item.pk, "screening", "consulting" if consultees else "ready"
            )
            rounds = item.rounds
            for rnd in range(1, rounds + 1):
                for n, who in enumerate(consultees):
                    pending = fate == "consulting" and n == len(consultees) - 1
                    concern = (fate == "revising" or rnd < rounds) and n == 0
                    answered = None if pending else self.at(t, rng.uniform(4, 96))
                    consultations.append(
                        Consultation(
                            item=item,
                            round=rnd,
                            consultee_id=who,
                            requested_by_id=screener,
                            requested_at=t,
                            answer="pending" if pending else ("concern" if concern else "agree"),
                            text="请进一步论证经费来源。" if concern else "",
                            answered_at=answered,
                        )
                    )
                    if answered:
                        w.event(
                            answered,
                            who,
                            "item.consult_answer",
                            tt,
                            item.pk,
                            "consulting",
                            "revising" if concern else "consulting",
                            "请进一步论证经费来源。" if concern else "",
                        )
                if rnd < rounds:
                    t = self.at(t, 120)
                    w.event(
                        t, item.submitter_id, "item.resubmit", tt, item.pk, "revising", "consulting", "已补充经费论证。"
                    )
        self.w.save(consultations)

    def agenda(self, plans):
        _rng, w = self.rng, self.w
        by_meeting = defaultdict(list)
        for item, meeting, _fate in plans:
            if meeting is not None:
                by_meeting[meeting.pk].append(item)
        meetings = {m.pk: m for m in self.all_meetings}
        entries = []
        for mid in sorted(by_meeting):
            m = meetings[mid]
            for pos, item in enumerate(sorted(by_meeting[mid], key=lambda i: i.created_at), start=1):
                entries.append(self.entry(m, item, pos))
        w.save(entries)
        opinions, votes, resolutions, states = [], [], [], {}
        seq = Counter()
        tt_item, _tt_m = _t(AgendaItem), _t(Meeting)
        for e in entries:
            m, item = meetings[e.meeting_id], e.item
            secretary = self.u[SECRETARY[_code(self, m)]]
            w.event(
                m.starts_at - dt.timedelta(days=8), secretary, "item.schedule", tt_item, item.pk, "ready", "scheduled"
            )
            if not e.outcome:
                continue
            code = _code(self, m)
            present = self.present[m.pk]
            chair = self.u[BODIES[code][0]]
            decided = e.decided_at
            if item.category in ("proposal", "decision"):
                against = e.outcome == "not_passed"
                speakers = [p for p in present if p != chair] + ([chair] if chair in present else [])
                for n, who in enumerate(speakers):
                    when = decided - dt.timedelta(minutes=20 - n)
                    stance = "disagree" if against and n < len(speakers) // 2 + 1 else "agree"
                    opinions.append(
                        Opinion(entry=e, member_id=who, stance=stance, recorded_by_id=secretary, recorded_at=when)
                    )
                    w.event(
                        when,
                        secretary,
                        "meeting.opinion",
                        _t(AgendaEntry),
                        e.pk,
                        data={"member": who, "stance": stance},
                    )
                if item.major_kind or against:
                    w.event(decided - dt.timedelta(minutes=5), secretary, "meeting.vote_open", _t(AgendaEntry), e.pk)
                    for n, who in enumerate(present):
                        choice = "against" if against and n < len(present) // 2 + 1 else "for"
                        votes.append(
                            Vote(entry=e, member_id=who, choice=choice, cast_at=decided - dt.timedelta(minutes=4))
                        )
                        w.event(decided - dt.timedelta(minutes=4), who, "meeting.vote_cast", _t(AgendaEntry), e.pk)
                    w.event(decided - dt.timedelta(minutes=1), secretary, "meeting.vote_close", _t(AgendaEntry), e.pk)
            w.event(decided, secretary, "meeting.decide", _t(AgendaEntry), e.pk, data={"outcome": e.outcome})
            to = {"noted": "noted", "not_passed": "not_passed"}.get(e.outcome, "resolved")
            w.event(
                decided,
                secretary,
                "item.decide",
                tt_item,
                item.pk,
                "scheduled",
                to,
                e.outcome_note or e.get_outcome_display(),
            )
            states[item.pk] = to
            if to == "resolved":
                body = self.bodies[code]
                year = m.starts_at.astimezone(TZ).year
                seq[(code, year)] += 1
                n = seq[(code, year)]
                text = item.proposal if e.outcome == "passed" else f"{item.proposal}\n修改意见：{e.outcome_note}"
                resolutions.append(
                    Resolution(
                        body=body,
                        year=year,
                        seq=n,
                        number=f"{body.name}〔{year}〕{n}号",
                        meeting=m,
                        entry=e,
                        item=item,
                        outcome=e.outcome,
                        text=text,
                        confidential=item.confidential,
                        issued_at=decided,
                        issued_by_id=secretary,
                    )
                )
        w.save(opinions)
        w.save(votes)
        w.save(resolutions)
        self.resolutions = resolutions
        for state in ("noted", "not_passed", "resolved"):
            ids = [pk for pk, s in states.items() if s == state]
            for i in range(0, len(ids), 5000):
                AgendaItem.objects.filter(pk__in=ids[i : i + 5000]).update(state=state)
        for (code, year), last in seq.items():
            Sequence.objects.update_or_create(name=f"resolution:{code}", year=year, defaults={"last": last})
        self.minutes(entries, meetings)

    def entry(self, m, item, pos) -> AgendaEntry:
        rng = self.rng
        e = AgendaEntry(meeting=m, item=item, position=pos)
        if m.state != "adjourned":
            return e
        code = _code(self, m)
        e.decided_at = self.at(m.starts_at, 0.2 * pos + 0.1)
        e.decided_by_id = self.u[SECRETARY[code]]
        if item.category in ("study", "report", "briefing"):
            e.outcome = "noted"
        else:
            r = rng.random()
            e.outcome = "passed" if r < 0.85 else ("passed_with_changes" if r < 0.95 else "not_passed")
            if item.major_kind or e.outcome == "not_passed":
                e.vote_state = "closed"
        if e.outcome == "passed_with_changes":
            e.outcome_note = "按会议意见修改完善后实施。"
        return e

    def minutes(self, entries, meetings):
        _rng, w = self.rng, self.w
        titles = defaultdict(list)
        for e in entries:
            titles[e.meeting_id].append(f"{e.position}. {e.item.title}:{e.get_outcome_display()}")
        last_held = {}
        for m in self.all_meetings:
            if m.state == "adjourned":
                last_held[_code(self, m)] = m.pk
        rows, seq = [], Counter()
        for m in self.all_meetings:
            if m.state != "adjourned":
                continue
            code = _code(self, m)
            signing = last_held[code] == m.pk
            year = m.starts_at.astimezone(TZ).year
            number = ""
            if not signing:
                seq[(code, year)] += 1
                number = f"{m.body.name}纪要〔{year}〕{seq[(code, year)]}号"
            text = f"{m.title}\n时间：{m.starts_at.astimezone(TZ):%Y年%m月%d日}\n" + "\n".join(titles[m.pk])
            rows.append(
                Minutes(
                    meeting=m,
                    text=text,
                    state="signing" if signing else "locked",
                    signing_round=1,
                    number=number,
                    created_at=self.at(m.closed_at, 1),
                    locked_at=None if signing else self.at(m.closed_at, 72),
                )
            )
        w.save(rows)
        signatures = []
        tt = _t(Minutes)
        for mn in rows:
            m = mn.meeting
            secretary = self.u[SECRETARY[_code(self, m)]]
            sha = hashlib.sha256(mn.text.encode()).hexdigest()
            signers = self.present[m.pk][: 1 if mn.state == "signing" else None]
            w.event(mn.created_at, secretary, "minutes.draft", tt, mn.pk)
            w.event(self.at(mn.created_at, 2), secretary, "minutes.send", tt, mn.pk, "draft", "signing")
            for n, who in enumerate(signers):
                when = self.at(mn.created_at, 24 + n)
                signatures.append(MinutesSignature(minutes=mn, member_id=who, round=1, text_sha256=sha, signed_at=when))
                w.event(when, who, "minutes.sign", tt, mn.pk, data={"round": 1})
            if mn.state == "locked":
                w.event(
                    mn.locked_at,
                    signers[-1],
                    "minutes.lock",
                    tt,
                    mn.pk,
                    "signing",
                    "locked",
                    data={"number": mn.number},
                )
        w.save(signatures)
        for (code, year), last in seq.items():
            Sequence.objects.update_or_create(name=f"minutes:{code}", year=year, defaults={"last": last})

    # --- supervision ------------------------------------------------------------------------
    def tasks(self):
        rng, w = self.rng, self.w
        total = scaled("tasks", self.factor)
        n_letters = max(1, round(total * 0.05))
        n_findings = max(1, round(total * 0.05))
        letters = []
        for n in range(n_letters + max(1, n_letters // 5)):
            when = START + (BASE - START) * rng.random()
            replied = n < n_letters or rng.random() < 0.5
            letters.append(
                Letter(
                    author_id=rng.choice(self.joined)[1],
                    subject=f"关于{rng.choice(SUBJECTS)}的建议",
                    body="建议学校进一步研究并改进相关工作。",
                    created_at=when,
                    state="replied" if replied else "open",
                    replied_at=self.at(when, rng.uniform(4, 120)) if replied else None,
                )
            )
        w.save(letters)
        w.save(
            [
                LetterReply(
                    letter=x,
                    author_id=self.u["partyoffice"],
                    body="感谢来信，已转相关部门研究落实。",
                    created_at=x.replied_at,
                )
                for x in letters
                if x.replied_at
            ]
        )
        findings = []
        for _ in range(n_findings):
            day = (START + (BASE - START) * rng.random()).astimezone(TZ)
            findings.append(
                PatrolFinding(
                    leader_id=self.u[rng.choice(LEADERS)],
                    patrolled_on=day.date(),
                    place=rng.choice(["实训楼", "教学楼", "学生宿舍", "食堂", "图书馆"]) + f"{rng.randint(1, 6)}楼",
                    text="发现安全隐患一处，需限期整改。",
                    department=rng.choice(self.departments),
                    created_at=day,
                )
            )
        w.save(findings)
        for x in letters:
            w.event(x.created_at, x.author_id, "letter.write", _t(Letter), x.pk)
            if x.replied_at:
                w.event(x.replied_at, self.u["partyoffice"], "letter.reply", _t(Letter), x.pk)
        for f in findings:
            w.event(f.created_at, f.leader_id, "patrol.record", _t(PatrolFinding), f.pk)

        sources = []
        resolutions = self.resolutions or []
        for _ in range(total - n_letters - n_findings if resolutions else 0):
            sources.append(("resolution", rng.choice(resolutions)))
        sources += [("letter", x) for x in letters[:n_letters]]
        sources += [("patrol", f) for f in findings]
        tasks = []
        for source, origin in sources:
            track = rng.choices(["task", "performance", "project", "branch"], [50, 20, 20, 10])[0]
            if source == "resolution":
                issued, title = origin.issued_at, f"落实{origin.number}:{origin.item.title[:60]}"
                confidential = origin.confidential
            elif source == "letter":
                issued, title, confidential = origin.replied_at, f"办理来信：{origin.subject}", False
                track = "performance"
            else:
                issued, title, confidential = origin.created_at, f"整改：{origin.place}{origin.text[:20]}", False
                track = "performance"
            created = self.at(issued, rng.uniform(2, 72))
            deadline = (created + dt.timedelta(days=rng.randint(20, 180))).astimezone(TZ).date()
            dept = rng.choice(self.branches if track == "branch" else self.departments)
            due = dt.datetime.combine(deadline, dt.time(17), TZ)
            if due < BASE - dt.timedelta(days=30):
                state = "closed" if rng.random() < 0.95 else rng.choice(["in_progress", "returned", "assigned"])
            else:
                state = rng.choices(
                    ["assigned", "in_progress", "reported", "returned", "closed"], [35, 30, 15, 10, 10]
                )[0]
            closed_at = None
            if state == "closed":
                closed_at = min(created + (due - created) * rng.uniform(0.3, 1.0), BASE - dt.timedelta(hours=1))
                closed_at = max(closed_at, self.at(created, 3))
            overdue = state != "closed" and due < BASE
            tasks.append(
                Task(
                    track=track,
                    source=source,
                    resolution=origin if source == "resolution" else None,
                    item_id=origin.item_id if source == "resolution" else None,
                    letter=origin if source == "letter" else None,
                    finding=origin if source == "patrol" else None,
                    title=title,
                    description="按决议要求落实，按节点报送进展并上传佐证材料。",
                    lead_department=dept,
                    responsible_leader_id=self.u[rng.choice(LEADERS)],
                    deadline=deadline,
                    confidential=confidential,
                    state=state,
                    escalation_level=(2 if rng.random() < 0.3 else 1) if overdue else 0,
                    created_by_id=self.u[SUPERVISOR[track] if source == "resolution" else "partyoffice"],
                    created_at=created,
                    closed_at=closed_at,
                )
            )
        tasks.sort(key=lambda t: t.created_at)
        w.save(tasks)
        self.task_records(tasks)
        # 决策—执行—反馈—办结: an item whose tasks are all closed is closed.
        open_items, closing = set(), {}
        for t in tasks:
            if t.item_id:
                if t.state != "closed":
                    open_items.add(t.item_id)
                else:
                    closing[t.item_id] = max(closing.get(t.item_id, t.closed_at), t.closed_at)
        closed = sorted(set(closing) - open_items)
        for i in range(0, len(closed), 5000):
            AgendaItem.objects.filter(pk__in=closed[i : i + 5000]).update(state="closed")
        for pk in closed:
            w.event(closing[pk], None, "item.close", _t(AgendaItem), pk, "resolved", "closed", "督查任务全部办结")

    def task_records(self, tasks):
        rng, w = self.rng, self.w
        milestones, reports, escalations = [], [], []
        for t in tasks:
            w.event(t.created_at, t.created_by_id, "task.create", _t(Task), t.pk, to_state="assigned")
            due = dt.datetime.combine(t.deadline, dt.time(17), TZ)
            for level in range(1, t.escalation_level + 1):
                when = min(due + dt.timedelta(days=7 * level), BASE - dt.timedelta(hours=level))
                reason = "已逾期，系统提醒责任领导和牵头部门。" if level == 1 else "仍逾期，系统提醒督查部门。"
                escalations.append(TaskEscalation(task=t, level=level, by=None, reason=reason, created_at=when))
                w.event(when, None, "task.escalate", _t(Task), t.pk, data={"level": level})
            if rng.random() < 0.4:
                span = dt.datetime.combine(t.deadline, dt.time(17), TZ) - t.created_at
                for n in (1, 2):
                    milestones.append(
                        Milestone(
                            task=t,
                            title=("制定实施方案", "完成并总结")[n - 1],
                            due=(t.created_at + span * n / 2).astimezone(TZ).date(),
                            position=n,
                        )
                    )
            if t.state == "assigned":
                continue
            author = self.heads[t.lead_department_id]
            when = (
                t.closed_at - dt.timedelta(hours=2) if t.closed_at else self.at(t.created_at, rng.uniform(24, 24 * 20))
            )
            when = min(when, BASE - dt.timedelta(hours=3))
            final = t.state == "closed" or (t.state == "reported" and rng.random() < 0.3)
            reports.append(
                ProgressReport(
                    task=t,
                    author_id=author,
                    text="已按要求完成。" if final else "已按节点推进，详见佐证材料。",
                    is_final=final,
                    created_at=max(when, self.at(t.created_at, 1)),
                )
            )
        w.save(reports)
        w.save(escalations)
        ms_of = defaultdict(list)
        for m in milestones:
            ms_of[m.task_id].append(m)
        evidence, reviews = [], []
        for r in reports:
            t = r.task
            w.event(r.created_at, r.author_id, "task.report", _t(Task), t.pk, "assigned", "reported")
            if r.is_final:
                name = f"{t.pk}-佐证材料.pdf"
                evidence.append(
                    Evidence(
                        report=r,
                        file=f"evidence/scale/{name}",
                        name=name,
                        size=102400,
                        content_type="application/pdf",
                        sha256=hashlib.sha256(name.encode()).hexdigest(),
                        uploaded_at=r.created_at,
                    )
                )
            decision = {"closed": "close", "in_progress": "accept", "returned": "return"}.get(t.state)
            if decision:
                when = t.closed_at or self.at(r.created_at, 1)
                reviewer = self.u[SUPERVISOR[t.track]]
                if reviewer == r.author_id:  # never the report's own author
                    reviewer = self.u["discipline"]
                reviews.append(
                    ReportReview(
                        report=r,
                        reviewer_id=reviewer,
                        decision=decision,
                        comment="请补充佐证材料。" if decision == "return" else "同意。",
                        rating=rng.choice(["excellent", "good", "pass"]) if decision == "close" else "",
                        created_at=when,
                    )
                )
                to = {"close": "closed", "accept": "in_progress", "return": "returned"}[decision]
                w.event(when, reviewer, f"task.{decision}", _t(Task), t.pk, "reported", to)
                mine = ms_of.get(t.pk, [])
                for m in mine if decision == "close" else mine[:1] if decision == "accept" else []:
                    m.done_at, m.done_report = when, r
        w.save(evidence)
        w.save(reviews)
        # Written last, so that the milestones a review completed carry it from the start.
        w.save(milestones)

    # --- notices ----------------------------------------------------------------------------
    def notices(self):
        """The most recent PC resolutions and monthly digests, newest first, until the receipts
        (one per member of staff for a notice to everyone) reach their number."""
        rng, w = self.rng, self.w
        budget = scaled("receipts", self.factor)
        sa = sorted(m.starts_at for m in self.all_meetings if _code(self, m) == "SA" and m.state != "cancelled")
        as_ = sorted(m.starts_at for m in self.all_meetings if _code(self, m) == "AS" and m.state != "cancelled")
        meeting_at = {(m.body_id, m.starts_at): m for m in self.all_meetings}
        pc = [r for r in self.resolutions if r.body.code == "PC"]
        by_month = defaultdict(list)
        for r in pc:
            local = r.issued_at.astimezone(TZ)
            by_month[dt.date(local.year, local.month, 1)].append(r)
        candidates = [("resolution", r.issued_at, r) for r in pc]
        for month in by_month:
            nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            published = dt.datetime.combine(nxt, dt.time(8), TZ)
            if published < BASE:
                candidates.append(("digest", published, month))
        candidates.sort(key=lambda c: c[1], reverse=True)
        chosen, spent = [], 0
        for kind, published, what in candidates:
            if spent >= budget:
                break
            if kind == "resolution" and what.confidential:
                people = self.present[what.meeting_id] + [self.u["discipline"], what.meeting.secretary_id]
            else:
                people = [pk for joined, pk in self.joined if joined <= published]
            chosen.append((kind, published, what, sorted(set(people))))
            spent += len(people)
        chosen.reverse()
        notices = []
        for kind, published, what, _people in chosen:
            if kind == "resolution":
                local = what.meeting.starts_at.astimezone(TZ)
                when = f"{local.year}年{local.month}月{local.day}日"
                if what.confidential:
                    title = f"党委会决议{what.number}（涉密）"
                    body = f"{what.meeting.title}（{when}）形成涉密决议一项，文号{what.number}。按保密规定，决议内容不予通报；确需了解的，请向党委办公室查阅。"
                else:
                    title = f"{what.number}:{what.item.title}"
                    body = f"{what.meeting.title}（{when}）审议通过《{what.item.title}》，形成决议{what.number}。\n\n决议内容：\n{what.text}"
                level, at = "pc_resolution", _next(sa, published)
                body_id = self.bodies["SA"].pk
            else:
                month_rs = by_month[what]
                title = f"{what.year}年{what.month}月党委会决议通报"
                body = "\n".join(
                    f"{r.number}" + ("（涉密）" if r.confidential else f" {r.item.title}") for r in month_rs
                )
                level, at = "monthly_digest", _next(as_, published)
                body_id = self.bodies["AS"].pk
            notices.append(
                Notice(
                    level=level,
                    title=title[:200],
                    body=body,
                    resolution=what if kind == "resolution" else None,
                    meeting=meeting_at.get((body_id, at)) if at else None,
                    period=what if kind == "digest" else None,
                    state="published",
                    confidential=kind == "resolution" and what.confidential,
                    created_at=published,
                    published_at=published,
                )
            )
        w.save(notices)
        audiences, receipts = [], []
        tt = _t(Notice)
        newest = BASE - dt.timedelta(days=30)
        staff = self.u["staff"]
        for n, (_kind, published, what, people) in zip(notices, chosen):
            if n.confidential:
                audiences.append(NoticeAudience(notice=n, kind="attendees", meeting=what.meeting))
            else:
                audiences.append(NoticeAudience(notice=n, kind="everyone"))
            w.event(published, None, "notice.create", tt, n.pk, to_state="draft")
            w.event(published, None, "notice.publish", tt, n.pk, "draft", "published", data={"recipients": len(people)})
            p_read = 0.5 if published > newest else 0.9
            for pk in people:
                read = rng.random() < p_read and not (pk == staff and published > newest)
                read_at = self.at(published, rng.uniform(0.5, 240)) if read else None
                if read_at and read_at > BASE:
                    read_at = None
                receipts.append(NoticeRecipient(notice=n, person_id=pk, read_at=read_at))
                if read_at:
                    w.event(read_at, pk, "notice.read", tt, n.pk)
                if len(receipts) >= 50000:
                    w.save(receipts)
                    receipts = []
        w.save(audiences)
        w.save(receipts)

    # --- history up to its number -----------------------------------------------------------
    def top_up_history(self):
        """Views of confidential items (each one is logged) until history reaches its number."""
        w = self.w
        self.w.flush()
        missing = scaled("history", self.factor) - w.tables.rows[AuditEvent._meta.db_table]
        confidential = list(AgendaItem.objects.filter(confidential=True).values_list("pk", "created_at"))
        if missing <= 0 or not confidential:
            return
        viewers = [self.u[x] for x in LEADERS + ["discipline", "partyoffice"]]
        rng = self.rng
        for _ in range(missing):
            pk, created = rng.choice(confidential)
            when = min(created + (BASE - created) * rng.random(), BASE)
            w.event(when, rng.choice(viewers), "item.view", _t(AgendaItem), pk)


def _code(school: School, meeting: Meeting) -> str:
    for code, body in school.bodies.items():
        if body.pk == meeting.body_id:
            return code
    raise KeyError(meeting.body_id)


def _next(times: list, after: dt.datetime):
    for t in times:
        if t > after:
            return t
    return None


def digest(*, using=None) -> str:
    """A digest of what was written (titles, numbers, states), independent of primary keys."""
    h = hashlib.sha256()
    for qs in (
        Department.objects.order_by("name").values_list("name", "kind"),
        User.objects.order_by("username").values_list("username", "name"),
        Meeting.objects.order_by("starts_at", "title").values_list("title", "state"),
        AgendaItem.objects.order_by("title").values_list("title", "state", "consultation_round"),
        Resolution.objects.order_by("number").values_list("number", "item__title"),
        Task.objects.order_by("title", "deadline", "state").values_list("title", "deadline", "state"),
        Notice.objects.order_by("published_at", "title").values_list("title"),
    ):
        for row in qs.iterator(chunk_size=5000):
            h.update(repr(row).encode())
    h.update(repr(NoticeRecipient.objects.filter(read_at__isnull=False).count()).encode())
    h.update(repr(AuditEvent.objects.count()).encode())
    return h.hexdigest()
