"""factory_boy factories for attendance (shared by the attendance and certificate tests)."""

import factory

from courses.tests.factories import SessionFactory
from participants.attendance.models import Attendance
from participants.tests.factories import ParticipantFactory


class AttendanceFactory(factory.django.DjangoModelFactory):
    """A participant present for the whole of a three-hour factory session."""

    class Meta:
        model = Attendance

    participant = factory.SubFactory(ParticipantFactory)
    session = factory.SubFactory(SessionFactory)
    status = Attendance.Status.PRESENT
    minutes_present = 180
    source = Attendance.Source.STAFF
