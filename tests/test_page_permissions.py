"""Who gets which page: every demo account (and an anonymous visitor) against every page.

The expected matrix below is written from DOMAIN.md ("The people (roles)", "Visibility") and
the demo school (demo/people.py), not from running the code:

- the queues: 部门审核 for department heads, 议题研判 for meeting chairs, 会前酝酿 for leaders;
- an item is visible to its submitter; to the head of its department once submitted
  （confidential included: 部门看本部门）； to the attendees of its requested meeting once
  submitted (members, observers, chair and the meeting's secretary office, confidential
  included); to every leader once submitted if not confidential; to a leader named for
  consultation on it. Someone who may not see an item gets 404 (its existence is not told);
- the edit page: 200 only for the submitter while the item is editable (draft, returned,
  revising); 403 for anyone else who may see it, 404 for those who may not;
- the administrator (superuser) is not named in DOMAIN.md's Visibility: taken here as reading
  any submitted item that is not confidential (support work), but no draft and no confidential one;
- the Django admin only for the administrator; everything else needs a login.

Where the code answers differently from the rule, the cell is listed in DISAGREEMENTS with the
status the code gives today (none at present).
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.models import AuditEvent
from decisions import services
from decisions.models import AgendaItem, Category, State
from tests.factories import draft

ANON = "anonymous"

# --- who is who in the demo school (demo/people.py) -----------------------------------
LEADERS = {"secretary", "principal", "member1", "member2", "vice", "discipline"}  # 班子成员, incl. 纪委书记
DEPT_HEADS = {"depthead", "finance", "partyoffice", "affairsoffice"}  # 教务处, 财务处, 党委办公室, 校务办公室
CHAIRS = {"secretary", "principal"}  # PC; PO, SA and AS
OTHERS = {"staff", "teacher", "admin"}
USERS = LEADERS | DEPT_HEADS | OTHERS
# Attendees of a meeting: members, observers (纪委书记 列席), the chair and the meeting's secretary office.
PC_ATTENDEES = {"secretary", "principal", "member1", "member2", "discipline", "partyoffice"}
PO_ATTENDEES = {"principal", "member1", "vice", "discipline", "affairsoffice"}

# --- the items (built by the `world` fixture) -------------------------------------------
#   A  staff (教务处), PC, not confidential, draft
#   B  staff (教务处), PC, not confidential, dept_review
#   C  staff (教务处), PC, confidential, screening, with attachment ATT_C
#   D  finance (财务处), PO, confidential, consulting (member2 named), with attachment ATT_D
#   E  staff (教务处), PC, not confidential, revising (member1 had concerns)
#   F  depthead (教务处), PO, not confidential, ready (member1 agreed)
VISIBLE = {
    # A draft is its writer's alone, the administrator's included.
    "A": {"staff"},
    "B": {"staff", "depthead"} | PC_ATTENDEES | LEADERS | {"admin"},
    # Confidential: the meeting's attendees, the department, the submitter. Not vice (PO only).
    "C": {"staff", "depthead"} | PC_ATTENDEES,
    # Confidential PO item: member2 only because named for consultation; the Party secretary is
    # no PO attendee and so does not see it either.
    "D": {"finance", "member2"} | PO_ATTENDEES,
    "E": {"staff", "depthead"} | PC_ATTENDEES | LEADERS | {"admin"},
    # staff is in 教务处 but is not its head: staff see only their own submissions.
    "F": {"depthead"} | PO_ATTENDEES | LEADERS | {"admin"},
}
EDITORS = {"A": {"staff"}, "E": {"staff"}}  # submitter, editable state
ITEM_WITH_ATTACHMENT = {"ATT_C": "C", "ATT_D": "D"}


def _only(ok: set[str], *, otherwise: int) -> dict[int, set[str]]:
    return {200: set(ok), otherwise: USERS - ok}


def _detail(key: str) -> dict[int, set[str]]:
    return _only(VISIBLE[key], otherwise=404)


def _edit(key: str) -> dict[int, set[str]]:
    editors = EDITORS.get(key, set())
    return {200: editors, 403: VISIBLE[key] - editors, 404: USERS - VISIBLE[key]}


# path (with {A}.. item pks and {ATT_C}.. attachment pks) -> {status: users}; anonymous is below.
EXPECTED: dict[str, dict[int, set[str]]] = {
    "/": {200: USERS},
    "/items/": {200: USERS},
    "/items/mine/": {200: USERS},
    "/items/new/": {200: USERS},
    "/items/review/": _only(DEPT_HEADS | LEADERS, otherwise=403),  # 审批待办: heads, leaders, offices
    "/items/screening/": _only(CHAIRS, otherwise=403),
    "/items/consultations/": _only(LEADERS, otherwise=403),
    "/items/consultations/?answered=1": _only(LEADERS, otherwise=403),
    "/notifications/": {200: USERS},
    # The school's figures: leaders and the two offices (DOMAIN.md, One screen: "leaders see the
    # school's figures"); not the administrator, who keeps the system.
    "/dashboard/leaders/": _only(LEADERS | {"partyoffice", "affairsoffice"}, otherwise=403),
    "/dashboard/leaders/export/stages.xlsx": _only(LEADERS | {"partyoffice", "affairsoffice"}, otherwise=403),
    **{f"/items/{{{k}}}/": _detail(k) for k in VISIBLE},
    **{f"/items/{{{k}}}/edit/": _edit(k) for k in VISIBLE},
    **{f"/items/attachments/{{{a}}}/": _detail(k) for a, k in ITEM_WITH_ATTACHMENT.items()},
    "/items/999999/": {404: USERS},
    "/items/999999/edit/": {404: USERS},
    "/items/attachments/999999/": {404: USERS},
    # Not staff: the admin site sends the user to its own login page.
    "/admin/": {200: {"admin"}, 302: USERS - {"admin"}},
}

# Cells where the code disagrees with the rule: (path, user) -> (status today, why the rule differs).
# None today; a new entry needs a strict xfail test that checks the rule.
DISAGREEMENTS: dict[tuple[str, str], tuple[int, str]] = {}


def rule_status(path: str, user: str) -> int:
    return next(status for status, users in EXPECTED[path].items() if user in users)


def code_status(path: str, user: str) -> int:
    """What the code is expected to answer today: the rule, except in the listed disagreements."""
    if (path, user) in DISAGREEMENTS:
        return DISAGREEMENTS[(path, user)][0]
    return rule_status(path, user)


def visible_today(key: str, user: str) -> bool:
    return code_status(f"/items/{{{key}}}/", user) == 200


def test_the_matrix_gives_every_user_exactly_one_status_on_every_page():
    for path, cells in EXPECTED.items():
        seen = [u for users in cells.values() for u in users]
        assert sorted(seen) == sorted(USERS), path
    for path, user in DISAGREEMENTS:
        assert DISAGREEMENTS[(path, user)][0] != rule_status(path, user), (path, user)


# --- the world -------------------------------------------------------------------------------


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 materials", content_type="application/pdf")


@pytest.fixture
def world(people):
    """The six items A-F and two attachments, built through the real steps. Returns the pks."""
    staff, depthead, finance = people("staff"), people("depthead"), people("finance")
    secretary, principal = people("secretary"), people("principal")
    member1, member2 = people("member1"), people("member2")

    a = draft(staff, title="A 草稿")

    b = draft(staff, title="B 部门审核中")
    services.item_submit(actor=staff, item_id=b.pk)

    c = draft(staff, title="C 涉密待研判", confidential=True)
    att_c = services.attachment_add(actor=staff, item_id=c.pk, upload=_pdf("c.pdf"))
    services.item_submit(actor=staff, item_id=c.pk)
    services.item_dept_approve(actor=depthead, item_id=c.pk)

    d = draft(finance, title="D 涉密酝酿中", body_code="PO", confidential=True)
    att_d = services.attachment_add(actor=finance, item_id=d.pk, upload=_pdf("d.pdf"))
    services.item_submit(actor=finance, item_id=d.pk)  # the head's own item: approved on submit
    services.item_screen_accept(actor=principal, item_id=d.pk, consultees=[member2])

    e = draft(staff, title="E 意见不一待修改")
    services.item_submit(actor=staff, item_id=e.pk)
    services.item_dept_approve(actor=depthead, item_id=e.pk)
    services.item_screen_accept(actor=secretary, item_id=e.pk, consultees=[member1])
    services.item_consult_answer(actor=member1, item_id=e.pk, agree=False, text="请补充比价材料")

    f = draft(depthead, title="F 待上会", body_code="PO", category=Category.PROPOSAL)
    services.item_submit(actor=depthead, item_id=f.pk)
    services.item_screen_accept(actor=principal, item_id=f.pk, consultees=[member1])
    services.item_consult_answer(actor=member1, item_id=f.pk, agree=True)

    states = dict(AgendaItem.objects.filter(pk__in=[x.pk for x in (a, b, c, d, e, f)]).values_list("title", "state"))
    assert states == {
        "A 草稿": State.DRAFT,
        "B 部门审核中": State.DEPT_REVIEW,
        "C 涉密待研判": State.SCREENING,
        "D 涉密酝酿中": State.CONSULTING,
        "E 意见不一待修改": State.REVISING,
        "F 待上会": State.READY,
    }
    return {"A": a.pk, "B": b.pk, "C": c.pk, "D": d.pk, "E": e.pk, "F": f.pk, "ATT_C": att_c.pk, "ATT_D": att_d.pk}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The demo accounts get real passwords; a cheap hasher keeps building them quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(username: str, people) -> Client:
    client = Client(raise_request_exception=False)  # a crash is a 500 cell, not an aborted loop
    if username != ANON:
        client.force_login(people(username))
    return client


def get(client: Client, url: str):
    response = client.get(url)
    if response.streaming:
        # Read the file through the test client's wrapper: it closes the response the way a
        # server does, without closing the test's database connection (response.close() would).
        response.body = b"".join(response.streaming_content)
        assert response.body == b"%PDF-1.4 materials"
    return response


# --- the matrix ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", list(EXPECTED))
def test_every_user_gets_the_expected_answer(path, world, people):
    url = path.format(**world)
    wrong = []
    for user in sorted(USERS) + [ANON]:
        response = get(client_for(user, people), url)
        if response.status_code == 500:
            wrong.append(f"{user}: 500 (server error)")
            continue
        if user == ANON:
            login = "/admin/login/" if path == "/admin/" else "/login/"
            if response.status_code != 302 or not response.url.startswith(f"{login}?next="):
                wrong.append(f"{user}: {response.status_code} {getattr(response, 'url', '')}, expected 302 → {login}")
            continue
        expected = code_status(path, user)
        if response.status_code != expected:
            wrong.append(f"{user}: {response.status_code}, expected {expected}")
        elif expected == 302 and not response.url.startswith("/admin/login/"):
            wrong.append(f"{user}: 302 to {response.url}, expected the admin login")
    assert not wrong, f"{url}: " + "; ".join(wrong)


# --- the list pages list only what the user may see ----------------------------------------------

ITEM_LINK = re.compile(r'href="/items/(\d+)/"')


def listed(client: Client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, url
    return {int(pk) for pk in ITEM_LINK.findall(response.content.decode())}


@pytest.mark.parametrize("user", sorted(USERS))
def test_items_lists_exactly_the_items_the_user_may_open(user, world, people):
    client = client_for(user, people)
    expected = {world[k] for k in VISIBLE if visible_today(k, user)}
    assert listed(client, "/items/") == expected
    for state in State.values:  # the state filter never widens the list
        assert listed(client, f"/items/?state={state}") <= expected


def test_staff_never_see_another_departments_item_or_a_colleagues(world, people):
    client = client_for("staff", people)
    own = {world[k] for k in "ABCE"}
    assert listed(client, "/items/") == own
    assert world["D"] not in listed(client, "/items/")  # 财务处
    assert world["F"] not in listed(client, "/items/")  # 教务处, by the department head
    assert listed(client, "/items/?q=涉密") == {world["C"]}


def test_my_items_list_only_the_users_own_submissions(world, people):
    submitted_by = {"staff": "ABCE", "finance": "D", "depthead": "F"}
    for user in sorted(USERS):
        client = client_for(user, people)
        own = {world[k] for k in submitted_by.get(user, "")}
        assert listed(client, "/items/mine/") == own, user


def test_home_links_the_users_own_items_and_what_waits_on_them_nothing_else(world, people):
    """The personal dashboard （工作台） lists the user's latest own items (at most five) and the
    items waiting on them (review, screening, consultation, revision): never an item the user
    may not open."""
    submitted_by = {"staff": "ABCE", "finance": "D", "depthead": "F"}
    waiting = {"depthead": "B", "secretary": "C", "member2": "D", "staff": "E"}
    for user in sorted(USERS):
        client = client_for(user, people)
        own = {world[k] for k in submitted_by.get(user, "")}
        on_home = listed(client, "/")
        assert on_home <= {world[k] for k in VISIBLE if visible_today(k, user)}, user
        assert own | {world[k] for k in waiting.get(user, "")} == on_home, user


def test_each_queue_lists_only_what_waits_on_that_user(world, people):
    expected = {
        # B waits on the head of 教务处, nobody else's review queue.
        ("/items/review/", "depthead"): {world["B"]},
        ("/items/review/", "finance"): set(),
        ("/items/review/", "partyoffice"): set(),
        ("/items/review/", "affairsoffice"): set(),
        # C waits on the PC chair; PO has nothing in screening.
        ("/items/screening/", "secretary"): {world["C"]},
        ("/items/screening/", "principal"): set(),
        # D waits on member2; member1 answered on E (concern) and F (agree).
        ("/items/consultations/", "member2"): {world["D"]},
        ("/items/consultations/", "member1"): set(),
        ("/items/consultations/?answered=1", "member1"): {world["E"], world["F"]},
        ("/items/consultations/?answered=1", "member2"): set(),
    }
    for leader in LEADERS - {"member1", "member2"}:
        expected[("/items/consultations/", leader)] = set()
        expected[("/items/consultations/?answered=1", leader)] = set()
    for (url, user), items in expected.items():
        assert listed(client_for(user, people), url) == items, (url, user)


def test_the_administrator_is_not_listed_confidential_items(world, people):
    """DOMAIN.md, Visibility: a confidential item only for its meeting's attendees (and those named)."""
    listed_for_admin = listed(client_for("admin", people), "/items/")
    assert not listed_for_admin & {world["C"], world["D"]}


