from django.contrib import admin

from core.models import AuditEvent, Delivery, OutboxJob


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The record can be read here, never changed."""

    list_display = ["created_at", "actor", "verb", "target_type", "target_id", "from_state", "to_state"]
    list_filter = ["verb", "target_type"]
    search_fields = ["reason"]
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Reminder deliveries: what was sent, what is waiting for a retry, what gave up."""

    list_display = ["reminder", "channel", "state", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["state", "channel"]
    search_fields = ["reminder__text", "reminder__recipient__username"]
    list_select_related = ["reminder"]
    readonly_fields = ["reminder", "channel", "attempts", "last_error", "sent_at"]
    actions = ["retry_now"]

    @admin.action(description="立即重新发送所选")
    def retry_now(self, request, queryset):
        from django.utils import timezone

        # A delivery being sent right now is left alone: it may already be on its way.
        n = queryset.exclude(state__in=[Delivery.State.SENT, Delivery.State.SENDING]).update(
            state=Delivery.State.PENDING, next_attempt_at=timezone.now()
        )
        self.message_user(request, f"{n} 条将在下一次发送任务中重新发送。")

    def has_add_permission(self, request):
        return False


@admin.register(OutboxJob)
class OutboxJobAdmin(admin.ModelAdmin):
    """Jobs kept while Redis was unreachable, and when each was handed over (read only)."""

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
