"""The load run: Yishi under gunicorn on PostgreSQL and Redis, 50 people at once, beside a ceiling.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yishi REDIS_URL=redis://127.0.0.1:6379/11 \
        .venv/bin/python benchmarks/load/run.py --factor 1 --out var/load.json      (or: make load)

1. The data. A school of --factor × a large vocational college (seed_scale), built once into
   yishi_load_seed_f<factor> by benchmarks/bench.py's ensure_database (same marker COMMENT, so it
   is reused until the factor or seed changes), then copied for each run into yishi_load_f<factor>
   (CREATE DATABASE … TEMPLATE: seconds), because the run writes (read receipts, new items,
   sessions, django-axes logs) and every run should start from the same rows. The bench's own
   databases are never touched.
2. The server, as in production: DEBUG=0, a random SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, on a free
   loopback port, `collectstatic` first when static/ changed; config/gunicorn.conf.py with the
   access log off (the error log, Django's tracebacks included, goes to var/load/gunicorn.log).
   SECURE_SSL_REDIRECT=0: there is no TLS on loopback; cookies stay Secure, and the load
   generator sends them over loopback as a browser does for localhost. An RQ worker beside it
   runs the jobs the pages enqueue (notifications, search indexing) on REDIS_URL, which must be
   a Redis database of this run's own (its job queue is emptied first; cache keys get a prefix
   of the run's own). The settings are benchmarks.load.settings: the same settings with the
   floor page added for the ceiling and static files collected under var/load/. They are
   printed (DEBUG, template loaders, CONN_MAX_AGE, …); --debug, --no-cached-loader and
   --conn-max-age 0 each take one production setting away, for comparison.
3. The mix: locust (from .venv-load, headless, loopback only) with benchmarks/load/locustfile.py,
   first for --warmup seconds, not counted (a server that has run for a while has compiled its
   templates and opened its connections in every process), then --users for --time at
   --spawn-rate, think time LOAD_THINK. Then the ceiling on the same gunicorn: the floor page,
   --users for --ceiling-time, no think time.
4. The table: per request type and for the whole mix, requests/s, p50/p95/p99 ms and failures;
   the ceiling's requests/s and mix ÷ ceiling; the targets (no errors, p95 ≤ 300 ms,
   p99 ≤ 600 ms, mix ≥ 10 % of the ceiling) with pass/miss; the CPU seconds gunicorn, PostgreSQL,
   the RQ worker, locust and other processes used in each phase; rows the run created; errors
   found in the gunicorn log.
   Everything is saved as JSON (--out).
"""

import argparse
import csv
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks import bench  # noqa: E402 (the repository root is on the path only now)

PY = sys.executable
VAR = ROOT / "var" / "load"
LOCUST = ROOT / ".venv-load" / "bin" / "locust"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
MIX = ["NoticeReader", "ItemSubmitter", "DeptHead", "MeetingSecretary", "Leader", "Discipline", "Searcher"]
GOALS = {"errors": 0, "p95_ms": 300, "p99_ms": 600, "ratio": 0.10}
# Words people look up: each occurs in the generated items' subjects (demo.scale.SUBJECTS).
SEARCH_WORDS = [
    "实习",
    "实训",
    "采购",
    "预算",
    "教师",
    "招生",
    "宿舍",
    "课程思政",
    "产教融合",
    "技能大赛",
    "图书馆",
    "干部",
]
# How many accounts of each kind the mix logs in (50 users: one person per user, where the data
# has as many; the leaders, the two offices and the discipline secretary are the demo accounts).
POOLS = {"readers": 18, "searchers": 7, "heads": 6, "submitters": 2, "ceiling": 5}
TICK = os.sysconf("SC_CLK_TCK")


def tag(factor: float) -> str:
    return f"f{factor:g}".replace(".", "_")


