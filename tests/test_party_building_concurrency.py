"""Two people fill in the same department's report at the same moment (PostgreSQL, real
connections: tests/races.py). Both saw the same page; one write wins, the other is refused."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from core.errors import InvalidTransition
from core.models import AuditEvent
from org.models import Department, User
from reports import services
from reports.models import Indicator, ReportEntry
from tests import races

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _in_the_target_window():
    with time_machine.travel(dt.datetime(2026, 2, 10, 10, tzinfo=CST), tick=True):
        yield


def write(username: str, indicator: Indicator, value: str, replaces: int | None, reason: str = ""):
    def call():
        return services.entry_record(
            actor=User.objects.get(username=username),
            department_id=Department.objects.get(name="教务处").pk,
            indicator_id=indicator.pk,
            year=2026,
            stage="target",
            value=Decimal(value),
            replaces=replaces,
            reason=reason,
        )

    return call


def split(results):
    wins = [r for r in results if isinstance(r, ReportEntry)]
    losses = [r for r in results if isinstance(r, InvalidTransition)]
    assert len(wins) + len(losses) == len(results), results
    return wins, losses


def test_two_first_values_at_once_one_is_kept(school):
    indicator = Indicator.objects.create(name="发展党员数", unit="人")
    results = races.race(
        write("depthead", indicator, "3", None),
        write("partyoffice", indicator, "4", None),
        locked=Department.objects.filter(name="教务处"),
    )
    wins, losses = split(results)
    assert len(wins) == 1 and len(losses) == 1 and losses[0].status == 409
    assert ReportEntry.objects.count() == 1
    assert AuditEvent.objects.filter(verb="report.enter").count() == 1


def test_two_corrections_of_the_same_value_at_once_one_is_kept(school):
    indicator = Indicator.objects.create(name="发展党员数", unit="人")
    first = write("depthead", indicator, "3", None)()
    results = races.race(
        write("depthead", indicator, "5", first.pk, "补报"),
        write("partyoffice", indicator, "4", first.pk, "核减"),
        locked=Department.objects.filter(name="教务处"),
    )
    wins, losses = split(results)
    assert len(wins) == 1 and len(losses) == 1
    assert "请刷新页面核对后再填" in losses[0].reason
    assert ReportEntry.objects.count() == 2
    assert ReportEntry.objects.get(superseded_by__isnull=True) == wins[0]
    assert AuditEvent.objects.filter(verb="report.correct").count() == 1
