"""纪委半年督查报告: compiled from the data, commentary edited under a version lock, filed as a PC
agenda item; key-area supervision recorded by the committee and shown in the report."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.errors import InvalidTransition
from core.models import AuditEvent
from decisions import services as item_services
from decisions.models import AgendaItem, State
from org.models import Department
from supervision import services
from supervision.models import CommitteeReport, KeyAreaCheck, PatrolArea
from supervision.selectors.halfyear import halfyear_report
from supervision.services import committee, rota

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.datetime(2026, 6, 20, 10, tzinfo=SH)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def data(people):
    discipline = people("discipline")
    committee.key_area_record(
        actor=discipline,
        area="recruitment",
        process="2026年专任教师招聘面试",
        held_on=dt.date(2026, 5, 12),
        present=True,
        findings="面试评分表未当场密封，已要求整改。",
    )
    committee.key_area_record(
        actor=discipline, area="assets", process="报废设备处置", held_on=dt.date(2026, 3, 2), present=False
    )
    services.letter_write_anonymous(subject="匿名来信", body="内容")
    letter = services.letter_write(actor=people("staff"), subject="署名来信", body="内容")
    services.letter_reply(actor=people("secretary"), letter_id=letter.pk, body="已答复")
    hall = PatrolArea.objects.create(name="教学楼")
    PatrolArea.objects.create(name="食堂")
    rota.patrol_record(
        actor=people("member1"),
        area_id=hall.pk,
        patrolled_at=TODAY - dt.timedelta(days=3),
        finding="走廊灯坏。",
        department_id=Department.objects.get(name="教务处").pk,
    )


def test_the_figures_come_from_the_data(people, data):
    r = halfyear_report(2026, 1)
    assert (r.letters, r.letters_anonymous, r.letters_replied) == (2, 1, 1)
    assert (r.areas_covered, r.areas_total, r.uncovered) == (1, 2, ["食堂"])
    assert (r.findings, r.findings_open) == (1, 1)
    assert {label: (n, p) for label, n, p in r.key_areas}["人员招聘"] == (1, 1)
    assert {label: (n, p) for label, n, p in r.key_areas}["资产处置"] == (1, 0)
    assert [c.process for c in r.key_area_checks] == ["报废设备处置", "2026年专任教师招聘面试"]


def test_only_the_discipline_secretary_records_key_areas(people):
    with pytest.raises(InvalidTransition) as refused:
        committee.key_area_record(
            actor=people("partyoffice"), area="titles", process="职称评审", held_on=dt.date(2026, 6, 1), present=True
        )
    assert refused.value.status == 403 and "只有纪委书记" in refused.value.reason
    with pytest.raises(InvalidTransition) as unknown:
        committee.key_area_record(
            actor=people("discipline"), area="x", process="某事", held_on=dt.date(2026, 6, 1), present=True
        )
    assert "请选择重点领域" in unknown.value.reason
    assert not KeyAreaCheck.objects.exists()


def test_the_commentary_is_edited_under_a_version_lock(people):
    d = people("discipline")
    report = committee.report_open(actor=d, year=2026, half=1)
    committee.report_edit(actor=d, report_id=report.pk, version=1, commentary="上半年督查工作总体平稳。")
    with pytest.raises(InvalidTransition) as stale:
        committee.report_edit(actor=d, report_id=report.pk, version=1, commentary="另一个版本")
    assert stale.value.status == 409 and "已被他人修改" in stale.value.reason
    report.refresh_from_db()
    assert (report.commentary, report.version) == ("上半年督查工作总体平稳。", 2)
    assert AuditEvent.objects.filter(verb="committee_report.edit", target_id=report.pk, actor=d).count() == 1
    with pytest.raises(InvalidTransition) as refused:
        committee.report_edit(actor=people("secretary"), report_id=report.pk, version=2, commentary="改")
    assert refused.value.status == 403


def test_filing_makes_a_pc_agenda_item_that_goes_on_like_any(people, data):
    d = people("discipline")
    report = committee.report_open(actor=d, year=2026, half=1)
    with pytest.raises(InvalidTransition) as empty:
        committee.report_file(actor=d, report_id=report.pk, version=1)
    assert "请先填写工作评述" in empty.value.reason
    committee.report_edit(actor=d, report_id=report.pk, version=1, commentary="建议加强招聘环节监督。")

    filed = committee.report_file(actor=d, report_id=report.pk, version=2)

    item = AgendaItem.objects.get(pk=filed.item_id)
    assert filed.state == CommitteeReport.State.FILED and item.requested_body.code == "PC"
    assert item.category == "report" and item.state == State.SCREENING and item.submitter == d
    assert item.title == "2026年上半年纪委督查工作情况报告"
    assert "匿名 1 封" in item.background and "覆盖区域 1 / 2" in item.background
    assert "人员招聘 1 次" in item.background and item.proposal == "建议加强招聘环节监督。"
    with pytest.raises(InvalidTransition) as twice:
        committee.report_file(actor=d, report_id=report.pk, version=3)
    assert twice.value.status == 409
    # The secretary screens it like any PC item.
    item_services.item_screen_accept(actor=people("secretary"), item_id=item.pk)
    assert AgendaItem.objects.get(pk=item.pk).state in (State.READY, State.CONSULTING)


def test_the_report_page(client, people, data):
    client.force_login(people("discipline"))
    html = client.get("/reports/discipline/?year=2026&half=1").content.decode()
    assert "2026年上半年纪委督查工作情况报告" in html and "面试评分表未当场密封" in html
    response = client.post(
        "/reports/discipline/?year=2026&half=1", {"action": "edit", "version": 1, "commentary": "评述一"}
    )
    assert response.status_code == 302
    report = CommitteeReport.objects.get()
    assert report.commentary == "评述一"
    response = client.post("/reports/discipline/?year=2026&half=1", {"action": "file", "version": report.version})
    assert response.status_code == 302
    html = client.get("/reports/discipline/?year=2026&half=1").content.decode()
    assert 'data-testid="report-item"' in html and "已提交党委会" in html

    client.force_login(people("secretary"))
    html = client.get("/reports/discipline/?year=2026&half=1").content.decode()
    assert "评述一" in html and 'data-testid="commentary-save"' not in html
    assert client.post("/reports/discipline/?year=2026&half=1", {"action": "edit", "version": 3}).status_code == 403
    client.force_login(people("staff"))
    assert client.get("/reports/discipline/").status_code == 403


def test_the_key_area_page(client, people):
    client.force_login(people("discipline"))
    response = client.post(
        "/reports/discipline/key-areas/",
        {"area": "titles", "process": "2026年职称评审会", "held_on": "2026-06-18", "present": "on", "findings": ""},
    )
    assert response.status_code == 302
    assert KeyAreaCheck.objects.get().area == "titles"
    html = client.get("/reports/discipline/key-areas/").content.decode()
    assert "职称评审" in html and "2026年职称评审会" in html
    bad = client.post("/reports/discipline/key-areas/", {"area": "titles", "process": "", "held_on": ""})
    assert bad.status_code == 400
    client.force_login(people("member1"))
    assert client.post("/reports/discipline/key-areas/", {"area": "titles"}).status_code == 403
