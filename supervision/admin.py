from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from supervision.models import (
    BranchCheck,
    BranchCheckItem,
    BranchCheckMark,
    Letter,
    LetterReply,
    Milestone,
    PatrolFinding,
    ProgressReport,
    Task,
    TaskEscalation,
)


class ReadOnly:
    """Letters, tasks, findings and checks change only through their services, which keep the record."""

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


# --- supervision tasks (四督查) -----------------------------------------------------------------


class MilestoneInline(ReadOnly, admin.TabularInline):
    model = Milestone
    fields = ["title", "due", "weight", "done_at"]
    extra = 0


class ProgressReportInline(ReadOnly, admin.TabularInline):
    model = ProgressReport
    fields = ["author", "text", "is_final", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0


class TaskEscalationInline(ReadOnly, admin.TabularInline):
    model = TaskEscalation
    fields = ["level", "by", "reason", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0


@admin.register(Task)
class TaskAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["title", "track", "source", "lead_department", "responsible_leader", "deadline", "state"]
    list_filter = ["track", "state", "source", "confidential"]
    list_select_related = ["lead_department", "responsible_leader"]
    search_fields = ["title"]
    date_hierarchy = "deadline"
    inlines = [MilestoneInline, ProgressReportInline, TaskEscalationInline]


@admin.register(PatrolFinding)
class PatrolFindingAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["patrolled_on", "place", "leader", "department", "created_at"]
    list_filter = ["department"]
    list_select_related = ["leader", "department"]
    search_fields = ["place", "text"]
    date_hierarchy = "patrolled_on"


# --- party-branch building (党支部建设) ----------------------------------------------------------


@admin.register(BranchCheckItem)
class BranchCheckItemAdmin(admin.ModelAdmin):
    """The monthly checklist, edited here. An item already used in a check cannot be deleted (its
    marks keep it); untick “在用” to leave it out of the next checks."""

    list_display = ["title", "points", "position", "active"]
    list_editable = ["points", "position", "active"]
    list_filter = ["active"]
    search_fields = ["title"]


class BranchCheckMarkInline(ReadOnly, admin.TabularInline):
    model = BranchCheckMark
    fields = ["item", "met", "points"]
    extra = 0
    verbose_name_plural = _("检查记录")


@admin.register(BranchCheck)
class BranchCheckAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["branch", "year", "month", "score", "full_score", "checker", "created_at"]
    list_filter = ["year", "branch"]
    list_select_related = ["branch", "checker"]
    inlines = [BranchCheckMarkInline]
