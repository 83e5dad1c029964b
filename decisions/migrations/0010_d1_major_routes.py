"""三重一大 asked for the principal's office: major projects and large sums are deliberated by the
office first and then resolved by the Party committee (两议); major decisions and appointments go
to the committee directly. An administrator may change this (MajorRoute)."""

from django.db import migrations

ROUTES = {"decision": False, "appointment": False, "project": True, "funds": True}


def seed(apps, schema_editor):
    MajorRoute = apps.get_model("decisions", "MajorRoute")
    for kind, po_first in ROUTES.items():
        MajorRoute.objects.get_or_create(major_kind=kind, defaults={"po_first": po_first})


class Migration(migrations.Migration):
    dependencies = [("decisions", "0009_d1_review_chain")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
