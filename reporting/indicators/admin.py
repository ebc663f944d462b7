"""Indicators and the values staff enter for them, with their history (who, when, a diff);
submitted reports, read-only. Imported by ``reporting/admin.py``."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reporting.indicators.models import Indicator, IndicatorValue
from reporting.report.models import SubmittedReport


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name_lv",
        "unit_lv",
        "baseline",
        "target",
        "kind",
        "computation",
        "order",
    ]
    list_editable = ["order"]
    list_filter = ["kind"]
    search_fields = ["code", "name_lv", "name_en"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "period_start", "period_end", "value", "entered_by", "entered_at"]
    list_filter = ["indicator"]
    date_hierarchy = "period_end"
    readonly_fields = ["entered_by", "entered_at"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        indicator = form.base_fields.get("indicator")
        if indicator is not None:
            indicator.queryset = Indicator.objects.filter(kind=Indicator.Kind.ENTERED)
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SubmittedReport)
class SubmittedReportAdmin(admin.ModelAdmin):
    """Submitted in the reports area; frozen, so never added, changed or deleted here."""

    list_display = ["__str__", "programme", "submitted_at", "submitted_by_name"]
    readonly_fields = [
        "programme",
        "period_start",
        "period_end",
        "submitted_at",
        "submitted_by_name",
        "language",
    ]
    exclude = ["snapshot", "submitted_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
