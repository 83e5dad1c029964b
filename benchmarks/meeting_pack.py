"""Pages and seconds to build a meeting pack （会议材料汇编） of a 10-item Party committee meeting.

    .venv/bin/python benchmarks/meeting_pack.py [--items 10] [--attachment-pages 3] [--runs 3]

Everything happens in a temporary directory: a SQLite database (migrate, then the demo school's
people and bodies from demo.people.seed_org), private media for the uploads. Each item carries a
PDF report of --attachment-pages pages (set by WeasyPrint in the shipped fonts, as a department's
scanned-in report would be merged) and a Word file (listed, not merged). One warm-up build, then
--runs builds of meetings.paper.pack.build_pack for the Party office; prints the pages, the size
and the median/min/max seconds, and the same for the agenda alone.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--attachment-pages", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="yishi-bench-pack-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["PRIVATE_MEDIA_ROOT"] = str(tmp / "private")
    os.environ.pop("REDIS_URL", None)  # jobs run in-process
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.template.loader import render_to_string
    from docx import Document

    call_command("migrate", verbosity=0, interactive=False)
    from core.pdf import render_pdf
    from decisions import services as item_services
    from decisions.models import State
    from demo.people import seed_org
    from meetings import services
    from meetings.models import Meeting
    from meetings.paper.pack import build_pack
    from org.models import User
    from tests.factories import at_state, meeting_for, organizer_of

    seed_org()
    staff, member1 = User.objects.get(username="staff"), User.objects.get(username="member1")
    fonts = render_to_string("pdf/_fonts.html")
    report = render_pdf(
        f"<html><head><style>{fonts}</style></head><body>"
        + "".join(
            f'<h1 style="break-before: page">可行性研究报告 第{n}页</h1>' + "<p>项目背景、建设内容与资金测算。</p>" * 20
            for n in range(1, args.attachment_pages + 1)
        )
        + "</body></html>"
    )
    word = io.BytesIO()
    Document().save(word)
    meeting = meeting_for("PC")
    office = organizer_of("PC")
    for n in range(1, args.items + 1):
        item = at_state(
            State.READY,
            submitter=staff,
            consultees=[member1],
            title=f"关于第{n}项建设工程的请示",
            background="根据学校发展规划，" * 40,
            proposal="建议分两期实施，" * 40,
        )
        for name, content in ((f"报告{n}.pdf", report), (f"预算{n}.docx", word.getvalue())):
            item_services.attachment_add(actor=staff, item_id=item.pk, upload=SimpleUploadedFile(name, content))
        services.agenda_add(actor=office, meeting_id=meeting.pk, item_id=item.pk)

    from meetings.selectors import meeting_detail

    def build(with_materials: bool):
        loaded = meeting_detail(office, meeting.pk)
        started = time.perf_counter()
        pack = build_pack(loaded, office, with_materials=with_materials)
        return time.perf_counter() - started, pack

    for label, with_materials in (("meeting pack", True), ("agenda only", False)):
        build(with_materials)  # warm-up: fonts loaded, templates compiled
        times, pack = [], None
        for _ in range(args.runs):
            seconds, pack = build(with_materials)
            times.append(seconds)
        print(
            f"{label}: {args.items} items, {args.attachment_pages} attachment pages each -> "
            f"{pack.pages} pages, {len(pack.pdf) / 1024:.0f} KiB; "
            f"seconds median {statistics.median(times):.2f} (min {min(times):.2f}, max {max(times):.2f}, "
            f"{args.runs} runs)"
        )
    assert Meeting.objects.count() == 1


if __name__ == "__main__":
    main()
