"""Who may open which meeting page and take which step there, and what each page costs in SQL.

The expected answers are written from DOMAIN.md ("The people", "At the meeting", "Visibility")
and the demo school (demo/people.py), not from running the code:

- a meeting is visible to the leaders （班子成员， the discipline secretary included）， the two
  meeting offices （党委办公室， 校务办） and its attendees; anyone else gets 404 (its existence
  is not told). In the demo no one outside those groups attends a PC or PO meeting;
- a confidential item is for the meeting's attendees only: its members and observers, the chair
  and the body's secretary office, which records the meeting. Anyone else sees （涉密议题） on
  the agenda, gets 404 on its entry page (and on every step there), and 403 with the reason on
  the minutes and the archive of a meeting that had one;
- scheduling a meeting: the body's secretary office and its chair (organizers); 403 otherwise;
- arranging the agenda and publishing it: the organizers; running the day (attendance, opening,
  recording opinions, opening and closing a vote, the outcome, adjourning): the chair, the
  meeting's recorder and the secretary office (runners); an emergency item: the chair alone;
  voting and co-signing the minutes: the members present; a member may record their own opinion;
- writing the minutes (edit, send for signature, amend): the meeting's recorder and the body's
  secretary office （纪要由会议秘书编写）， not the chair, who co-signs them;
- the administrator (superuser) sees every meeting (meetings.access.visibility_filter) but
  organizes and runs none (org.selectors.organizes_body): the administrator keeps the system,
  not the meetings, and so is shown no confidential item either;
- a step by the wrong person: 403 with the reason on the page; by a right person at the wrong
  time: 409 with the reason; an unknown step or record: 404; a GET on a step: 405; never 500.
  An anonymous visitor is sent to the login page.
"""

import datetime as dt
import html
import re
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from decisions.models import AgendaItem, Attachment, Category, MajorKind, State
from meetings import services
from meetings.models import (
    AgendaEntry,
    Attendance,
    Meeting,
    Minutes,
    MinutesSignature,
    Opinion,
    Recusal,
    Resolution,
    Vote,
)
from tests.factories import all_opinions, at_state, body, meeting_for, running_meeting, vote_all

ANON = "anonymous"

# --- who is who in the demo school (demo/people.py) ------------------------------------------------
LEADERS = {"secretary", "principal", "member1", "member2", "vice", "discipline"}
OFFICES = {"partyoffice", "affairsoffice"}
OTHERS = {"depthead", "finance", "dean", "staff", "teacher"}  # attend no PC or PO meeting
USERS = LEADERS | OFFICES | OTHERS | {"admin"}
SEE = LEADERS | OFFICES | {"admin"}  # who sees a PC or PO meeting at all

# Party committee: chair secretary, organizer (and recorder) partyoffice, observer discipline.
PC_ORGANIZERS = {"partyoffice", "secretary"}
PC_RUNNERS = PC_ORGANIZERS  # the chair, the recorder (partyoffice) and the secretary office
PC_RECORDERS = {"partyoffice"}  # the recorder and the secretary office write the minutes
PC_PRESENT = {"secretary", "principal", "member1", "member2"}  # every member, marked present
PC_ATTENDEES = PC_PRESENT | {"discipline"} | PC_RUNNERS
# Principal's office meeting: chair principal, organizer affairsoffice, observer discipline.
PO_ORGANIZERS = {"affairsoffice", "principal"}
PO_ATTENDEES = {"principal", "member1", "vice", "discipline"} | PO_ORGANIZERS
SCHEDULERS = PC_ORGANIZERS | PO_ORGANIZERS  # organize at least one body

# Confidential titles: none may reach anyone who does not attend that body's meeting.
PC_SECRETS = ("保密甲：干部调整方案", "保密乙：撤出议程的人事事项", "保密丙：进行中的人事事项", "保密丁：已决人事事项")
PO_SECRETS = ("保密戊：校办敏感事项",)
PLACEHOLDER = "（涉密议题）"


def cells(*rows: tuple[int, set[str]], otherwise: int, see: set[str] = SEE) -> dict[int, set[str]]:
    """Every account exactly once: each row's users (within `see`, first row wins), then
    `otherwise` for the rest of `see`, and 404 for everyone outside it."""
    out: dict[int, set[str]] = {}
    taken: set[str] = set()
    for status, users in rows:
        mine = (users & see) - taken
        out.setdefault(status, set()).update(mine)
        taken |= mine
    out.setdefault(otherwise, set()).update(see - taken)
    out.setdefault(404, set()).update(USERS - see)
    return {status: users for status, users in out.items() if users}


