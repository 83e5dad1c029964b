"""Corrections on the record of the day (更正): an opinion, a marked attendance or an entered vote
found wrong is corrected before the item's outcome is recorded. A correction is a new row with
who, when and why, pointing at what it corrects; nothing is edited in place.

Each correction names the row (or the status) the corrector saw: when someone else corrected it
first, the second correction is refused with the other person's change."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition, conflict
from core.text import check_text, clean_text, required
from meetings import access
from meetings.models import AgendaEntry, Attendance, AttendanceCorrection, Opinion, Vote
from meetings.services.base import _check, _entry, _meeting, _require_open_entry
from org.models import User

Status = Attendance.Status


def _stale(row, label: str) -> InvalidTransition:
    later = (
        type(row).objects.select_related("recorded_by" if isinstance(row, Opinion) else "entered_by").get(corrects=row)
    )
    by = later.recorded_by if isinstance(later, Opinion) else later.entered_by
    return conflict(
        _("该%(what)s已由%(who)s更正为“%(now)s”（理由：%(reason)s），您的更正未保存。")
        % {"what": label, "who": by, "now": _shown(later), "reason": later.reason}
    )


def _shown(row) -> str:
    if isinstance(row, Opinion):
        return f"{row.get_stance_display()}{'：' + row.text if row.text else ''}"
    return row.get_choice_display()


def _row(model, row_id: int):
    entry_id = model.objects.filter(pk=row_id).values_list("entry_id", flat=True).first()
    if entry_id is None:
        raise InvalidTransition(_("记录不存在"), status=404)
    entry, meeting = _entry(entry_id)  # locks the meeting: corrections of one row queue up
    return model.objects.select_related("member").get(pk=row_id), entry, meeting


@transaction.atomic
def opinion_correct(*, actor: User, opinion_id: int, stance: str, text: str, reason: str) -> Opinion:
    old, entry, meeting = _row(Opinion, opinion_id)
    _check(actor, meeting, "correct")
    _require_open_entry(entry)
    if Opinion.objects.filter(corrects=old).exists():
        raise _stale(old, _("表态"))
    if stance not in Opinion.Stance.values:
        raise conflict(_("请选择表态意见"))
    check_text(Opinion, text=text)
    reason = required(reason, missing=_("更正须写明理由。"))
    text = clean_text(text)
    if stance == old.stance and text == old.text:
        raise conflict(_("更正后的表态与原记录相同。"))
    try:
        with transaction.atomic():
            new = Opinion.objects.create(
                entry=entry,
                member=old.member,
                stance=stance,
                text=text,
                recorded_by=actor,
                corrects=old,
                reason=reason,
            )
    except IntegrityError as exc:
        raise _stale(old, _("表态")) from exc
    audit.record(
        actor=actor,
        verb="meeting.opinion_correct",
        target=meeting,
        reason=reason,
        data={"entry": entry.pk, "member": old.member_id, "corrects": old.pk, "from": old.stance, "to": stance},
    )
    return new


@transaction.atomic
def vote_correct(*, actor: User, vote_id: int, choice: str, reason: str) -> Vote:
    """Only a vote the recorder entered (举手、口头) is corrected; a member's own ballot is his."""
    old, entry, meeting = _row(Vote, vote_id)
    _check(actor, meeting, "correct")
    _require_open_entry(entry)
    if old.entered_by_id is None:
        raise conflict(_("成员本人投出的票不能由他人更正。"))
    if Vote.objects.filter(corrects=old).exists():
        raise _stale(old, _("表决登记"))
    if choice not in Vote.Choice.values:
        raise conflict(_("请选择赞成、反对或弃权"))
    reason = required(reason, missing=_("更正须写明理由。"))
    if choice == old.choice:
        raise conflict(_("更正后的表决意见与原登记相同。"))
    try:
        with transaction.atomic():
            new = Vote.objects.create(
                entry=entry, member=old.member, choice=choice, entered_by=actor, corrects=old, reason=reason
            )
    except IntegrityError as exc:
        raise _stale(old, _("表决登记")) from exc
    audit.record(
        actor=actor,
        verb="meeting.vote_correct",
        target=meeting,
        reason=reason,
        data={"entry": entry.pk, "member": old.member_id, "corrects": old.pk, "from": old.choice, "to": choice},
    )
    return new


def _under_deliberation(meeting) -> AgendaEntry | None:
    """The item being discussed: open, with an opinion stated or its vote opened."""
    return (
        meeting.entries.filter(dropped_at__isnull=True, outcome="")
        .exclude(opinions__isnull=True, vote_state="")
        .select_related("item")
        .order_by("position", "id")
        .first()
    )


@transaction.atomic
def attendance_correct(
    *, actor: User, meeting_id: int, person_id: int, present: bool, reason: str, was: str
) -> AttendanceCorrection:
    """A member marked present who was not (or the other way round). `was`: the status the
    corrector saw. Refused when the record already counted the person as marked: an item decided
    with him present, or, on the item under discussion, his opinion or a vote already open."""
    meeting = _meeting(meeting_id)
    _check(actor, meeting, "correct")
    row = meeting.attendance.select_related("person").filter(person_id=person_id).first()
    if row is None:
        raise conflict(_("此人不在本次会议的出席名单中"))
    to = Status.PRESENT if present else Status.ABSENT
    if row.status != was:
        raise conflict(
            _("%(person)s的出席情况已被他人改为“%(now)s”，您的更正未保存。")
            % {"person": row.person, "now": row.get_status_display()}
        )
    if row.status == Status.UNKNOWN:
        raise conflict(_("尚未登记的出席情况无需更正，请直接登记。"))
    if row.status == to:
        raise conflict(_("更正后的出席情况与原登记相同。"))
    reason = required(reason, missing=_("更正须写明理由。"))
    current = _under_deliberation(meeting)
    if row.kind == Attendance.Kind.MEMBER:
        if not present and meeting.entries.filter(decided_at__isnull=False).exists():
            raise conflict(_("已有议题作出决定，不能再将出席成员改为缺席"))
        if current is not None:
            if current.vote_state:
                raise conflict(
                    _("议题“%(title)s”已开始表决，表决结束并作出结论后再更正出席情况。") % {"title": current.item.title}
                )
            spoke = set(current.opinions.values_list("member_id", flat=True))
            if not present and person_id in spoke:
                raise conflict(
                    _("%(person)s已在议题“%(title)s”中表态，不能更正为缺席。")
                    % {"person": row.person, "title": current.item.title}
                )
            if present and any(access.chairs(pk, meeting) for pk in spoke):
                raise conflict(
                    _("议题“%(title)s”主持人已末位表态，不能再增加出席成员；请在该议题作出结论后更正。")
                    % {"title": current.item.title}
                )
    correction = AttendanceCorrection.objects.create(
        meeting=meeting,
        entry=current,
        person_id=person_id,
        from_status=row.status,
        to_status=to,
        reason=reason,
        recorded_by=actor,
    )
    row.status, row.absence_reason = to, ("" if present else reason)
    row.save(update_fields=["status", "absence_reason"])
    audit.record(
        actor=actor,
        verb="meeting.attendance_correct",
        target=meeting,
        from_state=correction.from_status,
        to_state=to,
        reason=reason,
        data={"person": person_id, "entry": current.pk if current else None},
    )
    return correction
