"""Every write about a meeting goes through here, one module per phase of the meeting:

    schedule   scheduling, the agenda (and the chair's emergency item), publishing, cancelling,
               the materials deadline
    run        the day: opening, attendance, recusal, opinions, each item's outcome, adjourning
    vote       表决: opening the vote in the chair's mode, the ballots or their entry, the tally
    correct    更正: a new row corrects an opinion, attendance or an entered vote, with the reason
    minutes    纪要: the draft, editing, co-signing, objections, corrections
    documents  documents made once: the archive PDF and the Word documents, stored when settled
    base       the row locks, the table check, the quorum, telling the attendees

Each action asks the meeting's (or the minutes') transition table first (meetings.models:
who may, then in which state). Item state changes are delegated to decisions.services.
"""

# Read through this package by callers since it was one module.
from meetings import rules
from meetings.selectors import entry_facts, meeting_record, tally
from meetings.services.base import (
    DELIBERATED,
    FINAL_PASSES,
    Outcome,
    notify_attendees,
)
from meetings.services.correct import (
    attendance_correct,
    opinion_correct,
    vote_correct,
)
from meetings.services.documents import (
    archive_document,
    make_meeting_documents,
    minutes_document,
    missing_documents,
    render_archive,
    render_minutes,
    render_resolution,
    resolution_document,
    store_documents,
    stored_archive,
    stored_minutes,
)
from meetings.services.minutes import (
    confidential_viewed,
    draft_minutes_text,
    minutes_amend,
    minutes_edit,
    minutes_object,
    minutes_send,
    minutes_sign,
    signers,
    text_digest,
)
from meetings.services.room import (
    attendance_all_present,
    observer_add,
    observer_candidates,
)
from meetings.services.run import (
    allowed_outcomes,
    attendance_mark,
    entry_decide,
    entry_recuse,
    meeting_adjourn,
    meeting_open,
    opinion_record,
    recusable,
    vote_result,
)
from meetings.services.schedule import (
    agenda_add,
    agenda_drop,
    agenda_move,
    drop_items_without_materials,
    emergency_add,
    materials_deadline,
    materials_shortfall,
    meeting_cancel,
    meeting_check_materials,
    meeting_publish,
    meeting_reschedule,
    meeting_schedule,
    within_lead_time,
)
from meetings.services.vote import (
    vote_cast,
    vote_close,
    vote_enter,
    vote_open,
    vote_required,
)

__all__ = [
    "entry_facts",
    "meeting_record",
    "rules",
    "tally",
    "DELIBERATED",
    "FINAL_PASSES",
    "Outcome",
    "agenda_add",
    "agenda_drop",
    "agenda_move",
    "allowed_outcomes",
    "attendance_all_present",
    "attendance_mark",
    "confidential_viewed",
    "draft_minutes_text",
    "drop_items_without_materials",
    "emergency_add",
    "entry_decide",
    "entry_recuse",
    "materials_deadline",
    "meeting_adjourn",
    "meeting_cancel",
    "meeting_check_materials",
    "meeting_open",
    "meeting_publish",
    "materials_shortfall",
    "meeting_reschedule",
    "meeting_schedule",
    "observer_add",
    "observer_candidates",
    "within_lead_time",
    "minutes_amend",
    "minutes_edit",
    "minutes_object",
    "minutes_send",
    "minutes_sign",
    "notify_attendees",
    "opinion_record",
    "recusable",
    "signers",
    "text_digest",
    "vote_cast",
    "vote_close",
    "vote_correct",
    "vote_enter",
    "attendance_correct",
    "opinion_correct",
    "vote_open",
    "vote_required",
    "vote_result",
    "archive_document",
    "make_meeting_documents",
    "minutes_document",
    "missing_documents",
    "render_archive",
    "render_minutes",
    "render_resolution",
    "resolution_document",
    "store_documents",
    "stored_archive",
    "stored_minutes",
]