def ok(users: set[str], *, otherwise: int = 404, see: set[str] | None = None) -> dict[int, set[str]]:
    return cells((200, users), otherwise=otherwise, see=users if see is None else see)


NOBODY: dict[int, set[str]] = {404: USERS}


# --- the pages (GET) ------------------------------------------------------------------------------
# {plan} a PC meeting being planned: N1 public, C1 confidential, D1 confidential and dropped;
# {live} a PC meeting in progress, every member present: N2 三重一大 without opinions yet,
#        V2 三重一大 with its vote open, C2 confidential;
# {done} a PC meeting adjourned: N3 passed by vote (resolution), C3 confidential and passed;
#        its minutes {M3} are out for co-signature;
# {po}   a PO meeting with its agenda published: P4 public, C4 confidential.
PAGES: dict[str, dict[int, set[str]]] = {
    "/meetings/": ok(USERS),
    "/meetings/new/": cells((200, SCHEDULERS), otherwise=403, see=USERS),
    **{f"/meetings/{{{m}}}/": ok(SEE) for m in ("plan", "live", "done", "po")},
    **{f"/meetings/entries/{{{e}}}/": ok(SEE) for e in ("N1", "N2", "V2", "N3", "P4")},
    **{f"/meetings/entries/{{{e}}}/": ok(PC_ATTENDEES) for e in ("C1", "D1", "C2", "C3")},
    "/meetings/entries/{C4}/": ok(PO_ATTENDEES),
    "/meetings/minutes/{M3}/": cells((200, PC_ATTENDEES), otherwise=403),
    # The archive exists once the meeting is over; with a confidential item, only for attendees.
    "/meetings/{plan}/archive.pdf": cells(otherwise=409),
    "/meetings/{done}/archive.pdf": cells((200, PC_ATTENDEES), otherwise=403),
    "/meetings/999999/": NOBODY,
    "/meetings/999999/archive.pdf": NOBODY,
    "/meetings/entries/999999/": NOBODY,
    "/meetings/minutes/999999/": NOBODY,
}


# --- the steps (POST) -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    url: str
    expected: dict[int, set[str]]
    data: dict = field(default_factory=dict)


def by(users: set[str], status: int = 302, *, otherwise: int = 403, see: set[str] = SEE) -> dict[int, set[str]]:
    """`users` get `status` (302: done, 409: not now), the rest of `see` 403, others 404."""
    return cells((status, users), otherwise=otherwise, see=see)


def everyone(status: int, *, see: set[str] = SEE) -> dict[int, set[str]]:
    return cells(otherwise=status, see=see)


