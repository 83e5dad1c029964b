"""Small refusals: said in plain words before the database is reached, and a form never offers
a choice its service would refuse (the form asks the same function the service asks)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import InvalidTransition
from core.models import AuditEvent
from decisions import services as item_services
from decisions.models import AgendaItem, Consultation, State
from meetings import services as meeting_services
from meetings.models import AgendaEntry
from supervision.models import ReportReview, Task
from tests.factories import (
    ItemFields,
    all_opinions,
    at_state,
    body,
    draft,
    organizer_of,
    reported_task,
    resolution_task,
    running_meeting,
    supervisor_of,
    vote_all,
)

NEGATIVE = "金额不能为负数。"


# --- a negative amount ------------------------------------------------------------------------------


def _item_data(**changes):
    return {
        "title": "关于采购实训设备的请示",
        "requested_body": body("PC").pk,
        "category": "decision",
        "amount": "-5000",
        "background": "背景：实训设备老化，草稿里写了很多。",
        "proposal": "方案：分批更新。",
        **changes,
    }


def test_a_negative_amount_on_the_new_item_form_is_refused_in_plain_words(client, people):
    client.force_login(people("staff"))
    response = client.post(reverse("decisions:new"), _item_data())
    page = response.content.decode()
    assert response.status_code == 400
    assert NEGATIVE in page
    assert "agenda_item_amount_not_negative" not in page
    assert "背景：实训设备老化，草稿里写了很多。" in page  # the draft is kept
    assert not AgendaItem.objects.exists()


def test_a_negative_amount_on_the_edit_form_is_refused_in_plain_words(client, people):
    staff = people("staff")
    item = draft(staff)
    client.force_login(staff)
    response = client.post(
        reverse("decisions:edit", args=[item.pk]), _item_data(version=item.version, title="改过的标题")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert NEGATIVE in page
    assert "agenda_item_amount_not_negative" not in page
    assert "改过的标题" in page
    item.refresh_from_db()
    assert (item.amount, item.version) == (None, 1)


@pytest.mark.parametrize("step", ["create", "update"])
def test_the_service_refuses_a_negative_amount_before_the_database(step, people):
    staff = people("staff")
    item = draft(staff)
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidTransition) as refused:
        if step == "create":
            item_services.item_create(actor=staff, requested_body=body("PC"), **ItemFields(amount=Decimal("-0.01")))
        else:
            fields = {name: getattr(item, name) for name in item_services.ITEM_FIELDS}
            item_services.item_update(
                actor=staff, item_id=item.pk, version=item.version, **{**fields, "amount": Decimal("-1")}
            )
    assert refused.value.reason == NEGATIVE
    assert (AgendaItem.objects.count(), AuditEvent.objects.count()) == (1, events)


# --- the screener names other leaders ---------------------------------------------------------------


def test_the_screener_cannot_name_himself_as_a_consultee(people):
    secretary = people("secretary")
    item = at_state(State.SCREENING, submitter=people("staff"))
    with pytest.raises(InvalidTransition) as refused:
        item_services.item_screen_accept(actor=secretary, item_id=item.pk, consultees=[people("member1"), secretary])
    assert "研判人" in refused.value.reason
    item.refresh_from_db()
    assert item.state == State.SCREENING
    assert not Consultation.objects.filter(item=item).exists()


def test_the_screening_form_does_not_offer_the_screener(client, people):
    secretary = people("secretary")
    item = at_state(State.SCREENING, submitter=people("staff"))
    client.force_login(secretary)
    response = client.get(reverse("decisions:detail", args=[item.pk]))
    offered = [int(str(value)) for value, _label in response.context["accept_form"].fields["consultees"].choices]
    assert people("member1").pk in offered
    assert secretary.pk not in offered
    assert f'value="{secretary.pk}"' not in response.content.decode()


def test_a_forged_screening_naming_the_screener_is_refused_with_a_reason(client, people):
    secretary = people("secretary")
    item = at_state(State.SCREENING, submitter=people("staff"))
    client.force_login(secretary)
    url = reverse("decisions:act", args=[item.pk, "screen_accept"])
    response = client.post(url, {"consultees": [secretary.pk, people("member1").pk]})
    assert response.status_code in (400, 409)
    item.refresh_from_db()
    assert item.state == State.SCREENING


# --- after a failed vote, no 通过 ---------------------------------------------------------------------


@pytest.fixture
def failed_vote(people):
    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")], major_kind="decision")
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)
    vote_all(entry, meeting, "against")
    return entry


def _radio_values(page: str, name: str) -> set[str]:
    return set(re.findall(rf'name="{name}" value="([^"]*)"', page))


def test_after_a_failed_vote_the_outcome_form_offers_no_pass(failed_vote, client):
    client.force_login(organizer_of("PC"))
    page = client.get(reverse("meetings:entry", args=[failed_vote.pk])).content.decode()
    offered = _radio_values(page, "outcome")
    assert "not_passed" in offered
    assert not offered & {"passed", "passed_with_changes", "passed_to_pc"}


def test_after_a_passed_vote_the_outcome_form_offers_no_rejection(people, client):
    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")], major_kind="decision")
    meeting, (entry,) = running_meeting([item])
    all_opinions(entry, meeting)
    vote_all(entry, meeting, "for")
    client.force_login(organizer_of("PC"))
    offered = _radio_values(client.get(reverse("meetings:entry", args=[entry.pk])).content.decode(), "outcome")
    assert "passed" in offered
    assert "not_passed" not in offered


def test_after_a_failed_vote_a_forged_pass_is_refused_with_a_reason(failed_vote, client):
    client.force_login(organizer_of("PC"))
    url = reverse("meetings:entry_act", args=[failed_vote.pk, "decide"])
    response = client.post(url, {"outcome": "passed", "note": ""})
    assert response.status_code == 409
    assert "不能宣布通过" in response.content.decode()
    assert AgendaEntry.objects.get(pk=failed_vote.pk).outcome == ""
    assert "passed" not in _radio_values(response.content.decode(), "outcome")


def test_the_outcomes_offered_are_the_outcomes_the_service_accepts(failed_vote):
    meeting = failed_vote.meeting
    offered = meeting_services.allowed_outcomes(failed_vote, meeting)
    for outcome in meeting_services.Outcome.values:
        if outcome in offered:
            continue
        with pytest.raises(InvalidTransition):
            meeting_services.entry_decide(actor=organizer_of("PC"), entry_id=failed_vote.pk, outcome=outcome, note="x")


# --- 同意办结 only on a final report ----------------------------------------------------------------


@pytest.fixture
def progress_report(people):
    item = at_state(State.RESOLVED, submitter=people("staff"))
    return reported_task(resolution_task(item.resolutions.get()), final=False)


def test_the_review_of_a_progress_report_does_not_offer_closing(progress_report, client):
    client.force_login(supervisor_of(progress_report))
    page = client.get(reverse("supervision:detail", args=[progress_report.pk])).content.decode()
    offered = _radio_values(page, "decision")
    assert offered == {"accept", "return"}


def test_the_review_of_a_final_report_offers_closing(people, client):
    item = at_state(State.RESOLVED, submitter=people("staff"))
    task = reported_task(resolution_task(item.resolutions.get()), final=True)
    client.force_login(supervisor_of(task))
    page = client.get(reverse("supervision:detail", args=[task.pk])).content.decode()
    assert "close" in _radio_values(page, "decision")


def test_a_forged_close_of_a_progress_report_is_refused_with_a_reason(progress_report, client):
    client.force_login(supervisor_of(progress_report))
    report = progress_report.reports.get()
    url = reverse("supervision:review", args=[progress_report.pk])
    response = client.post(url, {"report": report.pk, "decision": "close", "comment": "同意"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "只有办结报告才能同意办结" in page
    assert "close" not in _radio_values(page, "decision")
    assert Task.objects.get(pk=progress_report.pk).state == Task.State.REPORTED
    assert not ReportReview.objects.exists()


# --- recusal is offered only where the service accepts it ---------------------------------------------


def _recusal_options(page: str) -> set[int]:
    form = re.search(r'act/recuse/".*?</form>', page, re.S)
    return {int(v) for v in re.findall(r'<option value="(\d+)"', form.group(0))} if form else set()


def test_an_absent_member_is_not_offered_for_recusal(people, client):
    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
    meeting, (entry,) = running_meeting([item], absent=["member2"])
    client.force_login(organizer_of("PC"))
    offered = _recusal_options(client.get(reverse("meetings:entry", args=[entry.pk])).content.decode())
    assert people("member1").pk in offered
    assert people("member2").pk not in offered
    with pytest.raises(InvalidTransition):
        meeting_services.entry_recuse(
            actor=organizer_of("PC"), entry_id=entry.pk, member_id=people("member2").pk, reason="亲属关系"
        )
    for pk in offered:  # everyone offered is accepted
        meeting_services.entry_recuse(actor=organizer_of("PC"), entry_id=entry.pk, member_id=pk, reason="亲属关系")


def test_no_recusal_is_offered_once_deliberation_has_begun(people, client):
    item = at_state(State.READY, submitter=people("staff"), consultees=[people("member1")])
    meeting, (entry,) = running_meeting([item])
    meeting_services.opinion_record(
        actor=organizer_of("PC"), entry_id=entry.pk, member_id=people("member1").pk, stance="agree"
    )
    client.force_login(organizer_of("PC"))
    assert _recusal_options(client.get(reverse("meetings:entry", args=[entry.pk])).content.decode()) == set()
    with pytest.raises(InvalidTransition):
        meeting_services.entry_recuse(
            actor=organizer_of("PC"), entry_id=entry.pk, member_id=people("member2").pk, reason="亲属关系"
        )
