"""数字可点开: every figure on 学校数据, on the quarterly supervision report and on the
party-building annual report links to the list it counts, filtered the same way, and the list is
exactly as long as the figure, for every role that reads the page."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from org.models import Department, User

LINK = re.compile(r'<a [^>]*href="(/dashboard/leaders/list/[^"]+)"[^>]*>\s*([0-9]+)\s*</a>')
ANY_LIST_LINK = re.compile(r'href="(/dashboard/leaders/list/[^"]+)"')
ROW = re.compile(r'data-testid="figure-row"')
COUNT = re.compile(r'data-testid="figure-count">([0-9]+)<')
READERS = ["secretary", "principal", "member1", "discipline", "partyoffice", "affairsoffice"]
# Who reads the quarterly supervision report (leaders, the party office) and the party-building
# report (leaders, the party office, department heads); the others are refused its lists.
QUARTERLY_READERS = ["secretary", "principal", "member1", "vice", "discipline", "partyoffice"]
PARTY_BUILDING_READERS = ["secretary", "principal", "member1", "discipline", "partyoffice", "affairsoffice", "depthead"]


@pytest.fixture(scope="module")
def _seeded_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo school, seeded once for the module in a transaction rolled back after it; each
    test reads it in a savepoint of its own (the `db` fixture), so what a test writes is undone."""
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("private"))},
        },
    }
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(STORAGES=storages, PASSWORD_HASHERS=fast):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
            connection.check_constraints()  # once, not again in every test's teardown
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo_school(_seeded_demo, db):
    """The module's demo school."""


@pytest.fixture(autouse=True)
def _private_media():
    """The demo's files live where the module put them (conftest's per-test folder would lose them)."""


def check_links(client, page_url: str, *, kinds: str, at_least: int, **expected) -> dict[str, int]:
    """Every count on the page links to a list of `kinds` exactly as long, carrying the page's
    filters (`expected`); one list has one number wherever it is shown."""
    page = client.get(page_url)
    assert page.status_code == 200, page_url
    text = page.content.decode()
    links = [(html.unescape(url), int(n)) for url, n in LINK.findall(text)]
    # Nothing links to a list but a count.
    assert len(links) == len(ANY_LIST_LINK.findall(text)), page_url
    assert len(links) >= at_least, f"{page_url}: the page's figures are not linked"
    checked = {}
    for url, shown in links:
        assert urlsplit(url).path.startswith(f"/dashboard/leaders/list/{kinds}"), url
        if url in checked:
            assert checked[url] == shown, url
            continue
        stated, rows = listed(client, url)
        assert stated == shown == rows, (page_url, url, shown, stated, rows)
        params = parse_qs(urlsplit(url).query)
        for name, value in expected.items():
            assert params[name] == [str(value)], (url, name)
        checked[url] = shown
    return checked


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


def test_every_count_of_the_quarterly_report_equals_the_length_of_its_list(client, demo_school):
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    periods = [(today.year, quarter), (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)]
    for username in QUARTERLY_READERS:
        client.force_login(User.objects.get(username=username))
        counted = 0
        for year, q in periods:
            checked = check_links(
                client,
                f"/reports/supervision/?year={year}&quarter={q}",
                kinds="quarterly-",
                at_least=30,
                year=year,
                part=f"q{q}",
            )
            counted += sum(checked.values())
            # The list leads back to the report it came from.
            some = next(iter(checked))
            back = client.get(some).content.decode()
            assert f'href="/reports/supervision/?year={year}&amp;quarter={q}" data-testid="figure-back"' in back
        assert counted > 0, f"{username}: the demo school should have something to count"


