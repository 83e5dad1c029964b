from django.contrib import admin

from supervision.models import Letter, LetterReply


class ReadOnly:
    """Letters and replies change only through their services, which keep the record."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LetterReplyInline(ReadOnly, admin.TabularInline):
    model = LetterReply
    fields = ["author", "body", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0


@admin.register(Letter)
class LetterAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["subject", "author", "state", "created_at", "replied_at"]
    list_filter = ["state"]
    list_select_related = ["author"]
    search_fields = ["subject"]
    inlines = [LetterReplyInline]
