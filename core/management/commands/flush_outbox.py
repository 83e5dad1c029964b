"""Hand the jobs waiting in the database outbox to RQ now, however young.

rq's cron does this every minute (config/cron.py); this is for an operator who has just brought
Redis back, or given it up (without REDIS_URL the waiting jobs run in this process). A job whose
own hand-over is under way at the same moment still runs once (core.jobs).
"""

from datetime import timedelta

from django.core.management.base import BaseCommand

from core.jobs import flush_outbox
from core.models import OutboxJob


class Command(BaseCommand):
    help = "Hand the jobs waiting in the outbox to RQ (or run them here without Redis)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="jobs per batch (default 500)")

    def handle(self, *args, limit: int, **options):
        total = {"sent": 0, "kept": 0}
        while True:
            counts = flush_outbox(limit=limit, grace=timedelta(0))
            for key in total:
                total[key] += counts[key]
            # A full batch with nothing kept back: there may be more waiting.
            if counts["kept"] or counts["sent"] < limit:
                break
        waiting = OutboxJob.objects.filter(sent_at__isnull=True).count()
        self.stdout.write(f"sent {total['sent']}, still waiting {waiting}")
        if total["kept"]:
            self.stderr.write("some jobs were not handed over; see their last error in the admin （待投递任务）")
