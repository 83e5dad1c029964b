"""Every URL of Yishi, for every demo account and an anonymous visitor, by GET and by POST.

The URL patterns come from the resolver, so a URL added later is walked too: a pattern with no
rule below fails `test_every_url_pattern_has_a_rule` (and its walk case) with its name, as does a
pattern whose kwargs or converters the walk cannot fill. Only framework URLs that are not Yishi's
are left out, each with its reason in EXCLUDED. Each (pattern, object) is a Target; each Target
is asked by every account, by GET and by POST with an empty body (the test client does not
enforce CSRF), and the answer is checked against the table below.

The table is written from DOMAIN.md ("The people (roles)", "Visibility", who takes which step)
and docs/architecture.md (the step tables), for the demo school (demo/people.py), not from
running the code:

- Anonymous visitors are sent to the login page from every page, except the login page itself,
  the private iCal feed (the token in its URL is the secret: anyone holding it reads it, a wrong
  one is 404), the password-reset pages and logout. The Django admin (its index) sends everyone but the administrator to
  the admin's login, django-rq's home page to the site's login.
- Items （议题）： the submitter; the head of the item's department once submitted (confidential
  included: 部门看本部门）； the attendees of the requested meeting once submitted (members,
  observers, chair, its secretary office: PC → 党委办公室， PO → 校务办； confidential included);
  every leader once submitted if not confidential; a leader named for consultation; and, for a
  confidential item, those its resolution names (the responsible leader of its task). The
  administrator reads submitted items that are not confidential (support work), nothing else.
  Who may not see an item gets 404 on every URL that carries it (its page, edit page, steps,
  materials, attachments, supervision section): its existence is not told.
- Steps: submit/withdraw/resubmit/edit/attach/remove an attachment: the submitter; department
  review: the head of the item's department; screening: the chair of the requested meeting;
  the consultation answer: a consultee with an open question. Someone who sees the item but
  may not take the step gets 403.
- Meetings: leaders and the two offices read every meeting (they run or supervise them), the
  administrator too (a meeting is not confidential); others the meetings they attend (the SA
  meeting: 教务处 and 财务处 heads). The chair, the recorder and the body's secretary office run
  it (publish, open, attendance, agenda, votes, outcomes); an emergency item only the chair.
  Opinions: the member, or who runs the meeting. Votes: the members present (the discipline
  secretary observes, 列席， and does not vote). An agenda entry, the minutes and the archive of
  a meeting with a confidential item are for its attendees and those who run it; an entry of a
  confidential item is 404 for everyone else, its minutes and archive 403 to other readers of the
  meeting. Minutes are edited, sent and amended by the meeting secretary （PC: 党委办公室）， signed
  or sent back by the members present. The archive exists once the meeting is over (409 before).
- Notices （三通报）： their audience and their writer; 党委办公室 writes and publishes and sees every
  notice that is not confidential; a confidential one only its audience (a confidential
  resolution's notice: the attendees of its meeting). Leaders see everything not confidential,
  published notices included. "Everyone" is the school's staff, not the administrator's account.
- Mailbox （书记信箱）： a letter for its writer, the secretary and the party office (404 for others);
  the secretary and the party office answer it.
- Supervision （四督查）： leaders, the two offices (and the administrator) see every task that is not
  confidential; the lead department (its head and its people), the item's submitter and the
  responsible leader too; a confidential task only the responsible leader, the lead department's
  head, the track's supervisor, who handed it out, and the resolving body's attendees. 404 for
  others, on the task and its evidence. The lead department's head reports; the track's
  supervisor （任务 → 纪委， 绩效/项目 → 校务办， 支部 → 党委办公室） reviews, urges, escalates and
  works in bulk; leaders read every track. Tasks are handed out by the party office, the school
  affairs office and the discipline secretary from a resolution they may see (a confidential
  one: only those who see its item), by the secretary or the party office from a letter, and by
  those and the patrol's own leader from a finding; a request without a source is a bad request.
  Anyone may stop following an item (the empty follow POST): it touches only their own list.
- Patrols: leaders and the offices see every finding and record them; a department head sees the
  department's findings (404 for the others); other staff and the administrator are refused.
- Branch checks: 党委办公室 records them; leaders read them. The quarterly supervision report:
  leaders and 党委办公室. The party-building report: leaders, 党委办公室 and department heads read;
  a department's head or 党委办公室 enters a department's values. The leaders' dashboard and its
  exports: leaders and the two offices (not the administrator, who keeps the system).
- Everyone with an account: the personal page, item lists, a new item, the notice and letter
  lists, a new letter, the meeting list, the task list, search, the calendar page, their
  notifications and settings.

What counts as an answer: a page (200), a file (200, its bytes read), a form shown again with its
errors (200 or 400), a step taken or refused by the step's own rule (302/400/409: the empty body may
succeed, lack a field or a reason, or meet a state that does not allow it), a redirect, 405 for a
method a view does not take; refused is 403, or 404 where existence may not be told. For every
case, whatever the table says:

- a refused request (403/404/405/400 bad request, a login redirect) changes nothing: no audit
  event, no new or removed row in any of Yishi's tables, no change to the target's own row. The
  one write allowed is the logged view of a confidential record （留痕）， and only for someone who
  may see it (a 403 page that shows the item to its reader is a view of it);
- nobody outside an item's (or task's) visibility gets a 200 on a URL that carries it;
- no HTML page shows a confidential title (the world's markers, 涉密标记…) to someone who may not
  see it;
- anonymous visitors get a 200 only on the login page, the password-reset pages and a token feed.

Every cell follows the rule: DISAGREEMENT_LIST (a cell answering otherwise, with the status the
code gave and why) is empty, and `test_no_cell_disagrees_with_the_rule` keeps it so. Where an empty
POST meets a form before the right is checked, a complete POST by the same people shows that the
step itself refuses them and writes nothing (`test_a_complete_post_by_someone_who_may_not_act_…`).

The archive PDF and the quarterly report PDF are rendered by a stub here (who gets them is the
question; their content is tested in tests/test_minutes.py and tests/test_supervision_report.py).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, SlugConverter, StringConverter

from org.models import User
from tests import permission_walk_data as data

ANON = "anonymous"
USERS = (
    "secretary",
    "principal",
    "member1",
    "member2",
    "vice",
    "discipline",
    "partyoffice",
    "affairsoffice",
    "depthead",
    "finance",
    "dean",
    "staff",
    "teacher",
    "admin",
)
EVERYONE = frozenset(USERS)

# --- who is who in the demo school (demo/people.py) -----------------------------------------
LEADERS = frozenset({"secretary", "principal", "member1", "member2", "vice", "discipline"})
OFFICES = frozenset({"partyoffice", "affairsoffice"})
HEADS = frozenset({"partyoffice", "affairsoffice", "depthead", "finance", "dean"})  # 部门负责人
CHAIRS = frozenset({"secretary", "principal"})  # PC; PO, SA and AS
ORGANIZERS = CHAIRS | OFFICES  # who arranges meetings: the chairs and the secretary offices
PC_MEMBERS = frozenset({"secretary", "principal", "member1", "member2"})
PC_ATTENDEES = PC_MEMBERS | {"discipline", "partyoffice"}  # + observer, secretary office
PO_ATTENDEES = frozenset({"principal", "member1", "vice", "discipline", "affairsoffice"})
SA_ATTENDEES = frozenset({"principal", "member1", "vice", "depthead", "finance", "discipline", "affairsoffice"})
PC_RUNNERS = frozenset({"secretary", "partyoffice"})  # chair, recorder and secretary office
SA_RUNNERS = frozenset({"principal", "affairsoffice"})
MEETING_READERS = LEADERS | OFFICES | {"admin"}
ASSIGNERS = frozenset({"partyoffice", "affairsoffice", "discipline"})
ANSWERERS = frozenset({"secretary", "partyoffice"})  # 书记信箱
SUPERVISES = {
    "task": frozenset({"discipline"}),
    "performance": frozenset({"affairsoffice"}),
    "project": frozenset({"affairsoffice"}),
    "branch": frozenset({"partyoffice"}),
}

ITEM_SEES = {
    "item_draft": frozenset({"staff"}),
    "item_dept_review": frozenset({"staff", "depthead"}) | PO_ATTENDEES | LEADERS | {"admin"},
    "item_scheduled": frozenset({"depthead"}) | PC_ATTENDEES | LEADERS | {"admin"},
    "item_resolved": frozenset({"finance"}) | PC_ATTENDEES | LEADERS | {"admin"},
    # Confidential: the department, the meeting's attendees, the consultees.
    "item_security": frozenset({"affairsoffice"}) | PO_ATTENDEES,
    "item_screening": frozenset({"staff", "depthead"}) | PC_ATTENDEES,
    "item_consulting": frozenset({"finance", "member2"}) | PO_ATTENDEES,
    # vice: named by its resolution, as the responsible leader of its task.
    "item_secret": frozenset({"teacher", "dean", "vice"}) | PC_ATTENDEES,
    "item_live": frozenset({"staff", "depthead"}) | PC_ATTENDEES,
}
EDITORS = {"item_draft": "staff", "item_security": "affairsoffice"}  # the submitter, while editable
ATTACHMENTS = {"att_resolved": "item_resolved", "att_screening": "item_screening", "att_secret": "item_secret"}
SUBMITTER = {"item_scheduled": "depthead", "item_screening": "staff"}

OPEN_TASKS = LEADERS | OFFICES | {"admin"}
TASK_SEES = {
    "task_reported": OPEN_TASKS | {"depthead", "staff", "finance"},  # 教务处; finance submitted the item
    "task_letter": OPEN_TASKS | {"dean", "teacher"},  # 智能制造学院
    "task_secret": PC_ATTENDEES | {"vice", "dean"},  # responsible leader, lead head; not the teacher
}
TASK_TRACK = {"task_reported": "task", "task_letter": "performance", "task_secret": "task"}
TASK_HEAD = {"task_reported": "depthead", "task_letter": "dean", "task_secret": "dean"}
EVIDENCE = {"evidence_reported": "task_reported", "evidence_secret": "task_secret"}

NOTICE_SEES = {
    "notice_resolution": EVERYONE - {"admin"},
    "notice_digest": EVERYONE - {"admin"},
    "notice_secret_resolution": PC_ATTENDEES,  # the attendees of its meeting
    "notice_secret": frozenset({"depthead", "staff", "partyoffice"}),  # 教务处 and its writer
    "notice_finance": frozenset({"finance", "partyoffice"}) | LEADERS,
    "notice_draft": frozenset({"partyoffice"}),
}
LETTER_SEES = {"letter_open": ANSWERERS | {"staff"}}
PATROL_READERS = LEADERS | OFFICES | HEADS
FINDING_SEES = {"finding_college": LEADERS | OFFICES | {"dean"}, "finding_library": LEADERS | OFFICES}
MEETING_SEES = {
    "meeting_held": MEETING_READERS,
    "meeting_secret": MEETING_READERS,
    "meeting_live": MEETING_READERS,
    "meeting_sa": MEETING_READERS | SA_ATTENDEES,  # 教务处 and 财务处 heads attend the school affairs meeting
}

# A confidential title and who may see it: on nobody else's page.
SECRETS = {
    data.SECRET_ITEM_SCREENING: ITEM_SEES["item_screening"],
    data.SECRET_ITEM_CONSULTING: ITEM_SEES["item_consulting"],
    data.SECRET_ITEM_RESOLVED: ITEM_SEES["item_secret"],
    data.SECRET_ITEM_LIVE: ITEM_SEES["item_live"],
    data.SECURITY_ITEM: ITEM_SEES["item_security"],
    data.SECRET_TASK: TASK_SEES["task_secret"],
    data.SECRET_NOTICE: NOTICE_SEES["notice_secret"],
}

# --- the answers ------------------------------------------------------------------------------
OUTCOMES = {
    "page": {200},
    "file": {200},
    "read": {200, 405},  # a page asked by POST: shown, or the method refused
    "form": {200, 400},  # the empty form shown again with its errors
    "act": {302, 400, 409},  # may take the step: done, a field missing, or the step's own rule
    "done": {302},
    "redirect": {302},
    "method": {405},
    "bad": {400},
    "conflict": {409},
    "deny": {403},
    "hide": {404},
    "login": {302},
    "admin_login": {302},
}
REFUSED = {"method", "bad", "conflict", "deny", "hide", "login", "admin_login"}
ANON_PAGES = {
    "login",
    "mailbox:anonymous",  # 匿名来信: written without signing in
    "mailbox:query",  # and its reply read with the query code
    "calendar:feed",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


@dataclass(frozen=True)
class Target:
    name: str
    label: str
    kwargs: tuple[tuple[str, str], ...]  # kwarg -> "pk:<world key>", "value:<world key>" or "=<literal>"
    get: dict[str, str | None]
    post: dict[str, str | None]
    query: str = ""
    carries: frozenset[str] | None = None  # nobody outside gets a 200
    row: tuple[str, str] | None = None  # (model, world key): unchanged by a refusal
    logs: frozenset[str] | None = None  # whose views of a confidential record it logs (default: carries)

    @property
    def id(self) -> str:
        return f"{self.name}[{self.label}]" if self.label else self.name


def cells(*pairs: tuple[str, frozenset | set], rest: str, anon: str | None = "login") -> dict[str, str | None]:
    """The first (outcome, users) pair naming a user gives its outcome; `rest` for the others."""
    out: dict[str, str | None] = {}
    for outcome, users in pairs:
        for user in users:
            out.setdefault(user, outcome)
    for user in USERS:
        out.setdefault(user, rest)
    out[ANON] = anon
    return out


def page(name, label="", *, sees=EVERYONE, others="deny", get="page", post="read", kw=(), **extra) -> Target:
    """A page (or a file): shown to `sees`, `others` for the rest; by POST `post` for `sees`."""
    return Target(
        name,
        label,
        tuple(kw),
        get=cells((get, sees), rest=others),
        post=cells((post, sees), rest=others),
        **extra,
    )


def step(name, label, *, actors, sees, others="hide", kw=(), **extra) -> Target:
    """A POST-only action: `actors` act, the others who see the record are refused (403), the rest 404."""
    return Target(
        name,
        label,
        tuple(kw),
        get=cells(rest="method"),
        post=cells(("act", actors), ("deny", sees), rest=others),
        **extra,
    )


def _targets() -> Iterator[Target]:
    yield page("home")
    yield Target(
        "login",
        "",
        (),
        get=cells(rest="redirect", anon="page"),
        post=cells(rest="redirect", anon="page"),
    )
    yield Target("logout", "", (), get=cells(rest="method", anon="method"), post=cells(rest="done", anon="done"))
    # Accounts: one's own password for the signed-in; the reset pages for everyone (an empty form
    # is shown again, a made-up link is answered as used or expired).
    yield page("password_change", post="form")
    yield page("password_change_done")
    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        post = "form" if name == "password_reset" else "read"
        yield Target(name, "", (), get=cells(rest="page", anon="page"), post=cells(rest=post, anon=post))
    kw = (("uidb64", "=MQ"), ("token", "=made-up-token"))
    yield Target(
        "password_reset_confirm", "", kw, get=cells(rest="page", anon="page"), post=cells(rest="read", anon="read")
    )

    # Signing in with the school's platforms: switched off here (SIGN_IN_METHODS=password), so
    # none of their pages exists for anyone (tests/test_signin_*.py walk them switched on).
    for name in ("accounts:start", "accounts:callback"):
        yield Target(
            name,
            "",
            (("name", "=dingtalk"),),
            get=cells(rest="hide", anon="hide"),
            post=cells(rest="hide", anon="hide"),
        )
    yield Target(
        "accounts:dingtalk_app", "", (), get=cells(rest="hide", anon="hide"), post=cells(rest="hide", anon="hide")
    )

    # --- decisions --------------------------------------------------------------------------
    yield page("decisions:all")
    yield page("decisions:mine")
    yield page("decisions:new", post="form")
    # 审批待办: whoever may hold a step of a review chain (head, leader in charge, office).
    yield page("decisions:review", sees=HEADS | LEADERS | OFFICES)
    yield page("decisions:screening", sees=CHAIRS)
    yield page("decisions:consultations", sees=LEADERS)
    for key, sees in ITEM_SEES.items():
        kw = [("pk", f"pk:{key}")]
        yield page("decisions:detail", key, sees=sees, others="hide", kw=kw, carries=sees, row=item_row(key))
    for key in ("item_draft", "item_security", "item_screening", "item_secret", "item_resolved"):
        sees, editor = ITEM_SEES[key], {EDITORS[key]} if key in EDITORS else set()
        yield Target(
            "decisions:edit",
            key,
            (("pk", f"pk:{key}"),),
            get=cells(("page", editor), ("deny", sees), rest="hide"),
            post=cells(("form", editor), ("deny", sees), rest="hide"),
            carries=sees,
            row=item_row(key),
        )
    for action, key, actor in [
        ("submit", "item_draft", "staff"),
        ("dept_approve", "item_dept_review", "depthead"),
        ("withdraw", "item_dept_review", "staff"),
        ("screen_accept", "item_screening", "secretary"),
        ("screen_reject", "item_screening", "secretary"),
        ("consult_answer", "item_consulting", "member2"),
        ("resubmit", "item_security", "affairsoffice"),
    ]:
        kw = [("pk", f"pk:{key}"), ("step", f"={action}")]
        sees = ITEM_SEES[key]
        yield step(
            "decisions:act", f"{action}@{key}", actors={actor}, sees=sees, kw=kw, carries=sees, row=item_row(key)
        )
    # 会签: the world's chain is the head's 审阅 alone, which asks nobody to countersign.
    for name in ("decisions:countersign", "decisions:countersign_answer"):
        sees = ITEM_SEES["item_dept_review"]
        kw = [("pk", "pk:item_dept_review")]
        yield step(
            name, "item_dept_review", actors=set(), sees=sees, kw=kw, carries=sees, row=item_row("item_dept_review")
        )
    # The meeting decides, not the item page: no such step here.
    kw = (("pk", "pk:item_scheduled"), ("step", "=decide"))
    yield Target("decisions:act", "decide@item_scheduled", kw, get=cells(rest="method"), post=cells(rest="hide"))
    for key, submitter in SUBMITTER.items():
        sees = ITEM_SEES[key]
        kw = [("pk", f"pk:{key}")]
        yield step("decisions:attach", key, actors={submitter}, sees=sees, kw=kw, carries=sees, row=item_row(key))
    for att, key in ATTACHMENTS.items():
        kw = [("pk", f"pk:{att}")]
        sees = ITEM_SEES[key]
        yield page("decisions:attachment", att, sees=sees, others="hide", get="file", kw=kw, carries=sees)
    for att, key in [("att_screening", "item_screening"), ("att_scheduled", "item_scheduled")]:
        kw = [("pk", f"pk:{att}")]
        extra = {"carries": ITEM_SEES[key], "row": ("decisions.Attachment", att)}
        yield step("decisions:attachment_remove", att, actors={SUBMITTER[key]}, sees=ITEM_SEES[key], kw=kw, **extra)

    # --- meetings ---------------------------------------------------------------------------
    yield page("meetings:list")
    yield page("meetings:new", sees=ORGANIZERS, post="form")
    for key in ("meeting_held", "meeting_sa", "meeting_secret"):
        kw = [("pk", f"pk:{key}")]
        logs = PC_ATTENDEES if key == "meeting_secret" else None  # its confidential item, shown to them
        yield page("meetings:detail", key, sees=MEETING_SEES[key], others="hide", kw=kw, logs=logs)
    for action, key in [
        ("publish", "meeting_sa"),
        ("cancel", "meeting_sa"),
        ("present", "meeting_sa"),
        ("emergency", "meeting_sa"),
        ("open", "meeting_live"),
        ("adjourn", "meeting_live"),
        ("correct_attendance", "meeting_live"),
    ]:
        runners = SA_RUNNERS if key == "meeting_sa" else PC_RUNNERS
        actors = {"principal"} if action == "emergency" else runners  # an emergency item: the chair
        if action == "correct_attendance":
            actors = {"partyoffice"}  # the record is corrected by its recorder, not the chair
        kw = [("pk", f"pk:{key}"), ("action", f"={action}")]
        row = ("meetings.Meeting", key)
        yield step("meetings:act", f"{action}@{key}", actors=actors, sees=MEETING_SEES[key], kw=kw, row=row)
    secret_record = PC_ATTENDEES  # the attendees and those who run it
    yield page("meetings:archive", "meeting_held", sees=MEETING_READERS, others="hide", kw=[("pk", "pk:meeting_held")])
    yield Target(
        "meetings:archive",
        "meeting_secret",
        (("pk", "pk:meeting_secret"),),
        get=cells(("page", secret_record), ("deny", MEETING_READERS), rest="hide"),
        post=cells(("read", secret_record), ("deny", MEETING_READERS), rest="hide"),
        carries=ITEM_SEES["item_secret"],
    )
    kw = (("pk", "pk:meeting_upcoming"),)
    upcoming = cells(("conflict", MEETING_READERS), rest="hide")
    yield Target("meetings:archive", "meeting_upcoming", kw, get=upcoming, post=upcoming)
    # On paper: the agenda and the pack for every reader of the meeting, a confidential item in
    # them (and logged) only for its attendees; the minutes and resolutions in Word as their pages.
    for name in ("meetings:agenda_pdf", "meetings:pack_pdf"):
        for key in ("meeting_held", "meeting_secret"):
            logs = PC_ATTENDEES if key == "meeting_secret" else None
            kw = [("pk", f"pk:{key}")]
            yield page(name, key, sees=MEETING_READERS, others="hide", get="file", kw=kw, logs=logs)
    yield page(
        "meetings:minutes_docx",
        "minutes_locked",
        sees=MEETING_READERS,
        others="hide",
        get="file",
        kw=[("pk", "pk:minutes_locked")],
    )
    yield Target(
        "meetings:minutes_docx",
        "minutes_secret",
        (("pk", "pk:minutes_secret"),),
        get=cells(("file", secret_record), ("deny", MEETING_READERS), rest="hide"),
        post=cells(("read", secret_record), ("deny", MEETING_READERS), rest="hide"),
        carries=ITEM_SEES["item_secret"],
    )
    yield page(
        "meetings:resolution_docx",
        "resolution",
        sees=MEETING_READERS,
        others="hide",
        get="file",
        kw=[("pk", "pk:resolution")],
    )
    kw = (("pk", "pk:resolution_secret"),)
    secret = cells(("file", secret_record), rest="hide")
    secret_post = cells(("read", secret_record), rest="hide")
    yield Target(
        "meetings:resolution_docx",
        "resolution_secret",
        kw,
        get=secret,
        post=secret_post,
        carries=ITEM_SEES["item_secret"],
    )
    yield page(
        "meetings:entry", "entry_resolved", sees=MEETING_READERS, others="hide", kw=[("pk", "pk:entry_resolved")]
    )
    for entry, item in [("entry_secret", "item_secret"), ("entry_live", "item_live")]:
        kw = [("pk", f"pk:{entry}")]
        yield page("meetings:entry", entry, sees=secret_record, others="hide", kw=kw, carries=ITEM_SEES[item])
    entry_actors = {
        "recuse": PC_RUNNERS,
        "opinion": PC_RUNNERS | PC_MEMBERS,
        "vote": PC_MEMBERS,
        "vote_enter": PC_RUNNERS,
        "correct_opinion": {"partyoffice"},  # the recorder and the secretary office
        "correct_vote": {"partyoffice"},
        "decide": PC_RUNNERS,
        "drop": PC_RUNNERS,
    }
    for action, actors in entry_actors.items():
        kw = [("pk", "pk:entry_live"), ("action", f"={action}")]
        extra = {"carries": ITEM_SEES["item_live"], "row": ("meetings.AgendaEntry", "entry_live")}
        yield step("meetings:entry_act", f"{action}@entry_live", actors=actors, sees=secret_record, kw=kw, **extra)
    kw = [("pk", "pk:entry_resolved"), ("action", "=vote")]
    row = ("meetings.AgendaEntry", "entry_resolved")
    yield step("meetings:entry_act", "vote@entry_resolved", actors=PC_MEMBERS, sees=MEETING_READERS, kw=kw, row=row)
    yield page(
        "meetings:minutes", "minutes_locked", sees=MEETING_READERS, others="hide", kw=[("pk", "pk:minutes_locked")]
    )
    yield Target(
        "meetings:minutes",
        "minutes_secret",
        (("pk", "pk:minutes_secret"),),
        get=cells(("page", secret_record), ("deny", MEETING_READERS), rest="hide"),
        post=cells(("read", secret_record), ("deny", MEETING_READERS), rest="hide"),
        carries=ITEM_SEES["item_secret"],
    )
    recorder = {"partyoffice"}  # the PC's meeting secretary (党委办公室)
    for action, actors, key in [
        ("edit", recorder, "minutes_secret"),
        ("send", recorder, "minutes_secret"),
        ("sign", PC_MEMBERS, "minutes_secret"),
        ("amend", recorder, "minutes_locked"),
        ("sign", PC_MEMBERS, "minutes_locked"),
    ]:
        kw = [("pk", f"pk:{key}"), ("action", f"={action}")]
        extra = {"row": ("meetings.Minutes", key), "kw": kw}
        if key == "minutes_secret":
            extra["carries"] = ITEM_SEES["item_secret"]
        yield step("meetings:minutes_act", f"{action}@{key}", actors=actors, sees=MEETING_READERS, **extra)

    # Before and after the day, the live room and the projector (大屏).
    sa_sees = MEETING_SEES["meeting_sa"]
    kw = (("pk", "pk:meeting_sa"),)
    yield Target(
        "meetings:reschedule",
        "meeting_sa",
        kw,
        get=cells(("page", SA_RUNNERS), ("deny", sa_sees), rest="hide"),
        post=cells(("form", SA_RUNNERS), ("deny", sa_sees), rest="hide"),
    )
    for action in ("present", "all_present", "observer"):
        kw = [("pk", "pk:meeting_sa"), ("action", f"={action}")]
        row = ("meetings.Meeting", "meeting_sa")
        yield step("meetings:attendance", f"{action}@meeting_sa", actors=SA_RUNNERS, sees=sa_sees, kw=kw, row=row)
    for name in ("meetings:live", "meetings:screen", "meetings:screen_live"):
        yield page(name, "meeting_sa", sees=sa_sees, others="hide", kw=[("pk", "pk:meeting_sa")])
        # The running PC meeting's item is confidential: the projector names it to its attendees
        # only, and their opening of the projector is on record.
        logs = PC_ATTENDEES if name == "meetings:screen" else None
        kw = [("pk", "pk:meeting_live")]
        yield page(name, "meeting_live", sees=MEETING_SEES["meeting_live"], others="hide", kw=kw, logs=logs)
    for name in ("meetings:entry_live", "meetings:entry_ballot"):
        kw = [("pk", "pk:entry_live")]
        yield page(name, "entry_live", sees=secret_record, others="hide", kw=kw, carries=ITEM_SEES["item_live"])
    # 第一议题 / 中心组学习: the year's figures (everyone their own line), a record, its steps.
    yield page("meetings:study_year")
    yield page("meetings:study_year_xlsx", get="file")
    kw = [("pk", "pk:study_pc")]
    yield page("meetings:study", "study_pc", sees=MEETING_READERS, others="hide", kw=kw)
    kw = [("pk", "pk:study_pc"), ("action", "=reflect")]
    yield step(
        "meetings:study_act", "reflect@study_pc", actors=PC_ATTENDEES - {"partyoffice"}, sees=MEETING_READERS, kw=kw
    )
    kw = [("pk", "pk:study_pc"), ("action", "=archive")]
    yield step("meetings:study_act", "archive@study_pc", actors=PC_RUNNERS, sees=MEETING_READERS, kw=kw)
    yield Target(
        "meetings:study_new",
        "meeting_held",
        (("pk", "pk:meeting_held"),),
        get=cells(("page", PC_RUNNERS), ("deny", MEETING_READERS), rest="hide"),
        post=cells(("form", PC_RUNNERS), ("deny", MEETING_READERS), rest="hide"),
    )

    # --- notices ----------------------------------------------------------------------------
    yield page("notices:for_meeting", "meeting_sa", sees=sa_sees, others="hide", kw=[("meeting_id", "pk:meeting_sa")])
    kw = [("meeting_id", "pk:meeting_sa")]
    yield step("notices:read_at_meeting", "meeting_sa", actors=SA_RUNNERS, sees=sa_sees, kw=kw)
    for key in ("notice_draft", "notice_secret"):
        sees = NOTICE_SEES[key]
        kw = [("pk", f"pk:{key}")]
        yield step("notices:attach", key, actors={"partyoffice"}, sees=sees, kw=kw, carries=sees)
    sees = NOTICE_SEES["notice_secret"]
    kw = [("pk", "pk:notice_att_secret")]
    yield page("notices:attachment", "notice_att_secret", sees=sees, others="hide", get="file", kw=kw, carries=sees)
    yield page("notices:list")
    yield page("notices:list", "sent", sees={"partyoffice"}, query="box=sent")
    yield page("notices:new", sees={"partyoffice"}, post="form")
    yield page("notices:unread_badge")
    for key, sees in NOTICE_SEES.items():
        kw = [("pk", f"pk:{key}")]
        yield page("notices:detail", key, sees=sees, others="hide", kw=kw, carries=sees, row=("notices.Notice", key))
    for key in ("notice_draft", "notice_secret"):
        kw = [("pk", f"pk:{key}")]
        sees = NOTICE_SEES[key]
        extra = {"carries": sees, "row": ("notices.Notice", key)}
        yield step("notices:publish", key, actors={"partyoffice"}, sees=sees, kw=kw, **extra)
    # The sender's follow-up of a published notice: the read receipts (polled) and 催阅.
    for key in ("notice_resolution", "notice_secret"):
        kw = [("pk", f"pk:{key}")]
        sees = NOTICE_SEES[key]
        extra = {"carries": sees, "row": ("notices.Notice", key)}
        yield page("notices:receipts", key, sees={"partyoffice"}, others="hide", kw=kw, **extra)
        yield step("notices:urge", key, actors={"partyoffice"}, sees=sees, kw=kw, **extra)

    # 全教会通报: department heads submit, the party office selects and publishes.
    yield page("notices:digest_board", sees=HEADS, post="form")
    yield step("notices:digest_publish", "", actors={"partyoffice"}, sees=set(), others="deny")
    kw = [("pk", "pk:major_work_declined"), ("action", "=select")]
    yield step("notices:work_step", "select@declined", actors={"partyoffice"}, sees={"dean"}, kw=kw)

    # --- mailbox ----------------------------------------------------------------------------
    yield page("mailbox:list")
    yield page("mailbox:list", "all", sees=ANSWERERS, query="box=all")
    yield page("mailbox:new", post="form")
    sees = LETTER_SEES["letter_open"]
    yield Target(
        "mailbox:detail",
        "letter_open",
        (("pk", "pk:letter_open"),),
        get=cells(("page", sees), rest="hide"),
        post=cells(("form", ANSWERERS), ("deny", sees), rest="hide"),
        carries=sees,
        row=("supervision.Letter", "letter_open"),
    )
    # 匿名来信 and its query page: open to everyone, signed in or not (an empty form comes back).
    for name in ("mailbox:anonymous", "mailbox:query"):
        yield Target(name, "", (), get=cells(rest="page", anon="page"), post=cells(rest="form", anon="form"))
    yield Target(
        "mailbox:forward",
        "letter_open",
        (("pk", "pk:letter_open"),),
        get=cells(("redirect", sees), rest="hide"),
        post=cells(("act", ANSWERERS), ("deny", sees), rest="hide"),
        row=("supervision.Letter", "letter_open"),
    )

    # --- supervision ------------------------------------------------------------------------
    yield page("supervision:list")
    nothing = cells(rest="bad")
    yield Target("supervision:new", "no source", (), get=nothing, post=nothing)
    yield page("supervision:new", "resolution", sees=ASSIGNERS, post="form", query="resolution={resolution}")
    yield page(
        "supervision:new",
        "resolution_secret",
        sees=ASSIGNERS & ITEM_SEES["item_secret"],
        post="form",
        query="resolution={resolution_secret}",
        carries=ITEM_SEES["item_secret"],
    )
    yield Target(
        "supervision:new",
        "letter",
        (),
        get=cells(("page", ANSWERERS), ("deny", LETTER_SEES["letter_open"]), rest="hide"),
        post=cells(("form", ANSWERERS), ("deny", LETTER_SEES["letter_open"]), rest="hide"),
        query="letter={letter_open}",
    )
    yield page(
        "supervision:new", "finding", sees=ASSIGNERS | {"member1"}, post="form", query="finding={finding_college}"
    )
    for track in ("task", "performance", "branch"):
        kw = [("track", f"={track}")]
        yield page("supervision:track", track, sees=SUPERVISES[track] | LEADERS, kw=kw)
    kw = (("track", "=audit"),)
    yield Target("supervision:track", "audit", kw, get=cells(rest="hide"), post=cells(rest="hide"))
    for track in ("task", "performance"):
        kw = [("track", f"={track}")]
        yield step("supervision:bulk", track, actors=SUPERVISES[track], sees=set(), others="deny", kw=kw)
    for key in ("task_reported", "task_letter", "task_secret"):
        sees = TASK_SEES[key]
        kw = [("pk", f"pk:{key}")]
        yield page("supervision:detail", key, sees=sees, others="hide", kw=kw, carries=sees, row=task_row(key))
    for name, key in [
        ("supervision:report_progress", "task_letter"),
        ("supervision:report_progress", "task_secret"),
        ("supervision:review", "task_reported"),
        ("supervision:review", "task_secret"),
        ("supervision:urge", "task_letter"),
        ("supervision:escalate", "task_secret"),
    ]:
        actors = {TASK_HEAD[key]} if name == "supervision:report_progress" else SUPERVISES[TASK_TRACK[key]]
        kw = [("pk", f"pk:{key}")]
        yield step(name, key, actors=actors, sees=TASK_SEES[key], kw=kw, carries=TASK_SEES[key], row=task_row(key))
    for evidence, task in EVIDENCE.items():
        kw = [("pk", f"pk:{evidence}")]
        sees = TASK_SEES[task]
        yield page("supervision:evidence", evidence, sees=sees, others="hide", get="file", kw=kw, carries=sees)
    # 工作部署 and 协办: offices hand out tasks; partners report their part; assigners name partners.
    yield page("supervision:assign", sees=OFFICES, post="form")
    plan_sees = OPEN_TASKS | {"depthead", "staff", "finance"}  # 教务处 leads, 财务处 co-operates
    kw = [("pk", "pk:task_plan")]
    yield step("supervision:part_report", "task_plan", actors={"finance"}, sees=plan_sees, kw=kw)
    yield step("supervision:partners_add", "task_plan", actors=ASSIGNERS, sees=plan_sees, kw=kw)
    kw = [("pk", "pk:part_evidence")]
    yield page("supervision:part_evidence", "task_plan", sees=plan_sees, others="hide", get="file", kw=kw)
    for key in ("item_resolved", "item_secret"):
        kw = (("item_id", f"pk:{key}"),)
        yield Target("supervision:follow", key, kw, get=cells(rest="method"), post=cells(rest="done"))
        kw = [("item_id", f"pk:{key}")]
        yield page("supervision:item_tasks", key, sees=ITEM_SEES[key], others="hide", kw=kw, carries=ITEM_SEES[key])

    # 决而未果: the party office and 纪委 watch it and may record why a resolution needs no task.
    watchers = {"partyoffice", "discipline"}
    yield page("supervision:unfollowed", sees=watchers)
    yield Target(
        "supervision:no_task",
        "resolution",
        (("pk", "pk:resolution"),),
        get=cells(rest="method"),
        post=cells(("act", watchers), rest="deny"),
    )

    # --- patrols, branches, the quarterly report, the calendar --------------------------------
    yield page("patrols:list", sees=PATROL_READERS)
    yield page("patrols:new", sees=LEADERS | OFFICES, post="form")
    for key, sees in FINDING_SEES.items():
        yield Target(
            "patrols:detail",
            key,
            (("pk", f"pk:{key}"),),
            get=cells(("page", sees), ("hide", PATROL_READERS), rest="deny"),
            post=cells(("read", sees), ("hide", PATROL_READERS), rest="deny"),
        )
    yield Target(
        "patrols:rota",
        "",
        (),
        get=cells(("page", PATROL_READERS), rest="deny"),
        post=cells(("form", OFFICES), ("deny", PATROL_READERS), rest="deny"),
    )
    yield page("patrols:record", sees=LEADERS | OFFICES, post="form")
    yield page("patrols:coverage", sees=PATROL_READERS)
    yield page("patrols:photo", sees=LEADERS | OFFICES, others="hide", get="file", kw=[("pk", "pk:patrol_photo")])
    # 纪委半年督查报告 and key-area supervision: read by the report's readers, written by 纪委书记.
    readers = LEADERS | {"partyoffice"}
    yield Target(
        "committee:page",
        "",
        (),
        get=cells(("page", readers), rest="deny"),
        post=cells(("act", {"discipline"}), ("deny", readers), rest="deny"),
    )
    yield Target(
        "committee:key_areas",
        "",
        (),
        get=cells(("page", readers), rest="deny"),
        post=cells(("form", {"discipline"}), ("deny", readers), rest="deny"),
    )
    yield page("branches:year", sees=LEADERS | {"partyoffice"})
    yield page("branches:check", sees={"partyoffice"}, post="form")
    yield page("branches:detail", sees=LEADERS | {"partyoffice"}, kw=[("pk", "pk:branch_check")])
    # 三会一课 and self-checks: the readers of the branches and whoever heads a department (a branch
    # secretary is the head of his branch); the list of branches each may pick is his own.
    yield page("branches:org_life", sees=LEADERS | HEADS)
    yield page("branches:org_life_new", sees=HEADS, post="form")
    yield page("branches:self_check", sees=HEADS, post="form")
    yield Target(
        "performance:list",
        "",
        (),
        get=cells(("page", LEADERS | HEADS), rest="deny"),
        post=cells(("form", {"affairsoffice"}), rest="deny"),
    )
    # 部门工作绩效: 校务办 rates and publishes; a published rating is read by the leaders and the
    # department heads (a head only his own department's score), a draft by 校务办 alone; a rating
    # or score one may not read is 404. A department's plan: the readers of the ratings, a head
    # only his own department's (403 for the rest).
    rating_readers = LEADERS | HEADS
    published = [("pk", "pk:rating_published")]
    draft_rating = [("pk", "pk:rating_draft")]
    yield page("performance:detail", "published", sees=rating_readers, others="hide", kw=published)
    yield page("performance:detail", "draft", sees={"affairsoffice"}, others="hide", kw=draft_rating)
    yield step("performance:publish", "published", actors={"affairsoffice"}, sees=rating_readers, kw=published)
    yield step("performance:publish", "draft", actors={"affairsoffice"}, sees={"affairsoffice"}, kw=draft_rating)
    college_score = LEADERS | {"affairsoffice", "dean"}
    kw = [*published, ("department_id", "pk:dept_college")]
    yield page("performance:score", "published 智能制造学院", sees=college_score, others="hide", kw=kw)
    kw = [*draft_rating, ("department_id", "pk:dept_college")]
    yield page("performance:score", "draft 智能制造学院", sees={"affairsoffice"}, others="hide", kw=kw)
    kw = [("department_id", "pk:dept_college")]
    yield page("performance:plan", "智能制造学院", sees=college_score, kw=kw)
    period = [("year", "value:year"), ("quarter", "value:quarter")]
    yield page("quarterly_report:page", sees=LEADERS | {"partyoffice"})
    yield page("quarterly_report:pdf", sees=LEADERS | {"partyoffice"}, kw=period)
    yield page("quarterly_report:xlsx", sees=LEADERS | {"partyoffice"}, kw=period)
    yield Target("calendar:page", "", (), get=cells(rest="page"), post=cells(rest="method"))
    yield Target("calendar:duties", "", (), get=cells(rest="page"), post=cells(rest="method"))
    yield Target("calendar:token_reset", "", (), get=cells(rest="method"), post=cells(rest="done"))
    kw = (("token", "value:token_staff"),)
    yield Target(
        "calendar:feed", "token", kw, get=cells(rest="page", anon="page"), post=cells(rest="method", anon="method")
    )
    kw = (("token", "=NoSuchTokenNoSuchToken"),)
    yield Target(
        "calendar:feed", "wrong", kw, get=cells(rest="hide", anon="hide"), post=cells(rest="method", anon="method")
    )

    # --- the dashboard, the party-building report, search, notifications, the admin -----------
    figures = LEADERS | OFFICES
    yield page("dashboard:leaders", sees=figures)
    # 数字可点开: the rows a figure counts, for the readers of the figures.
    yield page("dashboard:figure_list", "items", sees=figures, kw=[("kind", "=items")])
    yield page("dashboard:export", "stages", sees=figures, kw=[("table", "=stages")])
    kw = (("table", "=audit"),)
    no_table = cells(("hide", figures), rest="deny")
    yield Target("dashboard:export", "audit", kw, get=no_table, post=no_table)
    # 数字可点开: the list behind a figure, for those who read the figures; no list for a made-up one.
    yield page("dashboard:figure_list", "tasks", sees=figures, kw=[("kind", "=tasks")])
    kw = (("kind", "=audit"),)
    yield Target("dashboard:figure_list", "audit", kw, get=no_table, post=no_table)
    # The counts of the quarterly report and of the party-building report link to lists too, each
    # for the readers of its report.
    kw = (("kind", "=quarterly-escalations"),)
    yield page("dashboard:figure_list", "quarterly", sees=LEADERS | {"partyoffice"}, kw=kw)
    readers = LEADERS | {"partyoffice"} | HEADS
    kw = (("kind", "=party-building-flags"),)
    yield page("dashboard:figure_list", "party-building", sees=readers, kw=kw, query="stage=target")
    yield page("party_building:table", sees=readers)
    yield page("party_building:xlsx", sees=readers, kw=[("year", "value:year")])
    where = [("year", "value:year"), ("stage", "=target"), ("department_id", "pk:dept_jiaowu")]
    yield page("party_building:enter", "教务处", sees={"depthead", "partyoffice"}, post="act", kw=where)
    yield page("party_building:history", "教务处", sees=readers, kw=where)
    # The flagged values of a stage: the report's readers; an explanation is posted by whoever
    # may fill the department in (the empty form is shown again with its errors).
    flags = [("year", "value:flag_year"), ("stage", "value:flag_stage")]
    yield page("party_building:flags", sees=readers, post="form", kw=flags)
    yield page("search:page")
    yield page("search:page", "secrets", query="q=涉密标记")
    yield page("notifications")
    yield Target("notifications_read_all", "", (), get=cells(rest="method"), post=cells(rest="done"))
    kw = (("pk", "pk:notification_staff"),)
    yield Target(
        "notification_open",
        "staff",
        kw,
        get=cells(rest="method"),
        post=cells(("done", {"staff"}), rest="hide"),
        row=("core.Notification", "notification_staff"),
    )
    yield Target("notification_settings", "", (), get=cells(rest="page"), post=cells(rest="done"))
    admin_only = cells(("page", {"admin"}), rest="admin_login", anon="admin_login")
    admin_only_post = cells(("read", {"admin"}), rest="admin_login", anon="admin_login")
    yield Target("admin:index", "", (), get=admin_only, post=admin_only_post)
    # django-rq sends everyone but staff to the login page. The administrator's /rq/ reads Redis
    # (django-rq's own page): only the refusals are walked.
    rq = cells(("", {"admin"}), rest="login", anon="login")
    yield Target("django_rq:home", "", (), get=rq, post=rq)


def item_row(key: str) -> tuple[str, str]:
    return ("decisions.AgendaItem", key)


def task_row(key: str) -> tuple[str, str]:
    return ("supervision.Task", key)


TARGETS = list(_targets())

# Framework URLs that are not Yishi's: (name prefix, the one walked, reason).
EXCLUDED = [
    ("admin:", "admin:index", "the Django admin's own pages, behind admin_view (staff only): its index is walked"),
    ("django_rq:", "django_rq:home", "django-rq's queue pages (staff_member_required): its home page is walked"),
    ("set_language", None, "Django's i18n view: sets the language cookie for whoever asks (tests/test_language.py)"),
]


def exclusion(name: str) -> str | None:
    for prefix, walked, reason in EXCLUDED:
        if name.startswith(prefix) and name != walked:
            return reason
    return None


# --- the URL patterns, from the resolver ------------------------------------------------------
CONVERTERS = {IntConverter: "int", SlugConverter: "slug", StringConverter: "str"}


@dataclass(frozen=True)
class Pattern:
    name: str
    route: str
    kwargs: tuple[tuple[str, str], ...]  # (kwarg, converter); "?" names a converter the walk cannot fill


def url_patterns() -> list[Pattern]:
    found: list[Pattern] = []

    def walk(patterns, prefix: str, namespace: str, kwargs: dict[str, str]) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            here = dict(kwargs)
            for kwarg, converter in getattr(p.pattern, "converters", {}).items():
                here[kwarg] = CONVERTERS.get(type(converter), f"?{type(converter).__name__}")
            for kwarg in p.pattern.regex.groupindex:
                here.setdefault(kwarg, "regex")
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
                walk(p.url_patterns, route, ns, here)
            elif isinstance(p, URLPattern):
                name = p.name or f"<unnamed {route}>"
                name = f"{namespace}:{name}" if namespace else name
                found.append(Pattern(name, route, tuple(sorted(here.items()))))

    walk(get_resolver().url_patterns, "/", "", {})
    return found


PATTERNS = url_patterns()
WALKED = [p for p in PATTERNS if exclusion(p.name) is None]


def cases() -> list:
    """(target or the pattern that has none, role, method), one pytest case each."""
    by_name: dict[str, list[Target]] = {}
    for t in TARGETS:
        by_name.setdefault(t.name, []).append(t)
    out = []
    names = {p.name for p in WALKED}
    for p in WALKED:
        if p.name not in by_name:
            out.append(pytest.param(p, ANON, "GET", id=f"{p.name}-no-rule"))
    for t in TARGETS:
        if t.name not in names:
            continue  # reported by test_every_rule_names_a_url_pattern_and_fills_its_kwargs
        for method in ("GET", "POST"):
            table = t.get if method == "GET" else t.post
            for role in (*USERS, ANON):
                if table.get(role):
                    out.append(pytest.param(t, role, method, id=f"{t.id}-{role}-{method}"))
    return out


# --- where the code disagrees with the rule ---------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    name: str
    labels: tuple[str, ...]  # target labels ("" for a target without one)
    roles: frozenset[str]
    methods: tuple[str, ...]
    today: int
    reason: str


def _d(name, labels, roles, today, reason, methods=("POST",)):
    labels = (labels,) if isinstance(labels, str) else tuple(labels)
    return Disagreement(name, labels, frozenset(roles.split()), tuple(methods), today, reason)


BOTH = ("GET", "POST")
STATE_FIRST = "the state or the input is checked before who is asking: 409 instead of 403 (nothing is written)"

DISAGREEMENT_LIST: list[Disagreement] = []

DISAGREEMENTS: dict[tuple[str, str, str, str], tuple[int, str]] = {
    (d.name, label, role, method): (d.today, d.reason)
    for d in DISAGREEMENT_LIST
    for label in d.labels
    for role in d.roles
    for method in d.methods
}


def test_no_cell_disagrees_with_the_rule():
    """Every cell follows the rule of DOMAIN.md: the list of disagreements is empty and stays so
    (a cell that answers otherwise is a bug to fix, not an entry to add)."""
    assert DISAGREEMENT_LIST == [], [(d.name, d.labels, d.reason) for d in DISAGREEMENT_LIST]


def rule_outcome(target: Target, role: str, method: str) -> str:
    return (target.get if method == "GET" else target.post)[role]


# --- the world, built once for the module -----------------------------------------------------


def _stub_pdf(*args, **kwargs) -> bytes:
    return b"%PDF-1.4 stub"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo school and the walk's additions (tests/permission_walk_data.py), built in one
    transaction that is rolled back after the module; each test runs in a savepoint inside it.
    Every account is logged in once (client.force_login) and its session cookie kept."""
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("private"))},
        },
    }
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(STORAGES=storages, PASSWORD_HASHERS=fast, REDIS_URL=""),
        pytest.MonkeyPatch.context() as mp,
    ):
        mp.setattr("meetings.pdf.archive_pdf", _stub_pdf)
        mp.setattr("supervision.quarterly_pdf.report_pdf", _stub_pdf)
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                w = data.build_world()
            # The world's foreign keys are checked now, once: left pending, the check each test's
            # teardown makes (SET CONSTRAINTS ALL IMMEDIATE inside its savepoint) would recheck
            # every row of the world again, per test.
            connection.check_constraints()
            for username in USERS:
                client = Client()
                client.force_login(User.objects.get(username=username))
                w.value[f"session:{username}"] = client.cookies[settings.SESSION_COOKIE_NAME].value
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _private_media():
    """The module's files live where the world put them (conftest's per-test folder would lose them)."""


