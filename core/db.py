"""Query building blocks shared by the apps."""

from django.db.models import IntegerField, QuerySet, Subquery


class SubqueryCount(Subquery):
    """COUNT(*) of a queryset as an expression, so several counts share one query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet, **extra):
        super().__init__(queryset.order_by().values("pk"), **extra)
