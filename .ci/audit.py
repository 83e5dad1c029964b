#!/usr/bin/env python3
"""Known vulnerabilities in Yishi's pinned requirements (pip-audit, PyPI's advisory data).

Fails when a pinned version has a known vulnerability. A package whose advisory data cannot be
reached (no network, or a registry mirror without PyPI's JSON API) is not counted as safe: it is
listed as NOT AUDITED, and the summary says how many were checked. With --strict an unaudited
package fails the run as well.

Usage: .ci/audit.py [--strict] [--pip-audit PATH] requirements.txt [more.txt ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--strict", action="store_true", help="fail when a package could not be audited")
    parser.add_argument("--pip-audit", default="pip-audit")
    parser.add_argument("requirements", nargs="+")
    args = parser.parse_args()

    command = [args.pip_audit, "--disable-pip", "--no-deps", "--progress-spinner", "off", "-f", "json"]
    for path in args.requirements:
        command += ["-r", path]
    run = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(run.stdout, run.stderr, sep="\n", file=sys.stderr)
        print(f"pip-audit gave no report (exit {run.returncode})", file=sys.stderr)
        return 2

    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    unaudited = [d for d in deps if d.get("skip_reason")]
    audited = len(deps) - len(unaudited)

    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed release"
            print(f"VULNERABLE {dep['name']} {dep.get('version', '')}: {vuln['id']} (fixed in {fixes})")
    for dep in unaudited:
        print(f"NOT AUDITED {dep['name']}: {dep['skip_reason']}")

    print(
        f"pip-audit: {len(deps)} pinned packages, {audited} audited, {len(unaudited)} not audited "
        f"(no advisory data reachable), {len(vulnerable)} with known vulnerabilities"
    )
    if unaudited and not audited:
        print("WARNING: no vulnerability data could be reached; this run proves nothing about vulnerabilities.")
    if vulnerable:
        return 1
    if unaudited and args.strict:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
