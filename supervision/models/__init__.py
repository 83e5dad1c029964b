"""Supervision (四督查) and its sources: the secretary's mailbox, campus patrols, the calendar."""

from supervision.models.branches import BranchCheck, BranchCheckItem, BranchCheckMark
from supervision.models.calendar import CalendarToken, Duty, DutyOccurrence
from supervision.models.followup import NoTaskReason
from supervision.models.mailbox import LETTER_TRANSITIONS, Letter, LetterReply
from supervision.models.patrols import PatrolFinding
from supervision.models.tasks import (
    TASK_TRANSITIONS,
    TRACK_SUPERVISOR_ROLES,
    TRANSITIONS,
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
    "LETTER_TRANSITIONS",
    "TRACK_SUPERVISOR_ROLES",
    "TASK_TRANSITIONS",
    "TRANSITIONS",
    "BranchCheck",
    "BranchCheckItem",
    "BranchCheckMark",
    "CalendarToken",
    "Duty",
    "NoTaskReason",
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
