from django.db import migrations

from core.records import install

# A published notice keeps every column (its id and any column added later included) but the
# meeting it is queued for: the row is compared whole, as JSON, instead of column by column.
# Notices, their audiences and read receipts refuse TRUNCATE.
PUBLISHED_NOTICE = """
CREATE OR REPLACE FUNCTION yishi_refuse_published_notice_change() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'published' AND (
        TG_OP = 'DELETE' OR (to_jsonb(NEW) - 'meeting_id') IS DISTINCT FROM (to_jsonb(OLD) - 'meeting_id')
    ) THEN
        RAISE EXCEPTION USING
            MESSAGE = 'notice ' || OLD.id || ' is published: ' || TG_OP || ' refused',
            ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PUBLISHED_NOTICE)


class Migration(migrations.Migration):
    dependencies = [("notices", "0003_notice_published_idx"), ("core", "0007_record_triggers")]
    operations = [
        # Backwards, 0002's column-by-column version is left in place: it refuses less, never more.
        migrations.RunPython(forward, migrations.RunPython.noop),
        install(no_truncate_tables=("notices_notice", "notices_noticeaudience", "notices_noticerecipient")),
    ]