REASON = {"reason": "工作需要"}
STEPS: dict[str, Step] = {
    # A meeting being planned: the organizers arrange and publish it; the day has not come.
    "plan: publish": Step("/meetings/{plan}/act/publish/", by(PC_ORGANIZERS)),
    "plan: open": Step("/meetings/{plan}/act/open/", by(PC_RUNNERS, 409)),
    "plan: adjourn": Step("/meetings/{plan}/act/adjourn/", by(PC_RUNNERS, 409)),
    "plan: cancel": Step("/meetings/{plan}/act/cancel/", by(PC_ORGANIZERS), REASON),
    "plan: add an item": Step("/meetings/{plan}/act/add/", by(PC_ORGANIZERS), {"item": "{R}"}),
    # Who is asking is answered before the form: only the organizers hear that the item is missing.
    "plan: add without an item": Step("/meetings/{plan}/act/add/", by(PC_ORGANIZERS, 400)),
    "plan: emergency item": Step("/meetings/{plan}/act/emergency/", by({"secretary"}, 409), {"item": "{R}", **REASON}),
    "plan: mark present": Step("/meetings/{plan}/act/present/", by(PC_RUNNERS, 409), {"person": "{member1}"}),
    "plan: mark absent": Step("/meetings/{plan}/act/absent/", by(PC_RUNNERS, 409), {"person": "{member1}", **REASON}),
    "plan: unknown step": Step("/meetings/{plan}/act/frobnicate/", everyone(404)),
    "plan: move N1 up": Step("/meetings/entries/{N1}/act/up/", by(PC_ORGANIZERS)),
    "plan: drop N1": Step("/meetings/entries/{N1}/act/drop/", by(PC_ORGANIZERS), REASON),
    # Who first (the member himself or those who run it), then the state: not before the day.
    "plan: opinion on N1": Step(
        "/meetings/entries/{N1}/act/opinion/",
        by(PC_RUNNERS | {"member1"}, 409),
        {"member": "{member1}", "stance": "agree"},
    ),
    "plan: move C1 down": Step("/meetings/entries/{C1}/act/down/", by(PC_ORGANIZERS, see=PC_ATTENDEES)),
    # The meeting in progress.
    "live: open again": Step("/meetings/{live}/act/open/", by(PC_RUNNERS, 409)),
    "live: publish again": Step("/meetings/{live}/act/publish/", by(PC_ORGANIZERS, 409)),
    "live: add an item": Step("/meetings/{live}/act/add/", by(PC_ORGANIZERS, 409), {"item": "{R}"}),
    "live: cancel": Step("/meetings/{live}/act/cancel/", by(PC_ORGANIZERS, 409), REASON),
    "live: mark present": Step("/meetings/{live}/act/present/", by(PC_RUNNERS), {"person": "{member1}"}),
    # V2's vote is open: who is present cannot change until it is concluded.
    "live: mark absent": Step("/meetings/{live}/act/absent/", by(PC_RUNNERS, 409), {"person": "{member2}", **REASON}),
    "live: emergency item": Step("/meetings/{live}/act/emergency/", by({"secretary"}), {"item": "{R}", **REASON}),
    "live: adjourn": Step("/meetings/{live}/act/adjourn/", by(PC_RUNNERS)),
    # N2: nobody has spoken yet. A member may record their own opinion, the runners anyone's.
    "live: member1's opinion on N2": Step(
        "/meetings/entries/{N2}/act/opinion/", by(PC_RUNNERS | {"member1"}), {"member": "{member1}", "stance": "agree"}
    ),
    "live: the chair's opinion first": Step(
        "/meetings/entries/{N2}/act/opinion/",
        by(PC_RUNNERS | {"secretary"}, 409),
        {"member": "{secretary}", "stance": "agree"},
    ),
    "live: recusal on N2": Step(
        "/meetings/entries/{N2}/act/recuse/", by(PC_RUNNERS), {"member": "{member2}", **REASON}
    ),
    "live: open the vote before the opinions": Step("/meetings/entries/{N2}/act/vote_open/", by(PC_RUNNERS, 409)),
    "live: vote while no vote is open": Step(
        "/meetings/entries/{N2}/act/vote/", by(PC_PRESENT, 409), {"choice": "for"}
    ),
    "live: close a vote never opened": Step("/meetings/entries/{N2}/act/vote_close/", by(PC_RUNNERS, 409)),
    "live: pass N2 without opinions or vote": Step(
        "/meetings/entries/{N2}/act/decide/", by(PC_RUNNERS, 409), {"outcome": "passed"}
    ),
    "live: drop N2": Step("/meetings/entries/{N2}/act/drop/", by(PC_ORGANIZERS, 409), REASON),
    "live: move N2": Step("/meetings/entries/{N2}/act/down/", by(PC_ORGANIZERS, 409)),
    "live: unknown step on N2": Step("/meetings/entries/{N2}/act/frobnicate/", everyone(404)),
    # V2: the vote is open. Members present vote; observers and the offices do not.
    "live: vote on V2": Step("/meetings/entries/{V2}/act/vote/", by(PC_PRESENT), {"choice": "for"}),
    "live: open V2's vote again": Step("/meetings/entries/{V2}/act/vote_open/", by(PC_RUNNERS, 409)),
    "live: close V2's vote": Step("/meetings/entries/{V2}/act/vote_close/", by(PC_RUNNERS)),
    # C2 is confidential: non-attendees get 404 for every step, as for the page.
    "live: member1's opinion on C2": Step(
        "/meetings/entries/{C2}/act/opinion/",
        by(PC_RUNNERS | {"member1"}, see=PC_ATTENDEES),
        {"member": "{member1}", "stance": "agree"},
    ),
    "live: unknown step on C2": Step("/meetings/entries/{C2}/act/frobnicate/", everyone(404, see=PC_ATTENDEES)),
    # The PO meeting, published: its own organizers, not the Party office.
    "po: open": Step("/meetings/{po}/act/open/", by(PO_ORGANIZERS)),
    "po: publish again": Step("/meetings/{po}/act/publish/", by(PO_ORGANIZERS, 409)),
    "po: drop P4": Step("/meetings/entries/{P4}/act/drop/", by(PO_ORGANIZERS), REASON),
    "po: opinion on C4 before the meeting": Step(
        "/meetings/entries/{C4}/act/opinion/",
        by(PO_ORGANIZERS | {"member1"}, 409, see=PO_ATTENDEES),
        {"member": "{member1}", "stance": "agree"},
    ),
    # The adjourned meeting and its minutes out for co-signature.
    "done: adjourn again": Step("/meetings/{done}/act/adjourn/", by(PC_RUNNERS, 409)),
    "done: cancel": Step("/meetings/{done}/act/cancel/", by(PC_ORGANIZERS, 409), REASON),
    "done: decide N3 again": Step("/meetings/entries/{N3}/act/decide/", by(PC_RUNNERS, 409), {"outcome": "passed"}),
    "done: vote on N3": Step("/meetings/entries/{N3}/act/vote/", by(PC_PRESENT, 409), {"choice": "for"}),
    # The minutes of a meeting with a confidential item: non-attendees are refused (403) first.
    "minutes: sign": Step("/meetings/minutes/{M3}/act/sign/", by(PC_PRESENT)),
    "minutes: send back": Step("/meetings/minutes/{M3}/act/object/", by(PC_PRESENT), REASON),
    "minutes: send again": Step("/meetings/minutes/{M3}/act/send/", by(PC_RECORDERS, 409)),
    "minutes: edit while signing": Step(
        "/meetings/minutes/{M3}/act/edit/", by(PC_RECORDERS, 409), {"text": "改写", "version": "{M3_version}"}
    ),
    "minutes: amend before locked": Step("/meetings/minutes/{M3}/act/amend/", by(PC_RECORDERS, 409), REASON),
    "minutes: unknown step": Step("/meetings/minutes/{M3}/act/frobnicate/", everyone(404)),
    # Scheduling: PC by its organizers; the PO organizers may not pick PC (400: not a choice).
    "schedule a PC meeting": Step(
        "/meetings/new/",
        cells((302, PC_ORGANIZERS), (400, PO_ORGANIZERS), otherwise=403, see=USERS),
        {"body": "{PC}", "starts_at": "{next_week}", "place": "第二会议室"},
    ),
    "schedule a PC meeting in the past": Step(
        "/meetings/new/",
        cells((409, PC_ORGANIZERS), (400, PO_ORGANIZERS), otherwise=403, see=USERS),
        {"body": "{PC}", "starts_at": "{last_week}", "place": "第二会议室"},
    ),
    "step on a meeting that does not exist": Step("/meetings/999999/act/publish/", NOBODY),
    "step on an entry that does not exist": Step("/meetings/entries/999999/act/vote/", NOBODY, {"choice": "for"}),
    "step on minutes that do not exist": Step("/meetings/minutes/999999/act/sign/", NOBODY),
}