# --- the data ---------------------------------------------------------------------------------
def prepare_database(base: str, factor: float, seed: int, prefix: str = "yishi_load") -> tuple[str, dict]:
    """A fresh copy of the seeded school for this run; (its URL, how the seed was obtained)."""
    seed_name, work = f"{prefix}_seed_{tag(factor)}", f"{prefix}_{tag(factor)}"
    seeding = bench.ensure_database(base, seed_name, factor, seed)
    began = time.perf_counter()
    bench.psql(base, f'DROP DATABASE IF EXISTS "{work}" WITH (FORCE)')
    bench.psql(base, f'CREATE DATABASE "{work}" TEMPLATE "{seed_name}"')
    seeding["copy_seconds"] = round(time.perf_counter() - began, 1)
    print(f"{work}: copied from {seed_name} in {seeding['copy_seconds']} s", flush=True)
    return bench.db_url(base, work), {"seed_database": seed_name, "database": work, **seeding}


def write_targets(out: Path) -> None:
    """Child mode (DATABASE_URL is the run's copy): the accounts and object ids the users need."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db.models import Count, Exists, OuterRef, Q

    from core.models import AuditEvent
    from decisions.models import AgendaItem
    from demo.people import PASSWORD
    from demo.scale import SUBJECTS
    from meetings.models import AgendaEntry, Meeting, Minutes
    from notices.models import NoticeRecipient
    from org.models import Role, RoleAssignment, User
    from supervision.models import Task

    head_of = dict(
        RoleAssignment.objects.filter(role=Role.DEPT_HEAD, user__is_active=True).values_list("department_id", "user_id")
    )
    # The generated staff (t00001, ...): people without a head's role, each with a department.
    staff = User.objects.filter(is_active=True, username__regex=r"^t[0-9]{5}$", department__isnull=False).exclude(
        pk__in=head_of.values()
    )
    unread = Count("notice_receipts", filter=Q(notice_receipts__read_at__isnull=True))
    readers = list(
        staff.annotate(unread=unread)
        .order_by("-unread", "username")
        .values_list("username", flat=True)[: POOLS["readers"]]
    )
    searchers = list(
        staff.exclude(username__in=readers)
        .order_by("username")
        .values_list("username", flat=True)[: POOLS["searchers"]]
    )
    # Heads of the departments with the most items waiting for their review.
    waiting = (
        AgendaItem.objects.filter(state="dept_review")
        .values("department_id")
        .annotate(n=Count("id"))
        .order_by("-n", "department_id")
    )
    head_ids = list(dict.fromkeys(head_of[w["department_id"]] for w in waiting if w["department_id"] in head_of))
    head_ids = head_ids[: POOLS["heads"]]
    names = dict(User.objects.filter(pk__in=head_ids).values_list("pk", "username"))
    heads = [names[pk] for pk in head_ids]
    head_depts = [d for d, u in head_of.items() if u in head_ids]
    submitters = list(
        staff.filter(department_id__in=head_depts)
        .exclude(username__in=readers + searchers)
        .order_by("username")
        .values_list("username", flat=True)[: POOLS["submitters"]]
    )

    def meetings_of(codes: list[str]) -> list[dict]:
        latest = Minutes.objects.filter(meeting=OuterRef("pk")).order_by("-pk").values("pk")[:1]
        found = []
        for m in (
            Meeting.objects.filter(body__code__in=codes, state="adjourned")
            .filter(Exists(Minutes.objects.filter(meeting=OuterRef("pk"))))
            .annotate(minutes_id=latest)
            .order_by("-starts_at")[:12]
        ):
            entries = list(
                AgendaEntry.objects.filter(meeting=m, dropped_at__isnull=True, item__confidential=False)
                .order_by("position")
                .values_list("pk", flat=True)
            )
            if entries:
                found.append({"meeting": m.pk, "minutes": m.minutes_id, "entries": entries})
        return found

    secretaries = {"partyoffice": meetings_of(["PC"]), "affairsoffice": meetings_of(["PO", "SA", "AS"])}
    items = list(
        AgendaItem.objects.filter(confidential=False, submitted_at__isnull=False)
        .order_by("-submitted_at")
        .values_list("pk", flat=True)[:40]
    )
    tasks = list(
        Task.objects.filter(track="task", confidential=False).order_by("-created_at").values_list("pk", flat=True)[:40]
    )
    year = max(AgendaItem.objects.filter(submitted_at__isnull=False).dates("submitted_at", "year")).year
    biggest = waiting.first()
    periods = [f"year={year}&part=q{q}" for q in (1, 2, 3, 4)] + [f"year={year - 1}", f"year={year}&part=m10"]
    if biggest:
        periods.append(f"year={year}&department={biggest['department_id']}")
    pools = {
        "readers": readers,
        "searchers": searchers,
        "heads": heads,
        "submitters": submitters,
        "secretaries": [name for name, found in secretaries.items() if found],
        "leaders": ["secretary", "principal", "member1", "member2", "vice"],
        "discipline": ["discipline"],
        "ceiling": readers[: POOLS["ceiling"]],
    }
    empty = [name for name, accounts in pools.items() if not accounts]
    if empty or not (items and tasks):
        raise SystemExit(f"the data has no accounts for {empty} or no items/tasks: is this a seed_scale school?")
    targets = {
        "password": PASSWORD,
        "accounts": pools,
        "meetings": secretaries,
        "items": items,
        "tasks": tasks,
        "dashboard_periods": periods,
        "search_words": SEARCH_WORDS,
        "subjects": SUBJECTS,
        "sizes": {
            "staff": User.objects.count(),
            "items": AgendaItem.objects.count(),
            "receipts": NoticeRecipient.objects.count(),
            "history": AuditEvent.objects.count(),
            "tasks": Task.objects.count(),
        },
    }
    out.write_text(json.dumps(targets, ensure_ascii=False, indent=1))


def count_items(url: str) -> tuple[int, str]:
    """The agenda items in the run's database, and when the PostgreSQL server last started
    (a restart during the run, by anyone sharing the server, would explain failed requests)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*), pg_postmaster_start_time()::text FROM decisions_agendaitem").fetchone()
    return row[0], row[1]


