"""What every phase of a meeting shares: the row locks, the table check, the record's language,
the quorum and opinion checks, and telling the attendees."""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import InvalidTransition, conflict
from decisions.models import Category
from meetings import access
from meetings.models import (
    AgendaEntry,
    Meeting,
)
from meetings.selectors import entry_facts
from meetings.transitions import MEETING_TRANSITIONS
from org.models import User

Outcome = AgendaEntry.Outcome
# Items that are discussed and decided: every member present states an opinion first.
DELIBERATED = frozenset({Category.PROPOSAL, Category.DECISION})
FINAL_PASSES = frozenset({Outcome.PASSED, Outcome.PASSED_WITH_CHANGES})


def _recorded(message: str, **values) -> str:
    """A text kept in a record (history, numbers, notes) is written in the site's language,
    whoever acts. `message` is marked with gettext_noop."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _(message)
        return text % values if values else text


# --- locking and small checks ------------------------------------------------------------


def _meeting(meeting_id: int) -> Meeting:
    try:
        return Meeting.objects.select_for_update().select_related("body").get(pk=meeting_id)
    except Meeting.DoesNotExist as exc:
        raise InvalidTransition(_("会议不存在"), status=404) from exc


def _entry(entry_id: int) -> tuple[AgendaEntry, Meeting]:
    try:
        meeting_id = AgendaEntry.objects.values_list("meeting_id", flat=True).get(pk=entry_id)
    except AgendaEntry.DoesNotExist as exc:
        raise InvalidTransition(_("议程不存在"), status=404) from exc
    meeting = _meeting(meeting_id)  # the meeting row is the lock for everything on its agenda
    entry = AgendaEntry.objects.select_related("item", "item__requested_body").get(pk=entry_id)
    return entry, meeting


def _check(actor: User | None, meeting: Meeting, action: str, **context) -> None:
    """The meeting's table (meetings.transitions.MEETING_TRANSITIONS): who first (403), then the state (409)."""
    MEETING_TRANSITIONS.check(actor, meeting, action, **context)


def _require_open_entry(entry: AgendaEntry) -> None:
    if entry.dropped_at:
        raise conflict(_("该议题已撤出议程"))
    if entry.outcome:
        raise conflict(_("该议题已有结果：%(outcome)s") % {"outcome": entry.get_outcome_display()})


def _bump(meeting: Meeting) -> None:
    meeting.version += 1
    meeting.save(update_fields=["version", "state", "opened_at", "closed_at"])


def _move(meeting: Meeting, *, actor: User, action: str, reason: str = "") -> Meeting:
    """A checked, locked meeting takes the one state `action` leads to, with its audit row."""
    meeting.version += 1
    MEETING_TRANSITIONS.apply(
        meeting, actor=actor, action=action, reason=reason, fields=("version", "opened_at", "closed_at")
    )
    return meeting


def _require_quorum(entry: AgendaEntry, meeting: Meeting) -> dict:
    facts = entry_facts(entry, meeting)
    if not facts["quorum"]:
        if facts["appointment"]:
            text = _("到会人数不足：应到 %(should)s 人，实到 %(present)s 人，须三分之二以上成员到会方可议决")
        else:
            text = _("到会人数不足：应到 %(should)s 人，实到 %(present)s 人，须半数以上成员到会方可议决")
        raise conflict(text % {"should": len(facts["should_attend"]), "present": len(facts["present"])})
    return facts


def _opinions_missing(entry: AgendaEntry, facts: dict) -> list[int]:
    # Whatever is decided (not merely noted) is discussed first: 三重一大 of any category too.
    if entry.item.category not in DELIBERATED and not entry.item.major_kind:
        return []
    given = set(entry.opinions.values_list("member_id", flat=True))
    return [pid for pid in facts["present"] if pid not in given]


# --- jobs ---------------------------------------------------------------------------------------------


def notify_attendees(meeting_id: int, event: str, reason: str = "") -> int:
    """The text is stored, so it is written in the site's language, whoever acted."""
    with translation.override(settings.LANGUAGE_CODE):
        return _notify_attendees(meeting_id, event, reason)


def _notify_attendees(meeting_id: int, event: str, reason: str = "") -> int:
    from core.notify import link_for, message, notify
    from core.reminders import work_notice

    meeting = Meeting.objects.select_related("body").get(pk=meeting_id)
    people = [a.person for a in meeting.attendance.select_related("person")]
    link = link_for("meeting.published", meeting.pk)
    if event == "publish":
        local = timezone.localtime(meeting.starts_at)
        # A meeting's title, time and place are not its items' content: named to its attendees.
        text = message(
            "meeting.published",
            confidential=False,
            meeting=meeting.title,
            month=f"{local:%m}",
            day=f"{local:%d}",
            time=f"{local:%H:%M}",
            place=meeting.place,
        )
        key = f"meeting:{meeting.pk}:publish"
    elif event == "cancel":
        text = message(
            "meeting.cancelled", confidential=access.has_confidential(meeting), meeting=meeting.title, reason=reason
        )
        key = f"meeting:{meeting.pk}:cancel"
    elif event == "reschedule":
        local = timezone.localtime(meeting.starts_at)
        text = message(
            "meeting.rescheduled",
            confidential=access.has_confidential(meeting),
            meeting=meeting.title,
            month=f"{local:%m}",
            day=f"{local:%d}",
            time=f"{local:%H:%M}",
            place=meeting.place,
            reason=reason,
        )
        # One message per change of date: the version the change gave the meeting.
        key = f"meeting:{meeting.pk}:reschedule:v{meeting.version}"
    else:
        minutes = meeting.minutes.order_by("-id").first()
        if minutes is None:
            return 0
        people = [p for p in people if p.pk in access.signers(minutes)]
        link = link_for("minutes.cosign", minutes.pk)
        text = message("minutes.cosign", confidential=access.has_confidential(meeting), meeting=meeting.title)
        key = f"minutes:{minutes.pk}:round{minutes.signing_round}"
        work_notice(recipients=people, key=f"work:{key}", text=text, link=link)
    return notify(recipients=people, key=key, text=text, link=link)
