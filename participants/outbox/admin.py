"""The outbox in the admin: every participant mail, its status and its last error (read-only).

Imported by participants/admin.py.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.admin_input import ValidSelectionMixin
from participants.outbox.models import ParticipantMail
from participants.outbox.record import participant_mails_retry

FIELDS = (
    "registration",
    "template",
    "status",
    "created_at",
    "claimed_at",
    "sent_at",
    "attempts",
    "next_attempt_at",
    "last_error",
    "payload",
)


@admin.register(ParticipantMail)
class ParticipantMailAdmin(ValidSelectionMixin, admin.ModelAdmin):
    list_display = (
        "recipient",
        "template",
        "status",
        "created_at",
        "sent_at",
        "attempts",
        "next_attempt_at",
        "short_error",
    )
    list_filter = ("status", "template", "registration__stage")
    list_select_related = ("registration__participant",)
    search_fields = ("registration__participant__email", "registration__participant__last_name")
    date_hierarchy = "created_at"
    fields = FIELDS
    readonly_fields = FIELDS
    actions = ["send_again"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm("participants.change_participantmail")

    @admin.display(description=_("to"), ordering="registration__participant__email")
    def recipient(self, mail):
        return mail.registration.participant.email

    @admin.display(description=_("last error"))
    def short_error(self, mail):
        return mail.last_error[:80]

    @admin.action(description=_("Send failed mails again"), permissions=["retry"])
    def send_again(self, request, queryset):
        count = participant_mails_retry(mail_ids=queryset.values_list("pk", flat=True))
        text = ngettext(
            "%(count)d failed mail will be sent again.",
            "%(count)d failed mails will be sent again.",
            count,
        ) % {"count": count}
        self.message_user(request, text, messages.SUCCESS)
