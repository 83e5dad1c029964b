from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from core.models import AuditEvent
from decisions.models import AgendaItem
from demo import scale
from demo.people import PASSWORD
from meetings.models import Meeting, Resolution
from notices.models import NoticeRecipient
from supervision.models import Task

FACTOR = 0.002


class Rollback(Exception):
    pass


def seed_and_digest(seed: int) -> str:
    """Seed inside a savepoint, take the digest, and roll the rows back."""
    found = {}
    try:
        with transaction.atomic():
            call_command("seed_scale", factor=FACTOR, seed=seed, index="no", stdout=StringIO())
            found["digest"] = scale.digest()
            raise Rollback
    except Rollback:
        pass
    return found["digest"]


def test_it_writes_each_table_in_proportion_to_the_factor(db):
    call_command("seed_scale", factor=FACTOR, stdout=StringIO())

    assert AgendaItem.objects.count() == pytest.approx(scale.AT_ONE["items"] * FACTOR, rel=0.1)
    assert Meeting.objects.filter(state="adjourned").count() >= 3
    assert Task.objects.count() == pytest.approx(scale.AT_ONE["tasks"] * FACTOR, rel=0.1)
    assert AuditEvent.objects.count() >= scale.AT_ONE["history"] * FACTOR
    assert NoticeRecipient.objects.exists()


def test_it_keeps_the_rules(db):
    call_command("seed_scale", factor=FACTOR, stdout=StringIO())

    # Resolutions only on passed entries of deciding bodies, each item resolved (or closed) once.
    assert not Resolution.objects.exclude(outcome__in=["passed", "passed_with_changes"]).exists()
    assert not Resolution.objects.exclude(body__code__in=["PC", "PO"]).exists()
    assert not Resolution.objects.exclude(item__state__in=["resolved", "closed"]).exists()
    # Tasks from resolutions name the resolved item; an item is closed only when all its tasks are.
    assert not Task.objects.filter(source="resolution").exclude(item__state__in=["resolved", "closed"]).exists()
    assert not Task.objects.filter(item__state="closed").exclude(state="closed").exists()
    # Every notice reached someone.
    from notices.models import Notice

    assert not Notice.objects.filter(recipients__isnull=True).exists()


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows(db):
    first, again, other = seed_and_digest(7), seed_and_digest(7), seed_and_digest(8)

    assert first == again
    assert first != other


def test_the_demo_accounts_log_in_and_see_the_items(db, client):
    call_command("seed_scale", factor=FACTOR, stdout=StringIO())
    titles = set(AgendaItem.objects.filter(confidential=False).exclude(state="draft").values_list("title", flat=True))

    login = client.post("/login/", {"username": "secretary", "password": PASSWORD})
    page = client.get("/items/")

    assert login.status_code == 302
    assert page.status_code == 200
    html = page.content.decode()
    assert sum(title in html for title in titles) >= 5


def test_it_refuses_a_database_that_already_has_items(db):
    from django.core.management.base import CommandError

    call_command("seed_scale", factor=FACTOR, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("seed_scale", factor=FACTOR, stdout=StringIO())