# --- the server -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def empty_job_queue(redis_url: str) -> None:
    """Jobs left in the queue by an earlier run name rows of an earlier copy of the data."""
    from redis import Redis
    from rq import Queue

    with Redis.from_url(redis_url) as connection:
        left = Queue("default", connection=connection).empty()
    if left:
        print(f"emptied {left} jobs left in {redis_url}'s default queue by an earlier run", flush=True)


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our loopback server)
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"gunicorn did not answer {url} within {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen | None, sig=signal.SIGTERM, seconds: float = 30) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- CPU seconds per phase, from /proc --------------------------------------------------------
def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields from the 3rd on (the name may hold spaces)


def _cpu(pid: int, *, reaped_children: bool = False) -> float:
    fields = _stat(pid)
    if not fields:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime: workers that have exited
    return ticks / TICK


def _children(pid: int) -> list[int]:
    found = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit() and (fields := _stat(int(p.name))) and int(fields[1]) == pid:
            found.append(int(p.name))
    return found


def _postgres_backends(database: str) -> list[int]:
    found = []
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            cmdline = (p / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if cmdline.startswith("postgres:") and f" {database} " in cmdline:
            found.append(int(p.name))
    return found


def _machine_busy() -> float:
    """CPU seconds the whole machine has been busy (every core, every process) since boot."""
    user, nice, system, idle, iowait, *rest = (
        int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]
    )
    return (user + nice + system + sum(rest[:3])) / TICK


def others_busy(seconds: float = 3) -> float:
    """Cores the machine keeps busy while our server idles: someone else's work."""
    began, busy = time.perf_counter(), _machine_busy()
    time.sleep(seconds)
    return (_machine_busy() - busy) / (time.perf_counter() - began)