@pytest.fixture(autouse=True)
def _fast_passwords():
    """The world's accounts are made with a fast hasher already."""


_HANDLER = Client().handler  # one middleware chain for the walk: loading it (WhiteNoise) is slow


def client_for(role: str, w: data.World) -> Client:
    client = Client(raise_request_exception=False)  # a crash is a 500 cell, not an aborted walk
    client.handler = _HANDLER
    if role != ANON:
        client.cookies[settings.SESSION_COOKIE_NAME] = w.value[f"session:{role}"]
    return client


def url_of(target: Target, w: data.World) -> str:
    kwargs = {}
    for kwarg, source in target.kwargs:
        if source.startswith("="):
            kwargs[kwarg] = source[1:]
        else:
            kind, key = source.split(":", 1)
            kwargs[kwarg] = w.pk[key] if kind == "pk" else w.value[key]
    url = reverse(target.name, kwargs=kwargs)
    if target.query:
        url += "?" + target.query.format(**w.pk)
    return url


def _tables() -> list[str]:
    mine = {"core", "org", "decisions", "meetings", "notices", "supervision", "reports", "search"}
    return sorted(
        m._meta.db_table
        for m in apps.get_models()
        if m._meta.app_label in mine and m._meta.managed and not m._meta.proxy
    )


