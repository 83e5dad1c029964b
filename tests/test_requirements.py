"""The three requirement files pin one version per package.

`make audit` reads them together, and pip-audit refuses a package pinned at two versions; the load
venv is also meant to carry the same versions as the server's."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ("requirements.txt", "requirements-dev.txt", "requirements-load.txt")
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+)")


def pins():
    found = {}
    for name in FILES:
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            match = PIN.match(line.strip())
            if match:
                package = re.sub(r"[-_.]+", "-", match.group(1)).lower()
                found.setdefault(package, {})[name] = match.group(2)
    return found


def test_every_file_pins_something():
    found = pins()
    for name in FILES:
        assert any(name in files for files in found.values()), name


def test_a_package_has_one_version_across_the_files():
    disagreements = {package: files for package, files in pins().items() if len(set(files.values())) > 1}
    assert disagreements == {}
