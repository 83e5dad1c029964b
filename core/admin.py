from django.contrib import admin

from core.models import AuditEvent, Delivery


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

        n = queryset.exclude(state=Delivery.State.SENT).update(
            state=Delivery.State.PENDING, next_attempt_at=timezone.now()
        )
        self.message_user(request, f"{n} 条将在下一次发送任务中重新发送。")

    def has_add_permission(self, request):
        return False
