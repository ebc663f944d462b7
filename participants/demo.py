"""Made-up participants of the demonstration stage (``seed_programme --demo``).

Obviously fake people (``…@example.com``, "Demo-" surnames, a made-up school) in each status a
registration can have, so that the admin's lists, the waiting list rules and the reminders can be
tried at once. Rows are written directly, not through the registration services: these people
get no confirmation mail.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from courses.models import Stage
from participants.models import Participant, Registration
from participants.services import CONSENT_VERSION

Status = Registration.Status
DEMO_INSTITUTION = "Demonstrācijas skola (izdomāta)"

# (first name, last name, e-mail, role, subjects, municipality, language, status)
DEMO_PEOPLE = [
    ("Anna", "Demo-Ozoliņa", "demo.anna@example.com", "teacher", ["chemistry", "physics"],
     "daugavpils", "lv", Status.CONFIRMED),
    ("Jānis", "Demo-Kalniņš", "demo.janis@example.com", "teacher", ["mathematics"],
     "rezekne", "lv", Status.CONFIRMED),
    ("Marija", "Demo-Ivanova", "demo.marija@example.com", "career_counsellor", [],
     "augsdaugavas_novads", "en", Status.CONFIRMED),
    ("Pēteris", "Demo-Liepa", "demo.peteris@example.com", "methodologist", ["natural_sciences"],
     "kraslavas_novads", "lv", Status.AWAITING_CONFIRMATION),
    ("Laura", "Demo-Bērziņa", "demo.laura@example.com", "teacher", ["biology"],
     "daugavpils", "lv", Status.CANCELLED),
]  # fmt: skip


@dataclass
class DemoRegistrationsReport:
    participants: int = 0
    registrations: int = 0


def _timestamps(status: str, now: datetime) -> dict:
    """The moments a registration in ``status`` would carry, a few days back."""
    registered = now - timedelta(days=3)
    values = {"consent_version": CONSENT_VERSION, "consent_at": registered}
    if status in (Status.CONFIRMED, Status.CANCELLED):
        values |= {"email_confirmed_at": registered, "confirmed_at": registered}
    if status == Status.CANCELLED:
        values |= {"cancelled_at": now - timedelta(days=1)}
    return values


def demo_registrations_seed(*, stage: Stage, now: datetime | None = None):
    """Add the demo people and their registrations for ``stage`` (a demonstration stage).

    Creates only what is missing (people by e-mail, a registration per person and stage), so a
    second run changes nothing.
    """
    if not stage.is_demo:
        raise ValueError("Demo participants are only added to a demonstration stage.")
    now = now or timezone.now()
    report = DemoRegistrationsReport()
    with transaction.atomic():
        for first, last, email, role, subjects, municipality, language, status in DEMO_PEOPLE:
            participant, created = Participant.objects.get_or_create(
                email=email,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "role": role,
                    "subjects": subjects,
                    "institution": DEMO_INSTITUTION,
                    "municipality": municipality,
                    "language": language,
                },
            )
            report.participants += created
            if Registration.objects.filter(participant=participant, stage=stage).exists():
                continue
            Registration.objects.create(
                participant=participant, stage=stage, status=status, **_timestamps(status, now)
            )
            report.registrations += 1
    return report
