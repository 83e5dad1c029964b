"""Supervision (四督查) and its sources: the secretary's mailbox, campus patrols, the calendar."""

from supervision.models.branches import BranchCheck, BranchCheckItem, BranchCheckMark
from supervision.models.calendar import CalendarToken, Duty, DutyOccurrence
from supervision.models.committee import REPORT_TRANSITIONS, CommitteeReport, KeyArea, KeyAreaCheck
from supervision.models.mailbox import LETTER_TRANSITIONS, Holiday, Letter, LetterForward, LetterReply
from supervision.models.partners import EvidenceLink, PartEvidence, PartReport, TaskPartner
from supervision.models.patrols import PatrolFinding
from supervision.models.rota import PatrolArea, PatrolPhoto, PatrolRecord, PatrolRota
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
    "REPORT_TRANSITIONS",
    "TRACK_SUPERVISOR_ROLES",
    "TASK_TRANSITIONS",
    "TRANSITIONS",
    "BranchCheck",
    "BranchCheckItem",
    "BranchCheckMark",
    "CalendarToken",
    "CommitteeReport",
    "KeyArea",
    "KeyAreaCheck",
    "Duty",
    "DutyOccurrence",
    "Evidence",
    "EvidenceLink",
    "PartEvidence",
    "PartReport",
    "TaskPartner",
    "Follow",
    "Holiday",
    "Letter",
    "LetterForward",
    "LetterReply",
    "Milestone",
    "PatrolArea",
    "PatrolFinding",
    "PatrolPhoto",
    "PatrolRecord",
    "PatrolRota",
    "ProgressReport",
    "ReportReview",
    "Task",
    "TaskEscalation",
    "Track",
]
