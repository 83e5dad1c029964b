"""Two people act on the same item at the same moment: exactly one step wins.

Runs on PostgreSQL with two real connections (one per thread); SQLite has no row locks.
"""

import pytest

from core.errors import InvalidTransition
from core.models import AuditEvent
from decisions import services
from decisions.models import AgendaItem, State
from tests import races
from tests.factories import at_state

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls, item_id: int):
    """The calls at once, held on the item's row lock until every one is blocked on it."""
    return races.race(*calls, locked=AgendaItem.objects.filter(pk=item_id))


def outcome(results):
    wins = [r for r in results if isinstance(r, AgendaItem)]
    losses = [r for r in results if isinstance(r, InvalidTransition)]
    others = [r for r in results if not isinstance(r, (AgendaItem, InvalidTransition))]
    assert not others, others
    return wins, losses


def test_it_lets_one_of_approve_and_return_win(people):
    staff, depthead = people("staff"), people("depthead")
    item = at_state(State.DEPT_REVIEW, submitter=staff)
    before = AuditEvent.objects.count()

    wins, losses = outcome(
        race(
            lambda: services.item_dept_approve(actor=people("depthead"), item_id=item.pk),
            lambda: services.item_dept_return(actor=people("depthead"), item_id=item.pk, reason="材料不全"),
            item_id=item.pk,
        )
    )

    assert len(wins) == 1 and len(losses) == 1
    assert losses[0].status == 409
    assert "可能已被他人处理" in losses[0].reason
    item.refresh_from_db()
    assert item.state == wins[0].state
    assert item.version == 3  # created 1, submitted 2, one winning step 3
    assert AuditEvent.objects.count() == before + 1
    # The same person on two devices: still only one step counts, recorded as theirs.
    event = AuditEvent.objects.latest("pk")
    assert (event.actor_id, event.to_state) == (depthead.pk, item.state)


def test_it_lets_one_of_two_screeners_clicks_win(people):
    """The secretary double-submits 'accept' from two tabs: one consultation round, not two."""
    item = at_state(State.SCREENING, submitter=people("staff"))
    leaders = [people("member1"), people("member2")]

    wins, losses = outcome(
        race(
            lambda: services.item_screen_accept(actor=people("secretary"), item_id=item.pk, consultees=leaders),
            lambda: services.item_screen_accept(actor=people("secretary"), item_id=item.pk, consultees=leaders),
            item_id=item.pk,
        )
    )

    assert len(wins) == 1 and len(losses) == 1
    item.refresh_from_db()
    assert item.state == State.CONSULTING
    assert item.consultation_round == 1
    assert item.consultations.count() == 2


def test_it_counts_the_last_two_consultation_answers_once_each(people):
    """Both remaining leaders agree at the same moment: the item ends ready, with both answers."""
    m1, m2 = people("member1"), people("member2")
    item = at_state(State.CONSULTING, submitter=people("staff"), consultees=[m1, m2])

    wins, losses = outcome(
        race(
            lambda: services.item_consult_answer(actor=people("member1"), item_id=item.pk, agree=True),
            lambda: services.item_consult_answer(actor=people("member2"), item_id=item.pk, agree=True),
            item_id=item.pk,
        )
    )

    assert len(wins) == 2 and not losses
    item.refresh_from_db()
    assert item.state == State.READY
    assert sorted(item.consultations.values_list("answer", flat=True)) == ["agree", "agree"]


def test_it_refuses_the_second_of_two_simultaneous_edits(people):
    staff = people("staff")
    item = at_state(State.DRAFT, submitter=staff)
    fields = {
        "title": item.title,
        "category": item.category,
        "background": item.background,
        "proposal": item.proposal,
        "amount": None,
        "major_kind": "",
        "requested_body": item.requested_body,
        "confidential": False,
    }

    wins, losses = outcome(
        race(
            lambda: services.item_update(
                actor=people("staff"), item_id=item.pk, version=1, **{**fields, "title": "甲"}
            ),
            lambda: services.item_update(
                actor=people("staff"), item_id=item.pk, version=1, **{**fields, "title": "乙"}
            ),
            item_id=item.pk,
        )
    )

    assert len(wins) == 1 and len(losses) == 1
    assert "已被他人修改" in losses[0].reason
    item.refresh_from_db()
    assert item.title == wins[0].title
    assert item.version == 2
