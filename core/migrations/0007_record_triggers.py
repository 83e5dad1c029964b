from django.db import migrations

from core.records import install

# Sent reminders join the record (core.records); the audit log and reminders refuse TRUNCATE.


class Migration(migrations.Migration):
    dependencies = [("core", "0006_outbox_and_claimed_deliveries")]
    operations = [
        install(append_only_tables=("core_reminder",), no_truncate_tables=("core_auditevent", "core_reminder")),
    ]
