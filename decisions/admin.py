"""Scope rules and the decision policy. Agenda items are read on their pages (decisions.access)."""

from django.contrib import admin

from core.admin import AuditedModelAdmin
from decisions.models import DecisionPolicy, ScopeRule


@admin.register(ScopeRule)
class ScopeRuleAdmin(AuditedModelAdmin):
    list_display = ["body", "category", "note"]
    list_filter = ["body"]


@admin.register(DecisionPolicy)
class DecisionPolicyAdmin(AuditedModelAdmin):
    list_display = ["__str__", "major_amount_threshold"]

    def has_add_permission(self, request):
        return not DecisionPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
