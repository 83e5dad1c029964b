"""Notifications and reminders keep the route name and arguments of the page they open, not its
path: the link is reversed when shown or sent, so a page that moves takes its old links with it.

Existing rows are converted by the paths the producers stored until now, frozen here (this
migration never reads today's URL configuration). A path that matches none keeps no link; the
message's text stays. Sent reminders are part of the record (append-only): on PostgreSQL their
trigger is set aside for this one conversion, inside the migration's transaction.
"""

import re

from django.db import migrations, models

# The paths stored until this migration, and the route each one is.
PATHS = [
    (re.compile(r"^/items/(\d+)/$"), "decisions:detail"),
    (re.compile(r"^/meetings/(\d+)/$"), "meetings:detail"),
    (re.compile(r"^/meetings/minutes/(\d+)/$"), "meetings:minutes"),
    (re.compile(r"^/notices/(\d+)/$"), "notices:detail"),
    (re.compile(r"^/supervision/tasks/(\d+)/$"), "supervision:detail"),
    (re.compile(r"^/mailbox/(\d+)/$"), "mailbox:detail"),
    (re.compile(r"^/calendar/$"), "calendar:page"),
]
# And back, for unapplying.
FORMATS = {
    "decisions:detail": "/items/{}/",
    "meetings:detail": "/meetings/{}/",
    "meetings:minutes": "/meetings/minutes/{}/",
    "notices:detail": "/notices/{}/",
    "supervision:detail": "/supervision/tasks/{}/",
    "mailbox:detail": "/mailbox/{}/",
    "calendar:page": "/calendar/",
}
APPEND_ONLY_TRIGGER = "core_reminder_append_only"


def route_of(url: str) -> tuple[str, list[int]]:
    for pattern, route in PATHS:
        found = pattern.match(url or "")
        if found:
            return route, [int(g) for g in found.groups()]
    return "", []


def url_of(route: str, args: list) -> str:
    form = FORMATS.get(route)
    return form.format(*args) if form else ""


def _convert(apps, schema_editor, model_name: str, change) -> None:
    model = apps.get_model("core", model_name)
    for row in model.objects.all().only("pk", "url", "route", "args").iterator():
        fields = change(row)
        if fields:
            model.objects.filter(pk=row.pk).update(**fields)


def _with_reminders_open(schema_editor, work) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"ALTER TABLE core_reminder DISABLE TRIGGER {APPEND_ONLY_TRIGGER};")
    work()
    if postgres:
        schema_editor.execute(f"ALTER TABLE core_reminder ENABLE TRIGGER {APPEND_ONLY_TRIGGER};")


def forward(apps, schema_editor):
    def change(row):
        if not row.url:
            return None
        route, args = route_of(row.url)
        return {"route": route, "args": args}

    _convert(apps, schema_editor, "Notification", change)
    _with_reminders_open(schema_editor, lambda: _convert(apps, schema_editor, "Reminder", change))


def backward(apps, schema_editor):
    def change(row):
        return {"url": url_of(row.route, row.args)} if row.route else None

    _convert(apps, schema_editor, "Notification", change)
    _with_reminders_open(schema_editor, lambda: _convert(apps, schema_editor, "Reminder", change))


class Migration(migrations.Migration):
    dependencies = [("core", "0007_record_triggers")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="route",
            field=models.CharField(blank=True, max_length=100, verbose_name="链接页面"),
        ),
        migrations.AddField(
            model_name="notification",
            name="args",
            field=models.JSONField(blank=True, default=list, verbose_name="链接参数"),
        ),
        migrations.AddField(
            model_name="reminder",
            name="route",
            field=models.CharField(blank=True, max_length=100, verbose_name="链接页面"),
        ),
        migrations.AddField(
            model_name="reminder",
            name="args",
            field=models.JSONField(blank=True, default=list, verbose_name="链接参数"),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name="notification", name="url"),
        migrations.RemoveField(model_name="reminder", name="url"),
    ]
