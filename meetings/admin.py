from django.contrib import admin

from meetings.models import Meeting, Minutes, Resolution


class ReadOnlyAdmin(admin.ModelAdmin):
    """Meetings change only through their services, which keep the record."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "body", "starts_at", "state"]
    list_filter = ["body", "state"]


@admin.register(Resolution)
class ResolutionAdmin(ReadOnlyAdmin):
    list_display = ["number", "item", "meeting", "outcome", "issued_at"]
    list_filter = ["body", "year"]
    list_select_related = ["item", "meeting"]


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "meeting", "state", "locked_at"]