TABLES = _tables()
# Opening a confidential record is logged (留痕), a refusal page that shows it to someone who may
# see it included: those events are counted apart.
VIEWS = "'item.view', 'task.view', 'notice.view'"


def _count(table: str, where: str = "") -> str:
    # Table names come from the models and the conditions are constants: nothing from a request.
    return f"(SELECT COUNT(*) FROM {connection.ops.quote_name(table)}{where})"  # noqa: S608


# Row counts of every table of Yishi, and the writes that add no row (a notification or a receipt
# read, a setting changed), in one query; the views of confidential records last.
FINGERPRINT_SQL = "SELECT " + ", ".join(
    [_count(t) for t in TABLES if t != "core_auditevent"]
    + [
        _count("core_auditevent", f" WHERE verb NOT IN ({VIEWS})"),
        _count("core_notification", " WHERE read_at IS NOT NULL"),
        _count("notices_noticerecipient", " WHERE read_at IS NOT NULL"),
        _count("org_user", " WHERE email_reminders"),
        _count("core_auditevent", f" WHERE verb IN ({VIEWS})"),
    ]
)


def fingerprint(target: Target, w: data.World) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL)
        counts = cursor.fetchone()
    views, counts = counts[-1], counts[:-1]
    row = None
    if target.row:
        model, key = target.row
        row = apps.get_model(model).objects.filter(pk=w.pk[key]).values().first()
    return counts, row, views


