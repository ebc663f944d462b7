"""The session rules shared by the admin forms, the copy action and the seed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from courses.models import Session
from courses.services import academic_hours_in, session_check, session_copy, session_save
from courses.tests.factories import ProgrammeFactory, SessionFactory, StageFactory, riga

pytestmark = pytest.mark.django_db


def errors_of(excinfo):
    return excinfo.value.message_dict


def test_hours_from_the_duration_are_floored_to_a_hundredth():
    start = riga(2027, 3, 6, 10)
    assert academic_hours_in(
        starts_at=start, ends_at=start + timedelta(minutes=100), minutes_per_academic_hour=45
    ) == Decimal("2.22")
    assert academic_hours_in(
        starts_at=start, ends_at=start + timedelta(hours=6), minutes_per_academic_hour=45
    ) == Decimal("8.00")


def test_check_counts_hours_from_the_duration_when_empty():
    stage = StageFactory()
    hours = session_check(stage=stage, starts_at=riga(2027, 3, 6, 10), ends_at=riga(2027, 3, 6, 13))
    assert hours == Decimal("4.00")


def test_check_uses_the_programmes_minutes_per_academic_hour():
    stage = StageFactory(programme=ProgrammeFactory(minutes_per_academic_hour=40))
    hours = session_check(stage=stage, starts_at=riga(2027, 3, 6, 10), ends_at=riga(2027, 3, 6, 12))
    assert hours == Decimal("3.00")


def test_check_refuses_end_before_start_on_the_end_field():
    with pytest.raises(ValidationError) as excinfo:
        session_check(
            stage=StageFactory(), starts_at=riga(2027, 3, 6, 10), ends_at=riga(2027, 3, 6, 9)
        )
    assert list(errors_of(excinfo)) == ["ends_at"]


def test_check_refuses_hours_beyond_the_duration_on_the_hours_field():
    with pytest.raises(ValidationError) as excinfo:
        session_check(
            stage=StageFactory(),
            starts_at=riga(2027, 3, 6, 10),
            ends_at=riga(2027, 3, 6, 13),
            academic_hours=Decimal("4.01"),
        )
    assert list(errors_of(excinfo)) == ["academic_hours"]
    assert "4,00" in errors_of(excinfo)["academic_hours"][0]


def test_check_refuses_overlap_within_the_stage_only():
    existing = SessionFactory(starts_at=riga(2027, 3, 6, 10), ends_at=riga(2027, 3, 6, 13))
    with pytest.raises(ValidationError) as excinfo:
        session_check(
            stage=existing.stage, starts_at=riga(2027, 3, 6, 12), ends_at=riga(2027, 3, 6, 15)
        )
    assert list(errors_of(excinfo)) == ["starts_at"]
    assert existing.topic_lv in errors_of(excinfo)["starts_at"][0]
    # the session itself, a back-to-back session and another stage are fine
    session_check(
        stage=existing.stage,
        starts_at=existing.starts_at,
        ends_at=existing.ends_at,
        exclude_pk=existing.pk,
    )
    session_check(stage=existing.stage, starts_at=existing.ends_at, ends_at=riga(2027, 3, 6, 15))
    session_check(
        stage=StageFactory(), starts_at=riga(2027, 3, 6, 12), ends_at=riga(2027, 3, 6, 15)
    )


def test_save_copies_the_programmes_minutes_per_academic_hour():
    stage = StageFactory(programme=ProgrammeFactory(minutes_per_academic_hour=40))
    session = session_save(
        session=Session(
            stage=stage, starts_at=riga(2027, 3, 6, 10), ends_at=riga(2027, 3, 6, 12), topic_lv="X"
        )
    )
    session.refresh_from_db()
    assert session.minutes_per_academic_hour == 40
    assert session.academic_hours == Decimal("3.00")


def test_copy_is_one_week_later_at_the_same_riga_time_across_dst():
    original = SessionFactory(
        starts_at=riga(2027, 3, 24, 10),
        ends_at=riga(2027, 3, 24, 13),
        academic_hours=Decimal("3.5"),
        trainer="Dr. Jānis Ozols",
    )
    copy = session_copy(session=original)
    copy.refresh_from_db()
    assert copy.pk != original.pk
    assert copy.starts_at == riga(2027, 3, 31, 10)  # summer time began on 28 March
    assert copy.ends_at - copy.starts_at == timedelta(hours=3)
    assert (copy.academic_hours, copy.trainer, copy.topic_lv, copy.zoom_url) == (
        Decimal("3.5"),
        original.trainer,
        original.topic_lv,
        original.zoom_url,
    )
    assert copy.stage_id == original.stage_id


def test_copy_onto_an_existing_session_is_refused_and_creates_nothing():
    original = SessionFactory(starts_at=riga(2027, 3, 3, 10), ends_at=riga(2027, 3, 3, 13))
    SessionFactory(
        stage=original.stage,
        starts_at=riga(2027, 3, 10, 12),
        ends_at=riga(2027, 3, 10, 14),
        academic_hours=Decimal("2"),
    )
    with pytest.raises(ValidationError) as excinfo:
        session_copy(session=original)
    assert "starts_at" in errors_of(excinfo)
    assert Session.objects.count() == 2


def test_check_refuses_a_session_longer_than_a_day():
    with pytest.raises(ValidationError) as excinfo:
        session_check(
            stage=StageFactory(), starts_at=riga(2027, 3, 6, 10), ends_at=riga(2027, 3, 7, 10, 1)
        )
    assert list(errors_of(excinfo)) == ["ends_at"]
