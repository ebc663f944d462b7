"""The reminders in the admin: a per-session delivery log with "send reminder now", and every
delivery in one filterable list (imported by participants/admin.py, where the admin finds it)."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.admin_input import ValidSelectionMixin
from participants.models import ReminderDelivery, SessionReminders, reminder_kind_label
from participants.reminders import tasks as reminder_tasks


@admin.display(description=_("kind"), ordering="kind")
def delivery_kind(delivery):
    return delivery.kind_label


class KindFilter(admin.SimpleListFilter):
    """The kinds recorded so far, by their labels (the raw keys mean nothing to staff)."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = ReminderDelivery.objects.order_by("kind").values_list("kind", flat=True)
        return [(kind, reminder_kind_label(kind)) for kind in kinds.distinct()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


READ_ONLY_DELIVERY_FIELDS = (
    "registration",
    "session",
    delivery_kind,
    "rule",
    "status",
    "due_at",
    "claimed_at",
    "sent_at",
    "attempts",
    "next_attempt_at",
    "last_error",
    "requested_by",
    "created_at",
)


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryInline(ReadOnlyMixin, admin.TabularInline):
    model = ReminderDelivery
    fk_name = "session"
    extra = 0
    can_delete = False
    verbose_name_plural = _("reminders sent and due")
    fields = ("participant", delivery_kind, "status", "due_at", "sent_at", "attempts", "last_error")
    readonly_fields = fields
    ordering = ("registration__participant__last_name", "due_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("registration__participant")

    @admin.display(description=_("participant"))
    def participant(self, delivery):
        return delivery.registration.participant


@admin.register(SessionReminders)
class SessionRemindersAdmin(ValidSelectionMixin, admin.ModelAdmin):
    inlines = [DeliveryInline]
    list_display = ("__str__", "stage", "sent_count", "failed_count", "missed_count")
    list_filter = ("stage",)
    list_select_related = ("stage",)
    date_hierarchy = "starts_at"
    actions = ["send_reminder_now"]
    fields = ("stage", "topic_lv", "starts_at", "ends_at", "mode")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        delivered = "reminder_deliveries__status"
        return (
            super()
            .get_queryset(request)
            .annotate(
                sent_count=Count("reminder_deliveries", filter=Q(**{delivered: "sent"})),
                failed_count=Count("reminder_deliveries", filter=Q(**{delivered: "failed"})),
                missed_count=Count("reminder_deliveries", filter=Q(**{delivered: "missed"})),
            )
        )

    @admin.display(description=_("sent"), ordering="sent_count")
    def sent_count(self, session):
        return session.sent_count

    @admin.display(description=_("failed"), ordering="failed_count")
    def failed_count(self, session):
        return session.failed_count

    @admin.display(description=_("missed"), ordering="missed_count")
    def missed_count(self, session):
        return session.missed_count

    @admin.action(description=_("Send reminder now"), permissions=["change"])
    def send_reminder_now(self, request, queryset):
        for session in queryset.select_related("stage"):
            outcome = reminder_tasks.reminders_send_now(session=session, requested_by=request.user)
            self.report_send_now(request, session, outcome)

    def report_send_now(self, request, session, outcome):
        if outcome.started:
            message = _("%(session)s has already started: no reminder was sent.")
            self.message_user(request, message % {"session": session}, messages.WARNING)
            return
        text = ngettext(
            "%(session)s: a reminder is being sent to %(count)d participant.",
            "%(session)s: a reminder is being sent to %(count)d participants.",
            outcome.queued,
        ) % {"session": session, "count": outcome.queued}
        if outcome.skipped:
            text += " " + ngettext(
                "%(count)d participant got one moments ago and was skipped.",
                "%(count)d participants got one moments ago and were skipped.",
                outcome.skipped,
            ) % {"count": outcome.skipped}
        self.message_user(request, text, messages.SUCCESS)


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(ValidSelectionMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "participant",
        "session",
        delivery_kind,
        "status",
        "due_at",
        "sent_at",
        "attempts",
    )
    list_filter = ("status", KindFilter, "session__stage")
    list_select_related = ("registration__participant", "session", "session__stage")
    search_fields = ("registration__participant__email", "registration__participant__last_name")
    date_hierarchy = "due_at"
    fields = READ_ONLY_DELIVERY_FIELDS
    readonly_fields = READ_ONLY_DELIVERY_FIELDS

    @admin.display(description=_("participant"), ordering="registration__participant__last_name")
    def participant(self, delivery):
        return delivery.registration.participant
