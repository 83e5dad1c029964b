"""The school, its parts written in order from one random.Random, and build(), which writes it."""

import datetime as dt
import random

from core.models import AuditEvent
from decisions.models import AgendaItem, Consultation
from demo.people import seed_org
from demo.scale.base import BASE, LEADERS, Tables, Writer, recorded_times, scaled, target_type
from demo.scale.items import Items
from demo.scale.meetings import Meetings
from demo.scale.notices import Notices
from demo.scale.people import People
from demo.scale.tasks import Tasks
from meetings.models import Meeting, Minutes, MinutesSignature, Opinion, Resolution, Vote
from notices.models import Notice
from supervision.models import (
    Evidence,
    Letter,
    LetterReply,
    PatrolFinding,
    ProgressReport,
    ReportReview,
    Task,
    TaskEscalation,
)


def build(*, factor: float, seed: int = 2026, log=print) -> Tables:
    """Write the school. The database must hold no agenda items yet (a fresh, migrated one)."""
    if AgendaItem.objects.exists():
        raise RuntimeError("seed_scale needs a database without agenda items (migrate a fresh one)")
    rng = random.Random(seed)
    w = Writer()
    with (
        recorded_times(
            AgendaItem, Consultation, Meeting, Opinion, Vote, Resolution, Minutes, MinutesSignature, AuditEvent
        ),
        recorded_times(
            Notice, Task, ProgressReport, Evidence, ReportReview, Letter, LetterReply, PatrolFinding, TaskEscalation
        ),
    ):
        School(rng, factor, w, log).run()
    w.flush()
    return w.tables


class School(People, Meetings, Items, Tasks, Notices):
    """Each part (people, meetings, items, tasks, notices) is its own module; they share this object's
    rng, factor, writer and what the earlier parts left on it, and are called in this order."""

    def __init__(self, rng: random.Random, factor: float, w: Writer, log):
        self.rng, self.factor, self.w, self.log = rng, factor, w, log

    def run(self):
        seed_org()
        self.people()
        self.meetings()
        self.items()
        self.tasks()
        self.notices()
        self.top_up_history()

    def at(self, when: dt.datetime, hours: float) -> dt.datetime:
        return when + dt.timedelta(hours=hours)

    # --- history up to its number -----------------------------------------------------------
    def top_up_history(self):
        """Views of confidential items (each one is logged) until history reaches its number."""
        w = self.w
        self.w.flush()
        missing = scaled("history", self.factor) - w.tables.rows[AuditEvent._meta.db_table]
        confidential = list(AgendaItem.objects.filter(confidential=True).values_list("pk", "created_at"))
        if missing <= 0 or not confidential:
            return
        viewers = [self.u[x] for x in LEADERS + ["discipline", "partyoffice"]]
        rng = self.rng
        for _ in range(missing):
            pk, created = rng.choice(confidential)
            when = min(created + (BASE - created) * rng.random(), BASE)
            w.event(when, rng.choice(viewers), "item.view", target_type(AgendaItem), pk)
