from django.db import migrations

from decisions.defaults import ensure_defaults


def forward(apps, schema_editor):
    ensure_defaults(
        apps.get_model("org", "MeetingBody"),
        apps.get_model("decisions", "ScopeRule"),
        apps.get_model("decisions", "DecisionPolicy"),
    )


class Migration(migrations.Migration):
    dependencies = [("decisions", "0002_initial"), ("org", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
