"""Many people at once: the seats are never overbooked and nobody is lost (PostgreSQL only)."""

import threading

import pytest
from django.db import connection

from conftest import requires_postgres
from courses.tests.factories import StageFactory
from participants import services
from participants.models import Registration
from participants.tests.factories import RegistrationFactory

Status = Registration.Status
RACERS = 24

pytestmark = [requires_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(jobs):
    """Run each job in its own thread (own database connection), all released at once."""
    start = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            connection.ensure_connection()  # connect first, so the jobs really start together
            start.wait()
            job()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def statuses(stage):
    return list(Registration.objects.filter(stage=stage).values_list("status", flat=True))


def test_racing_for_the_last_seat_exactly_one_wins():
    stage = StageFactory(capacity=5)
    RegistrationFactory.create_batch(4, stage=stage, confirmed=True)
    racers = RegistrationFactory.create_batch(RACERS, stage=stage)

    run_together(
        [
            lambda registration=registration: services.registration_confirm_email(
                registration=registration
            )
            for registration in racers
        ]
    )

    racer_statuses = [r.status for r in Registration.objects.filter(pk__in=[r.pk for r in racers])]
    assert racer_statuses.count(Status.CONFIRMED) == 1
    assert racer_statuses.count(Status.WAITING_LIST) == RACERS - 1
    assert statuses(stage).count(Status.CONFIRMED) == 5
    assert len(statuses(stage)) == 4 + RACERS  # nobody lost


def test_cancellations_and_confirmations_at_once_never_exceed_capacity():
    capacity = 5
    stage = StageFactory(capacity=capacity)
    seated = RegistrationFactory.create_batch(capacity, stage=stage, confirmed=True)
    newcomers = RegistrationFactory.create_batch(RACERS - capacity, stage=stage)
    finished = threading.Event()
    seen = []

    def watch():
        try:
            while not finished.is_set():
                seen.append(
                    Registration.objects.filter(stage=stage, status=Status.CONFIRMED).count()
                )
        finally:
            connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    jobs = [
        lambda registration=registration: services.registration_cancel(registration=registration)
        for registration in seated
    ] + [
        lambda registration=registration: services.registration_confirm_email(
            registration=registration
        )
        for registration in newcomers
    ]
    try:
        run_together(jobs)
    finally:
        finished.set()
        watcher.join()

    final = statuses(stage)
    assert seen and max(seen) <= capacity
    assert final.count(Status.CANCELLED) == capacity
    # Every freed seat went to a newcomer: full again, everyone else waiting, nobody lost.
    assert final.count(Status.CONFIRMED) == capacity
    assert final.count(Status.WAITING_LIST) == len(newcomers) - capacity
    assert len(final) == capacity + len(newcomers)


def test_the_same_person_submitting_twice_at_once_gets_one_registration():
    stage = StageFactory()
    data = {
        "email": "liga@example.lv",
        "first_name": "Līga",
        "last_name": "Ērgle",
        "role": "teacher",
        "subjects": [],
        "institution": "Skola",
        "municipality": "daugavpils",
    }

    run_together(
        [
            lambda: services.registration_create(
                stage=stage,
                participant_data=data,
                language="lv",
                consent_version=services.CONSENT_VERSION,
            )
            for _ in range(8)
        ]
    )

    assert len(statuses(stage)) == 1
