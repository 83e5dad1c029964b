"""The discipline committee's (纪委) writes: key-area supervision and the half-year report.

    key_area_record   纪委书记 records the committee's presence at a key-area process and its findings
    report_open       the half-year's report, made as a draft the first time it is opened
    report_edit       the commentary, saved with an optimistic lock (the version read)
    report_file       filed to the Party committee: an agenda item (category 汇报) submitted for
                      the PC with the compiled figures as its background and the commentary as its
                      text; from there it is screened, scheduled, heard and recorded like any item

Each writes one audit event (the item's own steps write theirs).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition, conflict, forbidden
from core.text import check_text, clean_text
from decisions import services as item_services
from org.models import MeetingBody, User
from supervision import access
from supervision.models import REPORT_TRANSITIONS, CommitteeReport, KeyArea, KeyAreaCheck
from supervision.selectors.halfyear import HalfYear, halfyear_report, summary_text


@transaction.atomic
def key_area_record(
    *, actor: User, area: str, process: str, held_on: dt.date | None, present: bool, findings: str = ""
) -> KeyAreaCheck:
    if not access.can_record_key_area(actor):
        raise forbidden(_("只有纪委书记可以记录重点领域监督"))
    if area not in KeyArea.values:
        raise conflict(_("请选择重点领域"))
    process, findings = clean_text(process), clean_text(findings)
    if not process:
        raise conflict(_("请填写监督事项"))
    if held_on is None:
        raise conflict(_("请填写监督日期"))
    if held_on > timezone.localdate():
        raise conflict(_("监督日期不能晚于今天"))
    check_text(KeyAreaCheck, process=process[:200], findings=findings)
    check = KeyAreaCheck.objects.create(
        area=area, process=process[:200], held_on=held_on, present=present, findings=findings, recorded_by=actor
    )
    audit.record(actor=actor, verb="keyarea.record", target=check, data={"area": area, "present": present})
    return check


def _period(year: int, half: int) -> HalfYear:
    if half not in (1, 2) or not 2000 <= int(year) <= 2100:
        raise conflict(_("报告期间无效"))
    period = HalfYear(int(year), half)
    if period.start > timezone.localdate():
        raise conflict(_("该半年尚未开始，不能编写报告"))
    return period


@transaction.atomic
def report_open(*, actor: User, year: int, half: int) -> CommitteeReport:
    if not access.can_compile_report(actor):
        raise forbidden(_("只有纪委书记可以编写半年督查报告"))
    period = _period(year, half)
    report, created = CommitteeReport.objects.get_or_create(
        year=period.year, half=period.half, defaults={"updated_by": actor}
    )
    if created:
        audit.record(actor=actor, verb="committee_report.open", target=report, to_state=report.state)
    return report


def _locked(report_id: int) -> CommitteeReport:
    report = CommitteeReport.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise InvalidTransition(_("报告不存在"), status=404)
    return report


def _check_version(report: CommitteeReport, version: int) -> None:
    if report.version != version:
        raise conflict(_("报告已被他人修改（当前为第 %(v)s 版），请刷新后再编辑") % {"v": report.version})


@transaction.atomic
def report_edit(*, actor: User, report_id: int, version: int, commentary: str) -> CommitteeReport:
    report = _locked(report_id)
    REPORT_TRANSITIONS.check(actor, report, "edit")
    _check_version(report, version)
    commentary = clean_text(commentary)
    check_text(CommitteeReport, commentary=commentary)
    before = report.commentary
    report.commentary, report.version, report.updated_by = commentary, report.version + 1, actor
    REPORT_TRANSITIONS.apply(
        report,
        actor=actor,
        action="edit",
        data={"version": report.version, "before": before[:2000], "after": commentary[:2000]},
        fields=("commentary", "version", "updated_by", "updated_at"),
    )
    return report


@transaction.atomic
def report_file(*, actor: User, report_id: int, version: int) -> CommitteeReport:
    report = _locked(report_id)
    REPORT_TRANSITIONS.check(actor, report, "file")
    _check_version(report, version)
    if not report.commentary:
        raise conflict(_("请先填写工作评述再提交党委会"))
    figures = halfyear_report(report.year, report.half)
    period = HalfYear(report.year, report.half)
    pc = MeetingBody.objects.get(code=MeetingBody.Code.PC)
    item = item_services.item_create(
        actor=actor,
        title=_("%(period)s纪委督查工作情况报告") % {"period": period.label},
        category="report",
        background=summary_text(figures),
        proposal=report.commentary,
        amount=None,
        major_kind="",
        requested_body=pc,
        confidential=False,
    )
    item_services.item_submit(actor=actor, item_id=item.pk)
    report.item, report.filed_at, report.version = item, timezone.now(), report.version + 1
    REPORT_TRANSITIONS.apply(
        report, actor=actor, action="file", data={"item": item.pk}, fields=("item", "filed_at", "version")
    )
    return report
