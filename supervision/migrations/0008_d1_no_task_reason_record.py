from django.db import migrations

from core.records import install

# 决而未果: a reason why a resolution needs no task, once on record, stays.


class Migration(migrations.Migration):
    dependencies = [("supervision", "0007_d1_no_task_reason")]
    operations = [
        install(append_only_tables=("supervision_notaskreason",), no_truncate_tables=("supervision_notaskreason",))
    ]