def _content(response) -> bytes:
    if response.streaming:
        # Read the file through the test client's wrapper: it closes the response the way a
        # server does, without closing the test's database connection.
        return b"".join(response.streaming_content)
    return response.content


LOGIN = {"login": "/login/?next=", "admin_login": "/admin/login/?next="}


def check(
    target: Target, role: str, method: str, w: data.World, *, expected: str, statuses: set[int], listed: bool = False
) -> list[str]:
    """Ask the URL; return what is wrong (empty: nothing). A `listed` cell (DISAGREEMENTS) is held
    to the status the code gives today, and not to what follows from the rule's answer (that a
    refusal writes nothing, that nobody outside the record gets a 200): the xfail test holds it to those."""
    client = client_for(role, w)
    url = url_of(target, w)
    before = fingerprint(target, w)
    response = client.get(url) if method == "GET" else client.post(url)
    body = _content(response)
    status = response.status_code
    wrong = []
    if status not in statuses:
        wrong.append(f"{status}, expected {expected} {sorted(statuses)}")
    if expected in LOGIN and status == 302 and not response.url.startswith(LOGIN[expected]):
        wrong.append(f"302 to {response.url}, expected {LOGIN[expected]}…")
    attached = response.get("Content-Disposition", "").startswith("attachment")
    if expected == "file" and status == 200 and not (body and attached):
        wrong.append("200 without the file")
    refused = status in (403, 404, 405) or (status == 302 and expected in LOGIN) or (expected in REFUSED and not listed)
    after = fingerprint(target, w)
    if refused and after[:2] != before[:2]:
        wrong.append("a refused request changed the database")
    if after[2] != before[2] and role not in (target.logs or target.carries or ()):
        wrong.append("a view logged for someone outside the record's visibility")
    if status == 200 and target.carries is not None and role not in target.carries and not listed:
        wrong.append("200 for someone outside the record's visibility")
    if role == ANON and status == 200 and target.name not in ANON_PAGES and not listed:
        wrong.append("200 for an anonymous visitor")
    if response.get("Content-Type", "").startswith("text/html"):
        text = body.decode()
        for title, sees in SECRETS.items():
            marker = title.split(":")[0]
            if role not in sees and (title in text or marker in text):
                wrong.append(f"shows “{title}”")
    return wrong


