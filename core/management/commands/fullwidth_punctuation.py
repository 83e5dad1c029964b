"""Full-width punctuation in every Chinese string: find (--check) or fix, in place, the half-width
, : ; ! ? ( ) next to Chinese text in the message catalogue's ids, the templates and the string
literals of Yishi's Python code (core.punctuation says what counts).

Migrations are history and are left as they are: after a fix, `makemigrations` writes the changed
labels as a new migration. Run it again after merging work that added Chinese strings.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import punctuation

SKIP_DIRS = {".venv", "node_modules", "migrations", "staticfiles", "var", ".git", "test-results"}
# The rule's own module and its test hold half-width marks on purpose, as examples.
SKIP_FILES = {"core/punctuation.py", "tests/test_punctuation.py", "core/management/commands/fullwidth_punctuation.py"}


def files(root: Path):
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        # Hidden folders hold tools (virtualenvs such as .venv-audit and .venv-load, caches).
        if (
            any(part in SKIP_DIRS or part.startswith(".") for part in rel.parts)
            or str(rel) in SKIP_FILES
            or not path.is_file()
        ):
            continue
        if path.suffix == ".py":
            yield path, punctuation.python_positions
        elif rel.parts[0] == "templates" and path.suffix in (".html", ".txt"):
            yield path, punctuation.template_positions
        elif rel.parts[0] == "locale" and path.suffix == ".po":
            yield path, punctuation.po_positions


class Command(BaseCommand):
    help = "Find (--check) or fix half-width punctuation in Chinese strings."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="list what would change; exit 1 if anything")

    def handle(self, *args, check=False, **options):
        root = Path(settings.BASE_DIR)
        changed = 0
        for path, finder in files(root):
            source = path.read_text(encoding="utf-8")
            at = finder(source)
            if not at:
                continue
            rel = path.relative_to(root)
            if check:
                changed += len(at)
                for i in at[:5]:
                    line = source.count("\n", 0, i) + 1
                    self.stdout.write(f"{rel}:{line}: {source[max(0, i - 8) : i + 8]!r}")
                continue
            count = 0
            while at:  # a mark made full-width can put its neighbour next to Chinese text
                count += len(at)
                source = punctuation.fix(source, at)
                at = finder(source)
            changed += count
            path.write_text(source, encoding="utf-8")
            self.stdout.write(f"{rel}: {count}")
        if check and changed:
            raise CommandError(f"{changed} half-width marks in Chinese text")
        self.stdout.write(f"{changed} marks {'found' if check else 'made full-width'}")
