"""Supervision (四督查) and its sources: the secretary's mailbox, campus patrols, the calendar."""

from supervision.models.calendar import CalendarToken, Duty, DutyOccurrence
from supervision.models.mailbox import Letter, LetterReply
from supervision.models.patrols import PatrolFinding
from supervision.models.tasks import (
    TRACK_SUPERVISOR_ROLES,
    TRANSITIONS,
    BranchCheck,
    BranchCheckItem,
    BranchCheckMark,
    Evidence,
    Follow,
    Milestone,
    ProgressReport,
    ReportReview,
    Task,
    TaskEscalation,
    Track,
)

__all__ = [
    "TRACK_SUPERVISOR_ROLES",
    "TRANSITIONS",
    "BranchCheck",
    "BranchCheckItem",
    "BranchCheckMark",
    "CalendarToken",
    "Duty",
    "DutyOccurrence",
    "Evidence",
    "Follow",
    "Letter",
    "LetterReply",
    "Milestone",
    "PatrolFinding",
    "ProgressReport",
    "ReportReview",
    "Task",
    "TaskEscalation",
    "Track",
]
