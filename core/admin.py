"""The admin keeps the organisation (departments, people, roles, meeting bodies, rules and
settings), never the workflow's records: those are read on Yishi's pages, where each app's
visibility rule is asked and every view of a confidential one is on record. Every change made
here is written to the audit log (AuditedModelAdmin)."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import audit
from core.models import DELIVERY_TRANSITIONS, AuditEvent, Delivery, OutboxJob

# Never copied into the audit log.
_SECRET_FIELDS = {"password"}


def snapshot(obj: models.Model, related: tuple[str, ...] = ()) -> dict:
    """What an object says, as JSON: its fields (a related object by name) and, for each name in
    `related`, the sorted list of its related rows (roles, members, groups, permissions)."""
    out = {}
    for field in obj._meta.concrete_fields:
        if field.name in _SECRET_FIELDS:
            continue
        if field.is_relation:
            value = getattr(obj, field.name)
            out[field.name] = None if value is None else str(value)
        else:
            value = field.value_from_object(obj)
            out[field.name] = value if value is None or isinstance(value, (bool, int, str)) else str(value)
    for name in related:
        out[name] = sorted(str(row) for row in getattr(obj, name).all())
    return out


class AuditedModelAdmin(admin.ModelAdmin):
    """Every add, change and delete made in the admin is on record: who, when, and the object
    before and after (only what changed), inlines and many-to-many included (`audit_related`).
    Granting a role, a membership of a meeting body or staff/superuser status is such a change."""

    audit_related: tuple[str, ...] = ()

    def audit_target(self, obj: models.Model) -> models.Model:
        """The record the event is about (a role assignment's is its person)."""
        return obj

    def audit_target_related(self, target: models.Model) -> tuple[str, ...]:
        return self.audit_related

    def _state(self, obj: models.Model) -> dict:
        """The target as the database has it now ({} before it exists or once it is gone)."""
        target = self.audit_target(obj)
        fresh = type(target)._default_manager.filter(pk=target.pk).first() if target.pk else None
        return {} if fresh is None else snapshot(fresh, self.audit_target_related(fresh))

    def _record(self, request, verb: str, obj: models.Model, before: dict) -> None:
        after = self._state(obj)
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        if not changed:
            return
        audit.record(
            actor=request.user,
            verb=verb,
            target=self.audit_target(obj),
            data={
                "model": obj._meta.label_lower,
                "object": obj.pk,
                "before": {k: before.get(k) for k in changed},
                "after": {k: after.get(k) for k in changed},
            },
        )

    def save_model(self, request, obj, form, change):
        # The instance already carries the form's values: the state before is read from the database.
        obj._audit_before = self._state(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        self._record(request, "admin.change" if change else "admin.add", obj, getattr(obj, "_audit_before", {}))

    def delete_model(self, request, obj):
        before, pk = self._state(obj), obj.pk
        super().delete_model(request, obj)
        obj.pk = pk  # named in the event
        self._record(request, "admin.delete", obj, before)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The organisation's part of the record, read here and never changed: events about what the
    admin keeps (people, roles, bodies, rules, settings). What happened to items, meetings, tasks,
    notices and letters is read on their pages, where visibility is asked."""

    list_display = ["created_at", "actor", "verb", "target_type", "target_id", "from_state", "to_state"]
    list_filter = ["verb", "target_type"]
    search_fields = ["reason"]
    list_select_related = ["actor"]

    def get_queryset(self, request):
        kept = {audit.target_type_of(model) for model in self.admin_site._registry if model is not AuditEvent}
        return super().get_queryset(request).filter(target_type__in=kept)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Reminder deliveries: what was sent, what is waiting for a retry, what gave up. To whom
    and by which channel, never what the reminder says (it may name a confidential item)."""

    list_display = ["id", "recipient", "channel", "state", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["state", "channel"]
    search_fields = ["reminder__recipient__username", "reminder__recipient__name"]
    list_select_related = ["reminder__recipient"]
    fields = ["recipient", "channel", "state", "attempts", "next_attempt_at", "last_error", "sent_at"]
    readonly_fields = ["recipient", "channel", "attempts", "last_error", "sent_at"]
    actions = ["retry_now"]

    @admin.action(description="立即重新发送所选")
    def retry_now(self, request, queryset):
        from django.utils import timezone

        # A delivery being sent right now is left alone: it may already be on its way.
        n = queryset.filter(state__in=DELIVERY_TRANSITIONS["retry_now"].sources).update(
            state=Delivery.State.PENDING, next_attempt_at=timezone.now()
        )
        self.message_user(request, f"{n} 条将在下一次发送任务中重新发送。")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("接收人"), ordering="reminder__recipient__username")
    def recipient(self, delivery: Delivery):
        return delivery.reminder.recipient


@admin.register(OutboxJob)
class OutboxJobAdmin(admin.ModelAdmin):
    """Background jobs, when each was handed over, and why one still waits (read only)."""

    list_display = ["created_at", "func", "attempts", "sent_at", "last_error"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["func"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
