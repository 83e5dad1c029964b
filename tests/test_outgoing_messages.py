"""Nothing about a confidential object leaves the server: every producer of notifications and
reminders is driven with confidential fixtures (an item, its meeting, resolution, minutes, tasks,
notices, a private letter), every reminder is delivered by e-mail and to the DingTalk group, and
no title, text or file name of theirs is found in any e-mail, robot message or stored message row.

The producers are found, not listed: every function in Yishi that calls notify() or remind() is
read from the source, and the walk must have made each of them produce a message; every job of
config/cron.py is run. A new producer that the walk does not reach fails the test."""

import ast
import datetime as dt
import http.server
import json
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core import notify as core_notify
from core import reminders as core_reminders
from core.management.commands.run_jobs import load_schedule
from core.models import Notification, Reminder
from decisions import services as item_services
from decisions.models import Category, DecisionPolicy
from meetings import services as meeting_services
from notices import services as notice_services
from org.models import Department, Role
from supervision import services as supervision_services
from supervision.models import Duty, Track
from tests.factories import all_opinions, draft, meeting_for, supervisor_of

# Each distinctive: found anywhere outside Yishi's pages, it is a leak.
SECRETS = {
    "item title": "校区置换谈判底价请示甲",
    "waiting item title": "校区置换备选地块请示癸",
    "item background": "对方报价四点二亿元背景乙",
    "item proposal": "谈判底价三点八亿元方案丙",
    "item file": "置换底价测算表丁.pdf",
    "return reason": "底价须再核算退回戊",
    "concern": "底价偏低不宜上会己",
    "resubmit reason": "已按意见重新核算庚",
    "second item title": "干部问责初步核实情况辛",
    "task title": "完成校区置换谈判任务壬",
    "task report": "谈判已进行两轮报送癸",
    "evidence file": "谈判纪要佐证子.pdf",
    "escalation reason": "谈判停滞须督办丑",
    "urge note": "请加快谈判进度寅",
    "notice title": "上级关于校区置换批复卯",
    "notice body": "批复同意校区置换正文辰",
    "letter subject": "举报某处长违规收受礼金巳",
    "letter body": "具体情况如下详述午",
    "letter reply": "已转纪委核查回复未",
}
WORD = "机密议题专用名"  # the open (not confidential) item: its own title may be named


class Robot(http.server.BaseHTTPRequestHandler):
    """A local stand-in for the DingTalk group robot: keeps every message it is sent."""

    received: list = []

    def do_POST(self):  # noqa: N802 - the http.server API
        type(self).received.append(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"errcode": 0}')

    def log_message(self, *args):
        pass


@pytest.fixture
def robot(settings):
    Robot.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.DINGTALK_WEBHOOK_URL = f"http://127.0.0.1:{server.server_address[1]}/robot/send?access_token=t"
    yield Robot
    server.shutdown()


# --- who produces messages ----------------------------------------------------------------------

PRODUCER_CALLS = {"notify", "remind"}
# Deliveries pass on what the producers wrote: they are checked by what leaves, not walked.
# work_notice hands a producer's text on to the person's DingTalk/WeCom channels (its producers,
# the item's consultation and the minutes' co-signature, are walked here; what reaches the local
# DingTalk is checked in tests/test_work_notices.py).
DELIVERIES = {"core.reminders:_send", "core.reminders:work_notice"}
SKIP_DIRS = {"tests", "benchmarks", "node_modules", "staticfiles", "var"}


