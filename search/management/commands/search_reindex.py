from django.core.management.base import BaseCommand

from search import services


class Command(BaseCommand):
    help = "Rebuild the search index: every agenda item, resolution, locked minutes and published notice."

    def handle(self, *args, **options):
        result = services.reindex_all()
        for kind, n in result.indexed.items():
            self.stdout.write(f"{kind}: {n} indexed, {result.removed[kind]} removed")
        self.stdout.write(self.style.SUCCESS(f"search index rebuilt: {result.total} documents"))
