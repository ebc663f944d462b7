"""People who take part in the programme and their registrations for its stages."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from courses.models import Stage


class Participant(models.Model):
    class Role(models.TextChoices):
        TEACHER = "teacher", _("teacher")
        CAREER_COUNSELLOR = "career_counsellor", _("career counsellor")
        METHODOLOGIST = "methodologist", _("education methodologist")
        OTHER = "other", _("other")

    class Sex(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        NOT_SAID = "not_said", _("prefer not to say")

    class Language(models.TextChoices):
        LATVIAN = "lv", _("Latvian")
        ENGLISH = "en", _("English")

    email = models.EmailField(_("e-mail"), max_length=254)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    role = models.CharField(_("role"), max_length=32, choices=Role)
    subjects = models.JSONField(_("subjects taught"), default=list, blank=True)
    institution = models.CharField(_("institution"), max_length=255)
    municipality = models.CharField(_("municipality"), max_length=100)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language, default=Language.LATVIAN
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="participant_email_unique_ci"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} <{self.email}>"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"


class Registration(models.Model):
    class Status(models.TextChoices):
        AWAITING_CONFIRMATION = "awaiting_confirmation", _("awaiting e-mail confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        WAITING_LIST = "waiting_list", _("waiting list")
        CANCELLED = "cancelled", _("cancelled")

    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("participant"),
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("stage")
    )
    status = models.CharField(
        _("status"),
        max_length=32,
        choices=Status,
        default=Status.AWAITING_CONFIRMATION,
        db_index=True,
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=32)
    consent_at = models.DateTimeField(_("consent given"))

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "stage"],
                condition=~Q(status="cancelled"),
                name="registration_one_live_per_participant_and_stage",
            ),
        ]
        indexes = [models.Index(fields=["stage", "status"])]

    def __str__(self):
        return f"{self.participant} – {self.stage} ({self.get_status_display()})"
