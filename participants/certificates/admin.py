"""Certificates in the admin: the list, issuing for a stage (all eligible or the ones ticked),
revoking with a reason, and the PDF. Staff never type a certificate in: they only issue."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from courses.models import Stage
from participants.certificates import selectors, services
from participants.certificates.models import Certificate
from participants.certificates.pdf import certificate_filename, certificate_pdf


class RevokedFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return [("no", _("valid")), ("yes", _("revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


class StageChoiceForm(forms.Form):
    stage = forms.ModelChoiceField(
        label=_("Stage"), queryset=Stage.objects.select_related("programme").order_by("order")
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Kept with the certificate for staff; the public page says only “revoked”."),
    )


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "holder_name",
        "stage",
        "hours_attended",
        "hours_planned",
        "issued_at",
        "validity",
    )
    list_filter = (RevokedFilter, "stage", "issued_at")
    search_fields = ("number", "holder_name", "participant__email", "verification_code")
    list_select_related = ("stage", "stage__programme")
    date_hierarchy = "issued_at"
    readonly_fields = (
        "number",
        "participant",
        "stage",
        "holder_name",
        "hours_attended",
        "hours_planned",
        "first_day",
        "last_day",
        "verification_code",
        "issued_at",
        "issued_by",
        "revoked_at",
        "revoked_by",
        "revocation_reason",
    )
    fields = readonly_fields

    @admin.display(description=_("validity"), boolean=False)
    def validity(self, certificate):
        return gettext("revoked") if certificate.is_revoked else gettext("valid")

    def has_add_permission(self, request):
        return False  # certificates are issued on the issue page, never typed in

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the number and the public page must stay

    def _can_issue(self, request):
        return request.user.has_perm("participants.add_certificate")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("issue/", wrap(self.issue_view), name="participants_certificate_issue"),
            path(
                "<int:pk>/revoke/", wrap(self.revoke_view), name="participants_certificate_revoke"
            ),
            path("<int:pk>/pdf/", wrap(self.pdf_view), name="participants_certificate_pdf"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_issue": self._can_issue(request)}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_revoke": self.has_change_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- issuing ------------------------------------------------------------------------------

    def issue_view(self, request):
        """Pick a stage, see who is eligible, issue to all of them or to the ones ticked."""
        if not self._can_issue(request):
            raise PermissionDenied
        chooser = StageChoiceForm(data=request.GET or None)
        stage = chooser.cleaned_data["stage"] if chooser.is_valid() else None
        if stage is not None and request.method == "POST":
            return self._issue(request, stage)
        candidates = selectors.stage_certificate_candidates(stage=stage) if stage else []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Issue certificates"),
            "chooser": chooser,
            "stage": stage,
            "candidates": candidates,
            "eligible_count": sum(1 for candidate in candidates if candidate.eligible),
            "issued_count": Certificate.objects.filter(stage=stage).count() if stage else 0,
        }
        return TemplateResponse(request, "admin/participants/certificate/issue.html", context)

    def _issue(self, request, stage):
        ids = [int(pk) for pk in request.POST.getlist("participant") if pk.isdigit()]
        if not ids:
            self.message_user(request, gettext("Tick at least one participant."), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        result = services.certificate_issue_for_stage(
            stage=stage, issued_by=request.user, participant_ids=ids
        )
        self.message_user(
            request,
            gettext("Certificates issued and sent by e-mail: %(count)s.")
            % {"count": len(result.issued)},
            messages.SUCCESS if result.issued else messages.WARNING,
        )
        if result.below_threshold:
            names = ", ".join(person.full_name for person in result.below_threshold)
            self.message_user(
                request,
                gettext("Not issued, below the stage's threshold: %(names)s.") % {"names": names},
                messages.WARNING,
            )
        return HttpResponseRedirect(
            f"{reverse('admin:participants_certificate_changelist')}?stage__id__exact={stage.pk}"
        )

    # --- revoking and the PDF -----------------------------------------------------------------

    def revoke_view(self, request, pk):
        certificate = get_object_or_404(Certificate.objects.select_related("stage"), pk=pk)
        if not self.has_change_permission(request, certificate):
            raise PermissionDenied
        change_url = reverse("admin:participants_certificate_change", args=[certificate.pk])
        form = RevokeForm(data=request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.certificate_revoke(
                    certificate=certificate,
                    reason=form.cleaned_data["reason"],
                    revoked_by=request.user,
                )
            except services.CertificateError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("Certificate %(number)s is revoked.") % {"number": certificate.number},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Revoke certificate %(number)s") % {"number": certificate.number},
            "certificate": certificate,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/participants/certificate/revoke.html", context)

    def pdf_view(self, request, pk):
        certificate = get_object_or_404(
            Certificate.objects.select_related("participant", "stage", "programme"), pk=pk
        )
        if not self.has_view_permission(request, certificate):
            raise PermissionDenied
        response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
        disposition = f'attachment; filename="{certificate_filename(certificate)}"'
        response["Content-Disposition"] = disposition
        response["Cache-Control"] = "no-store"
        return response
