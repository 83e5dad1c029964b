"""Notifications and reminders stored with a path before core 0008 keep their link as a route
name and arguments after it (by the migration's own frozen table of paths), and get it back as
the same path when the migration is unapplied."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from org.models import User

BEFORE = [("core", "0007_record_triggers")]
AFTER = [("core", "0008_notification_route")]

PATHS = {
    "/items/3/": ("decisions:detail", [3]),
    "/meetings/4/": ("meetings:detail", [4]),
    "/meetings/minutes/5/": ("meetings:minutes", [5]),
    "/notices/6/": ("notices:detail", [6]),
    "/supervision/tasks/7/": ("supervision:detail", [7]),
    "/mailbox/8/": ("mailbox:detail", [8]),
    "/calendar/": ("calendar:page", []),
    "/somewhere/else/": ("", []),
    "": ("", []),
}


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_stored_paths_become_route_names_and_come_back():
    person = User.objects.create(username="reader")
    old = migrate(BEFORE)
    for n, url in enumerate(PATHS):
        old.get_model("core", "Notification").objects.create(recipient_id=person.pk, key=f"k{n}", text="x", url=url)
        old.get_model("core", "Reminder").objects.create(recipient_id=person.pk, key=f"k{n}", text="x", url=url)

    new = migrate(AFTER)
    for model in ("Notification", "Reminder"):
        rows = new.get_model("core", model).objects.order_by("key")
        converted = {row.key: (row.route, row.args) for row in rows}
        assert converted == {f"k{n}": link for n, link in enumerate(PATHS.values())}, model

    back = migrate(BEFORE)
    for model in ("Notification", "Reminder"):
        urls = dict(back.get_model("core", model).objects.values_list("key", "url"))
        assert urls == {f"k{n}": url if url != "/somewhere/else/" else "" for n, url in enumerate(PATHS)}, model
    migrate(AFTER)
