from django.db import IntegrityError, transaction

from core.models import Sequence


def next_number(name: str, year: int) -> int:
    """The next number in a yearly series. Call inside the transaction that uses it."""
    with transaction.atomic():
        row = Sequence.objects.select_for_update().filter(name=name, year=year).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = Sequence.objects.create(name=name, year=year, last=0)
            except IntegrityError:
                row = Sequence.objects.select_for_update().get(name=name, year=year)
            else:
                row = Sequence.objects.select_for_update().get(pk=row.pk)
        row.last += 1
        row.save(update_fields=["last"])
        return row.last
