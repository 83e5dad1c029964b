from django.db import migrations

# On PostgreSQL the database refuses to change what a meeting put on record: cast votes,
# opinions, recusals, issued resolutions, signatures, and minutes once locked.
APPEND_ONLY = [
    "meetings_vote",
    "meetings_opinion",
    "meetings_recusal",
    "meetings_resolution",
    "meetings_minutessignature",
]

LOCKED_MINUTES = """
CREATE OR REPLACE FUNCTION yishi_refuse_locked_minutes() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.state = 'locked' THEN
        RAISE EXCEPTION USING
            MESSAGE = 'minutes ' || OLD.id || ' are locked: ' || TG_OP || ' refused',
            ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER meetings_minutes_locked
    BEFORE UPDATE OR DELETE ON meetings_minutes
    FOR EACH ROW EXECUTE FUNCTION yishi_refuse_locked_minutes();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in APPEND_ONLY:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();"
        )
    schema_editor.execute(LOCKED_MINUTES)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in APPEND_ONLY:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP TRIGGER IF EXISTS meetings_minutes_locked ON meetings_minutes;")


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial"), ("core", "0003_append_only_audit")]
    operations = [migrations.RunPython(forward, backward)]
