"""Write every model's transition table (core.transitions) into docs/architecture.md.

The tables go between the marker comments, so the document shows what the code declares; a
test fails when the file is out of date. `--check` only says whether it is."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.transitions import describe

BEGIN = "<!-- transitions:begin (manage.py describe_transitions writes this part) -->"
END = "<!-- transitions:end -->"


def document_path() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "architecture.md"


def rendered(text: str) -> str:
    """`text` with the part between the markers replaced by the tables."""
    if BEGIN not in text or END not in text:
        raise CommandError(f"docs/architecture.md has no {BEGIN!r} … {END!r} markers")
    head, rest = text.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n\n{describe()}\n{END}{tail}"


class Command(BaseCommand):
    help = "Write the transition tables into docs/architecture.md (--check: fail if it is out of date)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="only check that the file is up to date")

    def handle(self, *args, check: bool = False, **options):
        path = document_path()
        text = path.read_text(encoding="utf-8")
        new = rendered(text)
        if check:
            if new != text:
                raise CommandError("docs/architecture.md is out of date: run manage.py describe_transitions")
            self.stdout.write("docs/architecture.md is up to date.")
            return
        if new != text:
            path.write_text(new, encoding="utf-8")
        self.stdout.write(f"wrote {len(describe().splitlines())} lines of transition tables to {path}")
