from django.db import migrations

from core.records import install

# Reported values refuse TRUNCATE (their row trigger is in 0002).


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_append_only_and_settings"), ("core", "0007_record_triggers")]
    operations = [install(no_truncate_tables=("reports_reportentry",))]
