"""PDF render time and size: the fonts shipped in static/fonts/ against Debian's Noto CJK collections.

    .venv/bin/python benchmarks/pdf_fonts.py --deb fonts-noto-cjk_1%3a20220127+repack1-1_all.deb
    .venv/bin/python benchmarks/pdf_fonts.py --ttc-dir /usr/share/fonts/opentype/noto
    .venv/bin/python benchmarks/pdf_fonts.py          # the shipped fonts only

Three documents: a one-line Chinese PDF, a page of 200 Chinese paragraphs and the demo's Party
committee meeting archive (`seed_demo` into a SQLite file of its own, rendered by
meetings.pdf.archive_pdf). "system" renders them as Yishi did before it shipped fonts: no
@font-face, `font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif`, with the .ttc
collections of fonts-noto-cjk found through a fontconfig file of its own (FONTCONFIG_FILE; the
.deb is unpacked with dpkg-deb into a temporary directory, nothing is installed). "shipped" renders
them as Yishi does now. Each side runs in a child process (fontconfig is read once per process):
one warm-up render, then --runs renders; the median time, the PDF's size and the ratio are printed.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
OLD_FONT_CSS = '  body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; }\n'
DOC_HEAD = '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><style>{% include "pdf/_fonts.html" %}'
ONE_LINE = DOC_HEAD + "</style></head><body><p>党委会决议〔2026〕12号：同意实施校园安全改造工程。</p></body></html>"
PARAGRAPH = (
    "为深入贯彻落实党委关于加强学校治理能力建设的决定，学校党委会研究决定，自本学期起在全校范围内"
    "推行“决策一件事”工作机制，各部门应当按照议题申报、会前酝酿、集体决策、督查落实的程序办理。"
)
PAGE_200 = (
    DOC_HEAD
    + "body{font-size:11pt;line-height:1.6}</style></head><body><h1>关于推行“决策一件事”工作机制的通知</h1>"
    + "".join(f"<p>{n}. {PARAGRAPH}</p>" for n in range(1, 201))
    + "</body></html>"
)
CONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


def child(mode: str, runs: int) -> None:
    """Render the three documents; print {name: {"seconds": [...], "bytes": n}} as JSON."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    if mode == "system":
        # Yishi before it shipped fonts: the same documents without the @font-face rules.
        override = Path(tempfile.mkdtemp(prefix="yishi-bench-tpl-"))
        (override / "pdf").mkdir()
        (override / "pdf" / "_fonts.html").write_text(OLD_FONT_CSS)
        settings.TEMPLATES[0]["DIRS"] = [override, *settings.TEMPLATES[0]["DIRS"]]
    import django

    django.setup()
    from django.template import Context, Template

    from core.pdf import render_pdf
    from meetings.models import Meeting
    from meetings.pdf import archive_pdf
    from meetings.selectors import meeting_detail

    held = Meeting.objects.filter(state=Meeting.State.ADJOURNED).exclude(minutes=None).order_by("pk").first()
    member = held.attendance.first().person
    documents = {
        "one-line PDF": lambda: render_pdf(Template(ONE_LINE).render(Context())),
        "200 paragraphs": lambda: render_pdf(Template(PAGE_200).render(Context())),
        "meeting archive": lambda: archive_pdf(meeting_detail(member, held.pk)),
    }
    result = {}
    for name, render in documents.items():
        size = len(render())  # warm-up
        seconds = []
        for _ in range(runs):
            start = time.perf_counter()
            render()
            seconds.append(time.perf_counter() - start)
        result[name] = {"seconds": seconds, "bytes": size}
    print(json.dumps(result))


def run_child(mode: str, runs: int, env: dict) -> dict:
    out = subprocess.run(  # noqa: S603 (our interpreter, our arguments)
        [PY, __file__, "--child", mode, "--runs", str(runs)], env=env, cwd=ROOT, check=True, capture_output=True
    )
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deb", type=Path, help="a downloaded fonts-noto-cjk .deb (unpacked to a temp dir)")
    parser.add_argument("--ttc-dir", type=Path, help="a directory holding Noto{Serif,Sans}CJK-*.ttc")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", choices=["system", "shipped"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.runs)
        return

    with tempfile.TemporaryDirectory(prefix="yishi-bench-pdf-") as tmp:
        tmp = Path(tmp)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}"}
        env.pop("REDIS_URL", None)
        for command in (["migrate", "--noinput"], ["seed_demo"]):
            subprocess.run([PY, "manage.py", *command], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603

        results = {"shipped": run_child("shipped", args.runs, env)}
        ttc_dir = args.ttc_dir
        if args.deb:
            subprocess.run(["dpkg-deb", "-x", str(args.deb), str(tmp / "deb")], check=True)  # noqa: S603, S607
            ttc_dir = tmp / "deb" / "usr/share/fonts/opentype/noto"
        if ttc_dir:
            config = tmp / "fonts.conf"
            config.write_text(CONFIG.format(fonts=ttc_dir.resolve(), cache=tmp / "fc-cache"))
            results["system"] = run_child("system", args.runs, {**env, "FONTCONFIG_FILE": str(config)})

    print(f"median of {args.runs} renders after one warm-up")
    print(f"{'document':<18}{'fonts':<10}{'seconds':>10}{'PDF bytes':>12}")
    for name in results["shipped"]:
        for mode in ("system", "shipped"):
            if mode in results:
                r = results[mode][name]
                print(f"{name:<18}{mode:<10}{statistics.median(r['seconds']):>10.2f}{r['bytes']:>12,}")
        if "system" in results:
            before, after = results["system"][name], results["shipped"][name]
            ratio = statistics.median(before["seconds"]) / statistics.median(after["seconds"])
            print(f"{'':<18}{'ratio':<10}{ratio:>9.1f}x{before['bytes'] / after['bytes']:>11.1f}x")


if __name__ == "__main__":
    main()
