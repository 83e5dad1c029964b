"""PostgreSQL restarts while Yishi is serving: the web workers recover without being restarted.

    .venv/bin/python tests/faults/pg_restart.py                     # CI: must exit 0
    .venv/bin/python tests/faults/pg_restart.py --health-checks off # control: shows the failures

What it does, against the real PostgreSQL on 127.0.0.1:5432:

1. (Re)creates the scratch database yishi_fault_pg, migrates it and loads the demo school.
2. Starts gunicorn (config.wsgi, 2 sync workers, a free loopback port, options on the command line
   only) with production settings: DEBUG=0, a random SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, the
   default DB_CONN_MAX_AGE (persistent connections), no REDIS_URL or REDIS_CACHE_URL (jobs run in
   process, sessions in the database). Requests carry X-Forwarded-Proto: https and an Origin
   header, as nginx in front of it would, so the secure cookies and the CSRF check are the
   production ones.
3. Logs in as `secretary` through /login/ and fetches the home page, the item list, the meeting list,
   a meeting and the notice list: all 200, and both workers now hold a database connection.
4. Restarts the PostgreSQL cluster (pg_ctlcluster … restart) with one request in flight, and waits
   for pg_isready. The in-flight request may fail; nothing else may.
5. Fetches the same pages again: every request after pg_isready must answer 200. Then saves a draft
   agenda item (POST /items/new/) and checks the row is in the database and its page answers 200.
6. Prints the phases, the outcomes and the timings; stops gunicorn, makes sure PostgreSQL is running
   and drops the scratch database, whatever happened.

Why it works: the workers' pooled connections (CONN_MAX_AGE) die with the server; Django's
CONN_HEALTH_CHECKS (config/settings.py) tests a pooled connection before the first query of each
request and reconnects if it is dead. `--health-checks off` runs the same scenario with only that
flag turned off (a settings module that imports config.settings and changes that one value); it
exits 0 when requests after pg_isready do fail, which shows the flag is what makes the default run
pass.

Restarting the cluster drops every other connection to it (other test runs on the same server).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
DB_NAME = "yishi_fault_pg"
ADMIN_DSN = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/postgres"
DATABASE_URL = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}"
USERNAME, PASSWORD = "secretary", "yishi2026"
WORKERS = 2
ROUNDS = 3  # each page this many times per phase, four requests at a time
PARALLEL = 4
READY_TIMEOUT = 60.0


class Failure(Exception):
    """The run did not show what it should; the message says what went wrong."""


# --- small helpers -----------------------------------------------------------------


def log(message: str) -> None:
    print(f"[pg_restart] {message}", flush=True)


def venv_bin(name: str) -> str:
    for candidate in (Path(sys.executable).parent / name, ROOT / ".venv" / "bin" / name):
        if candidate.exists():
            return str(candidate)
    raise Failure(f"{name} not found beside {sys.executable} or in .venv/bin: run `make setup` first")


def run(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 300) -> str:
    result = subprocess.run(  # noqa: S603 - fixed argument lists, no shell
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-20:]
        raise Failure(f"`{' '.join(cmd)}` exited {result.returncode}:\n  " + "\n  ".join(tail))
    return result.stdout


def pg_cluster() -> tuple[str, str]:
    """The local cluster, as .ci/run finds it: the version under /etc/postgresql, cluster `main`."""
    base = Path("/etc/postgresql")
    versions = sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []
    if not versions:
        raise Failure("no PostgreSQL cluster under /etc/postgresql (pg_ctlcluster is needed to restart it)")
    return versions[-1], "main"


def pg_ready() -> bool:
    result = subprocess.run(  # noqa: S603
        ["pg_isready", "-q", "-h", PG_HOST, "-p", str(PG_PORT)],  # noqa: S607 - the client on PATH
        check=False,
        timeout=10,
    )
    return result.returncode == 0


def wait_pg_ready(timeout: float = READY_TIMEOUT) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if pg_ready():
            return time.monotonic() - start
        time.sleep(0.1)
    raise Failure(f"PostgreSQL not ready (pg_isready) after {timeout:.0f} s")


def admin_execute(sql: str) -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql)


def db_query(sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}", connect_timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


def worker_backends() -> int:
    """Server processes connected to the scratch database: the gunicorn workers' pooled connections."""
    with psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=10) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (DB_NAME,)).fetchone()
    return int(row[0])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- HTTP, as a browser behind nginx would send it ------------------------------------


