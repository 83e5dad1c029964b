from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from reports.models import Indicator, ReportEntry, ReportSettings


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "sort_order", "active"]
    list_editable = ["sort_order", "active"]
    list_filter = ["active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        # Reported values refer to it: an indicator no longer used is made inactive instead.
        return obj is None or not obj.entries.exists()


@admin.register(ReportSettings)
class ReportSettingsAdmin(admin.ModelAdmin):
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
                "description": _("截止日早于开始日时截止在次年(默认:12月1日至次年1月31日)。"),
            },
        ),
        (_("异常值"), {"fields": ["outlier_method", "outlier_k", "outlier_percent"]}),
    ]

    def has_add_permission(self, request):
        return not ReportSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportEntry)
class ReportEntryAdmin(admin.ModelAdmin):
    """Read-only: values are entered and corrected on the report's pages, which keep the record."""

    list_display = ["year", "stage", "department", "indicator", "value", "entered_by", "entered_at"]
    list_filter = ["year", "stage", "indicator"]
    search_fields = ["department__name", "indicator__name"]
    list_select_related = ["department", "indicator", "entered_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
