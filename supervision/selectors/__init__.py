"""Reads of supervision, already limited to what the user may see."""

from supervision.selectors.mailbox import (
    all_letters,
    forwarded_letters,
    letter_by_code,
    letter_detail,
    my_letters,
    on_time_counts,
    percent,
    reply_rate,
    visible_letters,
)
from supervision.selectors.tasks import (
    Progress,
    department_summary,
    filter_tasks,
    progress_of,
    task_detail,
    tasks_with_progress,
    visible_tasks,
    waiting_report_ids,
)

__all__ = [
    "Progress",
    "department_summary",
    "filter_tasks",
    "all_letters",
    "forwarded_letters",
    "letter_by_code",
    "letter_detail",
    "on_time_counts",
    "my_letters",
    "percent",
    "progress_of",
    "reply_rate",
    "task_detail",
    "tasks_with_progress",
    "visible_letters",
    "visible_tasks",
    "waiting_report_ids",
]
