from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from org.models import BodyMember, Department, MeetingBody, RoleAssignment, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "sort_order", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ["department"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name", "department", "title", "is_active", "is_staff"]
    list_filter = ["department", "role_assignments__role", "is_active"]
    search_fields = ["username", "name", "email"]
    list_select_related = ["department"]
    inlines = [RoleAssignmentInline]
    fieldsets = BaseUserAdmin.fieldsets + ((_("学校信息"), {"fields": ("name", "department", "title")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("学校信息"), {"fields": ("name", "department", "title")}),)


class BodyMemberInline(admin.TabularInline):
    model = BodyMember
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(MeetingBody)
class MeetingBodyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "decides", "chair", "secretary_role"]
    inlines = [BodyMemberInline]
    autocomplete_fields = ["chair"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "department"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__name"]
    list_select_related = ["user", "department"]
