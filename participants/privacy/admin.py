"""Staff's personal-data tools: the export log, and the participant actions (withdraw links,
download a person's data, erase) that ``participants.admin.ParticipantAdmin`` lists."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from participants.privacy import services
from participants.privacy.models import ExportRecord
from participants.privacy.selectors import participant_personal_data
from participants.privacy.views import personal_data_response


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: a log nobody edits."""

    list_display = ["created_at", "username", "kind", "participant_link", "rows", "description"]
    list_filter = ["kind", "created_at"]
    search_fields = ["username", "description"]
    date_hierarchy = "created_at"
    list_select_related = ["participant"]

    @admin.display(description=_("participant"))
    def participant_link(self, record):
        return f"#{record.participant_id}" if record.participant_id else "–"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(
    description=_("Withdraw the personal links of the selected participants"),
    permissions=["change"],
)
def withdraw_links(modeladmin, request, queryset):
    count = 0
    for participant in queryset:
        services.participant_links_withdraw(participant=participant)
        count += 1
    modeladmin.message_user(
        request,
        ngettext(
            "The personal links of %(count)d participant no longer work. "
            "New mails carry new links.",
            "The personal links of %(count)d participants no longer work. "
            "New mails carry new links.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )


@admin.action(
    description=_("Download the personal data of the selected participant (JSON)"),
    permissions=["view"],
)
def download_personal_data(modeladmin, request, queryset):
    """One person at a time; every download is written to the export log first."""
    if queryset.count() != 1:
        modeladmin.message_user(
            request, _("Select exactly one participant to download their data."), messages.WARNING
        )
        return None
    participant = queryset.get()
    services.export_record(
        user=request.user,
        kind=ExportRecord.Kind.PERSONAL_DATA,
        participant=participant,
        description=f"participant #{participant.pk}",
        rows=1,
    )
    return personal_data_response(participant_personal_data(participant=participant))


@admin.action(
    description=_("Erase the personal data of the selected participants…"), permissions=["delete"]
)
def erase_personal_data(modeladmin, request, queryset):
    participants = list(queryset.filter(erased_at__isnull=True).order_by("pk"))
    if "apply" not in request.POST:
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": _("Erase personal data"),
            "opts": modeladmin.model._meta,
            "participants": participants,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/participants/participant/erase_confirmation.html", context
        )
    erased, refused = 0, []
    for participant in participants:
        try:
            services.participant_erase(participant=participant, by=request.user)
        except services.ErasureRefused as error:
            refused.append(" ".join(error.messages))
        else:
            erased += 1
    if erased:
        modeladmin.message_user(
            request,
            ngettext(
                "Erased the personal data of %(count)d participant.",
                "Erased the personal data of %(count)d participants.",
                erased,
            )
            % {"count": erased},
            messages.SUCCESS,
        )
    for reason in refused:
        modeladmin.message_user(request, reason, messages.WARNING)
    return None
