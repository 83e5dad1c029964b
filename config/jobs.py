"""Every job Yishi may enqueue (core.jobs.enqueue): the events one part of Yishi starts in another.

An app passes the job itself when it may import it, or its dotted path when the job lives in an
app above it (a resolution → its notice, anything → the search index). Either way the job must
be listed here: `enqueue` refuses any other (in the request, before anything is written), and the
system check yishi.E011 reads every `enqueue(...)` in the apps' source at start-up (runserver,
migrate, the worker, `manage.py check`) and fails on a job not listed, such as a mistyped path.
The periodic jobs are in config/cron.py.
"""

from core.reminders import deliver_due
from decisions.services import notify_item_step
from meetings.services import notify_attendees, store_documents
from notices.services import attach_pending_to_meeting, notice_for_resolution, notify_recipients
from search.services import index_object
from supervision.services.mailbox import notify_forwarded, notify_new_letter, notify_reply
from supervision.services.performance import notify_performance_published
from supervision.services.task_notify import notify_escalation, notify_task_step

JOBS = [
    # decisions: an item's step → the people it now waits for
    notify_item_step,
    # meetings: published; minutes to co-sign
    notify_attendees,
    # meetings: minutes locked → the documents that can no longer change, stored once
    store_documents,
    # meetings → notices: a resolution becomes a notice; a published meeting takes the notices waiting for it
    notice_for_resolution,
    attach_pending_to_meeting,
    notify_recipients,
    # supervision: the mailbox and the tasks
    notify_new_letter,
    notify_forwarded,
    notify_reply,
    notify_task_step,
    notify_escalation,
    notify_performance_published,
    # every app → search: one object indexed on commit
    index_object,
    # reminders due now (also on rq's cron)
    deliver_due,
]
