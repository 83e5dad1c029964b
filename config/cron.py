"""Periodic jobs, for rq's cron scheduler: `python manage.py rqcron config/cron.py` (make worker).

Which clock? rq 3 reads a cron string in the process's local time zone, and Django sets that zone
to settings.TIME_ZONE (Asia/Shanghai) when it loads, so under `manage.py rqcron` the strings below
are school time: "0 8 * * *" is 08:00 in Shanghai (00:00 UTC). tests/test_cron.py holds rq to
that; older rq releases read UTC, which would shift every job by eight hours.
Every job here is safe to run twice.
"""

from rq import cron

from core.jobs import flush_outbox
from core.reminders import deliver_due
from decisions.jobs import remind_consultations, remind_reviews
from meetings.jobs import check_materials_due, remind_meetings
from notices.jobs import compile_monthly_digest
from org.jobs import check_directory
from search.jobs import reindex_changed
from supervision.jobs import remind_letters, remind_tasks, remind_unfollowed, sweep_calendar

cron.register(check_materials_due, "default", interval=600, name="drop items whose materials are late")
# 08:00 and 14:00, school time.
cron.register(remind_consultations, "default", cron="0 8,14 * * *", name="consultations pending")
# 08:00 and 14:00, school time: review-chain steps (审阅, 审核, 审批) waiting too long; then 督办.
cron.register(remind_reviews, "default", cron="0 8,14 * * *", name="review chain: reminders and escalation")
cron.register(remind_meetings, "default", cron="*/30 * * * *", name="meetings: materials, tomorrow, co-signature")
# 00:30 school time, daily: on the 1st it compiles last month's digest, on other days it finds it done.
cron.register(compile_monthly_digest, "default", cron="30 0 * * *", name="monthly all-staff digest")
# 07:30 school time, daily: the responsibility calendar (行事历) makes the periods now within their
# lead days, reminds the role holders and hands out the duties' tasks, before the 08:00 sweep.
cron.register(sweep_calendar, "default", cron="30 7 * * *", name="responsibility calendar")
# 08:00 school time, daily: supervision tasks due soon are reminded; overdue ones escalated
# (level 1: responsible leader and heads; level 2, days later: the track's supervisors).
cron.register(remind_tasks, "default", cron="0 8 * * *", name="supervision tasks: due soon, overdue")
# 08:10 school time, daily: 书记信箱 letters near their reply deadline reminded, overdue ones escalated.
cron.register(remind_letters, "default", cron="10 8 * * *", name="mailbox: reply deadlines")
# 02:00 school time, daily: when DingTalk is configured, the administrators are told what a sync
# of its contact directory would change (applied by them in the admin, never by the job).
cron.register(check_directory, "default", cron="0 2 * * *", name="DingTalk directory: changes to confirm")
# 08:20 school time, daily: 决而未果, passed resolutions still without a task or a reason, escalated.
cron.register(remind_unfollowed, "default", cron="20 8 * * *", name="resolutions without follow-up")
# Every 10 minutes: the search index catches up with what changed (the services also index on commit).
cron.register(reindex_changed, "default", interval=600, name="search index: what changed")
# Every minute: jobs still waiting in the database outbox (Redis refused them, or their process
# died between COMMIT and handing them over) go to the queue, each once.
cron.register(flush_outbox, "default", interval=60, name="outbox: jobs not handed over")
# Every minute: send what the sweeps found. Registered last, so that `manage.py run_jobs --once`
# delivers the reminders the sweeps before it created in the same run.
cron.register(deliver_due, "default", interval=60, name="deliver reminders")
