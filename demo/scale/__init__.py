"""A school of N× a large vocational college, written straight into the tables (seed_scale).

The services are the only path for writes in the application; here they would take hours, so
this package writes the rows they would have written, with bulk_create, in the states the rules
allow: items move along STEPS, only passed PC/PO entries carry a numbered resolution (the
numbers continue in core.Sequence), tasks come from resolutions (or letters and patrol
findings), an item is closed only when all its tasks are, every notice has its recipients,
and history (AuditEvent) rows are only inserted. Everything comes from one random.Random(seed)
and a fixed base date, so the same factor and seed give the same rows.

What it leaves out, on purpose: PO "passed, to PC" chains （三重一大 items go to PC directly），
deferred entries, attachments and evidence files on disk (Evidence rows name files that are not
there), reminders and notifications. Notices exist for the most recent PC resolutions and
monthly digests only, as if the 三通报 module had gone live then: a notice to everyone reaches
every member of staff, so 300,000 receipts at N=1 are about a hundred such notices.

The parts live in their own modules: base (sizes, names, the writer), people, meetings, items,
tasks, notices, and school (the order they run in, and build()).
"""

import hashlib

from core.models import AuditEvent
from decisions.models import AgendaItem
from demo.scale.base import AT_ONE, SUBJECTS, Tables
from demo.scale.school import School, build
from meetings.models import Meeting, Resolution
from notices.models import Notice, NoticeRecipient
from org.models import Department, User
from supervision.models import Task

__all__ = ["AT_ONE", "SUBJECTS", "School", "Tables", "build", "digest"]


def digest(*, using=None) -> str:
    """A digest of what was written (titles, numbers, states), independent of primary keys."""
    h = hashlib.sha256()
    for qs in (
        Department.objects.order_by("name").values_list("name", "kind"),
        User.objects.order_by("username").values_list("username", "name"),
        Meeting.objects.order_by("starts_at", "title").values_list("title", "state"),
        AgendaItem.objects.order_by("title").values_list("title", "state", "consultation_round"),
        Resolution.objects.order_by("number").values_list("number", "item__title"),
        Task.objects.order_by("title", "deadline", "state").values_list("title", "deadline", "state"),
        Notice.objects.order_by("published_at", "title").values_list("title"),
    ):
        for row in qs.iterator(chunk_size=5000):
            h.update(repr(row).encode())
    h.update(repr(NoticeRecipient.objects.filter(read_at__isnull=False).count()).encode())
    h.update(repr(AuditEvent.objects.count()).encode())
    return h.hexdigest()
