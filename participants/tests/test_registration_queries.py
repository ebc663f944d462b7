"""What a registration costs the database: a rush of teachers for one stage must not make each
form post or "check your mail" page build the whole public stage page (see bench/registration.py
and bench/HISTORY.md, "Registration")."""

import pytest
from django.urls import reverse
from django.utils import translation

from courses.tests.factories import ProgrammeFactory, SessionFactory, StageFactory
from participants.models import Registration
from participants.tests.test_views import form_data

pytestmark = pytest.mark.django_db

# Programme, stage with its programme, the last session's end (still open?), whether the
# address is known; then participants.services.registration_create: the last session's end
# again, the participant (found or inserted, in a savepoint), its lock, its live registration,
# the registration (inserted in a savepoint, then its time), the address's mails today and the
# outbox row, all in one savepoint (the test's transaction stands for the request's).
REGISTRATION_POST_QUERIES = 19
# Programme, the stage with its programme, the footer's programme.
REGISTERED_PAGE_QUERIES = 3


def url(name, **kwargs):
    with translation.override("lv"):
        return reverse(f"participants:{name}", kwargs=kwargs)


@pytest.fixture
def stage():
    stage = StageFactory()
    SessionFactory.create_batch(3, stage=stage)
    return stage


def test_a_registration_post_reads_the_stage_not_the_whole_page(
    client, stage, django_assert_num_queries
):
    with django_assert_num_queries(REGISTRATION_POST_QUERIES):
        response = client.post(url("stage_detail", stage_id=stage.pk), form_data())

    assert response.status_code == 302
    assert Registration.objects.filter(stage=stage).count() == 1


def test_a_form_with_errors_is_shown_again_on_the_whole_page(client, stage):
    response = client.post(url("stage_detail", stage_id=stage.pk), form_data(email="nope"))

    assert response.status_code == 200
    page = response.content.decode()
    assert stage.sessions.first().topic_lv in page  # the page's sessions, from the database
    assert 'value="Līga"' in page  # what was typed
    assert not Registration.objects.exists()


def test_the_check_your_mail_page_reads_only_the_stage(client, stage, django_assert_num_queries):
    with django_assert_num_queries(REGISTERED_PAGE_QUERIES):
        response = client.get(url("registration_sent", stage_id=stage.pk))

    assert response.status_code == 200
    assert stage.title_lv in response.content.decode()


def test_a_stage_of_another_programme_cannot_be_registered_for(client, stage):
    other = StageFactory(programme=ProgrammeFactory(project_number="OTHER/1"))

    assert client.post(url("stage_detail", stage_id=other.pk), form_data()).status_code == 404
    assert client.get(url("registration_sent", stage_id=other.pk)).status_code == 404
    assert not Registration.objects.exists()
