from django.db import migrations

from core.records import install

# A consultation's answer is given once; an attachment stays on record and is withdrawn once.


class Migration(migrations.Migration):
    dependencies = [("decisions", "0007_item_updated_index"), ("core", "0007_record_triggers")]
    operations = [
        install(
            set_once_tables={
                "decisions_consultation": [(["answer", "text", "answered_at"], "OLD.answer = 'pending'")],
                "decisions_attachment": [(["removed_at"], "OLD.removed_at IS NULL")],
            },
            no_truncate_tables=("decisions_consultation", "decisions_attachment"),
        ),
    ]