def _case_id(target, role, method) -> str:
    return f"{target.id} {role} {method}"


@pytest.mark.parametrize(("target", "role", "method"), cases())
def test_walk(target, role, method, world, db):
    if isinstance(target, Pattern):
        pytest.fail(f"no rule for the URL pattern {target.name} ({target.route}, kwargs {dict(target.kwargs)})")
    expected = rule_outcome(target, role, method)
    statuses = OUTCOMES[expected]
    today = DISAGREEMENTS.get((target.name, target.label, role, method))
    if today:
        statuses = {today[0]}
    wrong = check(target, role, method, world, expected=expected, statuses=statuses, listed=bool(today))
    assert not wrong, f"{_case_id(target, role, method)} ({url_of(target, world)}): " + "; ".join(wrong)


# --- the table itself -----------------------------------------------------------------------


def test_every_url_pattern_has_a_rule():
    ruled = {t.name for t in TARGETS}
    missing = [f"{p.name} ({p.route})" for p in WALKED if p.name not in ruled]
    assert not missing, "URL patterns without a rule: " + ", ".join(missing)


def test_every_rule_names_a_url_pattern_and_fills_its_kwargs():
    patterns = {p.name: p for p in WALKED}
    wrong = []
    for t in TARGETS:
        p = patterns.get(t.name)
        if p is None:
            wrong.append(f"{t.id}: no such URL pattern")
            continue
        unknown = [k for k, conv in p.kwargs if conv.startswith("?")]
        if unknown:
            wrong.append(f"{t.id}: the walk cannot fill {unknown} ({dict(p.kwargs)})")
        if {k for k, _ in t.kwargs} != {k for k, _ in p.kwargs}:
            wrong.append(f"{t.id}: kwargs {sorted(k for k, _ in t.kwargs)}, the pattern has {dict(p.kwargs)}")
    assert not wrong, "; ".join(wrong)