def _qualnames(tree: ast.Module, module: str) -> set[str]:
    """module:qualname of every function whose own body calls notify() or remind()."""
    found: set[str] = set()

    def walk(node, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                if any(_calls_producer(n) for n in _own_nodes(child)):
                    found.add(f"{module}:{name}")
                walk(child, f"{name}.<locals>.")
            elif isinstance(child, ast.ClassDef):
                walk(child, f"{prefix}{child.name}.")
            else:
                walk(child, prefix)

    walk(tree, "")
    return found


def _own_nodes(func):
    nested = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
    stack = [node for node in func.body if not isinstance(node, nested)]
    while stack:
        node = stack.pop()
        yield node
        stack += [child for child in ast.iter_child_nodes(node) if not isinstance(child, nested)]


def _calls_producer(node) -> bool:
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    return (isinstance(f, ast.Name) and f.id in PRODUCER_CALLS) or (
        isinstance(f, ast.Attribute) and f.attr in PRODUCER_CALLS
    )


def producers_in_source() -> set[str]:
    root = Path(django_settings.BASE_DIR)
    found = set()
    # Hidden folders hold virtualenvs and tool caches, not Yishi's code.
    tops = [p for p in root.iterdir() if p.is_dir() and p.name not in SKIP_DIRS and not p.name.startswith(".")]
    for path in (path for top in tops for path in top.rglob("*.py")):
        rel = path.relative_to(root)
        if "migrations" in rel.parts:
            continue
        module = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        found |= _qualnames(ast.parse(path.read_text(encoding="utf-8")), module)
    return found - DELIVERIES


@pytest.fixture
def spy(monkeypatch):
    """Which functions called notify() / remind(), whatever name they imported them under."""
    seen: set[str] = set()
    real = {"notify": core_notify.notify, "remind": core_reminders.remind}

    def wrap(name):
        def spying(*args, **kwargs):
            caller = sys._getframe(1)
            seen.add(f"{caller.f_globals['__name__']}:{caller.f_code.co_qualname}")
            return real[name](*args, **kwargs)

        return spying

    wrapped = {name: wrap(name) for name in real}
    for module in list(sys.modules.values()):
        for name, func in real.items():
            if getattr(module, name, None) is func and (getattr(module, "__name__", "") or "").split(".")[0] in {
                "core",
                "decisions",
                "meetings",
                "notices",
                "supervision",
                "search",
                "reports",
                "dashboard",
                "org",
            }:
                monkeypatch.setattr(module, name, wrapped[name])
    return seen


# --- the walk -----------------------------------------------------------------------------------


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 materials", content_type="application/pdf")


def run_cron_jobs(ran: set[str]) -> None:
    for job in load_schedule("config.cron"):
        job.func(*job.args, **job.kwargs)
        ran.add(job.name)


def test_nothing_about_a_confidential_object_leaves_the_server(
    people, settings, robot, spy, django_capture_on_commit_callbacks, httpserver
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.REDIS_URL = ""
    cron_ran: set[str] = set()

    def do(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    staff, depthead, secretary = people("staff"), people("depthead"), people("secretary")
    member1, member2, office = people("member1"), people("member2"), people("partyoffice")

    # A confidential item through department review, screening and consultation.
    item = do(
        draft,
        submitter=staff,
        confidential=True,
        title=SECRETS["item title"],
        background=SECRETS["item background"],
        proposal=SECRETS["item proposal"],
    )
    do(item_services.attachment_add, actor=staff, item_id=item.pk, upload=_pdf(SECRETS["item file"]))
    do(item_services.item_submit, actor=staff, item_id=item.pk)
    do(item_services.item_dept_return, actor=depthead, item_id=item.pk, reason=SECRETS["return reason"])
    do(item_services.item_submit, actor=staff, item_id=item.pk)
    do(item_services.item_dept_approve, actor=depthead, item_id=item.pk)
    do(item_services.item_screen_accept, actor=secretary, item_id=item.pk, consultees=[member1, member2])
    # A confidential item left waiting in its review chain: reminded, then escalated.
    waiting = do(draft, submitter=staff, confidential=True, title=SECRETS["waiting item title"])
    do(item_services.item_submit, actor=staff, item_id=waiting.pk)
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        do(run_cron_jobs, ran=cron_ran)  # the consultation reminder, the review step's reminder
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        do(run_cron_jobs, ran=cron_ran)  # the review step escalated
    do(item_services.item_consult_answer, actor=member1, item_id=item.pk, agree=False, text=SECRETS["concern"])
    do(item_services.item_resubmit, actor=staff, item_id=item.pk, reason=SECRETS["resubmit reason"])
    for leader in (member1, member2):
        do(item_services.item_consult_answer, actor=leader, item_id=item.pk, agree=True)

    # A second confidential item, put on the agenda without materials: dropped, its submitter told.
    second = do(draft, submitter=staff, confidential=True, title=SECRETS["second item title"], category=Category.REPORT)
    do(item_services.item_submit, actor=staff, item_id=second.pk)
    do(item_services.item_dept_approve, actor=depthead, item_id=second.pk)
    do(item_services.item_screen_accept, actor=secretary, item_id=second.pk, consultees=[])

    # An open item beside them: its own title may be named (the check is not vacuous).
    open_item = do(draft, submitter=staff, title=WORD, category=Category.REPORT)
    do(item_services.item_submit, actor=staff, item_id=open_item.pk)

    # The meeting: published, reminded (materials open, tomorrow), the second item dropped.
    meeting = meeting_for("PC")
    for i in (item, second):
        do(meeting_services.agenda_add, actor=office, meeting_id=meeting.pk, item_id=i.pk)
    do(meeting_services.meeting_publish, actor=office, meeting_id=meeting.pk)
    with time_machine.travel(meeting.starts_at - timedelta(hours=20)):
        do(run_cron_jobs, ran=cron_ran)
        do(meeting_services.meeting_open, actor=office, meeting_id=meeting.pk)
        for a in meeting.attendance.all():
            do(
                meeting_services.attendance_mark,
                actor=office,
                meeting_id=meeting.pk,
                person_id=a.person_id,
                present=True,
            )
        entry = meeting.entries.get(item=item)
        all_opinions(entry, meeting)
        do(meeting_services.entry_decide, actor=office, entry_id=entry.pk, outcome="passed")
        do(meeting_services.meeting_adjourn, actor=office, meeting_id=meeting.pk)
        minutes = meeting.minutes.get()
        do(meeting_services.minutes_send, actor=office, minutes_id=minutes.pk)
    resolution = item.resolutions.get()
    assert resolution.confidential
    # 决而未果: while it has no task yet, the sweep escalates it (after 0 days here).
    DecisionPolicy.objects.update_or_create(pk=1, defaults={"unfollowed_escalate_days": 0})
    with time_machine.travel(meeting.starts_at):  # the resolution's day, after the meeting
        do(run_cron_jobs, ran=cron_ran)

    # Its task: created, reported with evidence, urged, escalated by hand and by the sweep.
    task = do(
        supervision_services.task_create,
        actor=people("discipline"),
        resolution_id=resolution.pk,
        track=Track.TASK,
        title=SECRETS["task title"],
        lead_department_id=Department.objects.get(name="教务处").pk,
        responsible_leader_id=member1.pk,
        deadline=timezone.localdate() + dt.timedelta(days=2),
    )
    assert task.confidential
    do(
        supervision_services.task_report,
        actor=depthead,
        task_id=task.pk,
        text=SECRETS["task report"],
        is_final=True,
        files=[_pdf(SECRETS["evidence file"])],
    )
    do(supervision_services.task_review, actor=supervisor_of(task), task_id=task.pk, decision="accept")
    do(supervision_services.task_urge, actor=supervisor_of(task), task_id=task.pk, note=SECRETS["urge note"])
    do(run_cron_jobs, ran=cron_ran)  # due soon
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        do(run_cron_jobs, ran=cron_ran)  # overdue: levels 1 and 2
    do(
        supervision_services.task_escalate,
        actor=supervisor_of(task),
        task_id=task.pk,
        reason=SECRETS["escalation reason"],
    )

    # A confidential upper-level notice, and a private letter answered.
    notice = do(
        notice_services.notice_create_upper_document,
        actor=office,
        title=SECRETS["notice title"],
        body=SECRETS["notice body"],
        people=[member1, member2],
        confidential=True,
    )
    do(notice_services.notice_publish, actor=office, notice_id=notice.pk)
    do(notice_services.notice_urge, actor=office, notice_id=notice.pk)  # 催阅
    letter = do(
        supervision_services.letter_write, actor=staff, subject=SECRETS["letter subject"], body=SECRETS["letter body"]
    )
    do(supervision_services.letter_reply, actor=secretary, letter_id=letter.pk, body=SECRETS["letter reply"])
    # A second private letter, forwarded to a department (转办) and left unanswered: reminded before
    # its reply deadline and escalated after it.
    waiting = do(
        supervision_services.letter_write, actor=staff, subject=SECRETS["letter subject"], body=SECRETS["letter body"]
    )
    do(
        supervision_services.letter_forward,
        actor=secretary,
        letter_id=waiting.pk,
        department_id=depthead.department_id,
        note=SECRETS["letter reply"],
    )
    for days in (17, 30):  # near the deadline (15 working days), then past it
        with time_machine.travel(timezone.now() + timedelta(days=days)):
            do(run_cron_jobs, ran=cron_ran)
    # A performance rating over the year's tasks (confidential ones among them), published to the leaders.
    from supervision.services.performance import performance_publish, performance_rate

    rating = do(
        performance_rate,
        actor=people("affairsoffice"),
        year=timezone.localdate().year,
        period_end=timezone.localdate(),
        title="部门绩效考评",
    )
    do(performance_publish, actor=people("affairsoffice"), rating_id=rating.pk)

    # The calendar's duties and next month's digest (which lists the confidential resolution).
    Duty.objects.create(
        title="党支部建设月度检查",
        role=Role.PARTY_OFFICE,
        track=Track.BRANCH,
        rhythm=Duty.Rhythm.MONTHLY,
        day=25,
        lead_days=28,
        lead_department=Department.objects.get(name="党委办公室"),
        responsible_leader=secretary,
    )
    next_month = (timezone.localdate().replace(day=1) + timedelta(days=40)).replace(day=2)
    with time_machine.travel(dt.datetime.combine(next_month, dt.time(9, 0), tzinfo=timezone.get_default_timezone())):
        do(run_cron_jobs, ran=cron_ran)
    do(run_cron_jobs, ran=cron_ran)  # and send whatever is left

    # The nightly look at the DingTalk directory tells the administrators (it names no record).
    from org.jobs import check_directory
    from tests.fakes.fixtures import fake_dingtalk

    fake = fake_dingtalk(httpserver, settings)
    fake.add_member("ding-new", name="新教师")
    people("admin")
    assert do(check_directory) == 1

    # Every producer was made to speak, every job ran.
    assert spy - DELIVERIES == producers_in_source(), "walk every producer of messages with confidential fixtures"
    assert cron_ran == {job.name for job in load_schedule("config.cron")}

    # What left: e-mails, robot messages, and the stored rows the messages are made from.
    outgoing = [
        *(f"{m.subject}\n{m.body}\n{[a[0] for a in m.attachments]}" for m in mail.outbox),
        *robot.received,
        *(json.loads(body)["text"]["content"] for body in robot.received),
        *Notification.objects.values_list("text", flat=True),
        *(n.url for n in Notification.objects.all()),
        *Reminder.objects.values_list("text", flat=True),
        *(r.url for r in Reminder.objects.all()),
    ]
    assert len(mail.outbox) > 10 and len(robot.received) > 10
    leaks = sorted({(what, text) for text in outgoing for what, secret in SECRETS.items() if secret in text})
    assert leaks == []
    # The open item's submitter-facing messages still name it: the generic form is for secrets only.
    assert Notification.objects.filter(text__contains=WORD).exists()