# --- 留痕: every view of a confidential item -----------------------------------------------------


def _views_of(pk: int) -> int:
    return AuditEvent.objects.filter(target_type="decisions.agendaitem", target_id=pk, verb="item.view").count()


def test_opening_a_confidential_item_or_its_attachment_is_logged(world, people):
    before = _views_of(world["C"])
    assert get(client_for("member2", people), f"/items/{world['C']}/").status_code == 200
    assert get(client_for("member2", people), f"/items/attachments/{world['ATT_C']}/").status_code == 200
    assert _views_of(world["C"]) == before + 2


def test_the_edit_page_of_a_confidential_item_also_logs_the_view(world, people):
    before = _views_of(world["C"])
    response = get(client_for("member2", people), f"/items/{world['C']}/edit/")
    assert response.status_code == 403
    assert "C 涉密待研判" in response.content.decode()  # the whole item is shown...
    assert _views_of(world["C"]) == before + 1  # ...but the view is not on record


def test_the_django_admin_does_not_show_a_confidential_item_unlogged(world, people):
    before = _views_of(world["C"])
    response = get(client_for("admin", people), f"/admin/decisions/agendaitem/{world['C']}/change/")
    shown = response.status_code == 200 and "C 涉密待研判" in response.content.decode()
    assert not shown or _views_of(world["C"]) == before + 1
