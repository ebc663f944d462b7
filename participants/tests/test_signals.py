"""Staff raising a stage's capacity in the admin promotes the waiting list at once."""

import pytest
from django.core import mail

from courses.tests.factories import StageFactory
from participants.models import Registration
from participants.tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def test_raising_capacity_promotes_the_first_waiting_person(django_capture_on_commit_callbacks):
    stage = StageFactory(capacity=1)
    RegistrationFactory(stage=stage, confirmed=True)
    waiting = RegistrationFactory(stage=stage, waiting=True)

    with django_capture_on_commit_callbacks(execute=True):
        stage.capacity = 2
        stage.save()

    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert [m.to for m in mail.outbox] == [[waiting.participant.email]]


def test_saving_a_full_stage_changes_nobody(django_capture_on_commit_callbacks):
    stage = StageFactory(capacity=1)
    RegistrationFactory(stage=stage, confirmed=True)
    waiting = RegistrationFactory(stage=stage, waiting=True)

    with django_capture_on_commit_callbacks(execute=True):
        stage.title_lv = "Jauns nosaukums"
        stage.save()

    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.WAITING_LIST
    assert mail.outbox == []
