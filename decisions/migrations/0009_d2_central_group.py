"""中心组学习: the Party committee's central group (党委理论学习中心组) studies as a meeting body of
its own, its scope theory study, every participant asked for a reflection. A frozen copy of
decisions.defaults as it was when this migration was written."""

from django.db import migrations


def forward(apps, schema_editor):
    MeetingBody = apps.get_model("org", "MeetingBody")
    ScopeRule = apps.get_model("decisions", "ScopeRule")
    body, _ = MeetingBody.objects.get_or_create(
        code="CG",
        defaults={
            "name": "党委理论学习中心组",
            "decides": False,
            "secretary_role": "party_office",
            "sort_order": 5,
            "reflections_required": True,
        },
    )
    ScopeRule.objects.get_or_create(body=body, category="study", defaults={"note": "党委理论学习中心组学习"})


class Migration(migrations.Migration):
    dependencies = [("decisions", "0008_record_triggers"), ("org", "0004_d2_study_policy")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
