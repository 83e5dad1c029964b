"""Supervision （四督查） and its sources: the secretary's mailbox, campus patrols, the calendar."""

from supervision.models.branches import (
    ORG_LIFE_EVERY_MONTHS,
    BranchCheck,
    BranchCheckItem,
    BranchCheckMark,
    BranchMeeting,
    OrgLife,
)
from supervision.models.calendar import CalendarToken, Duty, DutyOccurrence, DutyStatement
from supervision.models.committee import REPORT_TRANSITIONS, CommitteeReport, KeyArea, KeyAreaCheck
from supervision.models.followup import NoTaskReason
from supervision.models.mailbox import LETTER_TRANSITIONS, Holiday, Letter, LetterForward, LetterReply
from supervision.models.partners import EvidenceLink, PartEvidence, PartReport, TaskPartner
from supervision.models.patrols import PatrolFinding
from supervision.models.performance import DepartmentScore, PerformanceRating, ScoreLine
from supervision.models.progress import Evidence, Milestone, ProgressReport, ReportReview
from supervision.models.rota import PatrolArea, PatrolPhoto, PatrolRecord, PatrolRota
from supervision.models.tasks import (
    TASK_TRANSITIONS,
    TRACK_SUPERVISOR_ROLES,
    TRANSITIONS,
    Follow,
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
    "BranchMeeting",
    "ORG_LIFE_EVERY_MONTHS",
    "OrgLife",
    "CalendarToken",
    "CommitteeReport",
    "KeyArea",
    "KeyAreaCheck",
    "DepartmentScore",
    "Duty",
    "NoTaskReason",
    "DutyOccurrence",
    "DutyStatement",
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
    "PerformanceRating",
    "ProgressReport",
    "ReportReview",
    "ScoreLine",
    "Task",
    "TaskEscalation",
    "Track",
]
