"""No exported cell is a formula: text that begins with =, +, -, @, a tab or a carriage return
(a letter's subject become a task title, an escalation reason, a department's or a person's name,
an indicator's name) is written as text with a leading apostrophe (OWASP CSV injection), in every
Excel and CSV export, for everyone who may download it.

The exports are found in the URL configuration (every name with export, xlsx or csv), so a new
export is walked too; its path parameters must be given a value below, or the test says so."""

import csv
import datetime as dt
import io

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.exports import FORMULA_TRIGGERS, safe_cell
from decisions.models import Category
from org.models import Department, User
from reports.models import Indicator
from supervision import services as supervision_services
from supervision.models import Task
from tests.factories import draft, supervisor_of

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
EXPORT_WORDS = ("export", "xlsx", "csv")


def export_patterns(patterns=None, namespace: str = "") -> dict[str, list[str]]:
    """Every URL name (with its namespace) that looks like an export, with its path parameters."""
    found = {}
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            found |= export_patterns(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name and any(w in p.name or w in str(p.pattern) for w in EXPORT_WORDS):
            found[f"{namespace}{p.name}"] = list(p.pattern.regex.groupindex)
    return found


def export_urls() -> list[str]:
    """Each export with every value its parameters take here."""
    from dashboard.tables import BUILDERS

    today = timezone.localdate()
    values = {"year": [today.year], "quarter": [(today.month - 1) // 3 + 1], "table": list(BUILDERS)}
    urls = []
    for name, params in export_patterns().items():
        missing = set(params) - set(values)
        assert not missing, f"{name}: give the test values for {sorted(missing)}"
        combos = [{}]
        for param in params:
            combos = [{**c, param: v} for c in combos for v in values[param]]
        urls += [reverse(name, kwargs=c) for c in combos]
    return urls


@pytest.fixture
def hostile_school(people):
    """A letter per hostile subject made a task of that title; overdue and escalated with a hostile
    reason; a department, a leader, a supervisor, an indicator and items named with hostile text."""
    lead = Department.objects.get(name="教务处")
    for n, text in enumerate(HOSTILE):
        Department.objects.create(name=f"{text}{n}" if n else text, kind=lead.kind, sort_order=100 + n)
        Indicator.objects.create(name=f"{text} 指标{n}", unit="@", sort_order=100 + n)
        draft(people("staff"), title=text, category=Category.REPORT)
    User.objects.filter(username="member1").update(name="@SUM(A1)")
    User.objects.filter(username="discipline").update(name="-2+3")
    for text in HOSTILE:
        letter = supervision_services.letter_write(actor=people("staff"), subject=text, body=text)
        task = supervision_services.task_create(
            actor=people("secretary"),
            letter_id=letter.pk,
            track="task",
            title=letter.subject,
            lead_department_id=lead.pk,
            responsible_leader_id=people("member1").pk,
            deadline=timezone.localdate(),
        )
        # Overdue by a day (the service refuses a deadline in the past, rightly).
        Task.objects.filter(pk=task.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
        supervision_services.task_escalate(actor=supervisor_of(task), task_id=task.pk, reason=text)
    lead.name = "+1+1 教务处"
    lead.save(update_fields=["name"])


def cells(response) -> list[tuple[str, object]]:
    """(data type, value) of every cell: openpyxl for a workbook, the csv module for CSV."""
    if "csv" in response["Content-Type"]:
        rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
        return [("s", value) for row in rows for value in row]
    wb = load_workbook(io.BytesIO(response.content))
    return [(c.data_type, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_the_walk_finds_the_exports():
    names = set(export_patterns())
    assert {"dashboard:export", "party_building:xlsx", "quarterly_report:xlsx"} <= names


def test_no_exported_cell_is_a_formula(client, people, hostile_school):
    downloads = dict.fromkeys(export_urls(), 0)
    seen_hostile = set()
    for user in User.objects.filter(is_active=True):
        client.force_login(user)
        for url in downloads:
            response = client.get(url)
            if response.status_code != 200:
                assert response.status_code in (302, 403), (user.username, url, response.status_code)
                continue
            downloads[url] += 1
            for data_type, value in cells(response):
                assert data_type != "f", (user.username, url, value)
                if isinstance(value, str):
                    assert not value.startswith(FORMULA_TRIGGERS), (user.username, url, value)
                    # (XML hands a carriage return back as a line feed.)
                    seen_hostile |= {t for t in HOSTILE if value.startswith(("'" + t, "'" + t.replace("\r", "\n")))}
    assert all(downloads.values()), downloads
    # The hostile text is there, as text: neutralised, not dropped.
    assert seen_hostile == set(HOSTILE)


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_string_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-5, -2.5, 0, 3, None, "教务处", "2026-01-01", "'=1", dt.date(2026, 1, 1)])
def test_numbers_dates_and_plain_text_are_left_alone(value):
    assert safe_cell(value) == value
