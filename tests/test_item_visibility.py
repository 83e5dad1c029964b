"""根据权限均可阅可查： who sees which agenda item, and the record of who viewed a confidential one.

decisions.access.visibility_filter is the one rule; /items/, /items/mine/, /items/<pk>/ and the
attachment download all go through it.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEvent
from decisions import services
from decisions.access import can_view, visibility_filter
from decisions.models import AgendaItem, State
from tests.factories import at_state, draft

EVERYONE = [
    "staff",
    "depthead",
    "secretary",
    "principal",
    "member1",
    "member2",
    "vice",
    "discipline",
    "partyoffice",
    "affairsoffice",
    "finance",
    "teacher",
]


def who_sees(item: AgendaItem, people) -> set[str]:
    return {u for u in EVERYONE if AgendaItem.objects.filter(visibility_filter(people(u)), pk=item.pk).exists()}


def check_everywhere(client, people, item: AgendaItem, expected: set[str]):
    """The filter, the detail page and the list agree on who sees `item`."""
    assert who_sees(item, people) == expected
    for username in EVERYONE:
        client.force_login(people(username))
        detail = client.get(f"/items/{item.pk}/")
        assert detail.status_code == (200 if username in expected else 404), username
        listed = item.title in client.get("/items/").content.decode()
        assert listed == (username in expected), username


def test_a_draft_is_seen_by_its_submitter_only(client, people):
    item = draft(people("staff"), title="草稿：只有我能看")
    check_everywhere(client, people, item, {"staff"})


def test_a_returned_item_is_seen_again_by_the_department_and_leaders(people):
    item = at_state(State.RETURNED, submitter=people("staff"))
    assert {"staff", "depthead", "member1", "vice"} <= who_sees(item, people)


NON_CONFIDENTIAL_PC = {
    "staff",  # the submitter
    "depthead",  # heads the submitting department
    "secretary",  # chair of PC, a leader
    "principal",
    "member1",
    "member2",
    "vice",  # a leader who does not attend PC
    "discipline",  # observer, a leader
    "partyoffice",  # PC's meeting secretary
}


@pytest.mark.parametrize("state", [State.DEPT_REVIEW, State.SCREENING, State.READY, State.REJECTED])
def test_a_submitted_item_is_seen_by_leaders_its_department_and_its_meeting(client, people, state):
    item = at_state(state, submitter=people("staff"), consultees=[people("member1")], title=f"公开议题-{state}")
    check_everywhere(client, people, item, NON_CONFIDENTIAL_PC)


def test_a_submitted_item_is_not_seen_by_staff_of_other_departments(people):
    item = at_state(State.SCREENING, submitter=people("staff"))
    for username in ("teacher", "finance", "affairsoffice"):
        assert not can_view(people(username), item), username


def test_an_item_of_the_school_affairs_meeting_is_seen_by_its_non_leader_members(people):
    item = at_state(State.DEPT_REVIEW, submitter=people("staff"), body_code="SA", category="report")
    seen = who_sees(item, people)
    assert {"finance", "affairsoffice"} <= seen  # SA member; SA's meeting secretary
    assert not {"teacher", "partyoffice"} & seen


def test_staff_do_not_see_an_item_someone_else_in_their_department_submitted(client, people):
    item = at_state(State.SCREENING, submitter=people("depthead"), title="处长提交的议题")
    assert not can_view(people("staff"), item)
    assert can_view(people("depthead"), item)
    client.force_login(people("staff"))
    assert client.get(f"/items/{item.pk}/").status_code == 404
    assert "处长提交的议题" not in client.get("/items/").content.decode()


def test_my_items_lists_only_my_own_submissions(client, people):
    mine = draft(people("depthead"), title="处长自己的草稿")
    theirs = at_state(State.DEPT_REVIEW, submitter=people("staff"), title="科员提交的议题")
    client.force_login(people("depthead"))
    page = client.get("/items/mine/").content.decode()
    assert mine.title in page
    assert theirs.title not in page
    assert theirs.title in client.get("/items/").content.decode()


CONFIDENTIAL_PO = {
    "staff",  # submitter
    "depthead",  # department head
    "principal",  # chair and member of PO
    "member1",  # PO member
    "vice",  # PO member
    "discipline",  # PO observer
    "affairsoffice",  # PO's meeting secretary
}


def test_a_confidential_item_is_seen_only_by_its_meetings_attendees_department_and_submitter(client, people):
    item = at_state(
        State.SCREENING, submitter=people("staff"), body_code="PO", confidential=True, title="涉密：人事调整"
    )
    # member2 and even the Party secretary are leaders but do not attend PO.
    check_everywhere(client, people, item, CONFIDENTIAL_PO)


def test_a_confidential_party_committee_item_is_hidden_from_leaders_outside_it(people):
    item = at_state(State.SCREENING, submitter=people("staff"), confidential=True)
    seen = who_sees(item, people)
    assert {"secretary", "principal", "member1", "member2", "discipline", "partyoffice"} <= seen
    assert not {"vice", "affairsoffice", "finance", "teacher"} & seen


def test_a_consultee_sees_a_confidential_item_of_a_meeting_they_do_not_attend(people):
    member2 = people("member2")
    item = at_state(State.SCREENING, submitter=people("staff"), body_code="PO", confidential=True)
    assert not can_view(member2, item)
    services.item_screen_accept(actor=people("principal"), item_id=item.pk, consultees=[member2])
    assert can_view(people("member2"), item)
    assert who_sees(item, people) == CONFIDENTIAL_PO | {"member2"}


def test_nobody_sees_anything_when_not_logged_in(client, people):
    item = at_state(State.SCREENING, submitter=people("staff"))
    assert client.get(f"/items/{item.pk}/").status_code == 302
    assert client.get("/items/").status_code == 302


def test_a_draft_withdrawn_before_submission_stays_private(people):
    staff = people("staff")
    item = draft(staff)
    services.item_withdraw(actor=staff, item_id=item.pk, reason="不再需要")
    item.refresh_from_db()
    assert item.submitted_at is None
    assert who_sees(item, people) == {"staff"}


# --- every view of a confidential item is on record ---------------------------------------------


def views_of(item):
    return AuditEvent.objects.filter(verb="item.view", target_type="decisions.agendaitem", target_id=item.pk)


@pytest.mark.parametrize("username", ["vice", "principal", "discipline", "affairsoffice", "depthead", "staff"])
def test_every_view_of_a_confidential_item_is_recorded(client, people, username):
    item = at_state(State.SCREENING, submitter=people("staff"), body_code="PO", confidential=True)
    user = people(username)
    client.force_login(user)
    assert client.get(f"/items/{item.pk}/").status_code == 200
    assert client.get(f"/items/{item.pk}/").status_code == 200
    assert list(views_of(item).values_list("actor_id", flat=True)) == [user.pk, user.pk]


def test_viewing_a_non_confidential_item_records_nothing(client, people):
    item = at_state(State.SCREENING, submitter=people("staff"))
    client.force_login(people("member1"))
    events = AuditEvent.objects.count()
    assert client.get(f"/items/{item.pk}/").status_code == 200
    assert AuditEvent.objects.count() == events


def test_a_refused_view_of_a_confidential_item_is_not_a_view(client, people):
    item = at_state(State.SCREENING, submitter=people("staff"), body_code="PO", confidential=True)
    client.force_login(people("member2"))
    assert client.get(f"/items/{item.pk}/").status_code == 404
    assert not views_of(item).exists()


def test_downloading_an_attachment_of_a_confidential_item_is_recorded(client, people):
    staff = people("staff")
    item = draft(staff, body_code="PO", confidential=True)
    attachment = services.attachment_add(
        actor=staff, item_id=item.pk, upload=SimpleUploadedFile("名单.pdf", b"%PDF-1.4 secret", "application/pdf")
    )
    services.item_submit(actor=staff, item_id=item.pk)
    vice = people("vice")
    client.force_login(vice)
    response = client.get(f"/items/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 secret"
    assert list(views_of(item).values_list("actor_id", flat=True)) == [vice.pk]


def test_downloading_an_attachment_of_a_non_confidential_item_records_nothing(client, people):
    staff = people("staff")
    item = draft(staff)
    attachment = services.attachment_add(
        actor=staff, item_id=item.pk, upload=SimpleUploadedFile("方案.pdf", b"%PDF-1.4 plan", "application/pdf")
    )
    services.item_submit(actor=staff, item_id=item.pk)
    client.force_login(people("member1"))
    events = AuditEvent.objects.count()
    assert client.get(f"/items/attachments/{attachment.pk}/").status_code == 200
    assert AuditEvent.objects.count() == events


def test_leaders_see_the_list_of_views_on_a_confidential_item(client, people):
    item = at_state(State.SCREENING, submitter=people("staff"), body_code="PO", confidential=True)
    client.force_login(people("vice"))
    client.get(f"/items/{item.pk}/")
    client.force_login(people("principal"))
    page = client.get(f"/items/{item.pk}/").content.decode()
    assert "涉密议题查阅记录" in page
    assert str(people("vice")) in page


def test_opening_the_edit_page_of_a_confidential_item_is_recorded(client, people):
    item = at_state(
        State.SCREENING, submitter=people("staff"), body_code="PO", confidential=True, proposal="拟任命某某"
    )
    client.force_login(people("vice"))
    response = client.get(f"/items/{item.pk}/edit/")
    assert "拟任命某某" in response.content.decode()  # the content is shown
    assert views_of(item).count() == 1


def test_a_refused_step_on_a_confidential_item_that_shows_it_is_recorded(client, people):
    item = at_state(
        State.SCREENING, submitter=people("staff"), body_code="PO", confidential=True, proposal="拟任命某某"
    )
    client.force_login(people("vice"))
    response = client.post(f"/items/{item.pk}/act/screen_reject/", {"reason": "x"})
    assert response.status_code == 403
    assert "拟任命某某" in response.content.decode()
    assert views_of(item).count() == 1


def test_the_responsible_leader_of_a_task_sees_its_item_and_the_rule_excludes_exactly_the_rest(people):
    """Those a resolution names see its item, confidential too (the rule reads the tasks alone); a
    task that came from a letter (no item) shows them nothing more, and the rule negated (exclude)
    is exactly the items it does not let through."""
    from django.utils import timezone

    from org.models import Department
    from supervision import services as supervision_services
    from tests.factories import resolution_task

    vice = people("vice")  # a leader who does not attend the Party committee
    secret = at_state(
        State.RESOLVED,
        submitter=people("staff"),
        consultees=[people("member1")],
        title="关于合作企业的请示",
        confidential=True,
    )
    other = at_state(State.SCREENING, submitter=people("staff"), confidential=True)
    assert not can_view(vice, secret)

    resolution_task(secret.resolutions.get(), leader=vice.pk)
    letter = supervision_services.letter_write(actor=people("staff"), subject="来信：食堂价格", body="请研究。")
    supervision_services.task_create(
        actor=people("partyoffice"),
        letter_id=letter.pk,
        track="performance",
        title="回复来信",
        lead_department_id=Department.objects.get(name="教务处").pk,
        responsible_leader_id=vice.pk,
        deadline=timezone.localdate(),
    )

    seen = set(AgendaItem.objects.filter(visibility_filter(vice)).values_list("pk", flat=True))
    unseen = set(AgendaItem.objects.exclude(visibility_filter(vice)).values_list("pk", flat=True))
    assert secret.pk in seen and other.pk in unseen
    assert seen.isdisjoint(unseen)
    assert seen | unseen == set(AgendaItem.objects.values_list("pk", flat=True))
