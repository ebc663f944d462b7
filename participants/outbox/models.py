"""The outbox row: one mail to a participant, recorded with the change that causes it."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ParticipantMail(models.Model):
    """One mail to a participant about one registration, sent by a worker from this row.

    ``template`` names the mail ("awaiting_confirmation", "confirmed", ...; later kinds such as a
    certificate mail use the same table with a builder of their own, see
    ``participants.outbox.delivery.message_builder``); ``payload`` holds what the mail needs
    beyond the registration (for a confirmation request: the details typed into the form, which
    take effect when the person confirms with the link of this very mail).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        CLAIMED = "claimed", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("not sent (no longer applies)")

    registration = models.ForeignKey(
        "participants.Registration",
        on_delete=models.CASCADE,
        related_name="mails",
        verbose_name=_("registration"),
    )
    template = models.CharField(_("mail"), max_length=64)
    payload = models.JSONField(_("data"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("participant mail")
        verbose_name_plural = _("participant mails (outbox)")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="participant_mail_sent_has_time",
            ),
        ]
        indexes = [
            # The drain looks only at unfinished rows: keep that index small.
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=Q(status__in=["pending", "claimed", "failed"]),
                name="participant_mail_unfinished",
            ),
            models.Index(fields=["template", "created_at"], name="participant_mail_template"),
        ]

    def __str__(self):
        return f"{self.template} #{self.registration_id}: {self.status}"
