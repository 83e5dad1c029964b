"""Every write of supervision （四督查） and its sources goes through these modules."""

from supervision.services.branches import branch_check_record, branch_self_check, org_life_record
from supervision.services.mailbox import (
    letter_forward,
    letter_reply,
    letter_write,
    letter_write_anonymous,
    notify_new_letter,
    notify_reply,
)
from supervision.services.patrols import finding_record
from supervision.services.supervising import (
    BULK_ACTIONS,
    task_escalate,
    task_escalate_overdue,
    task_urge,
    tasks_bulk,
)
from supervision.services.task_notify import notify_escalation, notify_task_step
from supervision.services.tasks import (
    MilestoneSpec,
    item_follow,
    pending_report,
    review_decisions,
    task_create,
    task_report,
    task_review,
    task_viewed,
)

__all__ = [
    "BULK_ACTIONS",
    "MilestoneSpec",
    "branch_check_record",
    "branch_self_check",
    "org_life_record",
    "finding_record",
    "item_follow",
    "letter_forward",
    "letter_reply",
    "letter_write",
    "letter_write_anonymous",
    "notify_escalation",
    "notify_new_letter",
    "notify_reply",
    "notify_task_step",
    "pending_report",
    "review_decisions",
    "task_create",
    "task_escalate",
    "task_escalate_overdue",
    "task_report",
    "task_review",
    "task_urge",
    "task_viewed",
    "tasks_bulk",
]