def test_every_matrix_gives_every_account_exactly_one_answer():
    for name, expected in [*PAGES.items(), *((n, s.expected) for n, s in STEPS.items())]:
        seen = sorted(u for users in expected.values() for u in users)
        assert seen == sorted(USERS), name


def expected_status(expected: dict[int, set[str]], user: str) -> int:
    return next(status for status, users in expected.items() if user in users)


# --- the world ------------------------------------------------------------------------------------


@pytest.fixture
def world(people):
    """The four meetings above, built through the services. Returns the values for the URLs."""
    staff, member1 = people("staff"), people("member1")
    partyoffice, affairsoffice = people("partyoffice"), people("affairsoffice")

    def ready(title, code="PC", **fields):
        return at_state(State.READY, submitter=staff, consultees=[member1], body_code=code, title=title, **fields)

    def add(meeting, item, organizer=partyoffice):
        return services.agenda_add(actor=organizer, meeting_id=meeting.pk, item_id=item.pk)

    plan = meeting_for("PC")
    n1 = add(plan, ready("筹备中的公开议题"))
    c1 = add(plan, ready(PC_SECRETS[0], confidential=True))
    d1 = add(plan, ready(PC_SECRETS[1], confidential=True))
    services.agenda_drop(actor=partyoffice, entry_id=d1.pk, reason="材料未齐")
    r = ready("待上会的公开议题")

    live, (n2, v2, c2) = running_meeting(
        [
            ready("进行中的三重一大议题", major_kind=MajorKind.PROJECT),
            ready("表决中的三重一大议题", major_kind=MajorKind.PROJECT),
            ready(PC_SECRETS[2], confidential=True),
        ]
    )
    all_opinions(v2, live)
    services.vote_open(actor=partyoffice, entry_id=v2.pk)

    done, (n3, c3) = running_meeting(
        [ready("已决的三重一大议题", major_kind=MajorKind.DECISION), ready(PC_SECRETS[3], confidential=True)]
    )
    all_opinions(n3, done)
    vote_all(n3, done, "for")
    services.entry_decide(actor=partyoffice, entry_id=n3.pk, outcome="passed")
    all_opinions(c3, done)
    services.entry_decide(actor=partyoffice, entry_id=c3.pk, outcome="passed")
    services.meeting_adjourn(actor=partyoffice, meeting_id=done.pk)
    m3 = Minutes.objects.get(meeting=done)
    m3 = services.minutes_send(actor=partyoffice, minutes_id=m3.pk)

    po = meeting_for("PO")
    p4 = add(po, ready("校办公开议题", "PO"), affairsoffice)
    c4 = add(po, ready(PO_SECRETS[0], "PO", confidential=True), affairsoffice)
    services.meeting_publish(actor=affairsoffice, meeting_id=po.pk)

    local = timezone.localtime()
    return {
        **{k: m.pk for k, m in {"plan": plan, "live": live, "done": done, "po": po}.items()},
        **{k: e.pk for k, e in {"N1": n1, "C1": c1, "D1": d1, "N2": n2, "V2": v2, "C2": c2}.items()},
        **{k: e.pk for k, e in {"N3": n3, "C3": c3, "P4": p4, "C4": c4}.items()},
        "M3": m3.pk,
        "M3_version": m3.version,
        "R": r.pk,
        **{u: people(u).pk for u in ("member1", "member2", "secretary")},
        "PC": body("PC").pk,
        "next_week": (local + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "last_week": (local - dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
    }


@pytest.fixture
def clients(world, people):
    """One logged-in client per account (and an anonymous one); a crash is a 500, not an error."""
    out = {}
    for user in sorted(USERS) + [ANON]:
        client = Client(raise_request_exception=False)
        if user != ANON:
            client.force_login(people(user))
        out[user] = client
    return out


# --- what a page must and must not say ------------------------------------------------------------

ALERT = re.compile(r'<div class="alert[^"]*alert-danger[^"]*"[^>]*>(.*?)</div>|data-testid="refused">(.*?)</div>', re.S)
TAG = re.compile(r"<[^>]+>")


def reason_on(page: str) -> str:
    """The reason a refused step gives: the error message, the refusal page or the form error."""
    texts = [TAG.sub("", a or b).strip() for a, b in ALERT.findall(page)]
    return " ".join(t for t in texts if t)


def secrets_for(user: str) -> list[str]:
    """The confidential titles this user must never be shown."""
    hidden = [] if user in PC_ATTENDEES else list(PC_SECRETS)
    return hidden + ([] if user in PO_ATTENDEES else list(PO_SECRETS))


def check(response, user: str, expected: int, url: str) -> list[str]:
    wrong = []
    if response.status_code == 500:
        return [f"{user}: 500 (server error)"]
    if user == ANON:
        if response.status_code != 302 or not response.url.startswith("/login/?next="):
            wrong.append(f"{user}: {response.status_code}, expected 302 → /login/")
        return wrong
    if response.status_code != expected:
        wrong.append(f"{user}: {response.status_code}, expected {expected}")
    body_text = b"" if response.get("Content-Type", "").startswith("application/pdf") else response.content
    page = html.unescape(body_text.decode())
    if response.status_code in (403, 409) and not reason_on(page):
        wrong.append(f"{user}: {response.status_code} without a reason on the page")
    leaked = [s for s in secrets_for(user) if s in page]
    if leaked:
        wrong.append(f"{user}: sees the confidential {leaked}")
    return wrong


# --- the tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", list(PAGES))
def test_every_account_gets_the_expected_page(path, world, clients, monkeypatch):
    # Who gets the archive is the question here, not what it holds (tests/test_minutes.py reads
    # the PDF): it is not rendered once per account.
    monkeypatch.setattr("meetings.pdf.archive_pdf", lambda *args, **kwargs: b"%PDF-1.4 stub")
    url = path.format(**world)
    wrong = []
    for user, client in clients.items():
        expected = None if user == ANON else expected_status(PAGES[path], user)
        wrong += check(client.get(url), user, expected, url)
    assert not wrong, f"{url}: " + "; ".join(wrong)


def test_every_account_gets_the_expected_answer_to_every_step(world, clients):
    """Each step is posted by every account in turn, each inside a savepoint rolled back
    afterwards, so every account meets the same world."""
    wrong = []
    for name, step in STEPS.items():
        url = step.url.format(**world)
        data = {k: str(v).format(**world) for k, v in step.data.items()}
        for user, client in clients.items():
            with transaction.atomic():
                response = client.post(url, data)
                transaction.set_rollback(True)
            expected = None if user == ANON else expected_status(step.expected, user)
            wrong += [f"{name} ({url}) {w}" for w in check(response, user, expected, url)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("action", ["act/publish", "entries/{N2}/act/vote", "minutes/{M3}/act/sign"])
def test_a_step_is_never_taken_by_a_get(action, world, clients):
    url = "/meetings/" + (action if "{" in action else "{plan}/" + action) + "/"
    response = clients["secretary"].get(url.format(**world))
    assert response.status_code == 405


def test_a_step_refused_says_why(world, clients):
    """The reason of a refused step is the one the rule gives, on the page the user was on."""
    cases = [
        ("member1", "/meetings/{plan}/act/publish/", {}, 403, "只有会务部门或主持人可以发布议程"),
        ("affairsoffice", "/meetings/{live}/act/adjourn/", {}, 403, "只有会议主持人、记录人或会务部门可以进行此操作"),
        ("partyoffice", "/meetings/{plan}/act/open/", {}, 409, "会议当前状态为“筹备中”，不能开始会议"),
        (
            "partyoffice",
            "/meetings/{live}/act/emergency/",
            {"item": "{R}", **REASON},
            403,
            "只有会议主持人可以临时列入紧急议题",
        ),
        (
            "partyoffice",
            "/meetings/entries/{N2}/act/opinion/",
            {"member": "{secretary}", "stance": "agree"},
            409,
            "主持人末位表态：请先记录",
        ),
        ("discipline", "/meetings/entries/{V2}/act/vote/", {"choice": "for"}, 403, "只有出席会议的成员可以表决"),
        (
            "member2",
            "/meetings/entries/{N2}/act/opinion/",
            {"member": "{member1}", "stance": "agree"},
            403,
            "只能由本人或会议记录人记录表态",
        ),
        ("partyoffice", "/meetings/minutes/{M3}/act/sign/", {}, 403, "只有出席会议的成员会签纪要"),
        ("vice", "/meetings/minutes/{M3}/", None, 403, "涉密议题"),
        ("vice", "/meetings/{done}/archive.pdf", None, 403, "涉密议题"),
        ("member1", "/meetings/new/", None, 403, "只有会务部门"),
    ]
    for user, path, data, status, reason in cases:
        url = path.format(**world)
        with transaction.atomic():
            if data is None:
                response = clients[user].get(url)
            else:
                response = clients[user].post(url, {k: v.format(**world) for k, v in data.items()})
            transaction.set_rollback(True)
        assert response.status_code == status, (user, url)
        assert reason in reason_on(html.unescape(response.content.decode())), (user, url)


@pytest.mark.parametrize(
    "meeting, secrets, attendees",
    [
        ("plan", PC_SECRETS[:2], PC_ATTENDEES),
        ("live", PC_SECRETS[2:3], PC_ATTENDEES),
        ("done", PC_SECRETS[3:], PC_ATTENDEES),
        ("po", PO_SECRETS, PO_ATTENDEES),
    ],
)
def test_a_confidential_item_on_the_agenda_is_named_only_to_attendees(meeting, secrets, attendees, world, clients):
    """Attendees read the title and follow the link; other leaders and the offices see （涉密议题）
    with no link to an entry page they could not open."""
    for user in sorted(SEE):
        page = html.unescape(clients[user].get(f"/meetings/{world[meeting]}/").content.decode())
        if user in attendees:
            assert all(s in page for s in secrets), user
            assert PLACEHOLDER not in page, user
        else:
            assert not any(s in page for s in secrets), user
            assert page.count(PLACEHOLDER) == len(secrets), user
            for key in ("C1", "C2", "C3", "C4"):
                assert f'href="/meetings/entries/{world[key]}/"' not in page, (user, key)


def test_the_meeting_list_shows_only_the_meetings_the_user_may_open(world, clients):
    titles = set(Meeting.objects.values_list("title", flat=True))
    for user, client in clients.items():
        if user == ANON:
            continue
        page = client.get("/meetings/").content.decode()
        shown = {t for t in titles if t in page}
        assert shown == (titles if user in SEE else set()), user


# --- query counts ---------------------------------------------------------------------------------
# The queries every logged-in page makes, as in tests/test_query_counts.py: session, user, role
# assignments, unread notifications, screening badge, consultation badge, "chairs a body?"
# (+1 review badge for a department head, such as partyoffice).
COMMON = 7
# selectors.meeting_detail: the meeting (visibility filter as a subquery; body, chair, secretary
# joined), then prefetched: attendance (+person), entries (+item, its body, department, submitter,
# resolution, decided_by), opinions (+member, recorded_by), recusals (+member), votes (+member),
# the items' attachments, the minutes.
MEETING = 8
# An entry or minutes URL first looks up which meeting the row belongs to.
LOOKUP = 1
# The minutes page: the signatures of the current round (+member), the signers (members present),
# the people still to sign, the amendments, and one INSERT recording the view of its confidential
# items (however many).
MINUTES = 5

QUERY_CASES = {
    # The organizer of a meeting in progress: + the review badge (partyoffice heads the Party office).
    "meeting page, partyoffice": ("meeting", "partyoffice", COMMON + 1 + MEETING),
    # The chair of a meeting in progress: + the items he may add as emergency items.
    "meeting page, secretary (chair)": ("meeting", "secretary", COMMON + MEETING + 1),
    "meeting page, vice (not attending)": ("meeting", "vice", COMMON + MEETING),
    "entry page, partyoffice": ("entry", "partyoffice", COMMON + 1 + LOOKUP + MEETING),
    "entry page, member1": ("entry", "member1", COMMON + LOOKUP + MEETING),
    "minutes page, partyoffice": ("minutes", "partyoffice", COMMON + 1 + LOOKUP + MEETING + MINUTES),
    "minutes page, member1": ("minutes", "member1", COMMON + LOOKUP + MEETING + MINUTES),
}


def grow_agenda(meeting: Meeting, people, k: int) -> None:
    """Bring the agenda to k items, with everything the pages show about each: half of them
    passed by vote with a resolution, the rest with a recusal; opinions of every other member;
    two attachments (one withdrawn); every third confidential. Rows only: the pages just read them."""
    staff, partyoffice = people("staff"), people("partyoffice")
    have = meeting.entries.count()
    members = list(
        meeting.attendance.filter(kind=Attendance.Kind.MEMBER).order_by("id").values_list("person_id", flat=True)
    )
    now = timezone.now()
    items = AgendaItem.objects.bulk_create(
        AgendaItem(
            title=f"批量议程{i:03d}",
            category=Category.DECISION,
            background="背景",
            proposal="方案",
            requested_body=meeting.body,
            submitter=staff,
            department_id=staff.department_id,
            state=State.RESOLVED if i % 2 else State.SCHEDULED,
            major_kind=MajorKind.PROJECT if i % 2 else "",
            confidential=i % 3 == 2,
            submitted_at=now,
        )
        for i in range(have, k)
    )
    entries = AgendaEntry.objects.bulk_create(
        AgendaEntry(
            meeting=meeting,
            item=item,
            position=have + n + 1,
            vote_state=AgendaEntry.VoteState.CLOSED if item.major_kind else "",
            outcome=AgendaEntry.Outcome.PASSED if item.major_kind else "",
            decided_at=now if item.major_kind else None,
            decided_by=partyoffice if item.major_kind else None,
        )
        for n, item in enumerate(items)
    )
    Attachment.objects.bulk_create(
        Attachment(
            item=item,
            file=f"attachments/m{item.pk}-{j}.pdf",
            name=f"材料{j}.pdf",
            size=1024,
            content_type="application/pdf",
            sha256="0" * 64,
            uploaded_by=staff,
            removed_at=now if j else None,
        )
        for item in items
        for j in range(2)
    )
    Opinion.objects.bulk_create(
        Opinion(entry=e, member_id=m, stance=Opinion.Stance.AGREE, text="同意", recorded_by=partyoffice)
        for e in entries
        for m in members[1:]
    )
    Vote.objects.bulk_create(
        Vote(entry=e, member_id=m, choice=Vote.Choice.FOR) for e in entries if e.vote_state for m in members[1:]
    )
    Recusal.objects.bulk_create(
        Recusal(entry=e, member_id=members[0], reason="亲属关系", recorded_by=partyoffice)
        for e in entries
        if not e.vote_state
    )
    Resolution.objects.bulk_create(
        Resolution(
            body=meeting.body,
            year=2099,
            seq=e.pk,
            number=f"党委会〔2099〕{e.pk}号",
            meeting=meeting,
            entry=e,
            item=e.item,
            outcome=e.outcome,
            text="方案",
            issued_by=partyoffice,
        )
        for e in entries
        if e.outcome
    )


@pytest.fixture
def big_meeting(people):
    """A PC meeting in progress, every member present, with minutes out for signature
    (two signed, one amendment): the three pages on one meeting."""
    meeting = meeting_for("PC")
    Meeting.objects.filter(pk=meeting.pk).update(state=Meeting.State.IN_PROGRESS, opened_at=timezone.now())
    meeting.attendance.update(status=Attendance.Status.PRESENT)
    minutes = Minutes.objects.create(meeting=meeting, text="纪要正文", state=Minutes.State.SIGNING, signing_round=1)
    for username in ("principal", "member1"):
        MinutesSignature.objects.create(minutes=minutes, member=people(username), round=1, text_sha256="0" * 64)
    Minutes.objects.create(meeting=meeting, amends=minutes, text="更正")

    def grow(k: int) -> dict[str, str]:
        grow_agenda(meeting, people, k)
        first = meeting.entries.order_by("position").first()
        return {
            "meeting": f"/meetings/{meeting.pk}/",
            "entry": f"/meetings/entries/{first.pk}/",
            "minutes": f"/meetings/minutes/{minutes.pk}/",
        }

    return grow


@pytest.mark.parametrize("name", list(QUERY_CASES))
def test_meeting_pages_cost_the_same_queries_with_3_or_30_items(
    name, big_meeting, people, client, django_assert_max_num_queries
):
    page, user, queries = QUERY_CASES[name]
    client.force_login(people(user))
    for k in (3, 30):
        url = big_meeting(k)[page]
        with django_assert_max_num_queries(queries):
            response = client.get(url)
        assert response.status_code == 200
        if page == "meeting":
            shown = response.content.decode().count('href="/meetings/entries/')
            confidential = sum(1 for i in range(k) if i % 3 == 2)
            assert shown == (k if user in PC_ATTENDEES else k - confidential)
            if user in PC_RUNNERS:  # materials are open to those who run the meeting at once
                assert response.content.decode().count("材料 1 份") == k  # the withdrawn one not counted


def test_every_page_that_shows_a_confidential_item_of_a_meeting_logs_the_view(client, people):
    from core.models import AuditEvent
    from decisions.models import State as ItemState
    from meetings import services as meeting_services
    from tests.factories import at_state as item_at_state

    secret = item_at_state(
        ItemState.READY, submitter=people("staff"), consultees=[people("member1")], confidential=True
    )
    meeting, (entry,) = running_meeting([secret])
    meeting_services.entry_decide(actor=people("partyoffice"), entry_id=entry.pk, outcome="deferred", note="再议")
    meeting_services.meeting_adjourn(actor=people("partyoffice"), meeting_id=meeting.pk)
    minutes = meeting.minutes.get()
    client.force_login(people("member2"))

    def views():
        return AuditEvent.objects.filter(verb="item.view", target_id=secret.pk).count()

    for url in (
        f"/meetings/entries/{entry.pk}/",
        f"/meetings/minutes/{minutes.pk}/",
        f"/meetings/{meeting.pk}/archive.pdf",
    ):
        before = views()
        assert client.get(url).status_code == 200, url
        assert views() == before + 1, url
