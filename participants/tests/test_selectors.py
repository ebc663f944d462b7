from decimal import Decimal

import pytest

from courses.tests.factories import SessionFactory, StageFactory
from participants.selectors import (
    public_stages,
    seats_left,
    seats_taken,
    waiting_list_position,
)
from participants.tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def test_only_confirmed_registrations_take_seats():
    stage = StageFactory(capacity=3)
    RegistrationFactory(stage=stage, confirmed=True)
    RegistrationFactory(stage=stage)
    RegistrationFactory(stage=stage, waiting=True)
    RegistrationFactory(stage=stage, cancelled=True)

    assert seats_taken(stage) == 1
    assert seats_left(stage) == 2


def test_seats_left_is_never_negative():
    stage = StageFactory(capacity=1)
    RegistrationFactory.create_batch(2, stage=stage, confirmed=True)  # capacity lowered later

    assert seats_left(stage) == 0
    assert public_stages(programme=stage.programme).get().seats_left_count == 0


def test_the_public_stages_count_seats_without_multiplying_hours():
    stage = StageFactory(capacity=10)
    SessionFactory.create_batch(2, stage=stage)
    RegistrationFactory.create_batch(3, stage=stage, confirmed=True)
    RegistrationFactory(stage=stage, waiting=True)

    annotated = public_stages(programme=stage.programme).get()

    assert annotated.seats_taken_count == 3
    assert annotated.seats_left_count == 7
    assert annotated.scheduled_hours == Decimal("8")
    assert annotated.online_sessions == 2
    assert annotated.onsite_sessions == 0


def test_waiting_list_position():
    stage = StageFactory(capacity=0)
    first = RegistrationFactory(stage=stage, waiting=True)
    second = RegistrationFactory(stage=stage, waiting=True)
    seated = RegistrationFactory(stage=stage, confirmed=True)

    assert waiting_list_position(first) == 1
    assert waiting_list_position(second) == 2
    assert waiting_list_position(seated) is None
