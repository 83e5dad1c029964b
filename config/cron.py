"""Periodic jobs, for rq's cron scheduler: `python manage.py rqcron config/cron.py` (make worker).

rq evaluates cron strings in UTC; the school lives in Asia/Shanghai (UTC+8), so a job meant for
08:00 local time is written for 00:00 UTC. Every job here is safe to run twice.
"""

from rq import cron

from core.reminders import deliver_due
from decisions.jobs import remind_consultations
from meetings.jobs import check_materials_due, remind_meetings
from notices.jobs import compile_monthly_digest

cron.register(deliver_due, "default", interval=60, name="deliver reminders")
cron.register(check_materials_due, "default", interval=600, name="drop items whose materials are late")
# 08:00 and 14:00 in Asia/Shanghai.
cron.register(remind_consultations, "default", cron="0 0,6 * * *", name="consultations pending")
cron.register(remind_meetings, "default", cron="*/30 * * * *", name="meetings: materials, tomorrow, co-signature")
# 00:30 in Asia/Shanghai, daily: on the 1st it compiles last month's digest, on other days it finds it done.
cron.register(compile_monthly_digest, "default", cron="30 16 * * *", name="monthly all-staff digest")
