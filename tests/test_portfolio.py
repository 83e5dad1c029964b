"""分管 with dates: a department's periods never overlap, an earlier closed period may be added
before the current one, and a current period ends without a successor only forward in time."""

import datetime as dt

import pytest

from core.errors import InvalidTransition
from core.models import AuditEvent
from org.access import leader_in_charge
from org.models import Department, Portfolio
from org.services import portfolio_assign, portfolio_end


@pytest.fixture
def office(school):
    return Department.objects.get(name="教务处")


def test_an_earlier_closed_period_goes_before_the_current_one(people, office):
    assign = {"actor": people("partyoffice"), "department": office}
    portfolio_assign(**assign, leader=people("member1"), starts_on=dt.date(2025, 9, 1))
    portfolio_assign(**assign, leader=people("vice"), starts_on=dt.date(2024, 9, 1), ends_on=dt.date(2025, 8, 31))
    assert leader_in_charge(office.pk, dt.date(2025, 1, 1)) == people("vice")
    assert leader_in_charge(office.pk, dt.date(2025, 9, 1)) == people("member1")
    assert Portfolio.objects.get(department=office, ends_on__isnull=True).leader == people("member1")

    with pytest.raises(InvalidTransition) as e:  # overlaps the closed period just added
        portfolio_assign(**assign, leader=people("member1"), starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2024, 9, 1))
    assert "与" in e.value.reason and "（2024-09-01至2025-08-31）重叠" in e.value.reason
    with pytest.raises(InvalidTransition) as e:  # reaches into the current period
        portfolio_assign(**assign, leader=people("vice"), starts_on=dt.date(2023, 9, 1), ends_on=dt.date(2025, 9, 1))
    assert "须晚于现任分管的起始日期" in e.value.reason
    assert Portfolio.objects.filter(department=office).count() == 2


def test_the_current_period_ends_once_and_an_ended_one_stays(people, office):
    current = portfolio_assign(
        actor=people("partyoffice"), leader=people("member1"), department=office, starts_on=dt.date(2025, 9, 1)
    )
    with pytest.raises(InvalidTransition) as e:
        portfolio_end(actor=people("staff"), portfolio_id=current.pk, ends_on=dt.date(2026, 1, 31))
    assert e.value.status == 403
    with pytest.raises(InvalidTransition, match="截止日期不能早于起始日期"):
        portfolio_end(actor=people("partyoffice"), portfolio_id=current.pk, ends_on=dt.date(2025, 8, 31))
    portfolio_end(actor=people("partyoffice"), portfolio_id=current.pk, ends_on=dt.date(2026, 1, 31))
    assert leader_in_charge(office.pk, dt.date(2026, 2, 1)) is None
    with pytest.raises(InvalidTransition, match="已于2026-01-31截止，不能再修改"):
        portfolio_end(actor=people("partyoffice"), portfolio_id=current.pk, ends_on=dt.date(2026, 6, 30))
    ends = AuditEvent.objects.filter(verb="portfolio.end", target_id=current.pk)
    assert list(ends.values_list("actor__username", "data")) == [("partyoffice", {"ends_on": "2026-01-31"})]
