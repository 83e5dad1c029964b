from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from core import audit
from core.admin import AuditedModelAdmin
from org.models import BodyMember, Department, MeetingBody, Portfolio, RoleAssignment, User

# What decides who may see and do what: roles, memberships, status, groups and permissions.
USER_ACCESS = ("role_assignments", "body_memberships", "groups", "user_permissions")


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "parent", "sort_order", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ["department"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    list_display = ["username", "name", "department", "title", "is_active", "is_staff"]
    list_filter = ["department", "role_assignments__role", "is_active"]
    search_fields = ["username", "name", "email"]
    list_select_related = ["department"]
    inlines = [RoleAssignmentInline]
    fieldsets = BaseUserAdmin.fieldsets + ((_("学校信息"), {"fields": ("name", "department", "title")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("学校信息"), {"fields": ("name", "department", "title")}),)
    audit_related = USER_ACCESS

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            # That it was set, by whom and when; never the password or its hash.
            audit.record(actor=request.user, verb="admin.password", target=User.objects.get(pk=id))
        return response


class BodyMemberInline(admin.TabularInline):
    model = BodyMember
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(MeetingBody)
class MeetingBodyAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "decides", "chair", "secretary_role"]
    inlines = [BodyMemberInline]
    autocomplete_fields = ["chair"]
    audit_related = ("members",)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedModelAdmin):
    list_display = ["user", "role", "department"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__name"]
    list_select_related = ["user", "department"]

    def audit_target(self, obj):
        return obj.user

    def audit_target_related(self, target):
        return USER_ACCESS


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedModelAdmin, BaseGroupAdmin):
    audit_related = ("permissions", "user_set")


@admin.register(Portfolio)
class PortfolioAdmin(AuditedModelAdmin):
    """分管: a change of portfolio ends the old row (截止日期) and adds a new one; history is kept."""

    list_display = ["department", "leader", "starts_on", "ends_on"]
    list_filter = ["leader"]
    list_select_related = ["department", "leader"]
    autocomplete_fields = ["department"]
