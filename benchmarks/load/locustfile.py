"""The people of a school on Yishi at once: locust users for the load run (benchmarks/load/run.py).

    LOAD_TARGETS=var/load/targets.json .venv-load/bin/locust -f benchmarks/load/locustfile.py \
        --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:8000 NoticeReader ItemSubmitter ...

The mix, by weight out of 50 users: staff reading notices (18), staff submitting an item (2),
department heads on their review queue (6), the two meeting offices running meetings (6),
school leaders on the dashboards (8), the discipline secretary on the supervision tracks (3),
and search (7). `CeilingUser` (run on its own) requests the floor page, a minimal logged-in page
behind the same middleware and session (benchmarks/floor_urls.py), as fast as it is answered.

Accounts and object ids come from LOAD_TARGETS, a JSON file run.py writes by asking the database
(who heads which department, which meetings have minutes, ...); links within a page (a notice in
the list, an item in the review queue) are taken from the page itself, as a person would click.

Logging in: every account the run needs is logged in once through the real /login/ form (CSRF
token from the form, django-axes counting) when locust starts, before any user is spawned, and
the users of one account share its session, as one person's browser tabs do. A password check
costs PBKDF2's million rounds (half a second of a core or more), so 40 people logging in during the
measured minute would measure the log-in burst, not the pages; the log-ins are timed on their
own (LOAD_LOGINS_OUT). A failed log-in stops the run at once: django-axes locks an account out
after a few failures, and retrying would only lock it.

Every page is requested without following redirects and must answer 200 (a form post 302): a
redirect to /login/ or any 4xx/5xx counts as a failure. After each HTML page the user also asks
for what htmx loads on it (the unread-notices badge in the navigation, the tasks slot on an item
page), as a browser does. Static files are left out: whitenoise serves them with far-future
cache headers, so a returning browser does not ask again. Think time between pages: LOAD_THINK
("min,max" seconds, default 0.5,1.5); the ceiling has none.
"""

import http.cookiejar
import itertools
import json
import math
import os
import random
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import gevent
from gevent.pool import Pool
from locust import FastHttpUser, between, constant, events, task
from locust.contrib.fasthttp import FastHttpSession
from locust.event import EventHook

TARGETS_PATH = os.environ.get("LOAD_TARGETS", "")
TARGETS = json.loads(Path(TARGETS_PATH).read_text()) if TARGETS_PATH else {}
PASSWORD = TARGETS.get("password", "yishi2026")
THINK = tuple(float(x) for x in os.environ.get("LOAD_THINK", "0.5,1.5").split(","))
LOGIN_CONCURRENCY = int(os.environ.get("LOAD_LOGIN_CONCURRENCY", "4"))

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NOTICE_LINK = re.compile(r'<a class="([^"]*)" href="/notices/(\d+)/"')
ITEM_LINK = re.compile(r'href="/items/(\d+)/"')
# The meeting body a new item asks for: 校长办公会 takes a work report (汇报) in its default scope.
BODY_OPTION = re.compile(r'<option value="(\d+)"[^>]*>校长办公会</option>')

