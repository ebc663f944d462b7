"""Attendance of a participant at a session (Django finds it through ``participants.models``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from courses.models import Session


class Attendance(models.Model):
    """One participant at one session: present, absent or excused, with the minutes present.

    Rows come from staff (the register in the admin) or from Zoom's participant report; an
    import replaces only its own rows and never touches what staff entered. Every change is kept
    in the history (who, when, the row before and after).
    """

    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        ABSENT = "absent", _("absent")
        EXCUSED = "excused", _("excused")

    class Source(models.TextChoices):
        STAFF = "staff", _("entered by staff")
        ZOOM = "zoom", _("Zoom report")

    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("participant"),
    )
    session = models.ForeignKey(
        "courses.Session",
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("session"),
    )
    status = models.CharField(_("attendance"), max_length=10, choices=Status)
    minutes_present = models.PositiveIntegerField(_("minutes present"), default=0)
    source = models.CharField(_("source"), max_length=10, choices=Source, default=Source.STAFF)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    history = HistoricalRecords(
        verbose_name=_("historical attendance"), verbose_name_plural=_("attendance history")
    )

    class Meta:
        app_label = "participants"
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["session", "participant"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "session"],
                name="attendance_one_per_participant_and_session",
                violation_error_message=_("This participant's attendance is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(minutes_present__gte=0),
                name="attendance_minutes_not_negative",
                violation_error_message=_("Minutes present cannot be negative."),
            ),
        ]
        indexes = [models.Index(fields=["session", "status"], name="attendance_session_status")]

    def __str__(self):
        return f"{self.participant_id}/{self.session_id}: {self.status} ({self.minutes_present})"


class SessionAttendance(Session):
    """A session seen from its attendance: the admin's register (one sheet per session)."""

    class Meta:
        proxy = True
        app_label = "participants"
        verbose_name = _("attendance register")
        verbose_name_plural = _("attendance registers")
