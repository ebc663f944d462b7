"""The funded programme, its stages and their scheduled sessions."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from courses.expressions import MinutesBetween

DEFAULT_VENUE = "Vienības iela 30, Daugavpils"


def validate_certificate_number_pattern(value):
    """The pattern must number certificates uniquely ({seq}) and use only known placeholders."""
    if "{seq" not in value:
        raise ValidationError(_("The pattern must contain {seq}."))
    try:
        value.format(year=2026, stage=1, seq=1)
    except (KeyError, IndexError, ValueError) as error:
        raise ValidationError(
            _("The pattern cannot be used: %(error)s. Use {year}, {stage} and {seq}."),
            params={"error": error},
        ) from error


def localized(obj, field):
    """The Latvian or English variant of ``field`` for the active language, falling back to lv."""
    if (get_language() or "lv").startswith("en"):
        return getattr(obj, f"{field}_en") or getattr(obj, f"{field}_lv")
    return getattr(obj, f"{field}_lv")


class Programme(models.Model):
    title_lv = models.CharField(_("title (Latvian)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    project_number = models.CharField(_("project number"), max_length=64, unique=True)
    agreement_number = models.CharField(_("agreement number"), max_length=64)
    funding_frame_lv = models.TextField(_("funding frame (Latvian)"))
    funding_frame_en = models.TextField(_("funding frame (English)"), blank=True)
    acknowledgement_lv = models.TextField(
        _("funder's acknowledgement (Latvian)"),
        help_text=_("Shown on every public page, e-mail and report."),
    )
    acknowledgement_en = models.TextField(_("funder's acknowledgement (English)"), blank=True)
    organiser_lv = models.CharField(_("organiser (Latvian)"), max_length=255)
    organiser_en = models.CharField(_("organiser (English)"), max_length=255, blank=True)
    organiser_address = models.CharField(_("organiser's address"), max_length=255)
    partner_lv = models.CharField(_("partner (Latvian)"), max_length=255, blank=True)
    partner_en = models.CharField(_("partner (English)"), max_length=255, blank=True)
    end_date = models.DateField(_("end date"))
    minutes_per_academic_hour = models.PositiveSmallIntegerField(
        _("minutes per academic hour"),
        default=45,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "Fixed once the programme has sessions: every session's academic hours were counted "
            "with it, so changing it would silently change hours already scheduled and delivered."
        ),
    )
    attendance_present_share = models.DecimalField(
        _("share of a session that counts as present"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.75"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
        help_text=_(
            "A participant whose minutes in a session reach this share of its length is present "
            "(0.75 = 75%). Used when Zoom's participant report is imported."
        ),
    )
    hours_pro_rata = models.BooleanField(
        _("academic hours pro rata to minutes"),
        default=False,
        help_text=_(
            "Off: a participant present at a session gets all its academic hours. On: the "
            "session's academic hours times the share of its minutes the participant was present."
        ),
    )
    # Certificates (participants.certificates): how they are numbered and who signs them.
    certificate_number_pattern = models.CharField(
        _("certificate number pattern"),
        max_length=64,
        default="DIC-{year}-{stage}-{seq:04d}",
        validators=[validate_certificate_number_pattern],
        help_text=_(
            "Placeholders: {year} (year of issue), {stage} (the stage's order), {seq} (a running "
            "number in the programme, e.g. {seq:04d} for 0001). Must contain {seq}."
        ),
    )
    approval_reference = models.CharField(
        _("approval reference"),
        max_length=255,
        blank=True,
        help_text=_("The programme's approval reference, printed on certificates when set."),
    )
    signatory_name = models.CharField(_("signatory's name"), max_length=255, blank=True)
    signatory_title_lv = models.CharField(
        _("signatory's position (Latvian)"), max_length=255, blank=True
    )
    signatory_title_en = models.CharField(
        _("signatory's position (English)"), max_length=255, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes_per_academic_hour__gte=1, minutes_per_academic_hour__lte=120),
                name="programme_academic_hour_1_to_120_minutes",
            ),
            models.CheckConstraint(
                condition=Q(attendance_present_share__gt=0, attendance_present_share__lte=1),
                name="programme_present_share_0_to_1",
                violation_error_message=_(
                    "The share that counts as present must be more than 0 and at most 1."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return localized(self, "title")

    @property
    def funding_frame(self):
        return localized(self, "funding_frame")

    @property
    def acknowledgement(self):
        return localized(self, "acknowledgement")

    @property
    def organiser(self):
        return localized(self, "organiser")

    @property
    def partner(self):
        return localized(self, "partner")

    @property
    def signatory_title(self):
        return localized(self, "signatory_title")


class Stage(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="stages", verbose_name=_("programme")
    )
    order = models.PositiveSmallIntegerField(_("order"), validators=[MinValueValidator(1)])
    title_lv = models.CharField(_("title (Latvian)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    description_lv = models.TextField(_("description (Latvian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    planned_academic_hours = models.DecimalField(
        _("planned academic hours"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("Seats for participants."))
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    completion_threshold_percent = models.PositiveSmallIntegerField(
        _("completion threshold (%)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Share of the stage's delivered hours a participant must attend."),
    )
    is_demo = models.BooleanField(
        _("demonstration"),
        default=False,
        help_text=_(
            "Demonstration data for trying the portal (seed_programme --demo): marked as such on "
            "the public pages and left out of the funder's figures."
        ),
    )

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["programme", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "order"], name="stage_order_unique_in_programme"
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="stage_order_from_1"),
            models.CheckConstraint(
                condition=Q(capacity__gte=0), name="stage_capacity_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(planned_academic_hours__gt=0), name="stage_planned_hours_positive"
            ),
            models.CheckConstraint(
                condition=Q(completion_threshold_percent__gte=1)
                & Q(completion_threshold_percent__lte=100),
                name="stage_threshold_1_to_100_percent",
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="stage_registration_closes_after_opening",
            ),
        ]

    def __str__(self):
        return f"{self.order}. {self.title}"

    @property
    def title(self):
        return localized(self, "title")

    @property
    def description(self):
        return localized(self, "description")

    def registration_is_open(self, now=None):
        now = now or timezone.now()
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return not (self.registration_closes_at and now >= self.registration_closes_at)


class Session(models.Model):
    class Mode(models.TextChoices):
        ONLINE = "online", _("online")
        ONSITE = "onsite", _("on-site")
        HYBRID = "hybrid", _("hybrid")

    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("stage")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode, default=Mode.ONLINE)
    zoom_url = models.URLField(_("Zoom join link"), max_length=500, blank=True)
    venue = models.CharField(_("venue"), max_length=255, blank=True, default=DEFAULT_VENUE)
    topic_lv = models.CharField(_("topic (Latvian)"), max_length=255)
    topic_en = models.CharField(_("topic (English)"), max_length=255, blank=True)
    trainer = models.CharField(_("trainer"), max_length=255, blank=True)
    academic_hours = models.DecimalField(
        _("academic hours"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Leave empty to count them from the duration."),
    )
    # Copied from the programme when the session is saved, so that the database itself can check
    # that the academic hours fit into the session's duration.
    minutes_per_academic_hour = models.PositiveSmallIntegerField(default=45, editable=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["stage", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("The session must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(academic_hours__gt=0),
                name="session_academic_hours_positive",
                violation_error_message=_("Academic hours must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(
                    academic_hours__lte=MinutesBetween("starts_at", "ends_at")
                    / F("minutes_per_academic_hour")
                    + Decimal("0.001")
                ),
                name="session_hours_fit_duration",
                violation_error_message=_(
                    "The academic hours are more than the session's duration allows."
                ),
            ),
        ]

    def __str__(self):
        local_start = timezone.localtime(self.starts_at)
        return f"{local_start:%d.%m.%Y. %H:%M} {self.topic}"

    @property
    def topic(self):
        return localized(self, "topic")

    @property
    def duration_minutes(self):
        return (self.ends_at - self.starts_at).total_seconds() / 60

    def max_academic_hours(self, minutes_per_academic_hour):
        """The most academic hours the session's duration allows, to the hundredth."""
        hours = Decimal(self.duration_minutes) / Decimal(minutes_per_academic_hour)
        return hours.quantize(Decimal("0.01"), rounding="ROUND_FLOOR")

    @property
    def is_past(self):
        return self.ends_at <= timezone.now()

    @property
    def is_online(self):
        return self.mode in (self.Mode.ONLINE, self.Mode.HYBRID)

    @property
    def is_onsite(self):
        return self.mode in (self.Mode.ONSITE, self.Mode.HYBRID)


