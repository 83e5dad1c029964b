"""校园周巡查 as a rota (排班) and patrol records from the phone.

    rota_assign     an office assigns a leader a patrol week and its campus areas
    patrol_record   a leader (or an office for a leader) records a patrol of one area: time,
                    what was seen, photos, and a finding when there is one (the finding then
                    becomes a task through task_create(finding_id=…), as before)

Each writes one audit event.
"""

import datetime as dt
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import conflict, forbidden
from core.files import extension, store_upload
from core.text import check_text, clean_text
from decisions import services as item_services
from org.models import Department, User
from supervision import access
from supervision.models import PatrolArea, PatrolFinding, PatrolPhoto, PatrolRecord, PatrolRota

PHOTO_EXTENSIONS = frozenset({"jpg", "jpeg", "png"})
MAX_PHOTOS = 6


@transaction.atomic
def rota_assign(*, actor: User, week: dt.date, leader_id: int, area_ids: Sequence[int]) -> PatrolRota:
    if not access.can_plan_patrols(actor):
        raise forbidden(_("只有党委办公室或校务办可以安排巡查排班"))
    if week is None or week.weekday() != 0:
        raise conflict(_("巡查周须从周一开始"))
    leader = User.objects.filter(pk=leader_id, is_active=True).first()
    if leader is None or not leader.is_leader:
        raise conflict(_("巡查领导须为校领导"))
    areas = list(PatrolArea.objects.filter(pk__in=list(area_ids), active=True))
    if not areas or len(areas) != len(set(area_ids)):
        raise conflict(_("请选择在用的巡查区域"))
    if PatrolRota.objects.filter(week=week, leader=leader).exists():
        raise conflict(_("%(leader)s 在该周已有巡查排班") % {"leader": leader})
    rota = PatrolRota.objects.create(week=week, leader=leader, created_by=actor)
    rota.areas.set(areas)
    audit.record(
        actor=actor,
        verb="patrol.rota",
        target=rota,
        data={"week": week.isoformat(), "leader": leader.pk, "areas": sorted(a.pk for a in areas)},
    )
    return rota


def _photo_problem(upload: UploadedFile) -> str | None:
    if extension(upload.name) not in PHOTO_EXTENSIONS:
        return _("巡查照片只接受 JPG 或 PNG 图片：%(name)s") % {"name": upload.name}
    return item_services.attachment_problem(upload)


@transaction.atomic
def patrol_record(
    *,
    actor: User,
    area_id: int,
    patrolled_at: dt.datetime | None,
    note: str = "",
    finding: str = "",
    department_id: int | None = None,
    photos: Sequence[UploadedFile] = (),
    leader_id: int | None = None,
) -> PatrolRecord:
    """One area patrolled. `finding` (a problem seen) is recorded as a PatrolFinding of the record."""
    if not access.can_record_patrol(actor):
        raise forbidden(_("只有校领导或办公室可以记录校园巡查"))
    leader = actor
    if leader_id and int(leader_id) != actor.pk:
        if not access.records_patrols_for_leaders(actor):
            raise forbidden(_("只有办公室可以代领导记录巡查"))
        leader = User.objects.filter(pk=leader_id, is_active=True).first()
        if leader is None or not leader.is_leader:
            raise conflict(_("巡查领导须为校领导"))
    area = PatrolArea.objects.filter(pk=area_id, active=True).first()
    if area is None:
        raise conflict(_("请选择在用的巡查区域"))
    if patrolled_at is None:
        raise conflict(_("请填写巡查时间"))
    if patrolled_at > timezone.now() + dt.timedelta(minutes=5):
        raise conflict(_("巡查时间不能晚于现在"))
    note, finding = clean_text(note), clean_text(finding)
    check_text(PatrolRecord, note=note)
    if len(photos) > MAX_PHOTOS:
        raise conflict(_("每次巡查最多上传 %(n)s 张照片") % {"n": MAX_PHOTOS})
    for upload in photos:
        problem = _photo_problem(upload)
        if problem:
            raise conflict(problem)
    department = None
    if department_id:
        department = Department.objects.filter(pk=department_id, active=True).first()
        if department is None:
            raise conflict(_("涉及部门不存在或已停用"))
    record = PatrolRecord.objects.create(
        leader=leader, area=area, patrolled_at=patrolled_at, note=note, created_by=actor
    )
    for upload in photos:
        photo = PatrolPhoto(record=record)
        store_upload(photo, upload)
        photo.save()
    found = None
    if finding:
        check_text(PatrolFinding, text=finding)
        found = PatrolFinding.objects.create(
            leader=leader,
            patrolled_on=timezone.localtime(patrolled_at).date(),
            place=area.name,
            text=finding,
            department=department,
            record=record,
            area=area,
        )
    audit.record(
        actor=actor,
        verb="patrol.visit",
        target=record,
        data={"area": area.pk, "photos": len(photos), "finding": found.pk if found else None},
    )
    return record
