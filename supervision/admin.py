"""The party-branch checklist. Tasks, letters, patrol findings and branch checks are read on their
pages (supervision.access), where a confidential task is shown only to those it names."""

from django.contrib import admin

from core.admin import AuditedModelAdmin
from supervision.models import BranchCheckItem, DutyStatement


@admin.register(BranchCheckItem)
class BranchCheckItemAdmin(AuditedModelAdmin):
    """The monthly checklist, edited here. An item already used in a check cannot be deleted (its
    marks keep it); untick “在用” to leave it out of the next checks."""

    list_display = ["title", "points", "position", "active"]
    list_editable = ["points", "position", "active"]
    list_filter = ["active"]
    search_fields = ["title"]


@admin.register(DutyStatement)
class DutyStatementAdmin(AuditedModelAdmin):
    """党建履职说明书: each post's duties, attached to the role that holds it."""

    list_display = ["post", "role", "position", "active"]
    list_filter = ["role", "active"]
    search_fields = ["post", "duties"]
