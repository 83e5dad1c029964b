from django.core.management.base import BaseCommand

from search import services


class Command(BaseCommand):
    help = "Rebuild the search index: every agenda item, resolution, locked minutes and published notice."

    def handle(self, *args, **options):
        result = services.reindex_all()
        for kind, n in result.indexed.items():
            line = f"{kind}: {n} indexed, {result.removed[kind]} removed"
            if failed := result.failed.get(kind):
                line += f", {len(failed)} failed ({', '.join(map(str, failed))})"
            self.stdout.write(line)
        if result.failed:
            # The others are indexed; the failed rows are tried again by the next run (logged by id).
            self.stdout.write(self.style.WARNING(f"search index rebuilt: {result.total} documents, some rows failed"))
        else:
            self.stdout.write(self.style.SUCCESS(f"search index rebuilt: {result.total} documents"))
