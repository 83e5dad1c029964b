"""Download time of a locked meeting's documents: served from storage against rendered per request.

    .venv/bin/python benchmarks/stored_documents.py [--runs 20] [--warmup 2]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yishi .venv/bin/python benchmarks/stored_documents.py --factor 1

Without --factor everything happens in a temporary directory: a SQLite database with the demo
school (`migrate`, `seed_demo`: its Party committee meeting is held and its minutes locked through
the services, so the job stores its documents), private media for the files. With --factor the
documents of the most recent Party committee meeting with locked minutes in a PostgreSQL database
seeded by `seed_scale` (made beside DATABASE_URL as <prefix>_large, the way benchmarks/bench.py
makes and reuses it; files in the configured private media, as bench.py's runs) are measured;
`seed_scale` wrote the minutes without the job, so they are stored first, as `manage.py
build_documents --meeting N` would (timed once: what the first download or the job costs).

Each document is downloaded by the Party office (who may have them all) with django.test.Client,
through the whole middleware stack, in-process: --warmup times, then --runs times, the body read
to its end. "rendered" is the download as it was before documents were stored (the view's
per-request path, forced by answering that nothing is stored); "stored" is the download now. It
prints median, p95 and minimum milliseconds, queries, bytes and the ratio, with the load average.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def measure(runs: int, warmup: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import logging

    import django

    django.setup()
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from contextlib import nullcontext
    from unittest import mock

    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from meetings import services
    from meetings.models import Meeting, Minutes, Resolution, StoredDocument
    from meetings.services.documents import archive_settled_at
    from org.models import User

    setup_test_environment()
    meeting = None
    for candidate in Meeting.objects.filter(
        state=Meeting.State.ADJOURNED, body__code="PC", minutes__state=Minutes.State.LOCKED
    ).order_by("-starts_at")[:50]:
        if archive_settled_at(candidate) is not None and Resolution.objects.filter(meeting=candidate).exists():
            meeting = candidate
            break
    assert meeting is not None, "no adjourned Party committee meeting with locked minutes and a resolution"
    minutes = meeting.minutes.filter(state=Minutes.State.LOCKED).order_by("-pk").first()
    resolution = Resolution.objects.filter(meeting=meeting).order_by("pk").first()

    first = {}
    if not StoredDocument.objects.filter(meeting=meeting, kind="archive").exists():
        began = time.perf_counter()
        made = services.make_meeting_documents(meeting.pk, made_by=StoredDocument.Maker.COMMAND)
        first["build_documents (render + store)"] = ((time.perf_counter() - began) * 1000, made)

    client = Client()
    client.force_login(User.objects.get(username="partyoffice"))
    urls = {
        "archive PDF": f"/meetings/{meeting.pk}/archive.pdf",
        "minutes Word": f"/meetings/minutes/{minutes.pk}/minutes.docx",
        "resolution Word": f"/meetings/resolutions/{resolution.pk}/resolution.docx",
    }
    nothing_stored = {
        "archive PDF": "meetings.services.archive_document",
        "minutes Word": "meetings.services.minutes_document",
        "resolution Word": "meetings.services.resolution_document",
    }

    def download(url: str) -> tuple[float, int, int, bool]:
        with CaptureQueriesContext(connection) as ctx:
            began = time.perf_counter()
            response = client.get(url)
            body = response.getvalue()
            elapsed = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return elapsed, len(ctx.captured_queries), len(body), response.streaming

    rows = []
    # The floor: a minimal page behind the same middleware and session (benchmarks/floor_urls.py).
    with override_settings(ROOT_URLCONF="benchmarks.floor_urls"):
        samples = [download("/__bench__/floor/") for _ in range(warmup + runs)][warmup:]
    floor = sorted(s[0] for s in samples)
    for name, url in urls.items():
        for way in ("rendered", "stored"):
            patch = mock.patch(nothing_stored[name], return_value=None) if way == "rendered" else nullcontext()
            with patch:
                samples = [download(url) for _ in range(warmup + runs)][warmup:]
            times = sorted(s[0] for s in samples)
            streamed = {s[3] for s in samples}
            assert streamed == {way == "stored"}, (name, way, streamed)
            rows.append(
                {
                    "document": name,
                    "way": way,
                    "median": statistics.median(times),
                    "p95": times[max(0, round(0.95 * len(times)) - 1)],
                    "min": times[0],
                    "queries": max(s[1] for s in samples),
                    "bytes": samples[-1][2],
                }
            )

    load = os.getloadavg()
    print(f"meeting {meeting.pk} ({connection.vendor}), {runs} runs after {warmup} warm-up")
    print(f"load average before the run: {LOAD_BEFORE}, after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    floor_ms = statistics.median(floor)
    print(f"floor (a minimal page): median {floor_ms:.1f} ms, p95 {floor[max(0, round(0.95 * len(floor)) - 1)]:.1f} ms")
    for what, (ms, made) in first.items():
        print(f"{what}: {ms:.0f} ms, made {made}")
    head = (
        f"{'document':<18}{'way':<10}{'median ms':>11}{'p95 ms':>10}{'min ms':>10}{'×floor':>8}{'queries':>9}"
        f"{'bytes':>10}"
    )
    print(head)
    print("-" * len(head))
    for row in rows:
        print(
            f"{row['document']:<18}{row['way']:<10}{row['median']:>11.1f}{row['p95']:>10.1f}{row['min']:>10.1f}"
            f"{row['median'] / floor_ms:>8.1f}{row['queries']:>9}{row['bytes']:>10,}"
        )
        if row["way"] == "stored":
            rendered = next(r for r in rows if r["document"] == row["document"] and r["way"] == "rendered")
            print(f"{'':<18}{'ratio':<10}{rendered['median'] / row['median']:>10.1f}x")


LOAD_BEFORE = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--factor", type=float, help="measure a seed_scale database on PostgreSQL (DATABASE_URL)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--prefix", default="yishi_bench", help="the database <prefix>_large, as bench.py names it")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.runs, args.warmup)
        return

    child = [PY, str(Path(__file__).resolve()), "--measure", "--runs", str(args.runs), "--warmup", str(args.warmup)]
    with tempfile.TemporaryDirectory(prefix="yishi-bench-docs-") as tmp:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("REDIS_URL", None)  # jobs run in this process
        if args.factor is not None:
            sys.path.insert(0, str(ROOT))
            from benchmarks.bench import db_url, ensure_database

            base = os.environ.get("DATABASE_URL", "")
            if not base.startswith("postgres"):
                sys.exit("--factor needs DATABASE_URL=postgres://user@host:port/any")
            name = f"{args.prefix}_large"
            ensure_database(base, name, args.factor, args.seed)
            env["DATABASE_URL"] = db_url(base, name)
        else:
            env["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            env["PRIVATE_MEDIA_ROOT"] = str(Path(tmp) / "private")
            for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
                subprocess.run([PY, "manage.py", *command], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
        subprocess.run(child, env=env, cwd=ROOT, check=True)  # noqa: S603


if __name__ == "__main__":
    main()
