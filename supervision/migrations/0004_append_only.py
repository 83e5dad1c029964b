from django.db import migrations

# On PostgreSQL the database refuses to change or remove what supervision keeps on record:
# progress reports, their evidence and reviews, escalations, patrol findings and branch checks.
TABLES = [
    "supervision_progressreport",
    "supervision_evidence",
    "supervision_reportreview",
    "supervision_taskescalation",
    "supervision_patrolfinding",
    "supervision_branchcheck",
    "supervision_branchcheckmark",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION yishi_refuse_change();"
            )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_tasks_patrols_calendar")]
    operations = [migrations.RunPython(forward, backward)]
