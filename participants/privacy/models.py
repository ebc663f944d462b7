"""The log of staff exports of personal data (Django finds it through ``participants.models``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportRecord(models.Model):
    """One export by staff: who, when and what (a person's data, or a file listing many).

    Written by ``participants.privacy.services.export_record`` before the file is handed out;
    read-only in the admin, never changed afterwards.
    """

    class Kind(models.TextChoices):
        PERSONAL_DATA = "personal_data", _("a person's personal data (JSON)")
        REGISTRATIONS_CSV = "registrations_csv", _("registrations (CSV)")
        ATTENDANCE_XLSX = "attendance_xlsx", _("attendance matrix (XLSX)")
        ATTENDANCE_CSV = "attendance_csv", _("attendance (CSV)")
        REPORT_CSV = "report_csv", _("report (CSV)")
        OTHER = "other", _("other export")

    kind = models.CharField(_("export"), max_length=32, choices=Kind)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Kept as written at the time, so the record survives the account's deletion or renaming.
    username = models.CharField(_("user name"), max_length=150)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("participant"),
    )
    description = models.TextField(_("what"), blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)

    class Meta:
        app_label = "participants"
        verbose_name = _("export record")
        verbose_name_plural = _("export log")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.username} {self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"
