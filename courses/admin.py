"""Staff manage the programme, its stages and their sessions here."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.admin_input import ValidSelectionMixin
from courses.forms import SessionAdminForm, SessionInlineFormSet
from courses.models import Programme, Session, Stage
from courses.selectors import with_hours, with_seats
from courses.services import session_copy, session_save


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    show_change_link = True
    fields = (
        "order",
        "title_lv",
        "title_en",
        "planned_academic_hours",
        "capacity",
        "registration_opens_at",
        "registration_closes_at",
        "completion_threshold_percent",
    )


@admin.register(Programme)
class ProgrammeAdmin(ValidSelectionMixin, admin.ModelAdmin):
    inlines = [StageInline]
    list_display = ("title_lv", "project_number", "agreement_number", "end_date")
    search_fields = ("title_lv", "title_en", "project_number")
    fieldsets = (
        (None, {"fields": ("title_lv", "title_en", "project_number", "agreement_number")}),
        (
            _("Funding"),
            {
                "fields": (
                    "funding_frame_lv",
                    "funding_frame_en",
                    "acknowledgement_lv",
                    "acknowledgement_en",
                )
            },
        ),
        (
            _("Organiser and partner"),
            {
                "fields": (
                    "organiser_lv",
                    "organiser_en",
                    "organiser_address",
                    "partner_lv",
                    "partner_en",
                )
            },
        ),
        (_("Schedule"), {"fields": ("end_date", "minutes_per_academic_hour")}),
        (_("Attendance"), {"fields": ("attendance_present_share", "hours_pro_rata")}),
        (
            _("Certificates"),
            {
                "fields": (
                    "certificate_number_pattern",
                    "approval_reference",
                    "signatory_name",
                    "signatory_title_lv",
                    "signatory_title_en",
                )
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and Session.objects.filter(stage__programme=obj).exists():
            readonly.append("minutes_per_academic_hour")
        return readonly


class SessionInline(admin.StackedInline):
    """Each session a block of a few lines: nine columns in a table were twice as wide as a
    1280-pixel screen (courses/tests/test_browser_stage_admin.py)."""

    model = Session
    form = SessionAdminForm
    formset = SessionInlineFormSet
    extra = 0
    show_change_link = True
    fields = (
        ("starts_at", "ends_at", "academic_hours", "mode"),
        ("topic_lv", "topic_en"),
        ("trainer", "venue"),
        "zoom_url",
    )
    ordering = ("starts_at",)


@admin.register(Stage)
class StageAdmin(ValidSelectionMixin, admin.ModelAdmin):
    inlines = [SessionInline]
    list_display = (
        "__str__",
        "programme",
        "planned_academic_hours",
        "scheduled_hours",
        "delivered_hours",
        "hours_check",
        "seats_taken",
        "capacity",
        "waiting",
        "is_demo",
    )
    list_filter = ("programme", "is_demo")
    list_select_related = ("programme",)
    readonly_fields = ("scheduled_hours", "delivered_hours", "hours_check")
    fieldsets = (
        (None, {"fields": ("programme", "order", "title_lv", "title_en", "is_demo")}),
        (_("Description"), {"fields": ("description_lv", "description_en")}),
        (
            _("Academic hours"),
            {
                "fields": (
                    "planned_academic_hours",
                    "scheduled_hours",
                    "delivered_hours",
                    "hours_check",
                )
            },
        ),
        (
            _("Registration"),
            {
                "fields": (
                    "capacity",
                    "registration_opens_at",
                    "registration_closes_at",
                    "completion_threshold_percent",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return with_seats(with_hours(super().get_queryset(request)))

    @admin.display(description=_("seats taken"), ordering="seats_taken")
    def seats_taken(self, stage):
        return stage.seats_taken

    @admin.display(description=_("waiting list"), ordering="waiting")
    def waiting(self, stage):
        return stage.waiting

    @admin.display(description=_("scheduled academic hours"), ordering="scheduled_hours")
    def scheduled_hours(self, stage):
        return getattr(stage, "scheduled_hours", None)

    @admin.display(description=_("delivered academic hours"), ordering="delivered_hours")
    def delivered_hours(self, stage):
        return getattr(stage, "delivered_hours", None)

    @admin.display(description=_("hours check"))
    def hours_check(self, stage):
        scheduled = getattr(stage, "scheduled_hours", None)
        if scheduled is None or scheduled == stage.planned_academic_hours:
            return _("Scheduled hours match the plan.")
        return format_html(
            '<strong class="errornote" role="status">{}</strong>',
            _("Warning: %(scheduled)s academic hours are scheduled, but %(planned)s are planned.")
            % {
                "scheduled": formats.number_format(scheduled, 2),
                "planned": formats.number_format(stage.planned_academic_hours, 2),
            },
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Session:
            return super().save_formset(request, form, formset, change)
        for session in formset.save(commit=False):
            session_save(session=session)
        for session in formset.deleted_objects:
            session.delete()
        formset.save_m2m()


class SessionTimeFilter(admin.SimpleListFilter):
    title = _("time")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", _("upcoming")), ("past", _("past"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "upcoming":
            return queryset.filter(ends_at__gt=now)
        if self.value() == "past":
            return queryset.filter(ends_at__lte=now)
        return queryset


@admin.register(Session)
class SessionAdmin(ValidSelectionMixin, admin.ModelAdmin):
    form = SessionAdminForm
    list_display = ("starts_at", "ends_at", "stage", "topic", "mode", "trainer", "academic_hours")
    list_filter = ("stage", "mode", SessionTimeFilter)
    list_select_related = ("stage",)
    search_fields = ("topic_lv", "topic_en", "trainer")
    date_hierarchy = "starts_at"
    ordering = ("starts_at",)
    actions = ["copy_one_week_later"]
    fieldsets = (
        (None, {"fields": ("stage", "starts_at", "ends_at", "academic_hours")}),
        (_("Where"), {"fields": ("mode", "zoom_url", "venue")}),
        (_("Content"), {"fields": ("topic_lv", "topic_en", "trainer")}),
    )

    @admin.display(description=_("topic"), ordering="topic_lv")
    def topic(self, session):
        return session.topic

    def save_model(self, request, obj, form, change):
        session_save(session=obj)

    @admin.action(description=_("Copy session one week later"), permissions=["add"])
    def copy_one_week_later(self, request, queryset):
        copied = 0
        for session in queryset.select_related("stage__programme").order_by("starts_at"):
            try:
                session_copy(session=session, days=7)
            except (ValidationError, IntegrityError) as error:
                self._report_refused_copy(request, session, error)
            else:
                copied += 1
        if copied:
            self.message_user(
                request,
                ngettext(
                    "Copied %(count)d session one week later.",
                    "Copied %(count)d sessions one week later.",
                    copied,
                )
                % {"count": copied},
                messages.SUCCESS,
            )

    def _report_refused_copy(self, request, session, error):
        reasons = error.messages if isinstance(error, ValidationError) else [str(error)]
        self.message_user(
            request,
            _("Session “%(session)s” was not copied: %(reasons)s")
            % {"session": session, "reasons": " ".join(reasons)},
            messages.ERROR,
        )


from courses import admin_reminders  # noqa: E402,F401
