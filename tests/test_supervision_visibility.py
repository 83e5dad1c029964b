"""Who sees a supervision task and its evidence （根据权限均可阅可查）.

Leaders and the offices see every task that is not confidential; a confidential one only the
responsible leader, the lead department's head, the track's supervisor and those who attend the
resolving body's meetings (its members and observers, its chair and its secretary office: the
people who see the confidential item itself). The lead department's staff, the item's submitter
and its followers see the tasks that are not confidential. Nobody else sees any.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from core.errors import InvalidTransition
from core.models import AuditEvent
from decisions.models import State as ItemState
from org.models import Department
from supervision import services
from supervision.models import Evidence, Follow, Task
from supervision.selectors import task_detail, tasks_with_progress, visible_tasks
from supervision.selectors.tasks import visible_evidence
from tests.factories import at_state, evidence_file, head_of, resolution_task

EVERYONE = [
    "secretary",
    "principal",
    "member1",
    "member2",
    "vice",
    "discipline",
    "partyoffice",
    "affairsoffice",
    "depthead",
    "staff",
    "finance",
    "dean",
    "teacher",
    "admin",
]
LEADERS_AND_OFFICES = {"secretary", "principal", "member1", "member2", "vice", "discipline", "partyoffice"}
LEADERS_AND_OFFICES |= {"affairsoffice", "admin"}


def item_of_the_college(people, *, confidential: bool, body_code: str = "PC"):
    """An item the teacher （智能制造学院） submitted and its dean approved, resolved by `body_code`."""
    return at_state(ItemState.RESOLVED, submitter=people("teacher"), confidential=confidential, body_code=body_code)


def task_with_evidence(resolution, **kw) -> Task:
    """A task on `resolution` led by 教务处 (depthead, staff), with a final report and its evidence."""
    task = resolution_task(resolution, **kw)
    services.task_report(actor=head_of(task), task_id=task.pk, text="完成", is_final=True, files=[evidence_file()])
    return task


def seers(people, task: Task) -> set[str]:
    """Who finds `task` through every read: the list, the detail page and its evidence file."""
    evidence = Evidence.objects.get(report__task=task)
    found = set()
    for username in EVERYONE:
        user = people(username)
        listed = visible_tasks(user).filter(pk=task.pk).exists()
        assert tasks_with_progress(user).filter(pk=task.pk).exists() == listed, username
        assert (task_detail(user, task.pk) is not None) == listed, username
        assert (visible_evidence(user, evidence.pk) is not None) == listed, username
        if listed:
            found.add(username)
    return found


def test_a_normal_task_is_seen_by_leaders_offices_its_department_and_the_submitter(people):
    task = task_with_evidence(item_of_the_college(people, confidential=False).resolutions.get())

    # the lead department (教务处): depthead and staff; the submitter: teacher
    assert seers(people, task) == LEADERS_AND_OFFICES | {"depthead", "staff", "teacher"}


def test_a_confidential_task_is_seen_only_by_those_it_names_and_the_meetings_attendees(people):
    resolution = item_of_the_college(people, confidential=True).resolutions.get()
    # 部门工作绩效: supervised by 校务办; vice (not at PC) answers for it.
    task = task_with_evidence(resolution, track="performance", leader=people("vice").pk)

    assert task.confidential
    attendees = set(resolution.meeting.attendance.values_list("person__username", flat=True))
    assert attendees == {"secretary", "principal", "member1", "member2", "discipline"}
    # The party office as the PC's secretary office; not the lead department's staff, the
    # submitter, the submitter's dean, another head, or the administrator.
    assert seers(people, task) == attendees | {"partyoffice", "vice", "affairsoffice", "depthead"}


def test_a_confidential_po_task_is_seen_by_the_pos_attendees_not_the_pcs(people):
    resolution = item_of_the_college(people, confidential=True, body_code="PO").resolutions.get()
    task = task_with_evidence(resolution, leader=people("principal").pk)  # 任务布置: 纪委

    attendees = set(resolution.meeting.attendance.values_list("person__username", flat=True))
    assert attendees == {"principal", "member1", "vice", "discipline"}
    # The school affairs office as the PO's secretary office; not the secretary, member2 or the
    # party office, who sit on the PC only.
    assert seers(people, task) == attendees | {"affairsoffice", "depthead"}


def test_the_lead_departments_staff_see_only_their_departments_tasks(people):
    resolution = item_of_the_college(people, confidential=False).resolutions.get()
    ours = task_with_evidence(resolution, title="教务处的任务")
    college = resolution_task(resolution, title="学院的任务", department="智能制造学院")
    finance = resolution_task(resolution, title="财务处的任务", department="财务处")

    def titles(username):
        return set(visible_tasks(people(username)).values_list("title", flat=True))

    assert titles("staff") == {ours.title}
    assert titles("depthead") == {ours.title}
    assert titles("finance") == {finance.title}
    assert titles("dean") == {college.title}
    assert titles("teacher") == {ours.title, college.title, finance.title}  # the submitter
    assert titles("vice") == titles("affairsoffice") == {ours.title, college.title, finance.title}


def test_a_follower_sees_the_items_normal_tasks_while_following(people):
    item = item_of_the_college(people, confidential=False)
    task = task_with_evidence(item.resolutions.get())
    dean = people("dean")  # sees the item (his college's), not the task (教务处 leads it)
    assert "dean" not in seers(people, task)

    services.item_follow(actor=dean, item_id=item.pk, follow=True)
    assert "dean" in seers(people, task)

    services.item_follow(actor=dean, item_id=item.pk, follow=False)
    assert "dean" not in seers(people, task)


def test_following_gives_nothing_of_a_confidential_task(people):
    item = item_of_the_college(people, confidential=True)
    task = task_with_evidence(item.resolutions.get())

    for username in ("dean", "teacher"):  # both see the confidential item itself
        services.item_follow(actor=people(username), item_id=item.pk, follow=True)

    assert not {"dean", "teacher", "staff"} & seers(people, task)


def test_a_task_one_sees_may_be_followed_without_seeing_its_item(people):
    item = item_of_the_college(people, confidential=False)
    resolution_task(item.resolutions.get())

    services.item_follow(actor=people("depthead"), item_id=item.pk, follow=True)  # his department leads the task

    assert Follow.objects.filter(item=item, person__username="depthead").exists()


@pytest.mark.parametrize("confidential", [False, True])
def test_following_an_item_one_cannot_see_is_404(people, confidential):
    item = item_of_the_college(people, confidential=confidential)
    task = resolution_task(item.resolutions.get())
    finance = people("finance")

    for item_id in (item.pk, 987654):
        with pytest.raises(InvalidTransition) as caught:
            services.item_follow(actor=finance, item_id=item_id, follow=True)
        assert caught.value.status == 404

    assert not Follow.objects.filter(person=finance).exists()
    assert not visible_tasks(finance).filter(pk=task.pk).exists()


def test_following_a_confidential_task_one_cannot_see_is_404(people):
    item = item_of_the_college(people, confidential=True)
    resolution_task(item.resolutions.get())

    # 教务处's staff see neither the college's confidential item nor its task.
    with pytest.raises(InvalidTransition) as caught:
        services.item_follow(actor=people("staff"), item_id=item.pk, follow=True)
    assert caught.value.status == 404


def test_a_follower_of_another_item_sees_nothing_of_this_one(people):
    followed = item_of_the_college(people, confidential=False)
    resolution_task(followed.resolutions.get())
    other = at_state(ItemState.RESOLVED, submitter=people("staff"))
    task = task_with_evidence(other.resolutions.get())

    services.item_follow(actor=people("dean"), item_id=followed.pk, follow=True)

    assert "dean" not in seers(people, task)


def test_a_letter_or_patrol_task_is_seen_by_leaders_offices_and_its_department(people):
    letter = services.letter_write(actor=people("staff"), subject="实训楼照明", body="三楼走廊灯坏了。")
    task = services.task_create(
        actor=people("secretary"),
        letter_id=letter.pk,
        track="performance",
        title="修复实训楼照明",
        lead_department_id=Department.objects.get(name="智能制造学院").pk,
        responsible_leader_id=people("vice").pk,
        deadline=timezone.localdate(),
    )
    services.task_report(actor=people("dean"), task_id=task.pk, text="已修复", is_final=True, files=[evidence_file()])

    assert seers(people, task) == LEADERS_AND_OFFICES | {"dean", "teacher"}


def test_nobody_logged_out_sees_a_task(people):
    task_with_evidence(item_of_the_college(people, confidential=False).resolutions.get())

    assert not visible_tasks(AnonymousUser()).exists()
    assert not tasks_with_progress(AnonymousUser()).exists()


def test_whoever_made_a_confidential_task_sees_it(people):
    """The secretary turns a letter into a confidential task and is shown its page next."""
    letter = services.letter_write(actor=people("staff"), subject="反映问题", body="某事项存在问题。")
    task = services.task_create(
        actor=people("secretary"),
        letter_id=letter.pk,
        track="performance",
        title="核查来信反映的问题",
        lead_department_id=Department.objects.get(name="智能制造学院").pk,
        responsible_leader_id=people("member1").pk,
        deadline=timezone.localdate(),
        confidential=True,
    )
    services.task_report(actor=people("dean"), task_id=task.pk, text="已核查", is_final=True, files=[evidence_file()])

    # Not the letter's author, the college's staff, nor the leaders and offices it does not name.
    assert seers(people, task) == {"secretary", "member1", "affairsoffice", "dean"}


def test_every_view_of_a_confidential_task_is_on_record(people):
    resolution = item_of_the_college(people, confidential=False).resolutions.get()
    normal = resolution_task(resolution)
    secret = resolution_task(item_of_the_college(people, confidential=True).resolutions.get())

    for task in (normal, secret, secret):
        services.task_viewed(actor=people("member1"), task=task)

    views = AuditEvent.objects.filter(verb="task.view")
    assert list(views.values_list("target_id", "actor__username")) == [(secret.pk, "member1")] * 2
