"""校园周巡查 as a rota: weeks assigned to leaders with their areas, patrol records from the phone
(area, time, photos, finding), findings → tasks, and the term's coverage (巡查面全覆盖)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import InvalidTransition
from core.models import AuditEvent
from org.models import Department
from supervision import services
from supervision.models import PatrolArea, PatrolFinding, PatrolPhoto, PatrolRecord, PatrolRota, Task
from supervision.selectors.coverage import area_coverage, open_findings, term_of
from supervision.services import rota

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.datetime(2026, 11, 18, 10, tzinfo=SH)  # a Wednesday in the autumn term
MONDAY = dt.date(2026, 11, 16)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def areas(db):
    return [
        PatrolArea.objects.create(name=n, position=i) for i, n in enumerate(["教学楼", "实训楼", "食堂", "学生宿舍"])
    ]


def photo(name="现场.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def visit(people, area, username="member1", **kw):
    kw.setdefault("patrolled_at", TODAY - dt.timedelta(hours=1))
    return rota.patrol_record(actor=people(username), area_id=area.pk, **kw)


def test_the_office_assigns_a_leader_a_week_and_areas(people, areas):
    r = rota.rota_assign(
        actor=people("partyoffice"), week=MONDAY, leader_id=people("member1").pk, area_ids=[areas[0].pk, areas[1].pk]
    )
    assert PatrolRota.objects.get(pk=r.pk).leader == people("member1")
    assert set(r.areas.values_list("name", flat=True)) == {"教学楼", "实训楼"}
    assert AuditEvent.objects.filter(verb="patrol.rota", target_id=r.pk, actor=people("partyoffice")).exists()


@pytest.mark.parametrize(
    ("username", "week", "leader", "reason"),
    [
        ("staff", MONDAY, "member1", "只有党委办公室或校务办可以安排巡查排班"),
        ("partyoffice", MONDAY + dt.timedelta(days=1), "member1", "巡查周须从周一开始"),
        ("partyoffice", MONDAY, "staff", "巡查领导须为校领导"),
    ],
)
def test_a_rota_is_refused_with_a_reason(people, areas, username, week, leader, reason):
    with pytest.raises(InvalidTransition) as refused:
        rota.rota_assign(actor=people(username), week=week, leader_id=people(leader).pk, area_ids=[areas[0].pk])
    assert reason in refused.value.reason
    assert not PatrolRota.objects.exists()


def test_a_leader_has_one_rota_a_week(people, areas):
    rota.rota_assign(actor=people("partyoffice"), week=MONDAY, leader_id=people("member1").pk, area_ids=[areas[0].pk])
    with pytest.raises(InvalidTransition) as twice:
        rota.rota_assign(
            actor=people("affairsoffice"), week=MONDAY, leader_id=people("member1").pk, area_ids=[areas[1].pk]
        )
    assert "在该周已有巡查排班" in twice.value.reason


def test_a_leader_records_a_patrol_with_a_photo_and_a_finding_that_becomes_a_task(people, areas):
    record = visit(
        people,
        areas[1],
        note="三楼实训室",
        finding="消防通道堆放杂物。",
        department_id=Department.objects.get(name="教务处").pk,
        photos=[photo()],
    )
    assert PatrolRecord.objects.get(pk=record.pk).area == areas[1]
    assert PatrolPhoto.objects.get(record=record).content_type == "image/png"
    finding = PatrolFinding.objects.get(record=record)
    assert finding.area == areas[1] and finding.place == "实训楼" and finding.patrolled_on == TODAY.date()
    assert AuditEvent.objects.filter(verb="patrol.visit", target_id=record.pk).exists()

    task = services.task_create(
        actor=people("member1"),
        finding_id=finding.pk,
        track="task",
        title="清理消防通道",
        lead_department_id=finding.department_id,
        responsible_leader_id=people("member1").pk,
        deadline=TODAY.date() + dt.timedelta(days=7),
    )
    assert Task.objects.get(pk=task.pk).finding == finding


def test_a_photo_that_is_not_an_image_is_refused(people, areas):
    with pytest.raises(InvalidTransition) as refused:
        visit(people, areas[0], photos=[photo("x.pdf", b"%PDF-1.4 fake")])
    assert "JPG 或 PNG" in refused.value.reason
    with pytest.raises(InvalidTransition) as fake:
        visit(people, areas[0], photos=[photo("x.png", b"not an image at all")])
    assert "内容与扩展名不符" in fake.value.reason
    assert not PatrolRecord.objects.exists()


def test_staff_may_not_record_a_patrol(people, areas):
    with pytest.raises(InvalidTransition) as refused:
        visit(people, areas[0], username="staff")
    assert refused.value.status == 403


def test_coverage_shows_areas_not_patrolled_this_term_and_findings_not_closed(people, areas):
    visit(people, areas[0])
    visit(people, areas[1], finding="灯坏了。")
    # Last term's patrol does not cover this term.
    visit(people, areas[2], patrolled_at=dt.datetime(2026, 6, 1, 10, tzinfo=SH))
    term = term_of(TODAY.date())
    assert (term.start, term.end) == (dt.date(2026, 8, 1), dt.date(2027, 1, 31))
    covered = {a.area.name: a.covered for a in area_coverage(term)}
    assert covered == {"教学楼": True, "实训楼": True, "食堂": False, "学生宿舍": False}
    assert [f.text for f in open_findings(people("secretary"))] == ["灯坏了。"]


def test_a_finding_is_closed_when_its_tasks_are(people, areas):
    visit(people, areas[1], finding="灯坏了。", department_id=Department.objects.get(name="教务处").pk)
    finding = PatrolFinding.objects.get()
    task = services.task_create(
        actor=people("member1"),
        finding_id=finding.pk,
        track="task",
        title="修灯",
        lead_department_id=finding.department_id,
        responsible_leader_id=people("member1").pk,
        deadline=TODAY.date() + dt.timedelta(days=7),
    )
    assert list(open_findings(people("secretary"))) == [finding]
    Task.objects.filter(pk=task.pk).update(state=Task.State.CLOSED, closed_at=TODAY)
    assert list(open_findings(people("secretary"))) == []


# --- pages ---


def test_the_coverage_page(client, people, areas):
    visit(people, areas[0], finding="走廊积水。", photos=[photo()])
    client.force_login(people("secretary"))
    html = client.get("/patrols/coverage/").content.decode()
    assert html.count('data-testid="uncovered-area"') == 3 and "走廊积水" in html
    assert 'data-testid="patrol-photo"' in html
    photo_pk = PatrolPhoto.objects.get().pk
    assert client.get(f"/patrols/photo/{photo_pk}/").status_code == 200
    client.force_login(people("staff"))
    assert client.get("/patrols/coverage/").status_code == 403
    assert client.get(f"/patrols/photo/{photo_pk}/").status_code == 404


def test_the_record_page_from_the_phone(client, people, areas):
    client.force_login(people("member1"))
    assert client.get("/patrols/record/").status_code == 200
    response = client.post(
        "/patrols/record/",
        {
            "area": areas[3].pk,
            "patrolled_at": "2026-11-18T09:30",
            "note": "",
            "finding": "宿舍门禁损坏。",
            "department": "",
            "photos": [photo()],
        },
    )
    assert response.status_code == 302
    record = PatrolRecord.objects.get()
    assert record.area == areas[3] and PatrolPhoto.objects.filter(record=record).count() == 1
    bad = client.post("/patrols/record/", {"area": "", "patrolled_at": ""})
    assert bad.status_code == 400


def test_the_rota_page(client, people, areas):
    client.force_login(people("affairsoffice"))
    response = client.post(
        "/patrols/rota/", {"week": "2026-11-16", "leader": people("vice").pk, "areas": [areas[0].pk, areas[2].pk]}
    )
    assert response.status_code == 302
    html = client.get("/patrols/rota/").content.decode()
    assert html.count('data-testid="rota-row"') == 1 and "教学楼、食堂" in html
    bad = client.post("/patrols/rota/", {"week": "2026-11-17", "leader": people("vice").pk, "areas": [areas[0].pk]})
    assert bad.status_code == 400 and "巡查周须从周一开始" in bad.content.decode()
    client.force_login(people("member1"))
    assert 'data-testid="rota-submit"' not in client.get("/patrols/rota/").content.decode()
    assert client.post("/patrols/rota/", {"week": "2026-11-16"}).status_code == 403