def test_every_target_gives_every_account_one_answer_per_method():
    for t in TARGETS:
        for table in (t.get, t.post):
            assert set(table) == set(USERS) | {ANON}, t.id
            assert all(o is None or o == "" or o in OUTCOMES for o in table.values()), t.id


def test_the_admin_and_rq_refuse_everyone_but_the_administrator():
    for name in ("admin:index", "django_rq:home"):
        target = next(t for t in TARGETS if t.name == name)
        for role in (*USERS, ANON):
            if role != "admin":
                assert target.get[role] == target.post[role], (name, role)
                assert target.get[role] in ("admin_login", "login"), (name, role)


def test_the_walk_covers_the_urls_and_excludes_only_framework_ones():
    assert {p.name for p in PATTERNS} - {p.name for p in WALKED} <= {
        p.name for p in PATTERNS if re.match(r"^(admin:|django_rq:|set_language$)", p.name)
    }
    namespaces = {p.name.split(":")[0] for p in WALKED if ":" in p.name}
    assert {"decisions", "meetings", "notices", "mailbox", "supervision", "patrols", "branches"} <= namespaces
    assert {"quarterly_report", "calendar", "dashboard", "party_building", "search"} <= namespaces


# --- behind the form: a complete POST by someone who may not act ------------------------------
# The walk's empty POSTs meet some steps that check the state before the right (STATE_FIRST
# above). Here the same people send a complete form: the step itself must refuse them (403) and
# write nothing.


