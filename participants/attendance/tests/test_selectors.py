"""Attended academic hours and progress against the stage's threshold."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from courses.tests.factories import ProgrammeFactory, SessionFactory, StageFactory
from participants.attendance.models import Attendance
from participants.attendance.selectors import (
    participant_stage_progress,
    registrations_with_hours,
    stage_attendance_matrix,
    stage_hours_attended,
    stage_progress,
)
from participants.attendance.tests.factories import AttendanceFactory
from participants.models import Registration
from participants.tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db
RIGA = ZoneInfo("Europe/Riga")


def stage_of(*, pro_rata=False, planned="60", threshold=75):
    programme = ProgrammeFactory(hours_pro_rata=pro_rata)
    return StageFactory(
        programme=programme,
        planned_academic_hours=Decimal(planned),
        completion_threshold_percent=threshold,
    )


def mark(participant, session, status="present", minutes=None):
    full = int((session.ends_at - session.starts_at).total_seconds() // 60)
    return AttendanceFactory(
        participant=participant,
        session=session,
        status=status,
        minutes_present=full if minutes is None else minutes,
    )


def test_hours_are_the_academic_hours_of_the_sessions_present_at():
    stage = stage_of()
    first, second, third = (SessionFactory(stage=stage) for _ in range(3))  # 4 ac. h each
    anna = RegistrationFactory(stage=stage, confirmed=True).participant
    bruno = RegistrationFactory(stage=stage, confirmed=True).participant
    mark(anna, first)
    mark(anna, second, minutes=100)  # present, even if not the whole time
    mark(anna, third, "absent", 30)
    mark(bruno, first, "excused", 0)

    assert stage_hours_attended(stage=stage) == {anna.pk: Decimal("8.00"), bruno.pk: Decimal("0")}


def test_hours_count_only_the_stage_asked_for():
    stage, other = stage_of(), StageFactory()
    anna = RegistrationFactory(stage=stage, confirmed=True).participant
    RegistrationFactory(stage=other, confirmed=True, participant=anna)
    mark(anna, SessionFactory(stage=other))

    assert stage_hours_attended(stage=stage) == {anna.pk: Decimal("0")}
    assert stage_hours_attended(stage=other) == {anna.pk: Decimal("4.00")}


def test_hours_list_only_confirmed_participants():
    stage = stage_of()
    session = SessionFactory(stage=stage)
    waiting = RegistrationFactory(stage=stage, waiting=True).participant
    mark(waiting, session)

    assert stage_hours_attended(stage=stage) == {}


def test_pro_rata_hours_follow_the_minutes_present():
    stage = stage_of(pro_rata=True)
    session = SessionFactory(stage=stage)  # 180 minutes, 4 academic hours
    anna, bruno, cilda, dace = (
        RegistrationFactory(stage=stage, confirmed=True).participant for _ in range(4)
    )
    mark(anna, session, "present", 135)  # 3/4 of the session
    mark(bruno, session, "absent", 45)  # absent, but 1/4 of it counts pro rata
    mark(cilda, session, "excused", 90)  # an excused absence counts nothing
    mark(dace, session, "present", 180)

    hours = stage_hours_attended(stage=stage)

    assert hours == {
        anna.pk: Decimal("3.00"),
        bruno.pk: Decimal("1.00"),
        cilda.pk: Decimal("0"),
        dace.pk: Decimal("4.00"),
    }


def test_the_same_minutes_without_pro_rata_give_whole_sessions():
    stage = stage_of(pro_rata=False)
    session = SessionFactory(stage=stage)
    anna = RegistrationFactory(stage=stage, confirmed=True).participant
    mark(anna, session, "present", 135)

    assert stage_hours_attended(stage=stage) == {anna.pk: Decimal("4.00")}


@pytest.mark.parametrize("pro_rata", [False, True])
def test_sessions_across_the_daylight_saving_changes_count_their_real_length(pro_rata):
    """On 29 March 2026 Riga's clocks jump 03:00 -> 04:00, on 25 October 04:00 -> 03:00."""
    stage = stage_of(pro_rata=pro_rata)
    spring = SessionFactory(
        stage=stage,
        starts_at=datetime(2026, 3, 29, 1, 0, tzinfo=RIGA),
        ends_at=datetime(2026, 3, 29, 5, 0, tzinfo=RIGA),  # 3 real hours = 180 minutes
        academic_hours=Decimal("4"),
    )
    autumn = SessionFactory(
        stage=stage,
        starts_at=datetime(2026, 10, 25, 1, 0, tzinfo=RIGA),
        ends_at=datetime(2026, 10, 25, 4, 0, tzinfo=RIGA),  # 4 real hours = 240 minutes
        academic_hours=Decimal("4"),
    )
    spring.refresh_from_db()  # stored in UTC: the differences are the real lengths
    autumn.refresh_from_db()
    assert (spring.ends_at - spring.starts_at) == timedelta(hours=3)
    assert (autumn.ends_at - autumn.starts_at) == timedelta(hours=4)
    anna = RegistrationFactory(stage=stage, confirmed=True).participant
    mark(anna, spring, "present", 90)  # half of the spring session
    mark(anna, autumn, "present", 240)  # the whole autumn session

    hours = stage_hours_attended(stage=stage)[anna.pk]

    assert hours == (Decimal("6.00") if pro_rata else Decimal("8.00"))


