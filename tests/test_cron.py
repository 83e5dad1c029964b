"""The periodic jobs run at school time (Asia/Shanghai), whatever the server's own clock says."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from rq.cron import CronJob

from core.reminders import deliver_due

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_rq_reads_cron_strings_in_school_time():
    # Django has set the process zone to TIME_ZONE; rq reads cron fields in that zone.
    job = CronJob(queue_name="default", func=deliver_due, cron="0 8 * * *")
    job.latest_enqueue_time = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)  # 20:00 in Shanghai
    following = job.get_next_enqueue_time()
    assert following == datetime(2026, 11, 24, 0, 0, tzinfo=timezone.utc)  # 08:00 the next morning in Shanghai
    assert following.astimezone(SHANGHAI).hour == 8


def test_the_schedule_registers_every_job():
    import importlib

    from rq import cron

    cron._job_data_registry.clear()
    importlib.reload(importlib.import_module("config.cron"))
    jobs = {data["name"]: data for data in cron._job_data_registry}
    cron._job_data_registry.clear()
    assert jobs["consultations pending"]["cron"] == "0 8,14 * * *"
    assert jobs["deliver reminders"]["interval"] == 60
    assert "monthly all-staff digest" in jobs
