"""Signing in, and loading the signed-in person with their roles in one query.

Every page asks what the person may do, and the answer is their role assignments. Django's
ModelBackend loads the user on each request; this backend loads the user and their assignments
(role and department) together, as one string aggregated in a subquery, so the roles cost no
query of their own.
"""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat

from org.models import RoleAssignment, User


class JoinedText(Aggregate):
    """The group's values joined by commas: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def with_assignments(queryset):
    """Annotate users with their assignments as "role:department_id,role:," text."""
    pairs = (
        RoleAssignment.objects.filter(user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(
            text=JoinedText(
                Concat(
                    F("role"),
                    Value(":"),
                    Coalesce(Cast("department_id", CharField()), Value("")),
                    output_field=CharField(),
                )
            )
        )
        .values("text")
    )
    return queryset.annotate(assignment_text=Subquery(pairs, output_field=CharField()))


class YishiBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = with_assignments(User._default_manager.all()).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