# account -> the cookies of its logged-in session, filled before the first user starts.
SESSIONS: dict[str, list] = {}
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class LoopbackCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Send Secure cookies to loopback over plain HTTP, as browsers do (http://127.0.0.1 is a
    secure context to them). With DEBUG off Yishi marks its session and CSRF cookies Secure, and
    the load run has no TLS on loopback; the standard cookie jar would keep them to itself."""

    def return_ok_secure(self, cookie, request):
        return urlsplit(request.get_full_url()).hostname in LOOPBACK or super().return_ok_secure(cookie, request)


def _pool(name: str) -> list[str]:
    accounts = TARGETS.get("accounts", {}).get(name, [])
    if not accounts:
        raise RuntimeError(f"LOAD_TARGETS has no accounts for {name!r}: run benchmarks/load/run.py, which writes it")
    return accounts


class YishiUser(FastHttpUser):
    """A logged-in person: takes the next account of its class's pool and that account's session."""

    abstract = True
    wait_time = between(*THINK)
    pool_name = ""
    _counters: dict[str, itertools.count] = {}

    @classmethod
    def accounts(cls) -> list[str]:
        return _pool(cls.pool_name)

    def on_start(self):
        counter = YishiUser._counters.setdefault(type(self).__name__, itertools.count())
        accounts = self.accounts()
        self.account = accounts[next(counter) % len(accounts)]
        self.client.cookiejar.set_policy(LoopbackCookiePolicy())
        for cookie in SESSIONS[self.account]:
            self.client.cookiejar.set_cookie(cookie)

    def page(self, url: str, name: str, *, slots=()) -> str:
        """GET an HTML page (and what htmx then loads on it); its text, or "" if it failed."""
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                where = response.headers.get("Location", "") if response.headers else ""
                response.failure(f"HTTP {response.status_code} {where}".strip())
                return ""
            text = response.text or ""
        for slot_url, slot_name in (("/notices/unread/", "htmx unread badge"), *slots):
            self.fragment(slot_url, slot_name)
        return text

    def fragment(self, url: str, name: str) -> None:
        with self.client.get(
            url, name=name, allow_redirects=False, catch_response=True, headers={"HX-Request": "true"}
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    def item_page(self, pk: int, name: str = "item page") -> None:
        self.page(f"/items/{pk}/", name, slots=((f"/supervision/item/{pk}/", "htmx item tasks"),))


class NoticeReader(YishiUser):
    """A member of staff opens 通报， reads what is new (opening it records the read receipt)."""

    weight = 18
    pool_name = "readers"

    def on_start(self):
        super().on_start()
        self.notices: list[tuple[bool, int]] = []

    @task(3)
    def notice_list(self):
        text = self.page("/notices/", "notice list")
        self.notices = [("fw-bold" in cls, int(pk)) for cls, pk in NOTICE_LINK.findall(text)]

    @task(4)
    def notice_page(self):
        if not self.notices:
            return self.notice_list()
        unread = [pk for bold, pk in self.notices if bold]
        pk = unread[0] if unread and random.random() < 0.8 else random.choice(self.notices)[1]
        self.notices = [(False if p == pk else bold, p) for bold, p in self.notices]
        self.page(f"/notices/{pk}/", "notice page")

    @task(2)
    def home(self):
        self.page("/", "home (staff)")

    @task(1)
    def my_items(self):
        self.page("/items/mine/", "my items")


class ItemSubmitter(YishiUser):
    """A member of staff writes an agenda item and submits it to the department head: new rows."""

    weight = 2
    pool_name = "submitters"
    wait_time = between(THINK[0] * 2, THINK[1] * 3)

    @task
    def submit_item(self):
        text = self.page("/items/new/", "new item form")
        if not text:
            return
        token, body = CSRF_INPUT.search(text), BODY_OPTION.search(text)
        if not (token and body):
            self.environment.events.request.fire(
                request_type="GET",
                name="new item form",
                response_time=0,
                response_length=0,
                exception=RuntimeError("the form has no CSRF token or no 校长办公会 option"),
            )
            return
        stamp = time.strftime("%m%d%H%M%S")
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "title": f"关于{random.choice(TARGETS.get('subjects', ['实训基地建设']))}工作情况的汇报（压测{stamp}）",
            "requested_body": body.group(1),
            "category": "report",
            "major_kind": "",
            "amount": "",
            "background": "根据学校年度工作安排，现将有关工作情况汇报如下。",
            "proposal": "建议校长办公会听取汇报，并对下一步工作提出意见。",
            "submit": "",
        }
        with self.client.post(
            "/items/new/", data=form, name="new item POST", allow_redirects=False, catch_response=True
        ) as response:
            where = (response.headers.get("Location", "") if response.headers else "") or ""
            created = re.fullmatch(r"/items/(\d+)/", where)
            if response.status_code != 302 or not created:
                response.failure(f"HTTP {response.status_code} {where}: the item was not created".strip())
                return
        self.item_page(int(created.group(1)), "item page (new)")

    @task
    def my_items(self):
        self.page("/items/mine/", "my items")


class DeptHead(YishiUser):
    """A department head works down the review queue （部门审核） and reads the items in it."""

    weight = 6
    pool_name = "heads"

    def on_start(self):
        super().on_start()
        self.queue: list[int] = []

    @task(4)
    def review_queue(self):
        self.queue = [int(pk) for pk in ITEM_LINK.findall(self.page("/items/review/", "review queue"))]

    @task(3)
    def queued_item(self):
        if not self.queue:
            return self.review_queue()
        self.item_page(random.choice(self.queue))

    @task(2)
    def home(self):
        self.page("/", "home (head)")

    @task(1)
    def all_items(self):
        self.page("/items/", "items all")


class MeetingSecretary(YishiUser):
    """The party office （党委会） and the school affairs office （校务办： the other meetings） on
    their meetings: the meeting page with its agenda and attendance, an agenda entry, the minutes."""

    weight = 6
    pool_name = "secretaries"

    def on_start(self):
        super().on_start()
        self.meetings = TARGETS["meetings"][self.account]

    @task(1)
    def meeting_list(self):
        self.page("/meetings/", "meeting list")

    @task(3)
    def meeting_page(self):
        self.page(f"/meetings/{random.choice(self.meetings)['meeting']}/", "meeting page")

    @task(2)
    def agenda_entry(self):
        meeting = random.choice(self.meetings)
        self.page(f"/meetings/entries/{random.choice(meeting['entries'])}/", "agenda entry")

    @task(2)
    def minutes_page(self):
        self.page(f"/meetings/minutes/{random.choice(self.meetings)['minutes']}/", "minutes page")

    @task(1)
    def home(self):
        self.page("/", "home (office)")


class Leader(YishiUser):
    """A school leader on the one screen: their own page, the school's figures, an item."""

    weight = 8
    pool_name = "leaders"

    @task(3)
    def home(self):
        self.page("/", "home (leader)")

    @task(3)
    def leaders_dashboard(self):
        self.page("/dashboard/leaders/", "leaders dashboard")

    @task(1)
    def dashboard_quarter(self):
        self.page(f"/dashboard/leaders/?{random.choice(TARGETS['dashboard_periods'])}", "leaders dashboard (period)")

    @task(2)
    def item(self):
        self.item_page(random.choice(TARGETS["items"]))

    @task(1)
    def all_items(self):
        self.page("/items/", "items all")


