"""People who take part in the programme and their registrations for its stages."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.models import Stage
from participants.municipalities import MUNICIPALITY_CHOICES
from participants.validators import (
    validate_email_domain,
    validate_institution_name,
    validate_person_name,
    validate_phone,
)


class Participant(models.Model):
    class Role(models.TextChoices):
        TEACHER = "teacher", _("teacher")
        CAREER_COUNSELLOR = "career_counsellor", _("career counsellor")
        METHODOLOGIST = "methodologist", _("education methodologist")
        OTHER = "other", _("other")

    class Subject(models.TextChoices):
        NATURAL_SCIENCES = "natural_sciences", _("natural sciences")
        CHEMISTRY = "chemistry", _("chemistry")
        PHYSICS = "physics", _("physics")
        BIOLOGY = "biology", _("biology")
        MATHEMATICS = "mathematics", _("mathematics")
        ECONOMICS = "economics", _("economics")
        COMPUTER_SCIENCE = "computer_science", _("computer science")
        ENGINEERING = "engineering_technology", _("engineering and technology")
        ENTREPRENEURSHIP = "entrepreneurship", _("entrepreneurship")
        OTHER = "other", _("other subject")

    class Sex(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        NOT_SAID = "not_said", _("prefer not to say")

    class Language(models.TextChoices):
        LATVIAN = "lv", _("Latvian")
        ENGLISH = "en", _("English")

    email = models.EmailField(_("e-mail"), max_length=254, validators=[validate_email_domain])
    first_name = models.CharField(
        _("first name"), max_length=100, validators=[validate_person_name]
    )
    last_name = models.CharField(_("last name"), max_length=100, validators=[validate_person_name])
    role = models.CharField(_("role"), max_length=32, choices=Role)
    # A list of Subject codes; the forms accept only those codes.
    subjects = models.JSONField(_("subjects taught"), default=list, blank=True)
    institution = models.CharField(
        _("institution"), max_length=255, validators=[validate_institution_name]
    )
    municipality = models.CharField(_("municipality"), max_length=100, choices=MUNICIPALITY_CHOICES)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language, default=Language.LATVIAN
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Every personal link carries this number (participants.links): raising it withdraws them all.
    link_version = models.PositiveIntegerField(
        _("personal link version"),
        default=1,
        editable=False,
        help_text=_("Raised whenever the person's links are withdrawn; older links stop working."),
    )
    erased_at = models.DateTimeField(
        _("personal data erased"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Names and contact details were replaced by anonymous values at this time."),
    )

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

    def get_subjects_display(self):
        labels = dict(self.Subject.choices)
        return [labels.get(code, code) for code in self.subjects or []]


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
    confirmed_at = models.DateTimeField(
        _("seat taken"), null=True, blank=True, help_text=_("When the person got a seat.")
    )
    waiting_since = models.DateTimeField(
        _("on the waiting list since"),
        null=True,
        blank=True,
        help_text=_(
            "The waiting list is served in this order: the time the e-mail was confirmed, or the "
            "time staff moved the person from a seat to the waiting list."
        ),
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by_staff = models.BooleanField(_("cancelled by staff"), default=False)
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)
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
        indexes = [
            models.Index(fields=["stage", "status"]),
            models.Index(fields=["stage", "status", "waiting_since"], name="registration_queue"),
        ]

    def __str__(self):
        return f"{self.participant} – {self.stage} ({self.get_status_display()})"

    @property
    def is_live(self):
        return self.status != self.Status.CANCELLED


# --- Reminders sent (owned by the reminders work; appended so the rest of the file stays as is) ---

from django.conf import settings  # noqa: E402

from courses.models import ReminderRule, Session  # noqa: E402


class ReminderDelivery(models.Model):
    """One reminder for one registration and session: claimed before it is sent, so it goes once.

    Scheduled reminders are unique per (registration, session, kind), where ``kind`` is the
    rule's key ("day_before", "before_60"); staff's "send now" records ``kind="manual"`` rows,
    which may repeat (see ``participants.reminders.scan``).
    """

    MANUAL = "manual"

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        CLAIMED = "claimed", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        MISSED = "missed", _("missed (the session had started)")
        SKIPPED = "skipped", _("skipped (another reminder covered it)")
        CANCELLED = "cancelled", _("not sent (the person no longer has a seat)")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="reminder_deliveries",
        verbose_name=_("registration"),
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="reminder_deliveries",
        verbose_name=_("session"),
    )
    rule = models.ForeignKey(
        ReminderRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("rule"),
    )
    kind = models.CharField(_("kind"), max_length=32)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    # Who holds the row: the scan that inserted it, then the worker that is sending it.
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )

    class Meta:
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")
        ordering = ["-due_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session", "kind"],
                condition=~Q(kind="manual"),
                name="reminder_delivery_once_per_registration_session_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="reminder_delivery_sent_has_time",
            ),
        ]
        indexes = [
            # The scan's retry queries look only at unfinished rows: keep that index small.
            models.Index(
                fields=["status", "claimed_at"],
                condition=Q(status__in=["pending", "claimed", "failed"]),
                name="reminder_delivery_unfinished",
            ),
            models.Index(fields=["session", "registration"], name="reminder_delivery_session"),
        ]

    def __str__(self):
        return f"{self.registration_id}/{self.session_id}/{self.kind}: {self.status}"

    @property
    def is_manual(self):
        return self.kind == self.MANUAL

    @property
    def kind_label(self):
        """What staff read for ``kind``: never the raw key ("manual", "before_60")."""
        return reminder_kind_label(self.kind)


def reminder_kind_label(kind):
    if kind == ReminderDelivery.MANUAL:
        return _("sent by staff (“Send reminder now”)")
    if kind == "day_before":
        return _("the day before")
    minutes = kind.removeprefix("before_")
    if kind.startswith("before_") and minutes.isdigit():
        return ngettext(
            "%(minutes)d minute before the start",
            "%(minutes)d minutes before the start",
            int(minutes),
        ) % {"minutes": int(minutes)}
    return kind


class SessionReminders(Session):
    """A session seen from its reminders: the admin's per-session delivery log."""

    class Meta:
        proxy = True
        verbose_name = _("session reminders")
        verbose_name_plural = _("session reminders")


