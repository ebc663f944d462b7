"""Reminder rules in the admin: per programme, with per-stage overrides (imported by admin.py)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from courses.admin_input import ValidSelectionMixin
from courses.models import ReminderRule


@admin.register(ReminderRule)
class ReminderRuleAdmin(ValidSelectionMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "programme",
        "stage",
        "kind",
        "local_time",
        "offset_minutes",
        "active",
    )
    list_filter = ("active", "kind", "programme", "stage")
    list_editable = ("active",)
    list_select_related = ("programme", "stage")
    fieldsets = (
        (None, {"fields": ("programme", "stage", "label", "active")}),
        (
            _("When"),
            {
                "fields": ("kind", "local_time", "offset_minutes"),
                "description": _(
                    "“The day before” reminds at a time of day (Riga time) on the day before the "
                    "session; “minutes before the start” reminds that many minutes before it. "
                    "To stop a reminder, untick “active” (a programme left with no rules at all "
                    "gets the default ones back: the day before at 18:00 and 60 minutes before)."
                ),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("programme", "stage")
