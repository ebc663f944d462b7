"""factory_boy factories for the programme, its stages and sessions (shared by every app's tests).

Sessions of a factory-made stage never overlap: each one starts a day after the previous one
(PostgreSQL refuses overlapping sessions of one stage).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from courses.models import Programme, Session, Stage

RIGA = ZoneInfo("Europe/Riga")
# Far in the future (a Monday): factory sessions must stay upcoming whatever the real date, or
# every test that registers for a factory stage starts failing ("this stage has already taken
# place") once the real clock passes them. Tests that need particular dates pass them.
FIRST_SESSION = datetime(2099, 3, 2, 10, 0, tzinfo=RIGA)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("project_number",)

    title_lv = "Inovāciju centra izveidošana Daugavpilī"
    title_en = "Establishment of an Innovation Centre in Daugavpils"
    project_number = "NFI/IC/VIAA/2020/4"
    agreement_number = "9.-20.2.2.1/4"
    funding_frame_lv = (
        "Eiropas Ekonomikas zonas finanšu instruments un Norvēģijas finanšu instruments "
        "2014.–2021. gadam, programma “Pētniecība un izglītība”, aktivitāte “Inovācijas centri”"
    )
    funding_frame_en = (
        "EEA Financial Mechanism and Norwegian Financial Mechanism 2014-2021, programme "
        "“Research and Education”, activity “Innovation centres”"
    )
    acknowledgement_lv = (
        "Projekts “Inovāciju centra izveidošana Daugavpilī” (Nr. NFI/IC/VIAA/2020/4) tiek "
        "īstenots ar EEZ un Norvēģijas finanšu instrumentu atbalstu."
    )
    acknowledgement_en = (
        "The project “Establishment of an Innovation Centre in Daugavpils” "
        "(No. NFI/IC/VIAA/2020/4) is supported by the EEA and Norway Grants."
    )
    organiser_lv = "Daugavpils Inovāciju centrs"
    organiser_en = "Daugavpils Innovation Centre"
    organiser_address = "Vienības iela 30, Daugavpils"
    partner_lv = "Daugavpils Universitāte"
    partner_en = "Daugavpils University"
    end_date = date(2027, 12, 31)
    minutes_per_academic_hour = 45


class StageFactory(factory.django.DjangoModelFactory):
    """An open stage: registration opened in the past and closes far in the future."""

    class Meta:
        model = Stage

    programme = factory.SubFactory(ProgrammeFactory)
    order = factory.Sequence(lambda n: n + 1)
    title_lv = factory.Sequence(lambda n: f"Posms {n + 1}")
    title_en = factory.Sequence(lambda n: f"Stage {n + 1}")
    description_lv = "Eksakto zinātņu jomas un kompetenču pieeja izglītībā."
    description_en = "Fields of the exact sciences and the competence-based approach."
    planned_academic_hours = Decimal("60")
    capacity = 20
    registration_opens_at = datetime(2020, 1, 1, tzinfo=RIGA)
    registration_closes_at = datetime(2099, 1, 1, tzinfo=RIGA)


class SessionFactory(factory.django.DjangoModelFactory):
    """A three-hour online session (4 academic hours of 45 minutes), one day after the last."""

    class Meta:
        model = Session

    stage = factory.SubFactory(StageFactory)
    starts_at = factory.Sequence(lambda n: FIRST_SESSION + timedelta(days=n))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(hours=3))
    mode = Session.Mode.ONLINE
    zoom_url = "https://zoom.us/j/1234567890"
    topic_lv = factory.Sequence(lambda n: f"Nodarbība {n + 1}: eksaktās zinātnes")
    topic_en = factory.Sequence(lambda n: f"Session {n + 1}: exact sciences")
    trainer = "Dr. Anna Bērziņa"
    academic_hours = Decimal("4")
    minutes_per_academic_hour = 45


def riga(year, month, day, hour=0, minute=0):
    """An aware datetime in Europe/Riga, for readable test data."""
    return datetime.combine(date(year, month, day), time(hour, minute), tzinfo=RIGA)