# --- Reminder rules (owned by the reminders work; appended so the rest of the file stays as is) ---

from datetime import time  # noqa: E402

DEFAULT_DAY_BEFORE_TIME = time(18, 0)
DEFAULT_BEFORE_MINUTES = 60


class ReminderRule(models.Model):
    """When participants are reminded of a session: the day before at a local time, or minutes
    before it starts. Rules belong to a programme; a stage with active rules of its own uses only
    those (a per-stage override), other stages use the programme's.
    """

    class Kind(models.TextChoices):
        DAY_BEFORE = "day_before", _("the day before, at a set time")
        BEFORE = "before", _("a number of minutes before the start")

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="reminder_rules",
        verbose_name=_("programme"),
    )
    stage = models.ForeignKey(
        Stage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_rules",
        verbose_name=_("stage"),
        help_text=_(
            "Leave empty for a rule of the whole programme. A stage with active rules of its own "
            "uses only those."
        ),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    local_time = models.TimeField(
        _("time (Riga)"),
        null=True,
        blank=True,
        help_text=_("For “the day before”: the time of day in Europe/Riga, e.g. 18:00."),
    )
    offset_minutes = models.PositiveIntegerField(
        _("minutes before the start"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("For “minutes before the start”, e.g. 60."),
    )
    active = models.BooleanField(_("active"), default=True)
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("A name for staff (optional).")
    )

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["programme", "stage", "kind", "local_time", "-offset_minutes"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="day_before", local_time__isnull=False, offset_minutes__isnull=True)
                    | Q(kind="before", offset_minutes__gt=0, local_time__isnull=True)
                ),
                name="reminder_rule_time_matches_kind",
                violation_error_message=_(
                    "“The day before” needs a time of day; “minutes before the start” needs a "
                    "number of minutes greater than zero."
                ),
            ),
            models.UniqueConstraint(
                fields=["programme", "kind"],
                condition=Q(stage__isnull=True, kind="day_before"),
                name="reminder_rule_one_day_before_per_programme",
                violation_error_message=_("The programme already has a “day before” reminder."),
            ),
            models.UniqueConstraint(
                fields=["stage", "kind"],
                condition=Q(stage__isnull=False, kind="day_before"),
                name="reminder_rule_one_day_before_per_stage",
                violation_error_message=_("The stage already has a “day before” reminder."),
            ),
            models.UniqueConstraint(
                fields=["programme", "offset_minutes"],
                condition=Q(stage__isnull=True, kind="before"),
                name="reminder_rule_offset_unique_in_programme",
                violation_error_message=_("The programme already has a reminder at this offset."),
            ),
            models.UniqueConstraint(
                fields=["stage", "offset_minutes"],
                condition=Q(stage__isnull=False, kind="before"),
                name="reminder_rule_offset_unique_in_stage",
                violation_error_message=_("The stage already has a reminder at this offset."),
            ),
        ]

    def __str__(self):
        return self.label or self.describe()

    def describe(self):
        if self.kind == self.Kind.DAY_BEFORE and self.local_time:
            return _("The day before at %(time)s") % {"time": self.local_time.strftime("%H:%M")}
        return _("%(minutes)s minutes before the start") % {"minutes": self.offset_minutes}

    @property
    def key(self):
        """What a delivery is unique by, with the registration and the session.

        The day-before reminder is one per session whatever its time (moving 18:00 to 17:00
        after it went out must not send it again); "before" reminders differ by their offset.
        """
        if self.kind == self.Kind.DAY_BEFORE:
            return "day_before"
        return f"before_{self.offset_minutes}"

    def clean(self):
        super().clean()
        if self.stage_id and self.programme_id and self.stage.programme_id != self.programme_id:
            raise ValidationError({"stage": _("The stage belongs to another programme.")})
        if self.kind == self.Kind.DAY_BEFORE and self.local_time is None:
            raise ValidationError({"local_time": _("Give the time of day.")})
        if self.kind == self.Kind.BEFORE and not self.offset_minutes:
            raise ValidationError({"offset_minutes": _("Give the number of minutes.")})
        if self.kind == self.Kind.DAY_BEFORE:
            self.offset_minutes = None
        if self.kind == self.Kind.BEFORE:
            self.local_time = None
