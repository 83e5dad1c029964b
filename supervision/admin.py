"""The party-branch checklist. Tasks, letters, patrol findings and branch checks are read on their
pages (supervision.access), where a confidential task is shown only to those it names."""

from django.contrib import admin

from core.admin import AuditedModelAdmin
from supervision.models import BranchCheckItem, DutyStatement, Holiday, PatrolArea


@admin.register(BranchCheckItem)
class BranchCheckItemAdmin(AuditedModelAdmin):
    """The monthly checklist, edited here. An item already used in a check cannot be deleted (its
    marks keep it); untick “在用” to leave it out of the next checks."""

    list_display = ["title", "points", "position", "active"]
    list_editable = ["points", "position", "active"]
    list_filter = ["active"]
    search_fields = ["title"]


@admin.register(Holiday)
class HolidayAdmin(AuditedModelAdmin):
    """The school's own days off and worked weekends, over the public calendar (chinese_calendar):
    read when a letter's reply deadline is counted in working days."""

    list_display = ["day", "name", "is_workday"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"


@admin.register(PatrolArea)
class PatrolAreaAdmin(AuditedModelAdmin):
    """The campus areas the weekly patrols must cover this term (巡查面全覆盖)."""

    list_display = ["name", "position", "active"]
    list_editable = ["position", "active"]
    list_filter = ["active"]


@admin.register(DutyStatement)
class DutyStatementAdmin(AuditedModelAdmin):
    """党建履职说明书: each post's duties, attached to the role that holds it."""

    list_display = ["post", "role", "position", "active"]
    list_filter = ["role", "active"]
    search_fields = ["post", "duties"]