class Discipline(YishiUser):
    """The discipline secretary （纪委） on the four supervision tracks, a task, the quarterly report."""

    weight = 3
    pool_name = "discipline"

    @task(4)
    def task_track(self):
        self.page("/supervision/track/task/", "track task")

    @task(1)
    def task_track_overdue(self):
        self.page("/supervision/track/task/?overdue=1", "track task (overdue)")

    @task(2)
    def other_track(self):
        track = random.choice(["performance", "project", "branch"])
        self.page(f"/supervision/track/{track}/", f"track {track}")

    @task(2)
    def task_page(self):
        self.page(f"/supervision/tasks/{random.choice(TARGETS['tasks'])}/", "task page")

    @task(1)
    def report(self):
        self.page("/reports/supervision/", "supervision report")

    @task(1)
    def home(self):
        self.page("/", "home (discipline)")


class Searcher(YishiUser):
    """Anyone looking something up: a word or two from the school's subjects, sometimes a tab."""

    weight = 7
    pool_name = "searchers"

    @task(4)
    def search(self):
        self.page(f"/search/?q={random.choice(TARGETS['search_words'])}", "search")

    @task(1)
    def search_tab(self):
        kind = random.choice(["item", "resolution", "minutes", "notice"])
        self.page(f"/search/?q={random.choice(TARGETS['search_words'])}&kind={kind}", "search (tab)")


class CeilingUser(YishiUser):
    """The ceiling: the floor page (a tiny template behind the full middleware and a session),
    with no think time and no htmx follow-ups."""

    pool_name = "ceiling"
    wait_time = constant(0)

    @task
    def floor(self):
        with self.client.get("/__bench__/floor/", name="floor", allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")


def _login(host: str, username: str) -> tuple[str, float, list]:
    """Log in through the form as a browser does: GET for the CSRF token, POST the credentials."""
    session = FastHttpSession(
        base_url=host, request_event=EventHook(), user=None, connection_timeout=60.0, network_timeout=60.0
    )
    session.cookiejar.set_policy(LoopbackCookiePolicy())
    began = time.perf_counter()
    form = session.get("/login/", allow_redirects=False)
    token = CSRF_INPUT.search(form.text or "") if form.status_code == 200 else None
    if not token:
        raise RuntimeError(f"GET /login/ answered {form.status_code} without a CSRF token ({form.error or 'no form'})")
    response = session.post(
        "/login/",
        data={"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD, "next": "/"},
        allow_redirects=False,
    )
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 302 or not any(c.name == "sessionid" for c in session.cookiejar):
        problem = response.error or "wrong password, CSRF refused or locked out"
        raise RuntimeError(f"log-in as {username} failed: HTTP {response.status_code} ({problem})")
    return username, elapsed, list(session.cookiejar)


@events.init.add_listener
def log_in_everyone(environment, **_kwargs):
    """Before any user spawns: one session per account the selected user classes will use."""
    options = environment.parsed_options
    if options is None or getattr(options, "worker", False):
        return
    classes = environment.user_classes
    users = options.num_users or 1
    total = sum(c.weight for c in classes) or 1
    wanted = []
    for cls in classes:
        expected = users if len(classes) == 1 else math.ceil(users * cls.weight / total)
        wanted.extend(cls.accounts()[:expected])
    wanted = list(dict.fromkeys(wanted))
    began = time.perf_counter()
    pool = Pool(LOGIN_CONCURRENCY)
    jobs = [pool.spawn(_login, environment.host, account) for account in wanted]
    gevent.joinall(jobs)
    failed = [job.exception for job in jobs if job.exception]
    if failed:
        environment.process_exit_code = 2
        raise SystemExit(f"log-in failed, the run stops before it starts: {failed[0]}")
    times = []
    for job in jobs:
        username, elapsed, cookies = job.value
        SESSIONS[username] = cookies
        times.append(elapsed)
    times.sort()
    summary = {
        "accounts": len(times),
        "concurrency": LOGIN_CONCURRENCY,
        "seconds": round(time.perf_counter() - began, 1),
        "median_ms": round(times[len(times) // 2]),
        "max_ms": round(times[-1]),
    }
    print(f"logged in {summary['accounts']} accounts in {summary['seconds']} s", flush=True)
    if os.environ.get("LOAD_LOGINS_OUT"):
        Path(os.environ["LOAD_LOGINS_OUT"]).write_text(json.dumps(summary))
