from django.contrib import admin

from core.models import AuditEvent


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
