"""第一议题 and 中心组学习: recording what a meeting studied, who took part, each participant's
reflection (心得体会), and archiving the record.

    study_record      the meeting's runner records the texts and the participants
    study_texts_edit  the texts corrected while the record is open (optimistic lock)
    reflection_submit a participant writes their reflection, once
    study_archive     the record is archived; when the body's policy asks, only once everyone wrote

Each asks the study's transition table (meetings.transitions.STUDY_TRANSITIONS) or the
meeting's, writes its rows and one audit event in the same transaction.
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition, conflict
from core.text import check_text, required
from decisions.models import Category
from meetings.models import Attendance, Reflection, StudyParticipant, StudySession
from meetings.services.base import _check, _meeting
from meetings.transitions import STUDY_TRANSITIONS
from org.models import MeetingBody, User


def _session(session_id: int) -> StudySession:
    try:
        return StudySession.objects.select_for_update().select_related("meeting", "body").get(pk=session_id)
    except StudySession.DoesNotExist as exc:
        raise InvalidTransition(_("学习记录不存在"), status=404) from exc


@transaction.atomic
def study_record(
    *, actor: User, meeting_id: int, texts: str, participant_ids: Iterable[int] | None = None
) -> StudySession:
    """The study of a meeting: its study item (第一议题) on a Party committee's agenda, or the
    whole meeting of the central group (中心组学习). Participants default to those present."""
    meeting = _meeting(meeting_id)
    _check(actor, meeting, "study_record")
    entry = (
        meeting.entries.filter(dropped_at__isnull=True, item__category=Category.STUDY)
        .order_by("position", "id")
        .first()
    )
    if entry is None and meeting.body.code != MeetingBody.Code.CG:
        raise conflict(_("本次会议议程中没有学习议题，不能记录学习"))
    if StudySession.objects.filter(meeting=meeting).exists():
        raise conflict(_("本次会议已有学习记录"))
    texts = required(texts, missing=_("请填写学习篇目"))
    check_text(StudySession, texts=texts)
    attendance = list(meeting.attendance.all())
    known = {a.person_id for a in attendance}
    if participant_ids is None:
        people = [a.person_id for a in attendance if a.status == Attendance.Status.PRESENT]
    else:
        people = sorted({int(p) for p in participant_ids})
        if set(people) - known:
            raise conflict(_("参学人员须为本次会议的出席或列席人员"))
    if not people:
        raise conflict(_("请至少选择一名参学人员"))
    session = StudySession.objects.create(
        meeting=meeting,
        body=meeting.body,
        held_on=timezone.localtime(meeting.opened_at or meeting.starts_at).date(),
        entry=entry,
        texts=texts,
        reflections_required=meeting.body.reflections_required,
        recorded_by=actor,
    )
    StudyParticipant.objects.bulk_create([StudyParticipant(session=session, person_id=p) for p in people])
    audit.record(
        actor=actor,
        verb="study.record",
        target=session,
        to_state=session.state,
        data={"meeting": meeting.pk, "participants": people, "texts": session.text_list},
    )
    return session


@transaction.atomic
def study_texts_edit(*, actor: User, session_id: int, texts: str, version: int) -> StudySession:
    session = _session(session_id)
    STUDY_TRANSITIONS.check(actor, session, "texts")
    if session.version != version:
        raise conflict(_("学习记录已被他人修改，请刷新后再改"))
    texts = required(texts, missing=_("请填写学习篇目"))
    check_text(StudySession, texts=texts)
    before = session.texts
    session.texts = texts
    session.version += 1
    STUDY_TRANSITIONS.apply(session, actor=actor, action="texts", data={"before": before}, fields=("texts", "version"))
    return session


@transaction.atomic
def reflection_submit(*, actor: User, session_id: int, text: str) -> Reflection:
    session = _session(session_id)
    STUDY_TRANSITIONS.check(actor, session, "reflect")
    text = required(text, missing=_("请填写心得体会"))
    check_text(Reflection, text=text)
    if session.reflections.filter(author=actor).exists():
        raise conflict(_("您已提交过本次学习的心得体会"))
    try:
        with transaction.atomic():
            reflection = Reflection.objects.create(session=session, author=actor, text=text)
    except IntegrityError as exc:
        raise conflict(_("您已提交过本次学习的心得体会")) from exc
    audit.record(actor=actor, verb="study.reflect", target=session, data={"reflection": reflection.pk})
    return reflection


def missing_reflections(session: StudySession) -> list[User]:
    wrote = set(session.reflections.values_list("author_id", flat=True))
    people = User.objects.filter(pk__in=session.participants.values("person_id")).order_by("pk")
    return [p for p in people if p.pk not in wrote]


@transaction.atomic
def study_archive(*, actor: User, session_id: int) -> StudySession:
    session = _session(session_id)
    STUDY_TRANSITIONS.check(actor, session, "archive")
    missing = missing_reflections(session)
    if session.reflections_required and missing:
        names = "、".join(str(p) for p in missing)
        raise conflict(_("按规定每位参学人员须提交心得体会，尚未提交：%(names)s") % {"names": names})
    session.archived_at = timezone.now()
    STUDY_TRANSITIONS.apply(
        session,
        actor=actor,
        action="archive",
        data={"missing": [p.pk for p in missing]},
        fields=("archived_at",),
    )
    return session
