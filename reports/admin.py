"""The report's indicators and settings. Reported values are read on the report's pages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedModelAdmin
from reports.models import Indicator, ReportSettings


@admin.register(Indicator)
class IndicatorAdmin(AuditedModelAdmin):
    list_display = ["name", "unit", "sort_order", "active"]
    list_editable = ["sort_order", "active"]
    list_filter = ["active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        # Reported values refer to it: an indicator no longer used is made inactive instead.
        return obj is None or not obj.entries.exists()


@admin.register(ReportSettings)
class ReportSettingsAdmin(AuditedModelAdmin):
    list_display = ["__str__", "outlier_method", "outlier_k", "outlier_percent"]
    fieldsets = [
        (
            _("年初目标填报时间"),
            {"fields": [("target_opens_month", "target_opens_day"), ("target_closes_month", "target_closes_day")]},
        ),
        (
            _("年中进度填报时间"),
            {
                "fields": [
                    ("progress_opens_month", "progress_opens_day"),
                    ("progress_closes_month", "progress_closes_day"),
                ]
            },
        ),
        (
            _("年终结果填报时间"),
            {
                "fields": [("result_opens_month", "result_opens_day"), ("result_closes_month", "result_closes_day")],
                "description": _("截止日早于开始日时截止在次年（默认：12月1日至次年1月31日）。"),
            },
        ),
        (_("异常值"), {"fields": ["outlier_method", "outlier_k", "outlier_percent"]}),
    ]

    def has_add_permission(self, request):
        return not ReportSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
