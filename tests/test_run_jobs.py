from io import StringIO

from django.core.management import call_command

from core.models import Delivery
from core.reminders import remind


def test_without_redis_the_schedule_runs_in_process_and_delivers(people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    remind(recipient=people("staff"), key="demo", text="演示提醒")
    out = StringIO()

    call_command("run_jobs", "--once", stdout=out)

    text = out.getvalue()
    for name in ("deliver reminders", "consultations pending", "meetings: materials, tomorrow, co-signature"):
        assert name in text
    assert "failed" not in text
    assert text.count("deliver reminders") == 1  # each job once
    assert Delivery.objects.filter(state="sent").count() == 2
