"""factory_boy factories for participants and registrations (shared by every app's tests)."""

from datetime import UTC, datetime

import factory

from courses.tests.factories import StageFactory
from participants.models import Participant, Registration


def letters(number):
    """A number written in letters (0 -> "a", 25 -> "z", 26 -> "ba"), for unique names."""
    digits = ""
    while True:
        number, digit = divmod(number, 26)
        digits = "abcdefghijklmnopqrstuvwxyz"[digit] + digits
        if not number:
            return digits


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    email = factory.Sequence(lambda n: f"skolotajs{n}@example.lv")
    first_name = "Līga"
    # Names are letters (participants/validators.py): Ērgle-a, Ērgle-b, ..., Ērgle-ba, ...
    last_name = factory.Sequence(lambda n: f"Ērgle-{letters(n)}")
    role = Participant.Role.TEACHER
    subjects = factory.LazyFunction(lambda: ["chemistry", "physics"])
    institution = "Daugavpils Valstspilsētas vidusskola"
    municipality = "daugavpils"
    sex = ""
    phone = "+371 20000000"
    language = Participant.Language.LATVIAN


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registration awaiting e-mail confirmation; use the traits for the other statuses.

    The traits set the status fields directly (no seat counting, no mail): for the real rules
    call the services.
    """

    class Meta:
        model = Registration

    participant = factory.SubFactory(ParticipantFactory)
    stage = factory.SubFactory(StageFactory)
    status = Registration.Status.AWAITING_CONFIRMATION
    consent_version = "2026-11-v1"
    consent_at = factory.LazyFunction(lambda: datetime.now(UTC))

    class Params:
        confirmed = factory.Trait(
            status=Registration.Status.CONFIRMED,
            email_confirmed_at=factory.LazyFunction(lambda: datetime.now(UTC)),
            confirmed_at=factory.LazyFunction(lambda: datetime.now(UTC)),
        )
        waiting = factory.Trait(
            status=Registration.Status.WAITING_LIST,
            email_confirmed_at=factory.LazyFunction(lambda: datetime.now(UTC)),
            waiting_since=factory.LazyFunction(lambda: datetime.now(UTC)),
        )
        cancelled = factory.Trait(
            status=Registration.Status.CANCELLED,
            cancelled_at=factory.LazyFunction(lambda: datetime.now(UTC)),
        )
