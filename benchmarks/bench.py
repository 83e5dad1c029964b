"""Server time and SQL queries per key page, at a small and a large scale, beside a floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yishi .venv/bin/python benchmarks/bench.py \
        --factor 1 --out var/bench.json

For each scale it uses a database of its own on the same server (yishi_bench_small at
--small-factor, yishi_bench_large at --factor), built with `migrate` and `seed_scale` the first
time and reused afterwards (the database's COMMENT records factor and seed). Each scale is
measured in a child process (Django binds to one database): django.test.Client, force_login as
each demo account, every page requested --warmup times, then --runs times, timing the request
and capturing its queries. The floor is a minimal view with a tiny template behind the same
middleware and session (benchmarks/floor_urls.py), measured in the same child.

The settings are production's (benchmarks.settings): DEBUG=0, the static files collected into
var/bench/staticfiles first (their manifest), Django's cached template loader, persistent
database connections (DB_CONN_MAX_AGE, 60 s unless set), templates rendered as a server renders
them (not through the test client's instrumentation). The one exception is SECURE_SSL_REDIRECT=0:
the test client speaks plain HTTP, and every page would answer 301 to https. --debug measures
with DEBUG on, as this bench did before; --no-cached-loader and --conn-max-age 0 take one
setting away at a time, to show what it saves. The settings in force are printed and saved.
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

# (name, account, what to request); "{item}", "{meeting}" are filled in from the data.
PAGES = [
    ("floor", "staff", "/__bench__/floor/"),
    ("home secretary", "secretary", "/"),
    ("home principal", "principal", "/"),
    ("home discipline", "discipline", "/"),
    ("home partyoffice", "partyoffice", "/"),
    ("home affairsoffice", "affairsoffice", "/"),
    ("home depthead", "depthead", "/"),
    ("home staff", "staff", "/"),
    ("leaders dashboard", "secretary", "/dashboard/leaders/"),
    ("items all (secretary)", "secretary", "/items/"),
    ("items all (staff)", "staff", "/items/"),
    ("item detail", "secretary", "/items/{item}/"),
    ("screening queue", "secretary", "/items/screening/"),
    ("meeting page", "partyoffice", "/meetings/{meeting}/"),
    ("minutes page", "partyoffice", "/meetings/minutes/{minutes}/"),
    ("minutes archive PDF", "partyoffice", "/meetings/{meeting}/archive.pdf"),
    ("track task", "discipline", "/supervision/track/task/"),
    ("track performance", "affairsoffice", "/supervision/track/performance/"),
    ("track project", "affairsoffice", "/supervision/track/project/"),
    ("track branch", "partyoffice", "/supervision/track/branch/"),
    ("supervision report", "discipline", "/reports/supervision/"),
    ("party-building report", "partyoffice", "/reports/party-building/"),
    ("search 实习", "secretary", "/search/?q=实习"),
]


def db_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def psql(base: str, sql: str, params=None) -> list:
    import psycopg

    with psycopg.connect(db_url(base, "postgres"), autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def ensure_database(base: str, name: str, factor: float, seed: int) -> dict:
    """The database for one scale, seeded once; returns how long seeding took (0 if reused)."""
    marker = f"yishi-bench factor={factor} seed={seed}"
    found = psql(base, "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
    if found and found[0][0] == marker:
        print(f"{name}: reusing ({marker}), migrating", flush=True)
        # A database seeded by an older checkout gets the newer migrations (indexes, tables).
        env = {**os.environ, "DATABASE_URL": db_url(base, name)}
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
        return {"reused": True}
    if found:
        psql(base, f'DROP DATABASE "{name}" WITH (FORCE)')
    psql(base, f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": db_url(base, name)}
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    began = time.perf_counter()
    out = subprocess.run(  # noqa: S603 (our interpreter, our arguments)
        [PY, "manage.py", "seed_scale", "--factor", str(factor), "--seed", str(seed)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    print(out, flush=True)
    psql(base, f"COMMENT ON DATABASE \"{name}\" IS '{marker}'")
    return {"reused": False, "seconds": round(time.perf_counter() - began, 1), "log": out}


class Queries:
    """The queries of one request, as CaptureQueriesContext counts them (transactions included),
    but without opening the connection first: with CONN_MAX_AGE=0 the request opens its own,
    inside the time measured, as it does on a server."""

    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        from django.core.signals import request_started
        from django.db import reset_queries

        self.saved = self.connection.force_debug_cursor
        self.connection.force_debug_cursor = True
        self.connection.queries_log.clear()
        request_started.disconnect(reset_queries)
        return self

    def __exit__(self, *exc):
        from django.core.signals import request_started
        from django.db import reset_queries

        self.connection.force_debug_cursor = self.saved
        request_started.connect(reset_queries)
        self.count = len(self.connection.queries_log)


def settings_in_force() -> dict:
    """What the measured pages ran under (child mode, after django.setup())."""
    from django.conf import settings
    from django.db import connection
    from django.template import engines

    engine = engines["django"].engine

    def loader_names(loaders) -> str:
        names = []
        for loader in loaders:
            # Django's own by their last name (cached, filesystem, app_directories), others in full
            # (template_partials.loader wraps the rest, to find partials).
            name = type(loader).__module__.removeprefix("django.template.loaders.")
            inner = getattr(loader, "loaders", None)
            names.append(f"{name}({loader_names(inner)})" if inner else name)
        return ", ".join(names)

    storage = settings.STORAGES["staticfiles"]["BACKEND"].rsplit(".", 1)[-1]
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    return {
        "settings_module": os.environ.get("DJANGO_SETTINGS_MODULE", ""),
        "DEBUG": settings.DEBUG,
        "template_loaders": loader_names(engine.template_loaders),
        "template_debug": engine.debug,
        "CONN_MAX_AGE": connection.settings_dict["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": connection.settings_dict["CONN_HEALTH_CHECKS"],
        "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
        "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
        "static_storage": storage,
        "static_manifest": str(manifest.relative_to(ROOT)) if "Manifest" in storage and manifest.exists() else None,
        "SESSION_ENGINE": settings.SESSION_ENGINE,
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "test_renderer": False,
    }


def describe(found: dict) -> str:
    """The settings in force, on one line."""
    cma = found["CONN_MAX_AGE"]
    connections = (
        "a connection per request (CONN_MAX_AGE=0)"
        if cma == 0
        else f"persistent connections (CONN_MAX_AGE={'unlimited' if cma is None else f'{cma} s'}"
        f"{', health checks' if found['CONN_HEALTH_CHECKS'] else ''})"
    )
    cached = "cached(" in found["template_loaders"]
    return (
        f"DEBUG={'1' if found['DEBUG'] else '0'}; template loaders {found['template_loaders']}"
        f" ({'cached' if cached else 'NOT cached'}, template debug {'on' if found['template_debug'] else 'off'}"
        f"{', rendered through the test instrumentation' if found.get('test_renderer') else ''}); "
        f"{connections}; SECURE_SSL_REDIRECT={'1' if found['SECURE_SSL_REDIRECT'] else '0'}; "
        f"static files {found['static_storage']}"
        f"{' from ' + found['static_manifest'] if found['static_manifest'] else ''}; "
        f"sessions {found['SESSION_ENGINE'].rsplit('.', 1)[-1]}; cache {found['cache']} "
        f"({found['settings_module']})"
    )


def measure(runs: int, warmup: int, test_renderer: bool = False) -> dict:
    """Child mode: DATABASE_URL points at one scale's database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()
    from django.db import close_old_connections, connection
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment

    from core.models import AuditEvent
    from decisions.models import AgendaItem
    from meetings.models import Meeting, Minutes
    from org.models import User

    found = settings_in_force()
    if test_renderer:
        # Every template rendered sends a signal and the client keeps a copy of its context (what
        # assertTemplateUsed needs): a cost no server has. The bench measured so until issue 18.
        setup_test_environment()
        found["test_renderer"] = True
    item = (
        AgendaItem.objects.filter(confidential=False, state__in=["resolved", "closed"], requested_body__code="PC")
        .order_by("-submitted_at")
        .values_list("pk", flat=True)
        .first()
    )
    minutes = Minutes.objects.filter(state="locked", meeting__body__code="PC").order_by("-meeting__starts_at").first()
    meeting = minutes.meeting_id if minutes else Meeting.objects.order_by("-starts_at").first().pk
    ids = {"item": item, "meeting": meeting, "minutes": minutes.pk if minutes else 0}
    sizes = {"items": AgendaItem.objects.count(), "history": AuditEvent.objects.count(), "staff": User.objects.count()}
    clients = {}
    results = {}
    overrides = {
        "ROOT_URLCONF": "benchmarks.floor_urls",
        "ALLOWED_HOSTS": ["testserver"],
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    with override_settings(**overrides):
        for name, who, url in PAGES:
            if who not in clients:
                clients[who] = Client()
                clients[who].force_login(User.objects.get(username=who))
            client = clients[who]
            url = url.format(**ids)
            times, cpu, counts, status = [], [], [], None
            for n in range(warmup + runs):
                with Queries(connection) as queries:
                    began, began_cpu = time.perf_counter(), time.process_time()
                    # A server closes a connection older than CONN_MAX_AGE (or broken) when a request
                    # starts and when it ends (request_started, request_finished); the test client
                    # leaves both out, so they are done here: the one at the start inside the time.
                    close_old_connections()
                    response = client.get(url)
                    elapsed = (time.perf_counter() - began) * 1000
                    elapsed_cpu = (time.process_time() - began_cpu) * 1000
                close_old_connections()
                status = response.status_code
                if n >= warmup:
                    times.append(elapsed)
                    cpu.append(elapsed_cpu)
                    counts.append(queries.count)
            times.sort()
            results[name] = {
                "url": url,
                "account": who,
                "status": status,
                "queries": max(counts),
                "queries_min": min(counts),
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[max(0, round(0.95 * len(times)) - 1)], 1),
                # This process's CPU time (Python, templates, the ORM; not PostgreSQL's): what other
                # processes sharing the cores move far less than the time on the clock.
                "cpu_median_ms": round(statistics.median(cpu), 1),
                "html": response.get("Content-Type", "").startswith("text/html"),
            }
            print(
                f"  {name:<24} {status} q={results[name]['queries']:>3} median={results[name]['median_ms']:>7} ms"
                f" cpu={results[name]['cpu_median_ms']:>7} ms",
                flush=True,
            )
    return {"sizes": sizes, "ids": ids, "settings": found, "pages": results}


