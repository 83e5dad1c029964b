from django.db import migrations

# On PostgreSQL the database refuses to change or remove a reply to a letter (回复百分百 is on record).


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE TRIGGER supervision_letterreply_append_only BEFORE UPDATE OR DELETE ON supervision_letterreply "
            "FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS supervision_letterreply_append_only ON supervision_letterreply;")


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial"), ("core", "0003_append_only_audit")]
    operations = [migrations.RunPython(forward, backward)]
