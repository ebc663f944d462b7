"""Staff views of participants and registrations.

Status changes go through the services in ``participants.services`` (the same ones the public
pages use), one registration at a time; the admin only reports what each service did or refused.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.admin_input import ValidSelectionMixin
from participants import exports, services
from participants.admin_csv import ChangeListCsvExportMixin, csv_download
from participants.attendance import display as attendance_display
from participants.attendance import selectors as attendance_selectors
from participants.forms import normalise_text
from participants.models import Participant, Registration
from participants.privacy import admin as privacy_admin
from participants.privacy.models import ExportRecord
from participants.privacy.services import export_record
from participants.validators import email_ascii

# Refusals listed in full in one admin message; the rest are counted.
MAX_LISTED_REFUSALS = 10


class RegistrationOutcome:
    """Counts what a bulk action changed, left as it was, and refused (with the reasons)."""

    def __init__(self, *, changes_status=True):
        self.changes_status = changes_status
        self.done = 0
        self.unchanged = 0
        self.refusals = []

    def run(self, service, registrations, **kwargs):
        for registration in registrations:
            status_before = registration.status
            try:
                result = service(registration=registration, **kwargs)
            except ValidationError as error:  # the services' RegistrationError and its kinds
                self.refusals.append((registration, " ".join(error.messages)))
            else:
                if self.changes_status and result.status == status_before:
                    self.unchanged += 1
                else:
                    self.done += 1
        return self


def report_refusals(modeladmin, request, refusals, *, heading):
    if not refusals:
        return
    listed = "; ".join(
        f"{registration.participant.full_name} ({registration.stage}): {reason}"
        for registration, reason in refusals[:MAX_LISTED_REFUSALS]
    )
    more = len(refusals) - MAX_LISTED_REFUSALS
    if more > 0:
        listed += " " + ngettext("… and %(count)d more.", "… and %(count)d more.", more) % {
            "count": more
        }
    modeladmin.message_user(request, f"{heading} {listed}", messages.WARNING)


def selected_in_order(queryset):
    """Oldest first, so that with few seats left the earliest registrations get them."""
    return queryset.select_related("participant", "stage").order_by("created_at", "pk")


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the participants)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ParticipantAdminForm(forms.ModelForm):
    subjects = forms.MultipleChoiceField(
        label=_("subjects taught"),
        choices=Participant.Subject.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Participant
        fields = services.PARTICIPANT_FIELDS

    # Staff input is normalised as the public forms' is (NFC, white space); the model fields'
    # validators (participants/validators.py) then apply the same rules.
    def _clean_text(self, name):
        return normalise_text(self.cleaned_data[name])

    def clean_first_name(self):
        return self._clean_text("first_name")

    def clean_last_name(self):
        return self._clean_text("last_name")

    def clean_institution(self):
        return self._clean_text("institution")

    def clean_phone(self):
        return self._clean_text("phone")

    def clean_email(self):
        email = normalise_text(self.cleaned_data["email"]).lower()
        others = Participant.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(
                _("Another participant already has this e-mail address."), code="email_taken"
            )
        return email

    def clean_subjects(self):
        chosen = self.cleaned_data["subjects"]
        return [code for code, _label in Participant.Subject.choices if code in chosen]


class ParticipantRegistrationInline(admin.TabularInline):
    model = Registration
    fields = ["stage", "status", "created_at", "email_confirmed_at", "cancelled_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("stage")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Participant)
class ParticipantAdmin(ValidSelectionMixin, admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "email",
        "email_in_ascii",
        "role",
        "institution",
        "municipality",
    ]
    list_display_links = ["last_name", "first_name"]
    list_filter = ["role", "municipality", "language"]
    search_fields = ["first_name", "last_name", "email", "institution"]
    form = ParticipantAdminForm
    readonly_fields = ["email_in_ascii", "created_at", "updated_at", "erased_at"]
    inlines = [ParticipantRegistrationInline]
    actions = [
        privacy_admin.withdraw_links,
        privacy_admin.download_personal_data,
        privacy_admin.erase_personal_data,
    ]

    @admin.display(description=_("e-mail (ASCII)"), ordering="email")
    def email_in_ascii(self, participant):
        """An internationalised domain as mail servers see it (punycode): ģ.lv is xn--...lv."""
        return email_ascii(participant.email)


@admin.register(Registration)
class RegistrationAdmin(ChangeListCsvExportMixin, ValidSelectionMixin, admin.ModelAdmin):
    list_display = [
        "participant_name",
        "participant_email",
        "stage",
        "status",
        "attendance_progress",
        "email_confirmed",
        "registered",
    ]
    list_filter = [
        "stage",
        "status",
        "participant__role",
        "participant__municipality",
    ]
    search_fields = [
        "participant__first_name",
        "participant__last_name",
        "participant__email",
        "participant__institution",
    ]
    list_select_related = ["participant", "stage"]
    ordering = ["-created_at"]
    actions = [
        "confirm_registrations",
        "cancel_registrations",
        "move_to_waiting_list",
        "resend_email",
        "export_csv",
    ]
    fields = [
        "participant",
        "stage",
        "status",
        "created_at",
        "email_confirmed_at",
        "confirmed_at",
        "waiting_since",
        "cancelled_at",
        "cancelled_by_staff",
        "cancellation_reason",
        "consent_version",
        "consent_at",
        "attendance_progress",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return attendance_selectors.registrations_with_hours(super().get_queryset(request))

    @admin.display(description=_("academic hours attended"), ordering="hours_attended")
    def attendance_progress(self, registration):
        progress = attendance_selectors.progress_of(
            hours_attended=registration.hours_attended, stage=registration.stage
        )
        return attendance_display.progress_text(progress)

    # Registrations come from the public form and change only through the actions, which apply
    # the capacity and waiting-list rules; a cancelled registration is kept, never deleted.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("participant"), ordering="participant__last_name")
    def participant_name(self, registration):
        return registration.participant.full_name

    @admin.display(description=_("e-mail"), ordering="participant__email")
    def participant_email(self, registration):
        return registration.participant.email

    # Short Latvian date and time (15.03.2027. 14:30) keep the list narrow enough to read.
    @admin.display(description=_("e-mail confirmed"), ordering="email_confirmed_at")
    def email_confirmed(self, registration):
        return exports.local_datetime(registration.email_confirmed_at) or "–"

    @admin.display(description=_("registered"), ordering="created_at")
    def registered(self, registration):
        return exports.local_datetime(registration.created_at)

    # Actions -------------------------------------------------------------------------------

    @admin.action(description=_("Confirm the selected registrations"), permissions=["change"])
    def confirm_registrations(self, request, queryset):
        outcome = RegistrationOutcome().run(
            services.registration_confirm_by_staff, selected_in_order(queryset)
        )
        self._report(
            request,
            outcome,
            done=ngettext(
                "Confirmed %(count)d registration.",
                "Confirmed %(count)d registrations.",
                outcome.done,
            ),
            refused=ngettext(
                "%(count)d registration could not be confirmed:",
                "%(count)d registrations could not be confirmed:",
                len(outcome.refusals),
            ),
        )

    @admin.action(description=_("Cancel the selected registrations…"), permissions=["change"])
    def cancel_registrations(self, request, queryset):
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._cancel_confirmation_page(request, queryset, form)
        outcome = RegistrationOutcome().run(
            services.registration_cancel,
            selected_in_order(queryset),
            reason=form.cleaned_data["reason"],
            by_staff=True,
        )
        self._report(
            request,
            outcome,
            done=ngettext(
                "Cancelled %(count)d registration.",
                "Cancelled %(count)d registrations.",
                outcome.done,
            ),
            refused=ngettext(
                "%(count)d registration could not be cancelled:",
                "%(count)d registrations could not be cancelled:",
                len(outcome.refusals),
            ),
        )
        return None

    @admin.action(
        description=_("Move the selected registrations to the waiting list"),
        permissions=["change"],
    )
    def move_to_waiting_list(self, request, queryset):
        outcome = RegistrationOutcome().run(
            services.registration_move_to_waiting_list, selected_in_order(queryset)
        )
        self._report(
            request,
            outcome,
            done=ngettext(
                "Moved %(count)d registration to the waiting list.",
                "Moved %(count)d registrations to the waiting list.",
                outcome.done,
            ),
            refused=ngettext(
                "%(count)d registration could not be moved to the waiting list:",
                "%(count)d registrations could not be moved to the waiting list:",
                len(outcome.refusals),
            ),
        )

    @admin.action(
        description=_("Send the e-mail for the current status again"), permissions=["change"]
    )
    def resend_email(self, request, queryset):
        outcome = RegistrationOutcome(changes_status=False).run(
            services.registration_resend_email, selected_in_order(queryset)
        )
        self._report(
            request,
            outcome,
            done=ngettext(
                "Sent the e-mail again for %(count)d registration.",
                "Sent the e-mail again for %(count)d registrations.",
                outcome.done,
            ),
            refused=ngettext(
                "%(count)d e-mail was not sent:",
                "%(count)d e-mails were not sent:",
                len(outcome.refusals),
            ),
        )

    @admin.action(description=_("Export the selected registrations to CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        export_record(
            user=request.user,
            kind=ExportRecord.Kind.REGISTRATIONS_CSV,
            description=str(_("selected registrations")),
            rows=queryset.count(),
        )
        return csv_response(queryset)

    def _report(self, request, outcome, *, done, refused):
        if outcome.done:
            self.message_user(request, done % {"count": outcome.done}, messages.SUCCESS)
        if outcome.unchanged:
            unchanged = ngettext(
                "%(count)d registration already had that status and was left as it was.",
                "%(count)d registrations already had that status and were left as they were.",
                outcome.unchanged,
            )
            self.message_user(request, unchanged % {"count": outcome.unchanged}, messages.INFO)
        count = len(outcome.refusals)
        report_refusals(self, request, outcome.refusals, heading=refused % {"count": count})

    def _cancel_confirmation_page(self, request, queryset, form):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Cancel registrations"),
            "opts": self.model._meta,
            "registrations": selected_in_order(queryset),
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/participants/registration/cancel_confirmation.html", context
        )

    # Export of the whole filtered list (ChangeListCsvExportMixin) -----------------------------

    export_kind = ExportRecord.Kind.REGISTRATIONS_CSV
    export_all_text = _("all registrations")

    def export_lines(self, queryset):
        return exports.registration_csv_lines(queryset)

    def export_filename(self):
        return exports.csv_filename()


def csv_response(registrations):
    return csv_download(exports.registration_csv_lines(registrations), exports.csv_filename())


from participants.attendance import admin as attendance_admin  # noqa: E402,F401
from participants.attendance import zoom_admin  # noqa: E402,F401
from participants.certificates import admin as certificates_admin  # noqa: E402,F401
from participants.outbox import admin as outbox_admin  # noqa: E402,F401
from participants.reminders import admin as reminders_admin  # noqa: E402,F401
