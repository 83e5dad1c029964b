"""Build a school of N× a large vocational college, for benchmarks (see demo/scale/)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from demo import scale


class Command(BaseCommand):
    help = "Write a large school (N× 3,000 staff, 20,000 items, 1,000,000 history rows) with bulk inserts."

    def add_arguments(self, parser):
        parser.add_argument("--factor", type=float, default=1.0, help="1 = a large vocational college; 0.01 for tests")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--index",
            choices=["auto", "yes", "no"],
            default="auto",
            help="fill the search index (search.services.reindex_all); auto: yes",
        )

    def handle(self, *args, factor, seed, index, **options):
        if factor <= 0:
            raise CommandError("--factor must be positive")
        began = time.perf_counter()
        try:
            with transaction.atomic():
                tables = scale.build(factor=factor, seed=seed, log=self.stdout.write)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        written = time.perf_counter() - began
        self.stdout.write(f"{'table':<32}{'rows':>10}{'seconds':>10}")
        for table, rows in sorted(tables.rows.items()):
            self.stdout.write(f"{table:<32}{rows:>10}{tables.seconds[table]:>10.1f}")
        self.stdout.write(f"written in {written:.1f} s (factor {factor}, seed {seed}, {connection.vendor})")
        if index != "no":
            from search.services import reindex_all

            began = time.perf_counter()
            result = reindex_all()
            self.stdout.write(f"search index: {dict(result.indexed)} in {time.perf_counter() - began:.1f} s")
        if connection.vendor == "postgresql":
            began = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.stdout.write(f"ANALYZE in {time.perf_counter() - began:.1f} s")