@dataclass(frozen=True)
class Attempt:
    role: str
    name: str
    kwargs: dict = field(default_factory=dict)
    body: dict = field(default_factory=dict)
    query: str = ""
    carries: frozenset[str] = frozenset()  # whose views it may log

    @property
    def id(self) -> str:
        return f"{self.name}-{self.role}"


def _attempts():
    pdf = "file:pdf"
    yield Attempt("secretary", "decisions:attach", {"pk": "item_scheduled"}, {"files": pdf})
    yield Attempt(
        "principal",
        "decisions:act",
        {"pk": "item_consulting", "step": "=consult_answer"},
        {"answer": "agree", "text": "同意"},
        carries=ITEM_SEES["item_consulting"],
    )
    yield Attempt("member1", "meetings:act", {"pk": "meeting_sa", "action": "=present"}, {"person": "user:vice"})
    yield Attempt(
        "affairsoffice",
        "meetings:act",
        {"pk": "meeting_sa", "action": "=emergency"},
        {"item": "item_dept_review", "reason": "情况紧急"},
    )
    live = {"pk": "entry_live"}
    yield Attempt(
        "member1", "meetings:entry_act", {**live, "action": "=recuse"}, {"member": "user:member2", "reason": "回避"}
    )
    yield Attempt(
        "discipline",
        "meetings:entry_act",
        {**live, "action": "=opinion"},
        {"member": "user:member1", "stance": "agree"},
    )
    yield Attempt("discipline", "meetings:entry_act", {**live, "action": "=vote"}, {"choice": "for"})
    minutes = {"pk": "minutes_secret", "action": "=edit"}
    body = {"text": "改写后的纪要", "version": "version:minutes_secret"}
    yield Attempt("member1", "meetings:minutes_act", minutes, body, carries=PC_ATTENDEES)
    # The chair signs the minutes with the others; the meeting secretary writes them.
    yield Attempt("secretary", "meetings:minutes_act", minutes, body, carries=PC_ATTENDEES)
    yield Attempt("teacher", "supervision:report_progress", {"pk": "task_letter"}, {"text": "已推进"})
    yield Attempt(
        "affairsoffice",
        "supervision:review",
        {"pk": "task_reported"},
        {"report": "report_reported", "decision": "accept", "comment": "同意"},
    )
    yield Attempt(
        "secretary",
        "supervision:escalate",
        {"pk": "task_secret"},
        {"reason": "不落实"},
        carries=TASK_SEES["task_secret"],
    )
    task = {
        "track": "performance",
        "title": "落实涉密决议",
        "lead_department": "dept_finance",
        "responsible_leader": "user:vice",
        "deadline": "2099-12-31",
        "m-TOTAL_FORMS": "=0",
        "m-INITIAL_FORMS": "=0",
    }
    # Only those who may read a confidential resolution's item break it down into tasks.
    yield Attempt("affairsoffice", "supervision:new", body=task, query="resolution={resolution_secret}")


