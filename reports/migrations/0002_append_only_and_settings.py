from django.db import migrations

# On PostgreSQL the database refuses to change or remove a reported value: a correction is a
# new row (reports.services), so the rows are the history. yishi_refuse_change is core's.
TABLES = ["reports_reportentry"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();"
            )
    # The settings row, with the defaults, so that the administrator finds it to edit.
    ReportSettings = apps.get_model("reports", "ReportSettings")
    if not ReportSettings.objects.exists():
        ReportSettings.objects.create()


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("core", "0003_append_only_audit")]
    operations = [migrations.RunPython(forward, backward)]
