from django.contrib import admin

from decisions.models import AgendaItem, DecisionPolicy, ScopeRule


@admin.register(ScopeRule)
class ScopeRuleAdmin(admin.ModelAdmin):
    list_display = ["body", "category", "note"]
    list_filter = ["body"]


@admin.register(DecisionPolicy)
class DecisionPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "major_amount_threshold"]

    def has_add_permission(self, request):
        return not DecisionPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    """Read-only: items change only through their steps, which keep the record."""

    list_display = ["title", "requested_body", "category", "department", "submitter", "state", "updated_at"]
    list_filter = ["state", "requested_body", "category", "confidential"]
    search_fields = ["title"]
    list_select_related = ["requested_body", "department", "submitter"]

    def get_queryset(self, request):
        # Confidential items are read in the application, where every view is on record.
        return super().get_queryset(request).filter(confidential=False)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
