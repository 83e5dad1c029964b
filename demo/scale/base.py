"""What every part of the generated school shares: the time span, the sizes at factor 1, the names
drawn from, and the writer that bulk-inserts rows and history."""

import datetime as dt
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import connection, models

from core.models import AuditEvent
from meetings.models import Meeting

if TYPE_CHECKING:
    from demo.scale.school import School

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


def target_type(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def body_code(school: "School", meeting: Meeting) -> str:
    for code, body in school.bodies.items():
        if body.pk == meeting.body_id:
            return code
    raise KeyError(meeting.body_id)


def next_after(times: list, after: dt.datetime):
    for t in times:
        if t > after:
            return t
    return None