class ReminderScanMark(models.Model):
    """A rule's due reminders of a session are all recorded: later scans skip the pair.

    A registration qualifies for a reminder only if it held its seat by the due moment, and
    taking a seat always stamps ``confirmed_at`` with the moment it happens, so once a scan has
    recorded the pair well after its due moment no later scan can find anything new for it.
    The key holds everything that decides which rows are due (rule and its kind, the session,
    its stage, the due moment): moving a session or editing a rule makes the pair due again.
    """

    rule = models.ForeignKey(
        "courses.ReminderRule", on_delete=models.CASCADE, related_name="+", verbose_name=_("rule")
    )
    session = models.ForeignKey(
        "courses.Session", on_delete=models.CASCADE, related_name="+", verbose_name=_("session")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="+", verbose_name=_("stage")
    )
    kind = models.CharField(_("kind"), max_length=32)
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder scan mark")
        verbose_name_plural = _("reminder scan marks")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "rule", "stage", "kind", "due_at"],
                name="reminder_scan_mark_once",
            )
        ]

    def __str__(self):
        return f"{self.rule_id}/{self.session_id}/{self.kind}@{self.due_at:%Y-%m-%d %H:%M}"


# --- Attendance (its own package, participants/attendance/; imported here so Django finds it) ---

from participants.attendance.models import Attendance, SessionAttendance  # noqa: E402, F401
from participants.attendance.zoom_models import ZoomAlias, ZoomImport  # noqa: E402, F401

# --- Certificates (their own package, participants/certificates/; imported here as well) ---
from participants.certificates.models import Certificate  # noqa: E402, F401

# --- Participant mail outbox (its own package, participants/outbox/; imported here as well) ---
from participants.outbox.models import ParticipantMail  # noqa: E402, F401

# --- Personal data: the export log (its own package, participants/privacy/; imported here too) ---
from participants.privacy.models import ExportRecord  # noqa: E402, F401