def test_every_count_of_the_party_building_report_equals_the_length_of_its_list(client, demo_school):
    from reports.models import ReportEntry, Stage

    year = timezone.localdate().year
    stages = list(ReportEntry.objects.filter(year=year).values_list("stage", flat=True).distinct())
    assert stages, "the demo school has reported this year"
    # Every stage the demo reported for the party office; the latest for every other reader (each
    # list rebuilds the stage's whole table, so all stages for all readers costs minutes and asks
    # the same rule again: who reads the lists does not depend on the stage).
    stages = sorted(stages, key=[s for s, _label in Stage.choices].index)
    for username in PARTY_BUILDING_READERS:
        client.force_login(User.objects.get(username=username))
        counted = {}
        for stage in stages if username == "partyoffice" else stages[-1:]:
            checked = check_links(
                client,
                f"/reports/party-building/?year={year}&stage={stage}",
                kinds="party-building-",
                at_least=4,
                year=year,
                stage=stage,
            )
            counted.update(checked)
        kinds = {urlsplit(url).path.split("/")[-2] for url in counted}
        assert kinds == {"party-building-departments", "party-building-reported", "party-building-flags"}
        flags = [n for url, n in counted.items() if "party-building-flags" in url]
        assert any(flags), f"{username}: the demo has a flagged value and a missing one"


def test_the_reports_lists_are_refused_to_those_who_may_not_read_the_report(client, demo_school):
    year = timezone.localdate().year
    quarterly = f"/dashboard/leaders/list/quarterly-tasks/?year={year}&part=q1"
    party_building = f"/dashboard/leaders/list/party-building-departments/?year={year}&stage=target"
    # The school affairs office reads 学校数据 and (as a department head) the party-building report,
    # not the quarterly report; a department head only the party-building report.
    client.force_login(User.objects.get(username="affairsoffice"))
    assert client.get(quarterly).status_code == 403
    assert client.get(party_building).status_code == 200
    client.force_login(User.objects.get(username="depthead"))
    assert client.get(quarterly).status_code == 403
    assert client.get(party_building).status_code == 200
    assert client.get(f"/dashboard/leaders/list/tasks/?year={year}").status_code == 403
    client.force_login(User.objects.get(username="staff"))
    assert client.get(party_building).status_code == 403
    assert client.get(f"/dashboard/leaders/list/party-building-flags/?year={year}&stage=nonsense").status_code == 403
    client.force_login(User.objects.get(username="partyoffice"))
    assert client.get(f"/dashboard/leaders/list/party-building-flags/?year={year}&stage=nonsense").status_code == 400
    assert (
        client.get(f"/dashboard/leaders/list/party-building-flags/?year={year}&stage=target&flag=x").status_code == 404
    )
    assert client.get(f"/dashboard/leaders/list/quarterly-escalations/?year={year}&level=9").status_code == 404


def test_a_confidential_task_on_the_quarterly_report_is_counted_and_listed_without_its_title(client, demo_school):
    from supervision.access import task_visibility_filter
    from supervision.models import Task, TaskEscalation

    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    task = Task.objects.filter(closed_at__isnull=True).order_by("pk").first()
    Task.objects.filter(pk=task.pk).update(confidential=True, title="涉密的督查任务标题")
    TaskEscalation.objects.create(
        task=task, level=3, by=User.objects.get(username="discipline"), reason="涉密的督办理由"
    )
    outsiders = [
        u
        for u in User.objects.filter(username__in=QUARTERLY_READERS)
        if not Task.objects.filter(task_visibility_filter(u), pk=task.pk).exists()
    ]
    assert outsiders, "someone who reads the report may not see the task"
    client.force_login(outsiders[0])
    level = 3
    query = f"year={today.year}&part=q{quarter}"
    for url in (
        f"/dashboard/leaders/list/quarterly-tasks/?{query}&lead={task.lead_department_id}",
        f"/dashboard/leaders/list/quarterly-escalations/?{query}&level={level}",
    ):
        text = client.get(url).content.decode()
        assert "涉密的督查任务标题" not in text and "涉密的督办理由" not in text, url
        assert "（涉密任务）" in text, url
        assert f"/supervision/tasks/{task.pk}/" not in text, url
    report = client.get(f"/reports/supervision/?year={today.year}&quarter={quarter}").content.decode()
    assert "涉密的督查任务标题" not in report
