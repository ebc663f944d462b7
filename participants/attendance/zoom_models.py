"""Imports of Zoom's participant report and the names staff matched by hand (Django finds these
through ``participants.models``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from participants.attendance.zoom import DEFAULT_TIME_ZONE


class ZoomImport(models.Model):
    """One upload of a session's Zoom report: kept from the preview to the save (the file's
    text is stored here, so the save never trusts a copy sent back by the browser), and after
    it as the record of what was imported, by whom and when."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("previewed, not saved")
        SAVED = "saved", _("saved")

    session = models.ForeignKey(
        "courses.Session",
        on_delete=models.CASCADE,
        related_name="zoom_imports",
        verbose_name=_("session"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PREVIEW)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("file checksum (SHA-256)"), max_length=64)
    content = models.TextField(_("report text"), editable=False)
    time_zone = models.CharField(
        _("time zone of the file"), max_length=64, default=DEFAULT_TIME_ZONE
    )
    layout = models.CharField(_("report layout"), max_length=16, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    saved_at = models.DateTimeField(_("saved"), null=True, blank=True)
    rows_count = models.PositiveIntegerField(_("rows in the report"), default=0)
    matched_count = models.PositiveIntegerField(_("participants matched"), default=0)
    present_count = models.PositiveIntegerField(_("present"), default=0)
    absent_count = models.PositiveIntegerField(_("absent"), default=0)
    kept_staff_count = models.PositiveIntegerField(_("kept as entered by staff"), default=0)
    removed_count = models.PositiveIntegerField(_("earlier imported rows removed"), default=0)
    ignored_count = models.PositiveIntegerField(_("rows not matched (ignored)"), default=0)
    ignored = models.JSONField(_("names not matched (ignored)"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)

    class Meta:
        app_label = "participants"
        verbose_name = _("Zoom report import")
        verbose_name_plural = _("Zoom report imports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="preview") | Q(saved_at__isnull=False),
                name="zoom_import_saved_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["session", "status", "file_sha256"], name="zoom_import_session_file"
            )
        ]

    def __str__(self):
        return f"{self.file_name or self.file_sha256[:12]} – {self.session}"


class ZoomAlias(models.Model):
    """A name (or e-mail) in a Zoom report that staff matched to a participant by hand: later
    imports match it to the same person (among the stage's confirmed participants)."""

    class Kind(models.TextChoices):
        NAME = "name", _("name")
        EMAIL = "email", _("e-mail")

    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.CASCADE,
        related_name="zoom_aliases",
        verbose_name=_("participant"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind)
    key = models.CharField(
        _("compared as"),
        max_length=255,
        help_text=_("The name without case and diacritics, or the e-mail in lower case."),
    )
    label = models.CharField(_("as written in the report"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("matched by"),
    )
    created_at = models.DateTimeField(_("matched"), auto_now_add=True)

    class Meta:
        app_label = "participants"
        verbose_name = _("name matched in Zoom reports")
        verbose_name_plural = _("names matched in Zoom reports")
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "kind", "key"], name="zoom_alias_once_per_participant"
            ),
        ]
        indexes = [models.Index(fields=["kind", "key"], name="zoom_alias_key")]

    def __str__(self):
        return f"{self.label} → {self.participant_id}"
