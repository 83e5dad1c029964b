"""Make the stored documents of record that are missing (meetings.services.documents).

Every adjourned meeting is looked at: the Word documents of its locked minutes and of its
resolutions, and its archive PDF once every minutes of it is locked. A document is missing when no
row names it, or when its row's file is no longer in storage (a new one is then made: the old row
stays on record with the SHA-256 that was served). What is stored already is never made again.

    manage.py build_documents              # make what is missing
    manage.py build_documents --dry-run    # list what is missing, make nothing
    manage.py build_documents --meeting 12 --meeting 15

For data written without the job (imports, `seed_scale`) or after storage was lost; in normal
running the job enqueued when minutes lock has made them.
"""

import time

from django.core.management.base import BaseCommand

from meetings import services
from meetings.models import Meeting, StoredDocument


class Command(BaseCommand):
    help = "Make the missing stored documents (archive PDF, minutes and resolutions in Word) of adjourned meetings."

    def add_arguments(self, parser):
        parser.add_argument("--meeting", type=int, action="append", help="only this meeting (repeatable)")
        parser.add_argument("--dry-run", action="store_true", help="list what is missing; make nothing")

    def handle(self, *args, meeting: list[int] | None, dry_run: bool, **options):
        meetings = Meeting.objects.filter(state=Meeting.State.ADJOURNED).order_by("pk")
        if meeting:
            meetings = meetings.filter(pk__in=meeting)
        totals = dict.fromkeys(StoredDocument.Kind.values, 0)
        started = time.monotonic()
        for meeting_id in meetings.values_list("pk", flat=True).iterator():
            if dry_run:
                for kind, source in services.missing_documents(meeting_id):
                    totals[kind] += 1
                    self.stdout.write(f"meeting {meeting_id}: {kind} {source}")
                continue
            made = services.make_meeting_documents(meeting_id, made_by=StoredDocument.Maker.COMMAND)
            for kind, n in made.items():
                totals[kind] += n
            if any(made.values()):
                self.stdout.write(f"meeting {meeting_id}: " + ", ".join(f"{k} {n}" for k, n in made.items() if n))
        verb = "missing" if dry_run else "made"
        summary = ", ".join(f"{kind} {n}" for kind, n in totals.items())
        self.stdout.write(f"{verb}: {summary} ({time.monotonic() - started:.1f} s)")
