"""A stage of 4 sessions (16 academic hours, threshold 75% = 12 hours) and its people."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from courses.tests.factories import ProgrammeFactory, SessionFactory, StageFactory
from participants.attendance.models import Attendance
from participants.attendance.tests.factories import AttendanceFactory
from participants.tests.factories import ParticipantFactory, RegistrationFactory

# Every Latvian letter, small and capital, in one (made-up) name.
LATVIAN_FIRST_NAME = "Ārija Ēvalda Īve Ūna Ļena Ķīna Žanna"
LATVIAN_LAST_NAME = "Čakste-Ģērķe-Ņikšļūža-Šāčēģīķļņšūž"
LATVIAN_LETTERS = "āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ"


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user("staff", is_staff=True)


@pytest.fixture
def stage(db):
    programme = ProgrammeFactory(
        approval_reference="VISC apstiprinājums Nr. 2021/17",
        signatory_name="Jānis Bērziņš",
        signatory_title_lv="Daugavpils Inovāciju centra vadītājs",
        signatory_title_en="Head of the Daugavpils Innovation Centre",
    )
    stage = StageFactory(
        programme=programme,
        order=1,
        title_lv="Eksaktās zinātnes un kompetenču pieeja",
        title_en="Exact sciences and the competence-based approach",
        planned_academic_hours=Decimal("16"),
        completion_threshold_percent=75,
    )
    for _ in range(4):
        SessionFactory(stage=stage)
    return stage


def attend(participant, stage, *, sessions):
    """``participant`` present at the first ``sessions`` sessions, absent at the others."""
    for index, session in enumerate(stage.sessions.order_by("starts_at")):
        present = index < sessions
        AttendanceFactory(
            participant=participant,
            session=session,
            status=Attendance.Status.PRESENT if present else Attendance.Status.ABSENT,
            minutes_present=180 if present else 0,
        )


def confirmed_participant(stage, *, sessions=3, **names):
    participant = ParticipantFactory(**names)
    RegistrationFactory(participant=participant, stage=stage, confirmed=True)
    attend(participant, stage, sessions=sessions)
    return participant


@pytest.fixture
def eligible(stage):
    """Present at 3 of 4 sessions: 12 of 16 hours, exactly the threshold."""
    return confirmed_participant(
        stage, sessions=3, first_name=LATVIAN_FIRST_NAME, last_name=LATVIAN_LAST_NAME
    )


@pytest.fixture
def below_threshold(stage):
    """Present at 2 of 4 sessions: 8 of 16 hours."""
    return confirmed_participant(stage, sessions=2)
