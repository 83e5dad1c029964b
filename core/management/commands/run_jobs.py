"""Run the periodic jobs in this process, on their schedule, without Redis.

The schedule is the one rq's cron scheduler uses (config/cron.py), so a demo or a small server
without Redis sends the same reminders at the same times. `--once` runs every job once and
stops (for a system cron, or to see what a sweep finds).
"""

import importlib
import sys
import time
from datetime import datetime, timezone

from django.core.management.base import BaseCommand


def load_schedule(path: str) -> list:
    from rq import cron as rq_cron

    rq_cron._job_data_registry.clear()
    # Jobs are registered when the module runs: import it, or run it again if it was imported.
    if path in sys.modules:
        importlib.reload(sys.modules[path])
    else:
        importlib.import_module(path)
    keep = ("queue_name", "func", "args", "kwargs", "interval", "cron", "name")
    jobs = [rq_cron.CronJob(**{k: v for k, v in data.items() if k in keep}) for data in rq_cron._job_data_registry]
    rq_cron._job_data_registry.clear()
    return jobs


class Command(BaseCommand):
    help = "Run the periodic jobs of config/cron.py in this process (for a demo or a server without Redis)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every job once, then stop")
        parser.add_argument("--schedule", default="config.cron", help="module that registers the jobs")

    def run(self, job) -> None:
        started = time.monotonic()
        try:
            result = job.func(*job.args, **job.kwargs)
        except Exception as exc:  # noqa: BLE001 - one failing job does not stop the others
            self.stderr.write(f"{job.name}: failed: {type(exc).__name__}: {exc}")
        else:
            self.stdout.write(f"{job.name}: {result} ({time.monotonic() - started:.2f}s)")

    def handle(self, *args, once: bool, schedule: str, **options):
        jobs = load_schedule(schedule)
        if once:
            for job in jobs:
                self.run(job)
            return
        self.stdout.write(f"running {len(jobs)} periodic jobs in this process; Ctrl-C stops")
        due = {job.name: datetime.now(timezone.utc) if job.interval else job.get_next_enqueue_time() for job in jobs}
        try:
            while True:
                now = datetime.now(timezone.utc)
                for job in jobs:
                    if due[job.name] <= now:
                        self.run(job)
                        job.latest_enqueue_time = now
                        due[job.name] = job.get_next_enqueue_time()
                wait = min(due.values()) - datetime.now(timezone.utc)
                time.sleep(max(1.0, min(wait.total_seconds(), 30.0)))
        except KeyboardInterrupt:
            self.stdout.write("stopped")
