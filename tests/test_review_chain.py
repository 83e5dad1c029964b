"""The review chain before screening (审阅 → 审核 → 审批), 分管 with dates, 会签, reminders and
escalation, and 三重一大 routed to the right body."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from core.errors import InvalidTransition
from core.models import AuditEvent, Reminder
from decisions import services
from decisions.jobs import remind_reviews
from decisions.models import AgendaItem, Category, ItemReview, MajorKind, MajorRoute, State
from decisions.selectors import review_queue
from decisions.services.review import review_countersign, review_countersign_answer
from demo.review_chain import seed_chain_config
from org.access import leader_in_charge
from org.models import Department, Portfolio
from org.services import portfolio_assign
from tests.factories import draft

R = ItemReview.State


@pytest.fixture
def chain(school, people):
    """The default chain configured, and 张卫东 (member1) in charge of 教务处 this year."""
    seed_chain_config()
    year = dt.date.today().year
    portfolio_assign(
        actor=people("partyoffice"),
        leader=people("member1"),
        department=Department.objects.get(name="教务处"),
        starts_on=dt.date(year, 1, 1),
    )
    return people


def submitted(people, **fields):
    item = draft(people("staff"), **fields)
    services.item_submit(actor=people("staff"), item_id=item.pk)
    return AgendaItem.objects.get(pk=item.pk)


def steps(item):
    return list(ItemReview.objects.filter(item=item).order_by("round", "position").values_list("label", "state"))


def test_the_whole_chain_brings_the_item_to_screening_and_keeps_who_and_when(chain):
    people = chain
    item = submitted(people)
    assert item.state == State.DEPT_REVIEW
    assert steps(item) == [("审阅", R.PENDING), ("审核", R.WAITING), ("审批", R.WAITING)]

    services.item_dept_approve(actor=people("depthead"), item_id=item.pk, comment="同意报送。")
    assert steps(item)[1] == ("审核", R.PENDING)
    assert ItemReview.objects.get(item=item, position=2).assignee == people("member1")
    assert AgendaItem.objects.get(pk=item.pk).state == State.DEPT_REVIEW

    services.item_dept_approve(actor=people("member1"), item_id=item.pk, comment="同意。")
    office = ItemReview.objects.get(item=item, position=3)
    assert (office.state, office.role) == (R.PENDING, "party_office")

    services.item_dept_approve(actor=people("partyoffice"), item_id=item.pk)
    item.refresh_from_db()
    assert item.state == State.SCREENING
    done = ItemReview.objects.filter(item=item).order_by("position")
    assert [(r.acted_by.username, r.state) for r in done] == [
        ("depthead", R.APPROVED),
        ("member1", R.APPROVED),
        ("partyoffice", R.APPROVED),
    ]
    assert all(r.acted_at and r.opened_at for r in done)
    verbs = list(
        AuditEvent.objects.filter(target_id=item.pk, target_type="decisions.agendaitem").values_list("verb", "to_state")
    )
    assert verbs[-3:] == [
        ("item.dept_approve", "dept_review"),
        ("item.dept_approve", "dept_review"),
        ("item.dept_approve", "screening"),
    ]


def test_a_step_is_refused_to_anyone_but_its_holder_with_the_reason(chain):
    people = chain
    item = submitted(people)
    with pytest.raises(InvalidTransition) as e:
        services.item_dept_approve(actor=people("member1"), item_id=item.pk)
    assert e.value.status == 403
    assert "审阅" in e.value.reason and "教务处负责人" in e.value.reason
    services.item_dept_approve(actor=people("depthead"), item_id=item.pk)
    with pytest.raises(InvalidTransition) as e:
        services.item_dept_approve(actor=people("depthead"), item_id=item.pk)
    assert "分管校领导张卫东" in e.value.reason
    assert steps(item)[1] == ("审核", R.PENDING)


def test_the_leader_in_charge_returns_with_comments_and_a_new_submission_starts_a_new_round(chain):
    people = chain
    item = submitted(people)
    services.item_dept_approve(actor=people("depthead"), item_id=item.pk)
    with pytest.raises(InvalidTransition) as e:
        services.item_dept_return(actor=people("member1"), item_id=item.pk, reason="  ")
    assert e.value.status == 409
    services.item_dept_return(actor=people("member1"), item_id=item.pk, reason="请补充经费测算。")
    item.refresh_from_db()
    assert item.state == State.RETURNED
    returned = ItemReview.objects.get(item=item, position=2)
    assert (returned.state, returned.comment, returned.acted_by) == (R.RETURNED, "请补充经费测算。", people("member1"))
    services.item_submit(actor=people("staff"), item_id=item.pk)
    assert steps(item)[3:] == [("审阅", R.PENDING), ("审核", R.WAITING), ("审批", R.WAITING)]


def test_the_leader_asks_another_department_to_countersign_before_deciding(chain):
    people = chain
    item = submitted(people)
    services.item_dept_approve(actor=people("depthead"), item_id=item.pk)
    finance = Department.objects.get(name="财务处")
    with pytest.raises(InvalidTransition) as e:
        review_countersign(actor=people("depthead"), item_id=item.pk, departments=[finance])
    assert e.value.status == 403
    review_countersign(actor=people("member1"), item_id=item.pk, departments=[finance], note="请核实资金。")
    assert steps(item)[1] == ("审核", R.COUNTERSIGNING)
    # While the department has not answered, the leader cannot decide.
    with pytest.raises(InvalidTransition) as e:
        services.item_dept_approve(actor=people("member1"), item_id=item.pk)
    assert e.value.status == 409
    assert item in review_queue(people("finance"))
    with pytest.raises(InvalidTransition):
        review_countersign_answer(actor=people("dean"), item_id=item.pk, opinion="同意")
    review_countersign_answer(actor=people("finance"), item_id=item.pk, opinion="资金可列支。")
    assert steps(item)[1] == ("审核", R.PENDING)
    sign = ItemReview.objects.get(item=item, position=2).countersigns.get()
    assert (sign.answered_by, sign.opinion) == (people("finance"), "资金可列支。")
    services.item_dept_approve(actor=people("member1"), item_id=item.pk)
    assert steps(item)[2] == ("审批", R.PENDING)


def test_without_a_leader_in_charge_on_record_the_step_is_skipped_with_the_reason(school, people):
    seed_chain_config()
    item = submitted(people)
    services.item_dept_approve(actor=people("depthead"), item_id=item.pk)
    leader_step = ItemReview.objects.get(item=item, position=2)
    assert leader_step.state == R.SKIPPED
    assert "分管" in leader_step.comment
    assert steps(item)[2] == ("审批", R.PENDING)


def test_without_a_configured_chain_the_department_head_alone_sends_it_to_screening(school, people):
    item = submitted(people)
    assert steps(item) == [("审阅", R.PENDING)]
    services.item_dept_approve(actor=people("depthead"), item_id=item.pk)
    assert AgendaItem.objects.get(pk=item.pk).state == State.SCREENING


def test_a_change_of_portfolio_mid_year_keeps_who_was_in_charge_before(chain):
    people = chain
    dept = Department.objects.get(name="教务处")
    year = dt.date.today().year
    with pytest.raises(InvalidTransition) as e:
        portfolio_assign(actor=people("staff"), leader=people("vice"), department=dept, starts_on=dt.date(year, 7, 1))
    assert e.value.status == 403
    with pytest.raises(InvalidTransition) as e:
        portfolio_assign(
            actor=people("partyoffice"), leader=people("staff"), department=dept, starts_on=dt.date(year, 7, 1)
        )
    assert "不是校领导" in e.value.reason
    portfolio_assign(actor=people("partyoffice"), leader=people("vice"), department=dept, starts_on=dt.date(year, 7, 1))
    assert leader_in_charge(dept.pk, dt.date(year, 3, 1)) == people("member1")
    assert leader_in_charge(dept.pk, dt.date(year, 7, 1)) == people("vice")
    old = Portfolio.objects.get(department=dept, leader=people("member1"))
    assert old.ends_on == dt.date(year, 6, 30)
    assert AuditEvent.objects.filter(verb="portfolio.end", target_id=old.pk).exists()


def test_a_waiting_step_reminds_its_holder_then_escalates_to_the_leader_in_charge_once(chain):
    people = chain
    item = submitted(people)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=1, hours=1)):
        assert remind_reviews()["created"] == 1
        assert remind_reviews()["created"] == 0
    assert Reminder.objects.get(key__startswith="review:").recipient == people("depthead")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=3, hours=1)):
        assert remind_reviews()["created"] == 1
        assert remind_reviews()["created"] == 0
    escalated = Reminder.objects.get(key__contains=":escalate:")
    assert escalated.recipient == people("member1")
    assert item.title in escalated.text


# --- 三重一大 and the right body ----------------------------------------------------------------


def test_an_appointment_asked_for_the_principals_office_goes_to_the_party_committee_with_the_reason(school, people):
    item = submitted(people, body_code="PO", category=Category.PROPOSAL, major_kind=MajorKind.APPOINTMENT)
    assert item.requested_body.code == "PC"
    assert "党委会" in item.routing_reason and "重要干部任免" in item.routing_reason
    event = AuditEvent.objects.get(verb="item.route", target_id=item.pk)
    assert event.data == {"from_body": "PO", "to_body": "PC"}


def test_a_major_project_is_deliberated_by_the_office_first_where_the_rules_say_so(school, people):
    item = submitted(people, body_code="PO", category=Category.PROPOSAL, major_kind=MajorKind.PROJECT)
    assert item.requested_body.code == "PO"
    assert "两议" in item.routing_reason
    MajorRoute.objects.filter(major_kind=MajorKind.PROJECT).update(po_first=False)
    other = submitted(people, body_code="PO", category=Category.PROPOSAL, major_kind=MajorKind.PROJECT)
    assert other.requested_body.code == "PC"


def test_an_ordinary_item_for_the_principals_office_is_left_as_asked(school, people):
    item = submitted(people, body_code="PO", category=Category.DECISION)
    assert (item.requested_body.code, item.routing_reason) == ("PO", "")


# --- pages ------------------------------------------------------------------------------------


def test_the_item_page_shows_the_chain_with_who_is_waiting(chain, client):
    people = chain
    item = submitted(people)
    services.item_dept_approve(actor=people("depthead"), item_id=item.pk, comment="同意报送。")
    client.force_login(people("member1"))
    html = client.get(reverse("decisions:detail", args=[item.pk])).content.decode()
    assert 'data-testid="review-chain"' in html
    assert "同意报送。" in html and "吴晓东" in html
    assert "张卫东" in html and 'data-testid="review-waiting"' in html
    assert "审核通过" in html  # his button
    assert "请其他部门会签" in html


def test_the_leaders_queue_lists_what_waits_on_him_and_not_on_others(chain, client):
    people = chain
    item = submitted(people)
    services.item_dept_approve(actor=people("depthead"), item_id=item.pk)
    client.force_login(people("member1"))
    assert item.title in client.get(reverse("decisions:review")).content.decode()
    client.force_login(people("member2"))
    assert item.title not in client.get(reverse("decisions:review")).content.decode()
    client.force_login(people("staff"))
    assert client.get(reverse("decisions:review")).status_code == 403


def test_a_countersign_by_someone_not_asked_is_refused_on_the_page(chain, client):
    people = chain
    item = submitted(people)
    services.item_dept_approve(actor=people("depthead"), item_id=item.pk)
    client.force_login(people("depthead"))
    response = client.post(reverse("decisions:countersign", args=[item.pk]), {"note": "x"})
    assert response.status_code == 403
    assert "分管校领导" in response.content.decode()
    client.force_login(people("member1"))
    response = client.post(reverse("decisions:countersign", args=[item.pk]), {"note": ""})
    assert response.status_code == 400
    assert "请至少选择一个会签部门" in response.content.decode()
    finance = Department.objects.get(name="财务处")
    response = client.post(reverse("decisions:countersign", args=[item.pk]), {"departments": [finance.pk]})
    assert response.status_code == 302
    assert ItemReview.objects.get(item=item, position=2).state == R.COUNTERSIGNING


def test_the_routing_reason_is_on_the_items_page(school, people, client):
    item = submitted(people, body_code="PO", category=Category.PROPOSAL, major_kind=MajorKind.DECISION)
    client.force_login(people("staff"))
    html = client.get(reverse("decisions:detail", args=[item.pk])).content.decode()
    assert 'data-testid="routing-reason"' in html and "须由党委会集体决策" in html


def test_the_asked_department_answers_the_countersign_on_the_page(chain, client):
    people = chain
    item = submitted(people)
    services.item_dept_approve(actor=people("depthead"), item_id=item.pk)
    finance = Department.objects.get(name="财务处")
    review_countersign(actor=people("member1"), item_id=item.pk, departments=[finance], note="请核实资金。")
    client.force_login(people("depthead"))
    url = reverse("decisions:countersign_answer", args=[item.pk])
    response = client.post(url, {"opinion": "同意"})
    assert response.status_code == 403
    assert "您所在部门没有待办的会签" in response.content.decode()
    client.force_login(people("finance"))
    assert client.post(url, {"opinion": ""}).status_code == 400
    response = client.post(url, {"opinion": "资金可列支。"})
    assert response.status_code == 302
    assert steps(item)[1] == ("审核", R.PENDING)
    sign = ItemReview.objects.get(item=item, position=2).countersigns.get()
    assert (sign.answered_by, sign.opinion) == (people("finance"), "资金可列支。")
