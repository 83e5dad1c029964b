"""数字可点开: every figure on 学校数据 links to the list it counts, filtered the same way, and
the list is exactly as long as the figure, for every role that reads the page."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from org.models import Department, User

LINK = re.compile(r'<a [^>]*href="(/dashboard/leaders/list/[^"]+)"[^>]*>\s*([0-9]+)\s*</a>')
ROW = re.compile(r'data-testid="figure-row"')
COUNT = re.compile(r'data-testid="figure-count">([0-9]+)<')
READERS = ["secretary", "principal", "member1", "discipline", "partyoffice", "affairsoffice"]


@pytest.fixture
def demo_school(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def listed(client, url: str) -> tuple[int, int]:
    """(the total the list page states, the rows it lists over all its pages)."""
    rows, page, stated = 0, 1, None
    while True:
        response = client.get(url + f"&page={page}")
        assert response.status_code == 200, url
        text = response.content.decode()
        stated = int(COUNT.search(text).group(1)) if stated is None else stated
        rows += len(ROW.findall(text))
        if f"page={page + 1}" not in text:
            return stated, rows
        page += 1


@pytest.mark.parametrize("filtered", [False, True], ids=["whole-school", "one-department"])
def test_every_figure_equals_the_length_of_the_list_it_links_to(client, demo_school, filtered):
    year = timezone.localdate().year
    query = f"year={year}"
    if filtered:
        query += f"&department={Department.objects.get(name='教务处').pk}"
    # Every reader of the whole school; the department filter by two of them (one leader, one office).
    for username in ["secretary", "affairsoffice"] if filtered else READERS:
        client.force_login(User.objects.get(username=username))
        page = client.get(f"/dashboard/leaders/?{query}").content.decode()
        links = [(html.unescape(url), int(n)) for url, n in LINK.findall(page)]
        assert len(links) >= 40, f"{username}: the page's figures are not linked"
        checked = {}
        for url, shown in links:
            if url in checked:
                assert checked[url] == shown, url  # one list, one number, wherever it is shown
                continue
            stated, rows = listed(client, url)
            assert stated == shown == rows, (username, url, shown, stated, rows)
            params = parse_qs(urlsplit(url).query)
            assert params["year"] == [str(year)]
            assert ("department" in params) == filtered
            checked[url] = shown
        assert any(n > 0 for n in checked.values()), f"{username}: the demo school should have something to count"


def test_a_confidential_task_is_counted_and_listed_without_its_title(client, demo_school):
    from supervision.access import task_visibility_filter
    from supervision.models import Task

    task = Task.objects.filter(lead_department__isnull=False).order_by("pk").first()
    Task.objects.filter(pk=task.pk).update(confidential=True, title="涉密的督查任务标题")
    outsiders = [
        u
        for u in User.objects.filter(username__in=[*READERS, "vice"])
        if not Task.objects.filter(task_visibility_filter(u), pk=task.pk).exists()
    ]
    assert outsiders, "someone who reads the figures may not see the task"
    client.force_login(outsiders[0])
    year = timezone.localdate().year
    url = f"/dashboard/leaders/list/tasks/?year={year}&lead={task.lead_department_id}"
    text = client.get(url).content.decode()
    assert "涉密的督查任务标题" not in text
    assert "（涉密任务）" in text
    assert f"/supervision/tasks/{task.pk}/" not in text


def test_a_figure_list_refuses_what_is_not_a_figure(client, demo_school):
    client.force_login(User.objects.get(username="secretary"))
    year = timezone.localdate().year
    assert client.get(f"/dashboard/leaders/list/bogus/?year={year}").status_code == 404
    assert client.get(f"/dashboard/leaders/list/tasks/?year={year}&measure=everything").status_code == 404
    assert client.get(f"/dashboard/leaders/list/items/?year={year}&state=nonsense").status_code == 404
    assert client.get("/dashboard/leaders/list/items/?year=1999x").status_code == 400


def test_only_those_who_read_the_figures_read_their_lists(client, demo_school):
    client.force_login(User.objects.get(username="staff"))
    year = timezone.localdate().year
    response = client.get(f"/dashboard/leaders/list/items/?year={year}")
    assert response.status_code == 403