def _tree(pid: int) -> float:
    """A process, its live children and those it has reaped (gunicorn's workers, rq's work horses)."""
    return _cpu(pid, reaped_children=True) + sum(_cpu(c) for c in _children(pid))


def cpu_sample(server: dict, database: str) -> dict:
    return {
        "gunicorn": _tree(server["gunicorn"]),
        "rq": _tree(server["worker"]),
        "postgres": {pid: _cpu(pid) for pid in _postgres_backends(database)},
        "machine": _machine_busy(),
    }


def cpu_used(before: dict, after: dict, locust: float, seconds: float) -> dict:
    """CPU seconds in one phase: our server, its database sessions, the load generator, and
    whatever else ran on the machine meanwhile (other people's tests share the cores)."""
    pg = sum(t - before["postgres"].get(pid, 0.0) for pid, t in after["postgres"].items())
    used = {
        "gunicorn": after["gunicorn"] - before["gunicorn"],
        "postgres": pg,
        "rq": after["rq"] - before["rq"],
        "locust": locust,
    }
    used["others"] = max(0.0, after["machine"] - before["machine"] - sum(used.values()))
    return {**{k: round(v, 1) for k, v in used.items()}, "wall": round(seconds, 1)}


def server_ms_per_request(phase: dict) -> float:
    """CPU the server side (gunicorn, its PostgreSQL sessions, the rq worker) spent per request:
    unlike latency, hardly moved by other processes competing for the cores."""
    cpu, n = phase["cpu_seconds"], phase["requests"]["ALL"]["count"]
    return round(1000 * (cpu["gunicorn"] + cpu["postgres"] + cpu["rq"]) / max(n, 1), 1)