def test_pro_rata_minutes_beyond_the_session_count_as_the_whole_session():
    stage = stage_of(pro_rata=True)
    session = SessionFactory(stage=stage)
    anna = RegistrationFactory(stage=stage, confirmed=True).participant
    mark(anna, session, "present", 500)

    assert stage_hours_attended(stage=stage) == {anna.pk: Decimal("4.00")}


def test_progress_against_the_threshold_of_planned_hours():
    stage = stage_of(planned="16", threshold=75)  # 12 hours needed
    sessions = [SessionFactory(stage=stage) for _ in range(4)]
    anna = RegistrationFactory(stage=stage, confirmed=True).participant
    bruno = RegistrationFactory(stage=stage, confirmed=True).participant
    for session in sessions[:3]:
        mark(anna, session)
    for session in sessions[:2]:
        mark(bruno, session)

    anna_progress = participant_stage_progress(participant=anna, stage=stage)
    bruno_progress = participant_stage_progress(participant=bruno, stage=stage)

    assert (anna_progress.hours_attended, anna_progress.percent) == (Decimal("12.00"), 75)
    assert anna_progress.hours_required == Decimal("12.00")
    assert anna_progress.reached
    assert (bruno_progress.hours_attended, bruno_progress.percent) == (Decimal("8.00"), 50)
    assert not bruno_progress.reached
    assert stage_progress(stage=stage) == {anna.pk: anna_progress, bruno.pk: bruno_progress}


def test_progress_percent_is_never_rounded_up_to_the_threshold():
    stage = stage_of(planned="60", threshold=75)
    session = SessionFactory(stage=stage, academic_hours=Decimal("0.99"))
    # 44.99 of 60 hours is 74.98%: shown as 74%, and not enough
    anna = RegistrationFactory(stage=stage, confirmed=True).participant
    mark(anna, session)
    for _ in range(11):
        mark(anna, SessionFactory(stage=stage))  # 4 academic hours each

    progress = participant_stage_progress(participant=anna, stage=stage)

    assert progress.hours_attended == Decimal("44.99")
    assert progress.percent_whole == 74
    assert not progress.reached


def test_registrations_are_annotated_in_one_query(django_assert_num_queries):
    stage = stage_of()
    sessions = [SessionFactory(stage=stage) for _ in range(3)]
    for _ in range(5):
        person = RegistrationFactory(stage=stage, confirmed=True).participant
        for session in sessions[:2]:
            mark(person, session)

    with django_assert_num_queries(1):
        hours = [r.hours_attended for r in registrations_with_hours(Registration.objects.all())]

    assert [Decimal(h).quantize(Decimal("0.01")) for h in hours] == [Decimal("8.00")] * 5


@pytest.mark.parametrize("people", [3, 12])
def test_the_matrix_takes_three_queries_whatever_its_size(people, django_assert_num_queries):
    stage = stage_of()
    sessions = [SessionFactory(stage=stage) for _ in range(3)]
    for _ in range(people):
        person = RegistrationFactory(stage=stage, confirmed=True).participant
        mark(person, sessions[0])
        mark(person, sessions[1], "absent", 0)

    with django_assert_num_queries(3):
        matrix = stage_attendance_matrix(stage=stage)
        rows = [
            (p.email, [c.status if c else None for c in cells], g) for p, cells, g in matrix.rows
        ]

    assert len(rows) == people
    assert rows[0][1] == ["present", "absent", None]
    assert [s.present_count for s in matrix.sessions] == [people, 0, 0]
    assert matrix.hours_per_session == [Decimal("4.00") * people, 0, 0]
    assert Attendance.objects.count() == 2 * people
