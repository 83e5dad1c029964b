import base64

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from core import audit
from core.admin import AuditedModelAdmin
from org import importing
from org.access import may_import_people
from org.forms import StaffWorkbookForm
from org.models import BodyMember, Department, MeetingBody, Portfolio, RoleAssignment, User

# What decides who may see and do what: roles, memberships, status, groups and permissions.
USER_ACCESS = ("role_assignments", "body_memberships", "groups", "user_permissions")
# The previewed staff workbook, kept for the "apply" that follows (the session lives in the database).
IMPORT_SESSION_KEY = "org.import.workbook"


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
    search_fields = ["username", "name", "email", "mobile", "dingtalk_userid", "wecom_userid"]
    list_select_related = ["department"]
    inlines = [RoleAssignmentInline]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("学校信息"), {"fields": ("name", "department", "title")}),
        # How the person signs in with the school's platforms and where work notices reach them.
        (_("钉钉、企业微信与手机号"), {"fields": ("mobile", "dingtalk_userid", "wecom_userid")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("学校信息"), {"fields": ("name", "department", "title")}),)
    audit_related = USER_ACCESS
    change_list_template = "admin/org/user/change_list.html"

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="org_user_import"),
            path("import/template/", self.admin_site.admin_view(self.import_template), name="org_user_import_template"),
            path("directory/", self.admin_site.admin_view(self.directory_view), name="org_user_directory"),
            *super().get_urls(),
        ]

    def _people_page(self, request, title) -> dict:
        """What the staff import and the directory sync both start with: only those who may import
        people get past it (403 for anyone else), with the admin page's context and its title."""
        if not may_import_people(request.user):
            raise PermissionDenied
        return {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta}

    def import_template(self, request):
        if not may_import_people(request.user):
            raise PermissionDenied
        response = HttpResponse(
            importing.template_bytes(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            "attachment; filename*=UTF-8''%E4%BA%BA%E5%91%98%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
        )
        return response

    def directory_view(self, request):
        """钉钉通讯录同步: what the DingTalk directory would change, then the same changes applied."""
        from core.errors import InvalidTransition
        from core.providers.base import ProviderError
        from core.providers.dingtalk import DingTalk
        from org import directory

        context = self._people_page(request, _("钉钉通讯录同步"))
        if not DingTalk.configured():
            context["error"] = _("尚未配置钉钉（DINGTALK_APP_KEY、DINGTALK_APP_SECRET），无法同步通讯录。")
            return TemplateResponse(request, "admin/org/user/directory.html", context, status=409)
        try:
            if request.method == "POST":
                done = directory.apply(actor=request.user, fingerprint=request.POST.get("fingerprint", ""))
                messages.success(request, _("已同步通讯录，共 %(n)s 项变化。") % {"n": len(done.changes)})
                return redirect("admin:org_user_changelist")
            context["plan"] = directory.plan()
        except InvalidTransition as exc:
            messages.error(request, exc.reason)
            return redirect("admin:org_user_directory")
        except ProviderError as exc:
            context["error"] = _("钉钉暂时无法访问，请稍后重试（%(detail)s）。") % {"detail": exc}
            return TemplateResponse(request, "admin/org/user/directory.html", context, status=503)
        return TemplateResponse(request, "admin/org/user/directory.html", context)

    def import_view(self, request):
        """人员导入: upload, preview what would change (nothing is kept), then apply the same file."""
        context = self._people_page(request, _("人员导入"))
        report, form = None, StaffWorkbookForm()
        if request.method == "POST" and "apply" in request.POST:
            content = base64.b64decode(request.session.get(IMPORT_SESSION_KEY, "") or b"")
            if not content:
                messages.error(request, _("预览已失效，请重新选择文件。"))
                return redirect("admin:org_user_import")
            report = importing.run_import(content, actor=request.user, apply=True)
            if report.applied:
                request.session.pop(IMPORT_SESSION_KEY, None)
                messages.success(request, _("已导入，共新增或更新 %(n)s 条记录。") % {"n": report.changes})
                return redirect("admin:org_user_changelist")
            messages.error(request, _("有行出错，整个文件都没有导入；请改正后重新预览。"))
        elif request.method == "POST":
            form = StaffWorkbookForm(request.POST, request.FILES)
            if form.is_valid():
                content = form.cleaned_data["workbook"].read()
                try:
                    report = importing.run_import(content, actor=request.user, apply=False)
                except importing.WorkbookError as exc:
                    form.add_error("workbook", str(exc))
                else:
                    request.session[IMPORT_SESSION_KEY] = base64.b64encode(content).decode()
        context.update(form=form, report=report)
        return TemplateResponse(request, "admin/org/user/import.html", context, status=400 if form.errors else 200)

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