# --- locust -----------------------------------------------------------------------------------
def run_locust(label: str, classes: list[str], args, host: str, seconds: int, server: dict, database: str) -> dict:
    prefix = VAR / label
    for old in VAR.glob(f"{label}_*.csv"):
        old.unlink()
    logins = VAR / f"{label}_logins.json"
    logins.unlink(missing_ok=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "LOAD_TARGETS": str(VAR / "targets.json"),
        "LOAD_THINK": args.think,
        "LOAD_LOGINS_OUT": str(logins),
    }
    cmd = [
        str(LOCUST),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "5",
        "--host",
        host,
        "--csv",
        str(prefix),
        "--only-summary",
        "--exit-code-on-error",
        "0",
        *classes,
    ]
    print(f"{label}: locust, {args.users} users for {seconds} s against {host}", flush=True)
    with open(VAR / f"{label}.log", "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        # The log-ins come first (locust's init); the CPU is counted from the first request on.
        while proc.poll() is None and not logins.exists():
            time.sleep(0.2)
        before, began = cpu_sample(server, database), time.perf_counter()
        proc.wait()
        after, elapsed = cpu_sample(server, database), time.perf_counter() - began
    # locust's own CPU: it has exited, so its rusage is in ours (children).
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    locust_cpu = usage.ru_utime + usage.ru_stime - run_locust.children_cpu
    run_locust.children_cpu = usage.ru_utime + usage.ru_stime
    text = (VAR / f"{label}.log").read_text()
    if proc.returncode not in (0, 1) or not logins.exists() or not (VAR / f"{label}_stats.csv").exists():
        sys.exit(f"locust ({label}) failed with {proc.returncode}:\n{text[-4000:]}")
    result = {
        "users": args.users,
        "think": "0" if label == "ceiling" else args.think,
        "seconds": seconds,
        "classes": classes,
        "requests": read_stats(prefix),
        "failures": read_failures(prefix),
        "logins": json.loads(logins.read_text()) if logins.exists() else None,
        "cpu_seconds": cpu_used(before, after, locust_cpu, elapsed),
    }
    result["server_cpu_ms_per_request"] = server_ms_per_request(result)
    return result


run_locust.children_cpu = 0.0


def _num(value: str) -> float:
    return float(value) if value not in ("", "N/A") else 0.0


def read_stats(prefix: Path) -> dict:
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            name = "ALL" if row["Name"] == "Aggregated" else row["Name"]
            rows[name] = {
                "method": row["Type"],
                "count": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(_num(row["Requests/s"]), 1),
                "p50_ms": _num(row["50%"]),
                "p95_ms": _num(row["95%"]),
                "p99_ms": _num(row["99%"]),
                "max_ms": round(_num(row["Max Response Time"])),
                "mean_ms": round(_num(row["Average Response Time"]), 1),
            }
    return rows


def read_failures(prefix: Path) -> list[dict]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return [
            {"method": r["Method"], "name": r["Name"], "error": r["Error"], "count": int(r["Occurrences"])}
            for r in csv.DictReader(f)
        ]


ERROR_LINE = re.compile(
    r"(Internal Server Error|Not Found|Forbidden|Bad Request|Unauthorized|Method Not Allowed|WORKER TIMEOUT"
    r"|Service Unavailable|Conflict|Too Many Requests|\[ERROR\]|\[CRITICAL\])"
)


def log_errors(log: Path) -> list[dict]:
    """Distinct error lines in the gunicorn log, each with how often and its first traceback."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    found: dict[str, dict] = {}
    for n, line in enumerate(lines):
        if not ERROR_LINE.search(line) or line.startswith(("Traceback", "  ")):
            continue
        key = re.sub(r"\d+", "N", line)[:200]
        entry = found.setdefault(key, {"line": line[:300], "count": 0, "traceback": ""})
        entry["count"] += 1
        if not entry["traceback"] and n + 1 < len(lines) and lines[n + 1].startswith("Traceback"):
            tb = [lines[n + 1]]
            for follow in lines[n + 2 : n + 80]:
                tb.append(follow)
                if not follow.startswith((" ", "Traceback", "During handling", "The above")) and follow.strip():
                    break
            entry["traceback"] = "\n".join(tb)
    return list(found.values())


def short_traceback(tb: str) -> str:
    """The deepest frame in Yishi's own code and the exception (the whole one is in the JSON)."""
    lines = tb.splitlines()
    ours = [
        n for n, line in enumerate(lines) if line.strip().startswith(f'File "{ROOT}') and "site-packages" not in line
    ]
    frame = lines[ours[-1] : ours[-1] + 2] if ours else []
    return "\n".join([*(line.strip() for line in frame), lines[-1].strip()])


# --- the report -------------------------------------------------------------------------------
def verdicts(mix: dict, ceiling: dict | None, warmup: dict | None) -> dict:
    total = mix["requests"]["ALL"]
    errors = sum(phase["requests"]["ALL"]["failures"] for phase in (mix, ceiling, warmup) if phase)
    ratio = total["rps"] / ceiling["requests"]["ALL"]["rps"] if ceiling and ceiling["requests"]["ALL"]["rps"] else None
    checks = {
        "errors": (errors, errors <= GOALS["errors"], "0"),
        "p95_ms": (total["p95_ms"], total["p95_ms"] <= GOALS["p95_ms"], f"≤ {GOALS['p95_ms']} ms"),
        "p99_ms": (total["p99_ms"], total["p99_ms"] <= GOALS["p99_ms"], f"≤ {GOALS['p99_ms']} ms"),
        "ratio": (None if ratio is None else round(ratio, 3), ratio is not None and ratio >= GOALS["ratio"], "≥ 10%"),
    }
    return {k: {"measured": v, "pass": ok, "goal": goal} for k, (v, ok, goal) in checks.items()}


def table(report: dict) -> None:
    mix, ceiling = report["mix"], report.get("ceiling")
    sizes = report["data"]["sizes"]
    print()
    print(
        f"mix: {mix['users']} users, {mix['seconds']} s, think {report['think']} s, factor {report['factor']} "
        f"({report['data']['database']}: {sizes['staff']} people, {sizes['items']} items, "
        f"{sizes['receipts']} notice receipts, {sizes['history']} history rows); {report['gunicorn']}"
    )
    if report.get("settings"):
        print(f"settings: {bench.describe(report['settings'])}")
        la = report["load_average"]
        print(f"load average (1, 5, 15 min): {la['before']} before the warm-up, {la['after']} after the ceiling")
    if mix["logins"]:
        lg = mix["logins"]
        print(
            f"log-ins before the mix: {lg['accounts']} accounts in {lg['seconds']} s "
            f"(median {lg['median_ms']} ms, max {lg['max_ms']} ms)"
        )
    if report.get("warmup"):
        w = report["warmup"]["requests"]["ALL"]
        print(
            f"warm-up before it: {report['warmup']['seconds']} s of the same mix, {w['count']} requests "
            f"({w['failures']} failed), not counted below"
        )
    head = f"{'request':<28}{'count':>7}{'fail':>6}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>7}"
    print(head)
    print("-" * len(head))
    rows = sorted(((k, v) for k, v in mix["requests"].items() if k != "ALL"), key=lambda kv: -kv[1]["count"])
    for name, r in [*rows, ("ALL (the mix)", mix["requests"]["ALL"])]:
        if name.startswith("ALL"):
            print("-" * len(head))
        print(
            f"{name:<28}{r['count']:>7}{r['failures']:>6}{r['rps']:>8.1f}"
            f"{r['p50_ms']:>7.0f}{r['p95_ms']:>7.0f}{r['p99_ms']:>7.0f}{r['max_ms']:>7}"
        )
    if ceiling:
        c = ceiling["requests"]["ALL"]
        print(
            f"{'ceiling (floor page)':<28}{c['count']:>7}{c['failures']:>6}{c['rps']:>8.1f}"
            f"{c['p50_ms']:>7.0f}{c['p95_ms']:>7.0f}{c['p99_ms']:>7.0f}{c['max_ms']:>7}"
            f"   ({ceiling['users']} users, {ceiling['seconds']} s, no think time)"
        )
    print()
    for label in ("mix", "ceiling"):
        if report.get(label):
            cpu = report[label]["cpu_seconds"]
            ours = (cpu["gunicorn"] + cpu["postgres"] + cpu["rq"] + cpu["locust"]) / max(cpu["wall"], 0.1)
            print(
                f"CPU seconds ({label}, {cpu['wall']} s): gunicorn {cpu['gunicorn']}, PostgreSQL {cpu['postgres']}, "
                f"rq worker {cpu['rq']}, locust {cpu['locust']} = {ours:.2f} cores; other processes {cpu['others']} "
                f"= {cpu['others'] / max(cpu['wall'], 0.1):.2f} cores (of {os.cpu_count()})"
            )
            print(f"  server CPU per request ({label}): {report[label]['server_cpu_ms_per_request']} ms")
    if ceiling:
        mix_ms, floor_ms = mix["server_cpu_ms_per_request"], ceiling["server_cpu_ms_per_request"]
        print(
            f"  ceiling ÷ mix in server CPU per request: {floor_ms / max(mix_ms, 0.1):.1%} (what mix ÷ ceiling "
            "in req/s would be on cores of their own)"
        )
    created = report["items_created"]
    extra = created["rows"] - created["posts_ok"]
    note = "" if not extra else "  (MISMATCH)" if extra < 0 else f"  ({extra} more: posted as locust stopped)"
    print(
        f"rows created (warm-up and mix): {created['rows']} agenda items; new item POSTs answered 302: "
        f"{created['posts_ok']}{note}"
    )
    if report["postgres_restarted"]:
        print("PostgreSQL restarted during the run (someone else sharing the server): failures may come from that")
    print()
    print(f"{'target':<34}{'measured':>12}{'goal':>12}  verdict")
    labels = {
        "errors": "errors (failed requests)",
        "p95_ms": "mix p95",
        "p99_ms": "mix p99",
        "ratio": "mix req/s ÷ ceiling req/s",
    }
    for key, v in report["verdicts"].items():
        measured = v["measured"]
        shown = "–" if measured is None else (f"{measured:.1%}" if key == "ratio" else f"{measured:g}")
        print(f"{labels[key]:<34}{shown:>12}{v['goal']:>12}  {'pass' if v['pass'] else 'MISS'}")
    failures = [
        {**f, "phase": label}
        for label in ("warmup", "mix", "ceiling")
        if report.get(label)
        for f in report[label]["failures"]
    ]
    if failures:
        print("\nfailed requests (locust):")
        for f in failures:
            print(f"  {f['count']:>5} × {f['method']} {f['name']} ({f['phase']}): {f['error']}")
    if report["log_errors"]:
        print(f"\nerrors in {report['gunicorn_log']}:")
        for e in report["log_errors"]:
            print(f"  {e['count']:>5} × {e['line']}")
            if e["traceback"]:
                print("        " + short_traceback(e["traceback"]).replace("\n", "\n        "))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factor", type=float, default=float(os.environ.get("LOAD_FACTOR") or 1))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--time", type=int, default=60, help="seconds of the mix")
    parser.add_argument("--ceiling-time", type=int, default=25, help="seconds of the ceiling; 0: none")
    parser.add_argument("--warmup", type=int, default=15, help="seconds of the mix before the measured one; 0: none")
    parser.add_argument("--think", default=os.environ.get("LOAD_THINK", "0.5,1.5"), help="min,max seconds")
    parser.add_argument("--out", default="var/load.json")
    parser.add_argument(
        "--prefix", default="yishi_load", help="databases <prefix>_seed_f<factor> and <prefix>_f<factor>"
    )
    parser.add_argument("--debug", action="store_true", help="serve with DEBUG on, for comparison (production: off)")
    parser.add_argument(
        "--no-cached-loader", action="store_true", help="list the template loaders without Django's cached loader"
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        metavar="SECONDS",
        help="DB_CONN_MAX_AGE of the server (0: a connection per request; default: the settings' 60)",
    )
    parser.add_argument("--targets", metavar="JSON", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.targets:
        write_targets(Path(args.targets))
        return
    base, redis = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("the load run needs DATABASE_URL=postgres://user@host:port/any (its databases are made beside it)")
    if not redis.startswith("redis://"):
        sys.exit("the load run needs REDIS_URL=redis://host:port/N, a Redis database of its own (its jobs go there)")
    if not LOCUST.exists():
        sys.exit(f"{LOCUST} is missing: `make load` installs requirements-load.txt into .venv-load")
    VAR.mkdir(parents=True, exist_ok=True)
    factor = float(args.factor)

    url, data = prepare_database(base, factor, args.seed, args.prefix)
    subprocess.run(  # noqa: S603 (our interpreter, our arguments)
        [PY, str(Path(__file__).resolve()), "--targets", str(VAR / "targets.json")],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    data["sizes"] = json.loads((VAR / "targets.json").read_text())["sizes"]
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DEBUG": "1" if args.debug else "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": url,
        "REDIS_URL": redis,
        "DJANGO_SETTINGS_MODULE": "benchmarks.load.settings",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_CONTROL_SOCKET": str(VAR / "gunicorn.ctl"),
        # Cache keys of this run's own: nothing cached from an earlier copy of the data is read.
        "CACHE_KEY_PREFIX": f"yishi-load-{int(time.time())}",
        "PYTHONPATH": str(ROOT),
    }
    if args.conn_max_age is not None:
        env["DB_CONN_MAX_AGE"] = str(args.conn_max_age)
    if args.no_cached_loader:
        env["BENCH_CACHED_TEMPLATES"] = "0"
    env.pop("TEST_DATABASE_NAME", None)
    if not args.debug:
        bench.collectstatic_if_needed(env, VAR / "staticfiles")  # STATIC_ROOT in benchmarks.load.settings
    items_before, pg_started = count_items(url)
    empty_job_queue(redis)
    glog, wlog = VAR / "gunicorn.log", VAR / "worker.log"
    server = worker = None
    try:
        with open(wlog, "w") as out:
            worker = subprocess.Popen(  # noqa: S603
                [PY, "manage.py", "rqworker", "default"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        with open(glog, "w") as out:
            server = subprocess.Popen(  # noqa: S603
                [str(Path(PY).parent / "gunicorn"), "-c", "config/gunicorn.conf.py"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until_up(f"{host}/login/", server, glog)
        gunicorn = gunicorn_summary(env)
        print(f"gunicorn up on {host} ({gunicorn})", flush=True)
        settings = settings_in_force(env)
        print(f"settings: {bench.describe(settings)}", flush=True)
        load_before = bench.load_average()
        others = others_busy()
        if others > 0.3:
            print(
                f"note: other processes keep {others:.1f} of {os.cpu_count()} cores busy; the figures will be lower "
                "than on a quiet machine",
                flush=True,
            )
        pids = {"gunicorn": server.pid, "worker": worker.pid}
        warmup = None
        if args.warmup:
            warmup = run_locust("warmup", MIX, args, host, args.warmup, pids, data["database"])
        mix = run_locust("mix", MIX, args, host, args.time, pids, data["database"])
        ceiling = None
        if args.ceiling_time:
            ceiling = run_locust("ceiling", ["CeilingUser"], args, host, args.ceiling_time, pids, data["database"])
    finally:
        stop(server)
        stop(worker)
    posts_ok = sum(
        p["requests"].get("new item POST", {}).get("count", 0)
        - p["requests"].get("new item POST", {}).get("failures", 0)
        for p in (warmup, mix)
        if p
    )
    items_after, pg_started_after = count_items(url)
    report = {
        "factor": factor,
        "seed": args.seed,
        "think": args.think,
        "gunicorn": gunicorn,
        "data": data,
        "warmup": warmup,
        "mix": mix,
        "ceiling": ceiling,
        "others_busy_cores_before": round(others, 2),
        "settings": settings,
        "load_average": {"before": load_before, "after": bench.load_average()},
        "items_created": {"rows": items_after - items_before, "posts_ok": posts_ok},
        "postgres_restarted": pg_started_after != pg_started,
        "gunicorn_log": str(glog.relative_to(ROOT)),
        "log_errors": log_errors(glog),
    }
    report["verdicts"] = verdicts(mix, ceiling, warmup)
    table(report)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"\nsaved {out}")


def settings_in_force(env: dict) -> dict:
    """DEBUG, the template loaders, CONN_MAX_AGE, … as the server's settings resolve them."""
    code = "import json, django; django.setup(); from benchmarks import bench; print(json.dumps(bench.settings_in_force()))"
    out = subprocess.run([PY, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout  # noqa: S603
    return json.loads(out.splitlines()[-1])


def gunicorn_summary(env: dict) -> str:
    """What config/gunicorn.conf.py resolved to under this environment."""
    code = (
        "import runpy; c = runpy.run_path('config/gunicorn.conf.py'); "
        "print(c['worker_class'], c['workers'], c['threads'], c['timeout'])"
    )
    out = subprocess.run([PY, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout  # noqa: S603
    worker_class, workers, threads, timeout = out.split()
    threads_text = f" × {threads} threads" if worker_class == "gthread" else ""
    return f"gunicorn {worker_class}, {workers} workers{threads_text}, timeout {timeout} s"


if __name__ == "__main__":
    main()
