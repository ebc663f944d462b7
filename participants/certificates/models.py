"""Certificates (apliecības): Django finds the model through ``participants.models``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Certificate(models.Model):
    """A participant's certificate for a stage: numbered, frozen at issue, revocable.

    What the certificate states (the holder's name, the hours, the stage's dates) is copied at
    issue, so a later edit of the participant, the attendance or the sessions never changes a
    certificate already given out. One per participant and stage, ever: a revoked certificate is
    not replaced by issuing another one for the same stage.
    """

    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("participant"),
    )
    stage = models.ForeignKey(
        "courses.Stage",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("stage"),
    )
    # The stage's programme, kept on the row so the database can hold numbers unique in it.
    programme = models.ForeignKey(
        "courses.Programme",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("programme"),
        editable=False,
    )
    sequence = models.PositiveIntegerField(_("running number"), editable=False)
    number = models.CharField(_("number"), max_length=64, editable=False)
    verification_code = models.CharField(
        _("verification code"), max_length=32, unique=True, editable=False
    )
    holder_name = models.CharField(_("holder's name"), max_length=201, editable=False)
    hours_attended = models.DecimalField(
        _("academic hours attended"), max_digits=6, decimal_places=2, editable=False
    )
    hours_planned = models.DecimalField(
        _("academic hours planned"), max_digits=6, decimal_places=2, editable=False
    )
    first_day = models.DateField(_("first day"), null=True, blank=True, editable=False)
    last_day = models.DateField(_("last day"), null=True, blank=True, editable=False)
    issued_at = models.DateTimeField(_("issued"), editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
        editable=False,
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
        editable=False,
    )
    revocation_reason = models.TextField(_("reason for revoking"), blank=True, editable=False)

    class Meta:
        app_label = "participants"
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "stage"],
                name="certificate_once_per_participant_and_stage",
                violation_error_message=_("This participant already has a certificate for it."),
            ),
            models.UniqueConstraint(
                fields=["programme", "number"], name="certificate_number_unique_in_programme"
            ),
            models.UniqueConstraint(
                fields=["programme", "sequence"], name="certificate_sequence_unique_in_programme"
            ),
            models.CheckConstraint(
                condition=Q(hours_attended__gte=0) & Q(hours_planned__gt=0),
                name="certificate_hours_positive",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revocation_reason="")
                | (Q(revoked_at__isnull=False) & ~Q(revocation_reason="")),
                name="certificate_revoked_with_reason",
            ),
        ]
        indexes = [models.Index(fields=["stage", "revoked_at"], name="certificate_stage")]

    def __str__(self):
        return f"{self.number} – {self.holder_name}"

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    @property
    def display_code(self):
        """The verification code in groups of four, easier to read aloud and type."""
        code = self.verification_code
        return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
