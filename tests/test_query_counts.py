"""Every list page costs the same number of SQL queries at 5 and at 50 rows (no N+1).

Each limit N is the count measured at 5 rows, written down with the queries it is made of;
the same N must hold at 50. Rows are made with bulk_create: the pages only read them.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from core.models import AuditEvent, Notification
from decisions.models import AgendaItem, Attachment, Category, Consultation, State
from org.models import MeetingBody

# The queries every logged-in page makes (middleware and context processors), in no fixed order:
#   1 session (sessions live in the database, with or without Redis), 2 the user with their role assignments (org.backends.YishiBackend), 3 the navigation:
#   unread notifications, the review, screening and consultation badges and whether the person
#   chairs a body, in one query (dashboard.context_processors.nav).
COMMON = 3


ITEM_LINK = re.compile(r'href="/items/(\d+)/"')


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The demo accounts get real passwords; a cheap hasher keeps building them quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def body(code: str) -> MeetingBody:
    return MeetingBody.objects.get(code=code)


def make_items(n: int, *, submitters, state: str, body_code: str = "PC", **fields) -> list[AgendaItem]:
    """n items in `state`, submitted in turn by `submitters` from their own departments."""
    now = timezone.now()
    start = AgendaItem.objects.count()
    rows = [
        AgendaItem(
            title=f"批量议题{start + i:03d}",
            category=Category.DECISION,
            background="背景",
            proposal="方案",
            requested_body=body(body_code),
            submitter=submitters[i % len(submitters)],
            department_id=submitters[i % len(submitters)].department_id,
            state=state,
            submitted_at=None if state == State.DRAFT else now - dt.timedelta(minutes=start + i),
            **fields,
        )
        for i in range(n)
    ]
    return AgendaItem.objects.bulk_create(rows)


SUBMITTED_STATES = [State.DEPT_REVIEW, State.SCREENING, State.CONSULTING, State.READY]


def add_visible(people, n):
    """Items the secretary sees on /items/: not confidential, submitted, from four departments."""
    subs = [people(u) for u in ("staff", "depthead", "finance", "teacher")]
    for i, state in enumerate(SUBMITTED_STATES):
        make_items(n // 4 + (i < n % 4), submitters=subs, state=state, body_code="PC" if i % 2 else "PO")


def add_mine(people, n):
    make_items(n, submitters=[people("staff")], state=State.DRAFT)


def add_review(people, n):
    make_items(n, submitters=[people("staff")], state=State.DEPT_REVIEW)


def add_screening(people, n):
    make_items(n, submitters=[people(u) for u in ("staff", "depthead", "finance")], state=State.SCREENING)


def _consult(people, n, *, answer):
    member1 = people("member1")
    askers = [people("secretary"), people("principal")]
    items = make_items(n, submitters=[people("staff"), people("finance")], state=State.CONSULTING, consultation_round=1)
    now = timezone.now()
    Consultation.objects.bulk_create(
        Consultation(
            item=item,
            round=1,
            consultee=member1,
            requested_by=askers[i % 2],
            answer=answer,
            text="" if answer == Consultation.Answer.PENDING else "意见",
            answered_at=None if answer == Consultation.Answer.PENDING else now,
        )
        for i, item in enumerate(items)
    )


def add_pending(people, n):
    _consult(people, n, answer=Consultation.Answer.PENDING)


def add_answered(people, n):
    _consult(people, n, answer=Consultation.Answer.AGREE)


def add_notifications(people, n):
    staff = people("staff")
    start = Notification.objects.filter(recipient=staff).count()
    Notification.objects.bulk_create(
        Notification(recipient=staff, key=f"k{start + i}", text=f"通知{start + i:03d}", route="decisions:all")
        for i in range(n)
    )


# --- the list pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListCase:
    url: str
    user: str
    queries: int  # measured at 5 rows; see the comment at each case
    add: Callable  # add(people, n): n more rows this page lists for this user
    per_page: int = 20
    rows: re.Pattern = ITEM_LINK


NOTIFICATION = re.compile(r"通知(\d{3})")

LIST_CASES = {
    # COMMON + the bodies the secretary attends (BodyMember ids, chaired MeetingBody ids)
    # + the paginator's COUNT + one page of items (requested_body, department, submitter joined).
    "all items, secretary": ListCase("/items/", "secretary", COMMON + 2 + 2, add_visible),
    # Same queries for a member of staff (who attends no body: the two lookups still run).
    "all items, staff": ListCase("/items/", "staff", COMMON + 2 + 2, add_mine),
    # COMMON + COUNT + page of items.
    "my items, staff": ListCase("/items/mine/", "staff", COMMON + 2, add_mine),
    # COMMON + the review badge (department head) + COUNT (the same SQL as the badge, run again)
    # + page of items.
    "review queue, depthead": ListCase("/items/review/", "depthead", COMMON + 1 + 2, add_review),
    # COMMON + "chairs a body?" again for the view's own check + COUNT + page of items.
    "screening queue, secretary": ListCase("/items/screening/", "secretary", COMMON + 1 + 2, add_screening),
    # COMMON + COUNT + page of consultations (item, its body, department, submitter and requested_by joined).
    "consultation inbox, member1": ListCase("/items/consultations/", "member1", COMMON + 2, add_pending),
    "answered consultations, member1": ListCase(
        "/items/consultations/?answered=1", "member1", COMMON + 2, add_answered
    ),
    # The personal dashboard (dashboard.views.home; each list one query with its total as a
    # window count): COMMON + my returned items + "chairs a body?" (the screening list) + minutes
    # to co-sign + next meetings + unread notices + the five latest own items.
    "home, staff": ListCase("/", "staff", COMMON + 6, add_mine, per_page=5),
    # COMMON + COUNT + page of notifications.
    "notifications, staff": ListCase("/notifications/", "staff", COMMON + 2, add_notifications, rows=NOTIFICATION),
}


def rows_on(response, case: ListCase) -> int:
    assert response.status_code == 200
    return len(set(case.rows.findall(response.content.decode())))


def with_page(url: str, page: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}page={page}"


@pytest.mark.parametrize("name", list(LIST_CASES))
def test_list_page_queries_do_not_grow_with_rows(name, people, client, django_assert_max_num_queries):
    case = LIST_CASES[name]
    client.force_login(people(case.user))

    case.add(people, 5)
    with django_assert_max_num_queries(case.queries):
        response = client.get(case.url)
    assert rows_on(response, case) == 5

    case.add(people, 45)
    with django_assert_max_num_queries(case.queries):
        response = client.get(case.url)
    assert rows_on(response, case) == case.per_page

    if case.per_page == 20:  # the paginated lists: 50 rows are pages 1-3, the last one with 10
        with django_assert_max_num_queries(case.queries):
            response = client.get(with_page(case.url, 3))
        assert rows_on(response, case) == 10
        assert "第 3 / 3 页" in response.content.decode()
        page_1, page_3 = (set(case.rows.findall(client.get(with_page(case.url, p)).content.decode())) for p in (1, 3))
        assert not page_1 & page_3


# --- the item page --------------------------------------------------------------------------------

LEADERS = ("member1", "member2", "principal", "vice", "discipline")
HISTORY = [
    ("item.create", {"title": "t"}),
    ("item.attach", {"name": "方案.pdf", "size": 10}),
    ("item.edit", {"changed": {"title": ["旧", "新"], "amount": ["1", "2"]}}),
    ("item.submit", {}),
    ("item.dept_approve", {}),
    ("item.screen_accept", {"consultees": [], "round": 1}),
    ("item.consult_answer", {"answer": "concern", "round": 1}),
    ("item.resubmit", {"round": 2}),
    ("item.consult_answer", {"answer": "agree", "round": 2}),
    ("item.detach", {"name": "旧方案.pdf"}),
]


@pytest.fixture
def big_item(people):
    """A confidential PC item by staff, in its second round of consultation, member1 still to answer.

    grow(k) gives it k attachments, k history events (and k recorded views) and k consultations,
    each by a different mix of people.
    """
    staff = people("staff")
    users = [people(u) for u in ("staff", "depthead", "secretary", *LEADERS)]
    item = AgendaItem.objects.create(
        title="大事项",
        category=Category.DECISION,
        background="背景",
        proposal="方案",
        requested_body=body("PC"),
        submitter=staff,
        department=staff.department,
        state=State.CONSULTING,
        consultation_round=2,
        confidential=True,
        submitted_at=timezone.now(),
    )
    # The consultations, in order: member1's pending answer first, then round 2, then round 1.
    slots = [(2, "member1")] + [(2, u) for u in LEADERS[1:]] + [(1, u) for u in LEADERS]

    def grow(k: int):
        have = item.attachments.count()
        Attachment.objects.bulk_create(
            Attachment(
                item=item,
                file=f"attachments/f{i}.pdf",
                name=f"材料{i}.pdf",
                size=1024 * i,
                content_type="application/pdf",
                sha256="0" * 64,
                uploaded_by=users[i % len(users)],
            )
            for i in range(have, k)
        )
        AuditEvent.objects.bulk_create(
            AuditEvent(
                actor=users[i % len(users)],
                verb=verb,
                target_type="decisions.agendaitem",
                target_id=item.pk,
                from_state=State.CONSULTING,
                to_state=State.REVISING if i % 2 else State.CONSULTING,
                reason=f"理由{i}",
                data=data,
            )
            for i in range(have, k)
            for verb, data in (HISTORY[i], ("item.view", {}))
        )
        Consultation.objects.bulk_create(
            Consultation(
                item=item,
                round=rnd,
                consultee=people(username),
                requested_by=users[2],
                answer=Consultation.Answer.PENDING if rnd == 2 else Consultation.Answer.AGREE,
                answered_at=None if rnd == 2 else timezone.now(),
            )
            for rnd, username in slots[have:k]
        )

    grow.item = item
    return grow


# The item page: session, user, role assignments, the bodies the viewer attends (2: BodyMember
# ids, chaired MeetingBody ids), the item (body, its chair, department, submitter joined), its
# attachments (+uploader), its consultations (+consultee), its meetings (+meeting, body, resolution),
# INSERT the view (confidential: 留痕),
# the viewer's pending consultation (actions_for), the history (+actor), the four context queries
# (unread notifications, screening and consultation badges, "chairs a body?").
ITEM_PAGE = 16
DETAIL_CASES = {
    # + the record of who viewed this confidential item (shown to leaders).
    "secretary (leader)": ("secretary", ITEM_PAGE + 1),
    # + the same views record: member1 is a leader; the answer form costs nothing.
    "member1 (to answer)": ("member1", ITEM_PAGE + 1),
    # The submitter is no leader: no views record.
    "staff (submitter)": ("staff", ITEM_PAGE),
    # + the review badge (department head).
    "depthead (department)": ("depthead", ITEM_PAGE + 1),
}


@pytest.mark.parametrize("name", list(DETAIL_CASES))
def test_item_page_queries_do_not_grow_with_attachments_history_or_consultations(
    name, big_item, people, client, django_assert_max_num_queries
):
    user, queries = DETAIL_CASES[name]
    client.force_login(people(user))
    url = f"/items/{big_item.item.pk}/"
    for k in (1, 10):
        big_item(k)
        with django_assert_max_num_queries(queries):
            response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200
        assert page.count('href="/items/attachments/') == k
        assert len(re.findall(r"理由\d", page)) == k
        assert page.count("list-group-item small") == k  # one line per consultation


def test_edit_page_queries_do_not_grow_with_attachments(people, client, django_assert_max_num_queries):
    """The submitter's form lists the item's attachments: 1 or 10, the same queries.

    session, user, role assignments, bodies attended (2), the item with its attachments,
    consultations and meetings (4), the viewer's actions (no pending consultation: no query), the meeting
    bodies for the form's select, and the four context queries.
    """
    staff = people("staff")
    item = make_items(1, submitters=[staff], state=State.DRAFT)[0]
    client.force_login(staff)
    for k in (1, 10):
        have = item.attachments.count()
        Attachment.objects.bulk_create(
            Attachment(
                item=item,
                file=f"attachments/e{i}.pdf",
                name=f"附件{i}.pdf",
                size=10,
                content_type="application/pdf",
                sha256="0" * 64,
                uploaded_by=staff,
            )
            for i in range(have, k)
        )
        with django_assert_max_num_queries(COMMON + 2 + 4 + 1):
            response = client.get(f"/items/{item.pk}/edit/")
        assert response.status_code == 200
        assert len(re.findall(r"附件\d\.pdf", response.content.decode())) == k