@dataclass
class Outcome:
    phase: str
    method: str
    path: str
    status: int | None
    ms: float
    started: float  # time.monotonic() when sent
    error: str = ""
    location: str = ""

    @property
    def ok(self) -> bool:
        # A page answers 200; a form that saved redirects (302).
        return self.status == (302 if self.method == "POST" else 200)


@dataclass
class Browser:
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def request(self, phase: str, method: str, path: str, form: dict[str, str] | None = None) -> tuple[Outcome, str]:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            # nginx terminates TLS and says so (SECURE_PROXY_SSL_HEADER): the Secure cookies and
            # HTTPS CSRF checks apply, and SECURE_SSL_REDIRECT does not bounce the request.
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.7",
            "User-Agent": "yishi-fault-pg-restart",
        }
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        started = time.monotonic()
        conn = HTTPConnection("127.0.0.1", self.port, timeout=30)
        text = ""
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            with self.lock:
                for raw in response.headers.get_all("Set-Cookie") or []:
                    jar = SimpleCookie()
                    jar.load(raw)
                    for name, morsel in jar.items():
                        self.cookies[name] = morsel.value
            outcome = Outcome(
                phase,
                method,
                path,
                response.status,
                (time.monotonic() - started) * 1000,
                started,
                location=response.headers.get("Location", ""),
            )
        except OSError as exc:
            outcome = Outcome(
                phase, method, path, None, (time.monotonic() - started) * 1000, started, error=type(exc).__name__
            )
        finally:
            conn.close()
        with self.lock:
            self.outcomes.append(outcome)
        return outcome, text

    def csrf_token(self, phase: str, path: str) -> str:
        outcome, text = self.request(phase, "GET", path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        if outcome.status != 200 or not match:
            raise Failure(f"GET {path} gave {outcome.status or outcome.error} and no CSRF token")
        return match.group(1)

    def login(self) -> None:
        token = self.csrf_token("login", "/login/")
        outcome, _ = self.request(
            "login", "POST", "/login/", {"csrfmiddlewaretoken": token, "username": USERNAME, "password": PASSWORD}
        )
        if outcome.status != 302 or "sessionid" not in self.cookies:
            raise Failure(f"login as {USERNAME} gave {outcome.status or outcome.error}, expected 302 and a session")

    def burst(self, phase: str, paths: list[str], rounds: int = ROUNDS) -> list[Outcome]:
        """Every path `rounds` times, PARALLEL requests at a time, so that both workers take some."""
        queue = [p for _ in range(rounds) for p in paths]
        done: list[Outcome] = []
        done_lock = threading.Lock()

        def worker() -> None:
            while True:
                with done_lock:
                    if not queue:
                        return
                    path = queue.pop(0)
                outcome, _ = self.request(phase, "GET", path)
                with done_lock:
                    done.append(outcome)

        threads = [threading.Thread(target=worker) for _ in range(PARALLEL)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return done


# --- the run ---------------------------------------------------------------------------


@dataclass
class Run:
    health_checks: bool
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="yishi_fault_pg_")))
    gunicorn: subprocess.Popen | None = None
    gunicorn_log: Path | None = None
    notes: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"GUNICORN_CMD_ARGS", "TEST_DATABASE_NAME", "DB_CONN_MAX_AGE", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(
            DATABASE_URL=DATABASE_URL,
            REDIS_URL="",
            REDIS_CACHE_URL="",
            DEBUG="0",
            SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS="127.0.0.1",
            PRIVATE_MEDIA_ROOT=str(self.tmp / "private"),
            LOG_LEVEL="WARNING",
            DJANGO_SETTINGS_MODULE="yishi_fault_settings",
            PYTHONPATH=os.pathsep.join([str(self.tmp), str(ROOT)]),
        )
        return env

    def write_settings(self) -> None:
        # config.settings as production runs it; static files collected into the scratch directory
        # (DEBUG=0 needs whitenoise's manifest), and for the control run no health checks.
        lines = [
            "from config.settings import *  # noqa: F403",
            f"STATIC_ROOT = {str(self.tmp / 'static')!r}",
        ]
        if not self.health_checks:
            lines.append('DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405')
        (self.tmp / "yishi_fault_settings.py").write_text("\n".join(lines) + "\n")
        # Only the options given on the command line: no gunicorn.conf.py is read.
        (self.tmp / "gunicorn_empty.conf.py").write_text("")

    def setup_database(self) -> None:
        admin_execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin_execute(f'CREATE DATABASE "{DB_NAME}"')
        python = sys.executable
        env = self.env()
        run([python, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        run([python, "manage.py", "seed_demo"], env)
        run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
        probe = (
            "import django, json; django.setup(); from django.conf import settings as s; "
            "d = s.DATABASES['default']; "
            "print(json.dumps({'ENGINE': d['ENGINE'], 'NAME': d['NAME'], 'CONN_MAX_AGE': d['CONN_MAX_AGE'], "
            "'CONN_HEALTH_CHECKS': d.get('CONN_HEALTH_CHECKS', False), 'DEBUG': s.DEBUG}))"
        )
        effective = json.loads(run([python, "-c", probe], env).strip().splitlines()[-1])
        if effective["NAME"] != DB_NAME or effective["DEBUG"]:
            raise Failure(f"settings are not the scratch production ones: {effective}")
        if effective["CONN_HEALTH_CHECKS"] != self.health_checks:
            raise Failure(f"CONN_HEALTH_CHECKS is {effective['CONN_HEALTH_CHECKS']}, expected {self.health_checks}")
        self.notes.append(
            f"settings: DEBUG={effective['DEBUG']} CONN_MAX_AGE={effective['CONN_MAX_AGE']} "
            f"CONN_HEALTH_CHECKS={effective['CONN_HEALTH_CHECKS']}"
        )

    def start_gunicorn(self, port: int) -> None:
        self.gunicorn_log = self.tmp / "gunicorn.log"
        cmd = [
            venv_bin("gunicorn"),
            "config.wsgi",
            "--config",
            str(self.tmp / "gunicorn_empty.conf.py"),
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
            "--access-logfile",
            "-",
            "--error-logfile",
            "-",
            # gunicorn 27 opens a control socket at ~/.gunicorn/gunicorn.ctl by default, one path per
            # user: another gunicorn on this machine would lose its socket to this one.
            "--no-control-socket",
        ]
        with open(self.gunicorn_log, "wb") as out:
            self.gunicorn = subprocess.Popen(  # noqa: S603
                cmd, cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None:
                raise Failure(f"gunicorn exited {self.gunicorn.returncode} at start")
            try:
                conn = HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/login/", headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"})
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise Failure("gunicorn did not answer /login/ with 200 within 30 s")

    def stop_gunicorn(self) -> None:
        proc = self.gunicorn
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()  # the master stops its workers
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: the master and its workers only
            proc.wait(timeout=10)

    def gunicorn_tail(self, lines: int = 30) -> str:
        if not self.gunicorn_log or not self.gunicorn_log.exists():
            return ""
        return "\n".join(self.gunicorn_log.read_text(errors="replace").splitlines()[-lines:])

    def cleanup(self) -> None:
        steps = [
            ("stop gunicorn", self.stop_gunicorn),
            ("PostgreSQL running", ensure_pg_running),
            ("drop the scratch database", lambda: admin_execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')),
            ("remove the scratch directory", lambda: shutil.rmtree(self.tmp, ignore_errors=True)),
        ]
        for name, step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - every cleanup step is tried
                log(f"cleanup: {name} failed: {exc}")

    # -- the scenario --

    def scenario(self) -> tuple[list[Outcome], dict[str, float]]:
        self.write_settings()
        log(f"scratch database {DB_NAME}: create, migrate, seed_demo, collectstatic")
        self.setup_database()
        meeting_id = db_query("SELECT min(id) FROM meetings_meeting")[0][0]
        scope = db_query("SELECT body_id, category FROM decisions_scoperule ORDER BY id LIMIT 1")
        if meeting_id is None or not scope:
            raise Failure("the demo school has no meeting or no scope rule")
        body_id, category = scope[0]
        pages = ["/", "/items/", "/meetings/", f"/meetings/{meeting_id}/", "/notices/"]

        port = free_port()
        log(f"gunicorn config.wsgi, {WORKERS} workers, 127.0.0.1:{port}")
        self.start_gunicorn(port)
        browser = Browser(port)
        browser.login()

        before = browser.burst("before", pages)
        bad = [o for o in before if not o.ok]
        if bad:
            raise Failure(f"before the restart: {len(bad)} of {len(before)} requests not 200: {describe(bad)}")
        held = worker_backends()
        self.notes.append(f"database connections held by the workers before the restart: {held}")
        if held < WORKERS:
            self.notes.append(
                "  (fewer than one per worker: a worker without a pooled connection cannot show the fault)"
            )

        version, cluster = pg_cluster()
        timings: dict[str, float] = {}
        log(f"restarting PostgreSQL {version}/{cluster} with one request in flight")
        in_flight = threading.Thread(target=lambda: (time.sleep(0.05), browser.request("restart", "GET", "/")))
        restart_started = time.monotonic()
        in_flight.start()
        run(["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart"], timeout=120)
        timings["pg_ctlcluster restart (s)"] = time.monotonic() - restart_started
        wait_pg_ready()
        ready_at = time.monotonic()
        timings["restart → pg_isready (s)"] = ready_at - restart_started
        in_flight.join(timeout=40)

        after = browser.burst("after", pages)
        first_ok = min((o.started + o.ms / 1000 for o in after if o.status == 200), default=None)
        if first_ok is not None:
            timings["pg_isready → first 200 (ms)"] = (first_ok - ready_at) * 1000

        title = f"故障演练：数据库重启后保存草稿 {secrets.token_hex(4)}"
        token = browser.csrf_token("write", "/items/new/")
        saved, _ = browser.request(
            "write",
            "POST",
            "/items/new/",
            {
                "csrfmiddlewaretoken": token,
                "title": title,
                "requested_body": str(body_id),
                "category": category,
                "major_kind": "",
                "amount": "",
                "background": "数据库重启后，系统应能继续保存议题草稿。",
                "proposal": "保存为草稿，不提交。",
            },
        )
        item_path = urllib.parse.urlsplit(saved.location).path if saved.status == 302 else ""
        if item_path:
            browser.request("write", "GET", item_path)
        rows = db_query("SELECT id, state FROM decisions_agendaitem WHERE title = %s", (title,))
        audit = db_query(
            "SELECT count(*) FROM core_auditevent"
            " WHERE target_type = 'decisions.agendaitem' AND verb = 'item.create' AND target_id = %s",
            (rows[0][0],) if rows else (0,),
        )[0][0]
        self.notes.append(
            f"draft saved after the restart: POST → {saved.status or saved.error} {item_path}; "
            f"rows with its title: {len(rows)} ({rows[0][1] if rows else '-'}), its item.create audit events: {audit}"
        )
        self.notes.append(f"database connections held by the workers after the restart: {worker_backends()}")
        if (
            len(rows) != 1
            or rows[0][1] != "draft"
            or audit != 1
            or not re.fullmatch(rf"/items/{rows[0][0]}/", item_path)
        ):
            raise Failure(f"the draft written after the restart is not in the database as expected: {rows}")
        for line in self.server_errors():
            self.notes.append(f"server error logged: {line}")
        timings["ready_at"] = ready_at
        return browser.outcomes, timings

    def server_errors(self) -> list[str]:
        """The distinct exception lines of the workers' log (Django logs a 500's traceback there)."""
        if not self.gunicorn_log or not self.gunicorn_log.exists():
            return []
        found: list[str] = []
        for line in self.gunicorn_log.read_text(errors="replace").splitlines():
            if re.match(r"^[\w.]+(Error|Exception): ", line) and line[:160] not in found:
                found.append(line[:160])
        return found[:5]


def ensure_pg_running() -> None:
    if pg_ready():
        return
    version, cluster = pg_cluster()
    log(f"PostgreSQL is not answering: starting {version}/{cluster}")
    subprocess.run(  # noqa: S603
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "start"],  # noqa: S607
        check=False,
        timeout=120,
    )
    wait_pg_ready()


def describe(outcomes: list[Outcome]) -> str:
    return ", ".join(f"{o.method} {o.path} → {o.status or o.error}" for o in outcomes[:8])


def print_table(outcomes: list[Outcome], timings: dict[str, float], notes: list[str]) -> None:
    ready_at = timings.get("ready_at")
    print()
    print(f"{'phase':<10} {'requests':>8} {'ok':>4} {'failed':>6} {'median ms':>10} {'max ms':>8}  statuses")
    for phase in ["login", "before", "restart", "after", "write"]:
        rows = [o for o in outcomes if o.phase == phase]
        if not rows:
            continue
        ok = [o for o in rows if o.ok]
        statuses: dict[str, int] = {}
        for o in rows:
            key = str(o.status or o.error)
            statuses[key] = statuses.get(key, 0) + 1
        ms = [o.ms for o in rows]
        print(
            f"{phase:<10} {len(rows):>8} {len(ok):>4} {len(rows) - len(ok):>6} {statistics.median(ms):>10.1f} "
            f"{max(ms):>8.1f}  {', '.join(f'{k}×{v}' for k, v in sorted(statuses.items()))}"
        )
    print()
    for name, value in timings.items():
        if name != "ready_at":
            print(f"  {name}: {value:.2f}")
    for note in notes:
        print(f"  {note}")
    if ready_at is not None:
        late = [o for o in outcomes if o.phase in ("after", "write") and not o.ok]
        print(f"  requests sent after pg_isready that failed: {len(late)}" + (f" ({describe(late)})" if late else ""))
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--health-checks",
        choices=["on", "off"],
        default="on",
        help="on (default): config.settings as it is; off: the control run with CONN_HEALTH_CHECKS=False",
    )
    args = parser.parse_args()
    health_checks = args.health_checks == "on"

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    if not pg_ready():
        print("[pg_restart] FAIL: PostgreSQL is not answering on 127.0.0.1:5432", file=sys.stderr)
        return 2

    run_ = Run(health_checks=health_checks)
    outcomes: list[Outcome] = []
    timings: dict[str, float] = {}
    try:
        outcomes, timings = run_.scenario()
    except Exception as exc:  # noqa: BLE001 - any error ends the run with its message and the server log
        tail = run_.gunicorn_tail()
        detail = str(exc) if isinstance(exc, Failure) else f"{type(exc).__name__}: {exc}"
        print(f"[pg_restart] FAIL: {detail}", file=sys.stderr)
        if tail:
            print(f"--- gunicorn log (last lines) ---\n{tail}", file=sys.stderr)
        return 1
    finally:
        run_.cleanup()

    print_table(outcomes, timings, run_.notes)
    after = [o for o in outcomes if o.phase in ("after", "write")]
    failed_after = [o for o in after if not o.ok]
    in_flight = [o for o in outcomes if o.phase == "restart"]
    if health_checks:
        if failed_after:
            print(
                f"[pg_restart] FAIL: {len(failed_after)} of {len(after)} requests after pg_isready did not succeed: "
                f"{describe(failed_after)}",
                file=sys.stderr,
            )
            return 1
        print(
            f"[pg_restart] OK: all {len(after)} requests after the restart succeeded "
            f"(in flight during it: {describe(in_flight) or 'none'})"
        )
        return 0
    if failed_after:
        print(
            f"[pg_restart] OK (control): without CONN_HEALTH_CHECKS, {len(failed_after)} of {len(after)} requests "
            f"after pg_isready failed ({describe(failed_after)})"
        )
        return 0
    print(
        "[pg_restart] FAIL (control): with CONN_HEALTH_CHECKS off every request still succeeded, "
        "so the default run does not show that the health checks matter",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
