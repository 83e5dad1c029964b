"""书记信箱 → 督查任务： the secretary, the party office (and the other assigners) turn a letter into
a supervision task; the letter's author may not; the letter's page lists the tasks made from it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import InvalidTransition
from org.models import Department
from supervision import services
from supervision.models import Task


def write(people, username="staff"):
    return services.letter_write(actor=people(username), subject="实训楼晚间开放", body="建议实训楼晚上开放到十点。")


def make_task(people, letter, username="secretary", **kw):
    return services.task_create(
        actor=people(username),
        letter_id=letter.pk,
        track=kw.pop("track", "performance"),
        title=kw.pop("title", "试行实训楼晚间延长开放"),
        lead_department_id=Department.objects.get(name="教务处").pk,
        responsible_leader_id=people("member1").pk,
        deadline=timezone.localdate() + dt.timedelta(days=14),
        **kw,
    )


@pytest.mark.parametrize("username", ["secretary", "partyoffice"])
def test_those_who_answer_the_mailbox_make_a_task_from_a_letter(people, username):
    letter = write(people)

    task = make_task(people, letter, username)

    assert task.source == Task.Source.LETTER and task.letter == letter
    assert task.created_by == people(username) and not task.confidential
    assert list(letter.tasks.all()) == [task]


def test_the_author_may_not(people):
    """The author sees the letter but does not hand out tasks."""
    letter = write(people, "staff")

    with pytest.raises(InvalidTransition) as caught:
        make_task(people, letter, "staff")

    assert caught.value.status == 403
    assert not Task.objects.exists()


@pytest.mark.parametrize("username", ["depthead", "principal", "member1", "affairsoffice", "discipline"])
def test_others_may_not_and_are_told_no_more_than_of_a_missing_letter(people, username):
    """Not even the other assigners: they cannot open the letter （书记信箱 is private）， so for them
    it is a letter that does not exist."""
    letter = write(people, "staff")

    with pytest.raises(InvalidTransition) as caught:
        make_task(people, letter, username)

    assert (caught.value.status, str(caught.value)) == (404, "来信不存在")
    assert not Task.objects.exists()


def test_an_unknown_letter_is_404(people):
    with pytest.raises(InvalidTransition) as caught:
        services.task_create(
            actor=people("secretary"),
            letter_id=99999,
            track="task",
            title="x",
            lead_department_id=Department.objects.get(name="教务处").pk,
            responsible_leader_id=people("member1").pk,
            deadline=timezone.localdate(),
        )
    assert caught.value.status == 404


@pytest.mark.parametrize("username, shown", [("secretary", True), ("partyoffice", True), ("staff", False)])
def test_the_to_task_link_is_for_the_answerers(client, people, username, shown):
    letter = write(people, "staff")
    client.force_login(people(username))

    html = client.get(f"/mailbox/{letter.pk}/").content.decode()

    assert (f'href="/supervision/new/?letter={letter.pk}"' in html) is shown
    assert ('data-testid="no-letter-task"' in html) is shown  # the author sees no empty task section


def test_the_letter_shows_its_tasks(client, people):
    letter = write(people, "staff")
    task = make_task(people, letter, "partyoffice")
    make_task(people, letter, "secretary", track="task", title="检查实训楼安全值守安排")

    client.force_login(people("secretary"))
    html = client.get(f"/mailbox/{letter.pk}/").content.decode()
    assert html.count('data-testid="letter-task"') == 2
    assert f'href="/supervision/tasks/{task.pk}/"' in html
    assert "试行实训楼晚间延长开放" in html and "检查实训楼安全值守安排" in html
    assert "待落实" in html and "教务处" in html

    # The author (教务处 staff: the lead department's own tasks are visible to its people) sees them too.
    client.force_login(people("staff"))
    html = client.get(f"/mailbox/{letter.pk}/").content.decode()
    assert html.count('data-testid="letter-task"') == 2
    assert "/supervision/new/" not in html


def test_a_task_the_reader_may_not_open_is_listed_without_a_link(client, people):
    letter = write(people, "teacher")  # 智能制造学院; the task goes to 教务处
    task = make_task(people, letter, "secretary")
    client.force_login(people("teacher"))

    html = client.get(f"/mailbox/{letter.pk}/").content.decode()

    assert "试行实训楼晚间延长开放" in html
    assert f"/supervision/tasks/{task.pk}/" not in html


def test_the_letter_page_lists_its_tasks_in_constant_queries(client, people, django_assert_num_queries):
    letter = write(people, "staff")
    client.force_login(people("secretary"))
    client.get(f"/mailbox/{letter.pk}/")
    with CaptureQueriesContext(connection) as without_tasks:
        client.get(f"/mailbox/{letter.pk}/")
    # With tasks: the tasks (lead department joined, queried either way) + which of them the reader may open.
    for count in (5, 10):
        while Task.objects.count() < count:
            make_task(people, letter, title=f"任务{Task.objects.count()}")
        with django_assert_num_queries(len(without_tasks) + 1):
            html = client.get(f"/mailbox/{letter.pk}/").content.decode()
        assert html.count('data-testid="letter-task"') == count


def test_a_task_from_a_letter_may_be_marked_confidential(people):
    letter = write(people, "staff")
    task = make_task(people, letter, "partyoffice", confidential=True)
    assert task.confidential
    from supervision.selectors import visible_tasks

    assert not visible_tasks(people("vice")).filter(pk=task.pk).exists()
    assert visible_tasks(people("member1")).filter(pk=task.pk).exists()  # its responsible leader