def measured_env(args) -> dict:
    """The environment each scale is measured in: production's settings unless --debug."""
    env = {"DJANGO_SETTINGS_MODULE": "benchmarks.settings"}
    if args.debug:
        env["DEBUG"] = "1"
    else:
        # A key of the run's own (production refuses to start without one); no TLS in-process.
        env.update({"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "SECURE_SSL_REDIRECT": "0"})
    if args.conn_max_age is not None:
        env["DB_CONN_MAX_AGE"] = str(args.conn_max_age)
    if args.no_cached_loader:
        env["BENCH_CACHED_TEMPLATES"] = "0"
    return env


def collectstatic_if_needed(env: dict, root: Path) -> None:
    """Collect the static files into root (the STATIC_ROOT of env's settings) unless the manifest
    there is newer than everything under static/: with DEBUG off every {% static %} is read from
    it, and a page without it is a server error."""
    manifest = root / "staticfiles.json"
    sources = [p for p in (ROOT / "static").rglob("*") if p.is_file()] + [ROOT / "requirements.txt"]
    if manifest.exists() and manifest.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return
    print(f"collectstatic into {root.relative_to(ROOT)} (static/ changed since the last one)", flush=True)
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factor", type=float, default=1.0, help="the large scale (1 = a large college)")
    parser.add_argument("--small-factor", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--out", default="var/bench.json")
    parser.add_argument("--prefix", default="yishi_bench", help="databases <prefix>_small and <prefix>_large")
    parser.add_argument(
        "--debug", action="store_true", help="measure with DEBUG on (the settings this bench used before issue 18)"
    )
    parser.add_argument(
        "--no-cached-loader", action="store_true", help="list the template loaders without Django's cached loader"
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        metavar="SECONDS",
        help="DB_CONN_MAX_AGE for the measured pages (0: a connection per request; default: the settings' 60)",
    )
    parser.add_argument(
        "--test-renderer",
        action="store_true",
        help="render templates through the test client's instrumentation (as this bench did before issue 18)",
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--markdown", metavar="JSON", help="print a saved run as a Markdown table and stop")
    return parser


def main():
    args = parser().parse_args()
    if args.markdown:
        markdown(json.loads(Path(args.markdown).read_text()))
        return
    if args.measure:
        print("RESULT " + json.dumps(measure(args.runs, args.warmup, args.test_renderer), ensure_ascii=False))
        return
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("bench.py needs DATABASE_URL=postgres://user@host:port/any (one database per scale is made beside it)")
    env = measured_env(args)
    if not args.debug:
        collectstatic_if_needed({**os.environ, **env}, ROOT / "var" / "bench" / "staticfiles")
    report = {"runs": args.runs, "warmup": args.warmup, "seed": args.seed, "scales": {}}
    for label, name, factor in (
        ("small", f"{args.prefix}_small", args.small_factor),
        ("large", f"{args.prefix}_large", args.factor),
    ):
        seeding = ensure_database(base, name, factor, args.seed)
        load_before = load_average()
        print(f"measuring {label} (factor {factor}, {name}); load average {load_before}", flush=True)
        child = [PY, str(Path(__file__).resolve()), "--measure", "--runs", str(args.runs), "--warmup", str(args.warmup)]
        out = subprocess.run(  # noqa: S603 (our interpreter, our arguments)
            [*child, *(["--test-renderer"] if args.test_renderer else [])],
            cwd=ROOT,
            env={**os.environ, **env, "DATABASE_URL": db_url(base, name), "PYTHONPATH": str(ROOT)},
            check=True,
            capture_output=True,
            text=True,
        )
        print("\n".join(line for line in out.stdout.splitlines() if not line.startswith("RESULT ")), flush=True)
        result = json.loads(next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))[7:])
        load = {"before": load_before, "after": load_average()}
        print(f"  load average after: {load['after']} (1, 5, 15 min; {os.cpu_count()} cores)", flush=True)
        report["scales"][label] = {"factor": factor, "database": name, "seeding": seeding, "load": load, **result}
    report["settings"] = report["scales"]["large"]["settings"]
    print(f"\nsettings: {describe(report['settings'])}")
    print(
        "load average (1, 5, 15 min) before/after: "
        + "; ".join(f"{k} {v['load']['before']} / {v['load']['after']}" for k, v in report["scales"].items())
        + f" on {os.cpu_count()} cores\n"
    )
    table(report)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"saved {args.out}")


def table(report: dict) -> None:
    small, large = report["scales"]["small"], report["scales"]["large"]
    floor = large["pages"]["floor"]["median_ms"] or 0.1
    head = (
        f"{'page':<24}{'q small':>8}{'q large':>8}{'med/p95 small ms':>20}{'med/p95 large ms':>20}{'cpu ms':>8}"
        f"{'×floor':>8}  verdict"
    )
    print(head)
    print("-" * len(head))
    report["verdicts"] = {}
    for name, s in small["pages"].items():
        g = large["pages"][name]
        ratio = g["median_ms"] / floor
        fails = []
        if s["queries"] != g["queries"]:
            fails.append("queries grow")
        if g["queries"] > 10:
            fails.append(">10 queries")
        if g["html"] and g["p95_ms"] > 150:
            fails.append("p95>150")
        if ratio > 10:
            fails.append(">10×floor")
        if g["status"] != 200 or s["status"] != 200:
            fails.append(f"HTTP {s['status']}/{g['status']}")
        report["verdicts"][name] = fails
        print(
            f"{name:<24}{s['queries']:>8}{g['queries']:>8}"
            f"{s['median_ms']:>11.1f}/{s['p95_ms']:<8.1f}{g['median_ms']:>11.1f}/{g['p95_ms']:<8.1f}"
            f"{g.get('cpu_median_ms', 0):>8.1f}{ratio:>8.1f}  {'ok' if not fails else ', '.join(fails)}"
        )


def markdown(report: dict) -> None:
    small, large = report["scales"]["small"], report["scales"]["large"]
    floor = large["pages"]["floor"]["median_ms"] or 0.1
    if report.get("settings"):
        print(f"Settings: {describe(report['settings'])}.")
        print(
            "Load average (1, 5, 15 min) before / after: "
            + "; ".join(
                f"×{v['factor']} {v['load']['before']} / {v['load']['after']}" for v in report["scales"].values()
            )
            + ".\n"
        )
    print(
        f"| page | account | queries ×{small['factor']} | queries ×{large['factor']} | median / p95 ms ×{small['factor']} "
        f"| median / p95 ms ×{large['factor']} | CPU ms ×{large['factor']} | median ÷ floor | missed targets |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, s in small["pages"].items():
        g = large["pages"][name]
        fails = ", ".join(report.get("verdicts", {}).get(name, [])) or "–"
        print(
            f"| {name} | {g['account']} | {s['queries']} | {g['queries']} | {s['median_ms']} / {s['p95_ms']} "
            f"| {g['median_ms']} / {g['p95_ms']} | {g.get('cpu_median_ms', '–')} | {g['median_ms'] / floor:.1f} | {fails} |"
        )


if __name__ == "__main__":
    main()
