"""A stage's planned, scheduled and delivered academic hours."""

from decimal import Decimal

import pytest
import time_machine

from courses.selectors import stages_with_hours
from courses.tests.factories import SessionFactory, StageFactory, riga

pytestmark = pytest.mark.django_db


def hours(stage, **kwargs):
    row = stages_with_hours(**kwargs).get(pk=stage.pk)
    return row.planned_academic_hours, row.scheduled_hours, row.delivered_hours


def session(stage, day, hours):
    return SessionFactory(
        stage=stage,
        starts_at=riga(2027, 3, day, 10),
        ends_at=riga(2027, 3, day, 16),
        academic_hours=Decimal(hours),
    )


def test_stage_without_sessions_has_zero_scheduled_and_delivered():
    stage = StageFactory(planned_academic_hours=Decimal("60"))
    assert hours(stage) == (Decimal("60"), Decimal("0"), Decimal("0"))


def test_delivered_counts_only_sessions_that_are_over():
    stage = StageFactory(planned_academic_hours=Decimal("60"))
    session(stage, 6, "7.5")
    session(stage, 13, "7.5")
    session(stage, 20, "6.25")

    with time_machine.travel(riga(2027, 3, 1, 12), tick=False):
        assert hours(stage) == (Decimal("60"), Decimal("21.25"), Decimal("0"))
    with time_machine.travel(riga(2027, 3, 13, 15, 59), tick=False):
        assert hours(stage)[2] == Decimal("7.5")  # the second session is still running
    with time_machine.travel(riga(2027, 3, 13, 16), tick=False):
        assert hours(stage)[2] == Decimal("15")
    with time_machine.travel(riga(2027, 4, 1), tick=False):
        assert hours(stage) == (Decimal("60"), Decimal("21.25"), Decimal("21.25"))


def test_across_the_change_to_summer_time():
    stage = StageFactory()
    # Riga moves its clocks forward on 28 March 2027 at 03:00; 16:00 that day is 13:00 UTC
    SessionFactory(
        stage=stage,
        starts_at=riga(2027, 3, 28, 10),
        ends_at=riga(2027, 3, 28, 16),
        academic_hours=Decimal("8"),
    )
    with time_machine.travel(riga(2027, 3, 28, 15, 59), tick=False):
        assert hours(stage)[2] == Decimal("0")
    with time_machine.travel(riga(2027, 3, 28, 16), tick=False):
        assert hours(stage)[2] == Decimal("8")


def test_explicit_now_and_other_stages_do_not_mix():
    stage, other = StageFactory(), StageFactory()
    session(stage, 6, "4")
    session(other, 6, "8")
    assert hours(stage, now=riga(2027, 3, 7)) == (Decimal("60"), Decimal("4"), Decimal("4"))
    assert hours(other, now=riga(2027, 3, 5))[1:] == (Decimal("8"), Decimal("0"))
