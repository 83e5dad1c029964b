from django.contrib import admin

from notices.models import Notice, NoticeAudience, NoticeRecipient


class ReadOnly:
    """Notices change only through their services, which keep the record and the receipts."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NoticeAudienceInline(ReadOnly, admin.TabularInline):
    model = NoticeAudience
    fields = ["kind", "department", "role", "person", "meeting"]
    extra = 0


@admin.register(Notice)
class NoticeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["title", "level", "state", "confidential", "meeting", "published_at"]
    list_filter = ["level", "state", "confidential"]
    list_select_related = ["meeting"]
    search_fields = ["title"]
    inlines = [NoticeAudienceInline]

    def get_queryset(self, request):
        # The administrator keeps the system, not the secrets.
        return super().get_queryset(request).filter(confidential=False)


@admin.register(NoticeRecipient)
class NoticeRecipientAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["notice", "person", "read_at"]
    list_filter = ["notice__level"]
    list_select_related = ["notice", "person"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(notice__confidential=False)