def _value(source: str, w: data.World):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from meetings.models import Minutes

    if source == "file:pdf":
        return SimpleUploadedFile("材料.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    if source.startswith("version:"):
        return Minutes.objects.get(pk=w.pk[source.split(":", 1)[1]]).version
    if source.startswith("="):
        return source[1:]
    return w.pk.get(source, source)


@pytest.mark.parametrize(
    "attempt", [a if not isinstance(a, Attempt) else pytest.param(a, id=a.id) for a in _attempts()]
)
def test_a_complete_post_by_someone_who_may_not_act_is_refused_and_writes_nothing(attempt, world, db):
    kwargs = {k: (v[1:] if v.startswith("=") else world.pk[v]) for k, v in attempt.kwargs.items()}
    url = reverse(attempt.name, kwargs=kwargs)
    if attempt.query:
        url += "?" + attempt.query.format(**world.pk)
    probe = Target(attempt.name, "", (), {}, {})
    before = fingerprint(probe, world)
    body = {k: _value(v, world) if isinstance(v, str) else v for k, v in attempt.body.items()}
    response = client_for(attempt.role, world).post(url, body)
    after = fingerprint(probe, world)
    assert response.status_code == 403, f"{attempt.id}: {response.status_code}"
    assert after[:2] == before[:2], f"{attempt.id}: the refused step wrote"
    assert after[2] == before[2] or attempt.role in attempt.carries, f"{attempt.id}: a view logged"


@pytest.mark.parametrize("role", sorted(EVERYONE - ITEM_SEES["item_secret"] - TASK_SEES["task_secret"]))
def test_only_someone_who_sees_an_item_may_follow_it(role, world, db):
    """关注 lets the follower see the item's tasks: an item nobody showed them is 404, and no row."""
    from supervision.models import Follow

    url = reverse("supervision:follow", kwargs={"item_id": world.pk["item_secret"]})
    response = client_for(role, world).post(url, {"follow": "1"})
    assert response.status_code == 404, role
    assert not Follow.objects.filter(item_id=world.pk["item_secret"], person_id=world.pk[f"user:{role}"]).exists()


def test_someone_who_sees_an_item_may_follow_it(world, db):
    from supervision.models import Follow

    url = reverse("supervision:follow", kwargs={"item_id": world.pk["item_secret"]})
    response = client_for("teacher", world).post(url, {"follow": "1"})
    assert response.status_code == 302
    assert Follow.objects.filter(item_id=world.pk["item_secret"], person_id=world.pk["user:teacher"]).exists()
