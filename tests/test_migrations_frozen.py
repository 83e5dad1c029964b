"""Migrations carry what they did: a migration reaches the models only through `apps.get_model`
and imports no application code that may change after it was written (a data migration calling
today's services would do something else, or fail, on a fresh database years later).

Two exceptions: `core.records.install`, the builder of the record triggers' SQL (the migrations
pass it their tables and openings as literals, and its SQL is the record's rule); and a model
field's callable default or upload_to, which Django writes into a migration as a reference to the
model's module (the calendar feed's token, the stored documents' folder) and compares with the
model's own to detect changes.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("core", "org", "decisions", "meetings", "notices", "supervision", "reports", "search", "dashboard")
ALLOWED = {("core.records", "install")}
FIELD_DEFAULTS = {"supervision.models.calendar", "meetings.models.documents"}


def application_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in APPS:
            found += [f"{node.module}.{a.name}" for a in node.names if (node.module, a.name) not in ALLOWED]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in APPS and a.name not in FIELD_DEFAULTS]
    return found


def test_no_migration_imports_application_code():
    offenders = {
        str(path.relative_to(ROOT)): names
        for app in APPS
        for path in sorted((ROOT / app / "migrations").glob("*.py"))
        if (names := application_imports(path))
    }
    assert offenders == {}
