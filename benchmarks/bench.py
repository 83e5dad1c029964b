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
"""

import argparse
import json
import os
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


def measure(runs: int, warmup: int) -> dict:
    """Child mode: DATABASE_URL points at one scale's database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from core.models import AuditEvent
    from decisions.models import AgendaItem
    from meetings.models import Meeting, Minutes
    from org.models import User

    setup_test_environment()
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
    with override_settings(ROOT_URLCONF="benchmarks.floor_urls", ALLOWED_HOSTS=["testserver"]):
        for name, who, url in PAGES:
            if who not in clients:
                clients[who] = Client()
                clients[who].force_login(User.objects.get(username=who))
            client = clients[who]
            url = url.format(**ids)
            times, counts, status = [], [], None
            for n in range(warmup + runs):
                with CaptureQueriesContext(connection) as ctx:
                    began = time.perf_counter()
                    response = client.get(url)
                    elapsed = (time.perf_counter() - began) * 1000
                status = response.status_code
                if n >= warmup:
                    times.append(elapsed)
                    counts.append(len(ctx.captured_queries))
            times.sort()
            results[name] = {
                "url": url,
                "account": who,
                "status": status,
                "queries": max(counts),
                "queries_min": min(counts),
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[max(0, round(0.95 * len(times)) - 1)], 1),
                "html": response.get("Content-Type", "").startswith("text/html"),
            }
            print(
                f"  {name:<24} {status} q={results[name]['queries']:>3} median={results[name]['median_ms']:>7} ms",
                flush=True,
            )
    return {"sizes": sizes, "ids": ids, "pages": results}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factor", type=float, default=1.0, help="the large scale (1 = a large college)")
    parser.add_argument("--small-factor", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--out", default="var/bench.json")
    parser.add_argument("--prefix", default="yishi_bench", help="databases <prefix>_small and <prefix>_large")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--markdown", metavar="JSON", help="print a saved run as a Markdown table and stop")
    args = parser.parse_args()
    if args.markdown:
        markdown(json.loads(Path(args.markdown).read_text()))
        return
    if args.measure:
        print("RESULT " + json.dumps(measure(args.runs, args.warmup), ensure_ascii=False))
        return
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("bench.py needs DATABASE_URL=postgres://user@host:port/any (one database per scale is made beside it)")
    report = {"runs": args.runs, "warmup": args.warmup, "seed": args.seed, "scales": {}}
    for label, name, factor in (
        ("small", f"{args.prefix}_small", args.small_factor),
        ("large", f"{args.prefix}_large", args.factor),
    ):
        seeding = ensure_database(base, name, factor, args.seed)
        print(f"measuring {label} (factor {factor}, {name})", flush=True)
        out = subprocess.run(  # noqa: S603 (our interpreter, our arguments)
            [PY, str(Path(__file__).resolve()), "--measure", "--runs", str(args.runs), "--warmup", str(args.warmup)],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": db_url(base, name), "PYTHONPATH": str(ROOT)},
            check=True,
            capture_output=True,
            text=True,
        )
        print("\n".join(line for line in out.stdout.splitlines() if not line.startswith("RESULT ")), flush=True)
        result = json.loads(next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))[7:])
        report["scales"][label] = {"factor": factor, "database": name, "seeding": seeding, **result}
    table(report)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"saved {args.out}")


def table(report: dict) -> None:
    small, large = report["scales"]["small"], report["scales"]["large"]
    floor = large["pages"]["floor"]["median_ms"] or 0.1
    head = f"{'page':<24}{'q small':>8}{'q large':>8}{'med/p95 small ms':>20}{'med/p95 large ms':>20}{'×floor':>8}  verdict"
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
            f"{ratio:>8.1f}  {'ok' if not fails else ', '.join(fails)}"
        )


def markdown(report: dict) -> None:
    small, large = report["scales"]["small"], report["scales"]["large"]
    floor = large["pages"]["floor"]["median_ms"] or 0.1
    print(
        f"| page | account | queries ×{small['factor']} | queries ×{large['factor']} | median / p95 ms ×{small['factor']} "
        f"| median / p95 ms ×{large['factor']} | median ÷ floor | missed targets |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, s in small["pages"].items():
        g = large["pages"][name]
        fails = ", ".join(report.get("verdicts", {}).get(name, [])) or "–"
        print(
            f"| {name} | {g['account']} | {s['queries']} | {g['queries']} | {s['median_ms']} / {s['p95_ms']} "
            f"| {g['median_ms']} / {g['p95_ms']} | {g['median_ms'] / floor:.1f} | {fails} |"
        )


if __name__ == "__main__":
    main()
