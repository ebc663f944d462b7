"""The database itself refuses impossible stages and sessions (SQLite and PostgreSQL)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from conftest import USING_POSTGRES
from courses.models import Session, Stage
from courses.tests.factories import ProgrammeFactory, SessionFactory, StageFactory, riga

pytestmark = pytest.mark.django_db


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def session_values(stage, **overrides):
    values = {
        "stage": stage,
        "starts_at": riga(2027, 3, 6, 10),
        "ends_at": riga(2027, 3, 6, 16),
        "topic_lv": "Fizika",
        "academic_hours": Decimal("8"),
        "minutes_per_academic_hour": 45,
    }
    return values | overrides


def test_session_must_end_after_it_starts():
    stage = StageFactory()
    refused(lambda: Session.objects.create(**session_values(stage, ends_at=riga(2027, 3, 6, 9))))
    refused(lambda: Session.objects.create(**session_values(stage, ends_at=riga(2027, 3, 6, 10))))


def test_session_hours_never_exceed_the_duration():
    stage = StageFactory()
    # six hours are 360 minutes: at most 8 academic hours of 45 minutes
    Session.objects.create(**session_values(stage, academic_hours=Decimal("8.00")))
    refused(
        lambda: Session.objects.create(
            **session_values(
                stage,
                starts_at=riga(2027, 3, 7, 10),
                ends_at=riga(2027, 3, 7, 16),
                academic_hours=Decimal("8.01"),
            )
        )
    )


def test_session_hours_follow_the_copied_minutes_per_academic_hour():
    stage = StageFactory()
    # the same 6 hours hold 6 academic hours of 60 minutes, not 8
    refused(
        lambda: Session.objects.create(
            **session_values(stage, academic_hours=Decimal("6.5"), minutes_per_academic_hour=60)
        )
    )


def test_session_hours_must_be_positive():
    stage = StageFactory()
    refused(lambda: Session.objects.create(**session_values(stage, academic_hours=Decimal("0"))))


def test_stage_order_is_unique_within_a_programme():
    programme = ProgrammeFactory()
    StageFactory(programme=programme, order=1)
    refused(lambda: StageFactory(programme=programme, order=1))


def test_same_order_in_another_programme_is_fine():
    StageFactory(order=1)
    other = ProgrammeFactory(project_number="NFI/IC/VIAA/2020/5")
    assert StageFactory(programme=other, order=1).pk


def test_stage_capacity_is_not_negative():
    refused(lambda: Stage.objects.filter(pk=StageFactory(capacity=0).pk).update(capacity=-1))


def test_stage_planned_hours_are_positive():
    refused(lambda: StageFactory(planned_academic_hours=Decimal("0")))
    refused(lambda: StageFactory(planned_academic_hours=Decimal("-1")))


def test_stage_registration_closes_after_it_opens():
    refused(
        lambda: StageFactory(
            registration_opens_at=riga(2027, 2, 1), registration_closes_at=riga(2027, 1, 1)
        )
    )


@pytest.mark.skipif(
    not USING_POSTGRES,
    reason="needs PostgreSQL (set DATABASE_URL): SQLite has no exclusion constraints; there the "
    "services refuse overlaps (test_services.py)",
)
def test_postgres_refuses_overlapping_sessions_of_one_stage():
    first = SessionFactory()
    refused(
        lambda: SessionFactory(
            stage=first.stage,
            starts_at=first.starts_at + timedelta(hours=1),
            ends_at=first.ends_at + timedelta(hours=1),
        )
    )
    # back to back is not an overlap, and another stage may use the same time
    SessionFactory(
        stage=first.stage, starts_at=first.ends_at, ends_at=first.ends_at + timedelta(hours=3)
    )
    SessionFactory(starts_at=first.starts_at, ends_at=first.ends_at)
