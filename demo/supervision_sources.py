"""The demo's anonymous letters, patrol rota and coverage, key-area supervision and the discipline
committee's half-year report (a draft with its commentary), so each page shows data in `make run`."""

import datetime as dt
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from supervision import services
from supervision.models import PatrolArea
from supervision.services import committee, rota

AREAS = ["教学楼", "实训楼", "图书馆", "学生食堂", "学生宿舍", "体育场馆"]
# A 1×1 PNG: the patrol photo of the demo.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def seed_sources(u, d, today: dt.date) -> None:
    _anonymous_letters(u, d)
    _patrols(u, d, today)
    _committee(u, today)


def _anonymous_letters(u, d) -> None:
    forwarded, _code = services.letter_write_anonymous(
        subject="实训室耗材领用登记不规范", body="部分实训室耗材领用没有登记，建议规范管理。"
    )
    services.letter_forward(
        actor=u["partyoffice"], letter_id=forwarded.pk, department_id=d["教务处"].pk, note="请教务处核实并答复。"
    )
    services.letter_reply(
        actor=u["depthead"], letter_id=forwarded.pk, body="已核实，已要求各实训室启用领用登记台账，月底前检查。"
    )
    services.letter_write_anonymous(subject="宿舍热水供应时间偏短", body="冬季宿舍热水只供应到22点，建议延长。")


def _patrols(u, d, today: dt.date) -> None:
    areas = {
        name: PatrolArea.objects.get_or_create(name=name, defaults={"position": i})[0] for i, name in enumerate(AREAS)
    }
    monday = today - timedelta(days=today.weekday())
    plan = [
        (monday - timedelta(days=7), "member2", ["教学楼", "实训楼"]),
        (monday, "principal", ["图书馆", "学生食堂"]),
        (monday + timedelta(days=7), "vice", ["学生宿舍", "体育场馆"]),
    ]
    for week, leader, names in plan:
        rota.rota_assign(
            actor=u["partyoffice"], week=week, leader_id=u[leader].pk, area_ids=[areas[n].pk for n in names]
        )
    now = timezone.now()
    rota.patrol_record(
        actor=u["member2"],
        area_id=areas["教学楼"].pk,
        patrolled_at=now - timedelta(days=6, hours=2),
        note="各楼层教室秩序良好。",
    )
    record = rota.patrol_record(
        actor=u["member2"],
        area_id=areas["实训楼"].pk,
        patrolled_at=now - timedelta(days=6, hours=1),
        note="二楼实训室使用中。",
        finding="二楼配电箱未上锁，存在安全隐患。",
        department_id=d["智能制造学院"].pk,
        photos=[SimpleUploadedFile("配电箱.png", PNG, content_type="image/png")],
    )
    services.task_create(
        actor=u["member2"],
        finding_id=record.findings.get().pk,
        track="performance",
        title="实训楼二楼配电箱加锁并张贴警示",
        lead_department_id=d["智能制造学院"].pk,
        responsible_leader_id=u["member1"].pk,
        deadline=today + timedelta(days=5),
    )
    rota.patrol_record(
        actor=u["principal"],
        area_id=areas["学生食堂"].pk,
        patrolled_at=now - timedelta(hours=3),
        finding="午餐高峰仅开放4个窗口，排队较长。",
    )


def _committee(u, today: dt.date) -> None:
    discipline = u["discipline"]
    for area, process, days, findings in [
        ("recruitment", "专任教师公开招聘面试", 20, "面试评分表未当场密封，已现场纠正。"),
        ("contracts", "实训设备采购合同商谈", 12, ""),
        ("titles", "年度职称评审会议", 5, "评审程序规范，未发现问题。"),
    ]:
        committee.key_area_record(
            actor=discipline,
            area=area,
            process=process,
            held_on=today - timedelta(days=days),
            present=True,
            findings=findings,
        )
    half = 1 if today.month <= 6 else 2
    report = committee.report_open(actor=discipline, year=today.year, half=half)
    committee.report_edit(
        actor=discipline,
        report_id=report.pk,
        version=report.version,
        commentary="本半年督查任务总体按期推进；书记信箱来信（含匿名来信）均已按期回复或转办；"
        "校园周巡查尚有区域未覆盖，下半月安排补巡。建议加强招聘、采购环节全程监督。",
    )
