"""The participant mail outbox: recorded with the change, sent once, never lost to an outage."""

import logging
import re
import smtplib
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.utils import timezone

from conftest import requires_postgres
from courses.tests.factories import SessionFactory, StageFactory
from innovation_centre.celery import app as celery_app
from participants import links, services
from participants.models import Participant, ParticipantMail, Registration
from participants.outbox import delivery
from participants.outbox.record import participant_mails_kick, participant_mails_retry
from participants.outbox.tasks import drain_participant_mails
from participants.tests.factories import RegistrationFactory
from participants.tests.smtp_server import free_port
from participants.tests.test_reminder_helpers import run_at_once
from participants.tests.test_services import register
from participants.tests.test_views import form_data, url

Status = ParticipantMail.Status
pytestmark = pytest.mark.django_db
OWN_PHONE, OWN_NEW_PHONE, MARTAS_PHONE = "+371 20000111", "+371 20000222", "+371 20000123"
STRANGERS_PHONE = "+371 29999999"


@pytest.fixture
def broker_down(monkeypatch):
    """The broker refuses connections (a closed loopback port) and tasks are not run eagerly."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.broker_transport_options, conf.task_always_eager)
    closed = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setenv("CELERY_BROKER_URL", closed)  # Celery reads it before its own setting
    conf.broker_url = closed
    conf.broker_transport_options = {}
    conf.task_always_eager = False
    yield
    conf.broker_url, conf.broker_transport_options, conf.task_always_eager = saved


class RefusingBackend(LocmemBackend):
    """A mail server that refuses the next ``refusals`` messages."""

    refusals = 0

    def send_messages(self, messages):
        if RefusingBackend.refusals > 0:
            RefusingBackend.refusals -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def refusing_smtp(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.refusals = 0
    yield RefusingBackend
    RefusingBackend.refusals = 0


def confirmation_path(message):
    """The path of the confirmation link in a mail's text."""
    return urlsplit(re.search(r"https?://\S+/confirm/\S+/", message.body).group(0)).path


def pending_mails(**filters):
    return ParticipantMail.objects.filter(status=Status.PENDING, **filters)


def all_ids():
    return list(ParticipantMail.objects.values_list("pk", flat=True))


def statuses():
    return sorted(ParticipantMail.objects.values_list("template", "status"))


# --- the broker is down -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_registering_and_confirming_answer_normally_and_lose_no_mail(
    client, broker_down, caplog
):
    caplog.set_level(logging.WARNING, logger="participants.outbox.record")
    stage = StageFactory()
    SessionFactory(stage=stage)

    response = client.post(url("stage_detail", stage_id=stage.pk), form_data())

    assert response.status_code == 302
    assert response["Location"] == url("registration_sent", stage_id=stage.pk)
    assert statuses() == [("awaiting_confirmation", Status.PENDING)]
    assert mail.outbox == []
    assert "broker unavailable" in caplog.text

    drain_participant_mails.apply()  # beat's task, once broker and workers are back

    [request] = mail.outbox
    assert request.to == ["liga@example.lv"]
    response = client.post(confirmation_path(request))

    assert response.status_code == 302
    assert Registration.objects.get().status == Registration.Status.CONFIRMED
    assert pending_mails(template="confirmed").count() == 1
    assert len(mail.outbox) == 1

    drain_participant_mails.apply()
    drain_participant_mails.apply()  # a second drain finds nothing to send

    assert [m.to for m in mail.outbox] == [["liga@example.lv"]] * 2
    assert mail.outbox[1].attachments  # the "seat confirmed" mail, with the calendar
    assert statuses() == [("awaiting_confirmation", Status.SENT), ("confirmed", Status.SENT)]
    assert set(ParticipantMail.objects.values_list("attempts", flat=True)) == {1}


def test_a_broker_error_when_handing_over_the_mail_is_only_logged(broker_down, caplog):
    caplog.set_level(logging.WARNING, logger="participants.outbox.record")

    assert participant_mails_kick(mail_ids=[1]) is False
    assert "left for the outbox drain" in caplog.text


def test_with_a_broker_the_mail_is_sent_right_after_the_commit(
    django_capture_on_commit_callbacks,
):
    stage = StageFactory()
    with django_capture_on_commit_callbacks(execute=True):
        register(stage)

    assert len(mail.outbox) == 1
    assert statuses() == [("awaiting_confirmation", Status.SENT)]


# --- recorded with the change -----------------------------------------------------------------


def test_every_change_records_its_mail_in_the_same_transaction():
    stage = StageFactory(capacity=1)
    seated = register(stage, "seated@example.lv")
    waiting = register(stage, "waiting@example.lv")
    services.registration_confirm_email(registration=seated)
    services.registration_confirm_email(registration=waiting)
    services.registration_cancel(registration=seated)

    rows = sorted(
        ParticipantMail.objects.values_list("registration__participant__email", "template")
    )
    assert rows == [
        ("seated@example.lv", "awaiting_confirmation"),
        ("seated@example.lv", "cancelled"),
        ("seated@example.lv", "confirmed"),
        ("waiting@example.lv", "awaiting_confirmation"),
        ("waiting@example.lv", "promoted"),
        ("waiting@example.lv", "waiting_list"),
    ]
    assert mail.outbox == []  # nothing is sent before the commit


def test_a_rolled_back_change_records_no_mail():
    stage = StageFactory()
    registration = RegistrationFactory(stage=stage, confirmed=True)

    with pytest.raises(RuntimeError), transaction.atomic():
        register(stage, "rolled-back@example.lv")
        services.registration_cancel(registration=registration)
        raise RuntimeError("the request failed later on")

    assert ParticipantMail.objects.count() == 0
    delivery.participant_mails_drain()
    assert mail.outbox == []


# --- sending: once, retried, never again -------------------------------------------------------


def test_the_drain_sends_each_waiting_mail_once():
    stage = StageFactory()
    for number in range(3):
        register(stage, f"person{number}@example.lv")

    first = delivery.participant_mails_drain()
    second = delivery.participant_mails_drain()

    assert (first.sent, second.sent) == (3, 0)
    assert sorted(m.to[0] for m in mail.outbox) == [f"person{n}@example.lv" for n in range(3)]
    assert delivery.participant_mails_send(mail_ids=all_ids()).sent == 0
    assert len(mail.outbox) == 3


def test_the_drain_works_in_batches(settings):
    stage = StageFactory()
    for number in range(5):
        register(stage, f"person{number}@example.lv")

    summary = delivery.participant_mails_drain(batch_size=2)

    assert summary.sent == 5
    assert len(mail.outbox) == 5


def test_an_smtp_failure_is_retried_with_a_growing_delay(refusing_smtp, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    register(StageFactory())
    refusing_smtp.refusals = 2

    assert delivery.participant_mails_drain().failed == 1
    row = ParticipantMail.objects.get()
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert "SMTPServerDisconnected" in row.last_error
    assert row.next_attempt_at == timezone.now() + timedelta(seconds=60)
    assert delivery.participant_mails_drain().failed == 0  # not due yet: not tried

    time_machine.shift(timedelta(seconds=61))
    assert delivery.participant_mails_drain().failed == 1
    row.refresh_from_db()
    assert row.next_attempt_at == timezone.now() + timedelta(seconds=120)

    time_machine.shift(timedelta(seconds=121))
    assert delivery.participant_mails_drain().sent == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 3, "")
    assert len(mail.outbox) == 1


def test_a_mail_that_keeps_failing_stays_failed_for_staff(refusing_smtp, settings, time_machine):
    settings.PARTICIPANT_MAIL_MAX_ATTEMPTS = 2
    time_machine.move_to(timezone.now(), tick=False)
    register(StageFactory())
    refusing_smtp.refusals = 10

    delivery.participant_mails_drain()
    time_machine.shift(timedelta(minutes=2))
    delivery.participant_mails_drain()
    time_machine.shift(timedelta(days=1))
    delivery.participant_mails_drain()

    row = ParticipantMail.objects.get()
    assert (row.status, row.attempts, row.next_attempt_at) == (Status.FAILED, 2, None)

    refusing_smtp.refusals = 0
    assert participant_mails_retry(mail_ids=[row.pk]) == 1  # staff: "send again"
    delivery.participant_mails_drain()
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_dead_worker_is_sent_once_it_is_stale(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    register(StageFactory())
    row = ParticipantMail.objects.get()
    delivery.mails_claim(mail_ids=[row.pk], now=timezone.now(), token="dead-worker")

    assert delivery.participant_mails_drain().sent == 0  # still held by its worker

    time_machine.shift(timedelta(seconds=301))
    assert delivery.participant_mails_drain().sent == 1
    assert delivery.participant_mails_drain().sent == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)
    assert len(mail.outbox) == 1


def test_a_confirmation_request_that_no_longer_applies_is_not_sent():
    registration = register(StageFactory())
    registration = services.registration_confirm_email(registration=registration)

    summary = delivery.participant_mails_drain()

    assert (summary.sent, summary.skipped) == (1, 1)
    assert [m.to for m in mail.outbox] == [[registration.participant.email]]
    assert "/confirm/" not in mail.outbox[0].body
    assert statuses() == [("awaiting_confirmation", Status.SKIPPED), ("confirmed", Status.SENT)]


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_drains_at_once_send_each_mail_once():
    stage = StageFactory()
    people = [f"person{number}@example.lv" for number in range(20)]
    for email in people:
        registration = RegistrationFactory(stage=stage, participant__email=email)
        ParticipantMail.objects.create(registration=registration, template="manage_link")

    assert run_at_once(4, lambda: delivery.participant_mails_drain(batch_size=5)) == []

    assert sorted(m.to[0] for m in mail.outbox) == sorted(people)
    assert set(ParticipantMail.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


# --- one address, at most 3 confirmation requests a day ---------------------------------------


def test_an_address_gets_at_most_three_confirmation_requests_a_day(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    stage = StageFactory()
    answers = []
    for number in range(6):
        # From six addresses, as a flood would come; the page answers every time the same.
        response = client.post(
            url("stage_detail", stage_id=stage.pk),
            form_data(first_name=f"Līga{'a' * number}"),
            REMOTE_ADDR=f"192.0.2.{number + 1}",
        )
        answers.append((response.status_code, response["Location"]))

    assert answers == [(302, url("registration_sent", stage_id=stage.pk))] * 6
    assert ParticipantMail.objects.filter(template="awaiting_confirmation").count() == 3
    assert Registration.objects.count() == 1

    time_machine.shift(timedelta(hours=23, minutes=59))
    register(stage)
    assert ParticipantMail.objects.count() == 3  # still within 24 hours of the first

    time_machine.shift(timedelta(minutes=2))
    register(stage)
    assert ParticipantMail.objects.count() == 4  # a rolling day: the first one has left it


def test_the_daily_share_counts_every_stage_and_the_manage_link_mails(settings):
    stages = StageFactory.create_batch(4)
    registration = services.registration_confirm_email(registration=register(stages[0]))
    register(stages[0])  # already confirmed: the manage link again
    for stage in stages[1:]:
        register(stage)

    form_mails = ParticipantMail.objects.exclude(template="confirmed")
    assert sorted(form_mails.values_list("template", flat=True)) == [
        "awaiting_confirmation",
        "awaiting_confirmation",
        "manage_link",
    ]
    assert Registration.objects.filter(participant=registration.participant).count() == 4
    # Staff's "send again" is not the public form: not limited.
    services.registration_resend_email(registration=registration)
    assert ParticipantMail.objects.filter(template="confirmed").count() == 2


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_flood_of_posts_at_once_still_sends_three_requests():
    stages = StageFactory.create_batch(8)

    queue = iter(stages)

    def post():
        register(next(queue), "victim@example.lv")

    assert run_at_once(8, post) == []

    assert Registration.objects.count() == 8
    assert ParticipantMail.objects.count() == 3


# --- nobody changes someone else's details ----------------------------------------------------


@pytest.fixture
def victim():
    """Someone with a seat in one stage, registered with their own details."""
    first_stage = StageFactory()
    registration = services.registration_confirm_email(
        registration=register(first_stage, "victim@example.lv", first_name="Anna", phone=OWN_PHONE)
    )
    ParticipantMail.objects.all().delete()
    return registration.participant


def details(participant):
    participant.refresh_from_db()
    return (participant.first_name, participant.last_name, participant.phone, participant.language)


def test_a_form_with_someone_elses_address_changes_nothing_of_theirs(client, victim):
    stage = StageFactory()
    before = details(victim)

    response = client.post(
        url("stage_detail", stage_id=stage.pk, language="en"),
        form_data(
            email="VICTIM@example.lv", first_name="Mallory", phone=STRANGERS_PHONE, language="en"
        ),
    )

    assert response.status_code == 302
    assert details(victim) == before
    [request] = ParticipantMail.objects.all()
    assert request.payload["details"]["first_name"] == "Mallory"
    # Nor does the mail repeat what the stranger typed: it greets the person the portal knows.
    delivery.participant_mails_drain()
    assert "Mallory" not in mail.outbox[0].body
    assert "Anna" in mail.outbox[0].body


def test_a_stranger_cannot_overwrite_someone_who_has_not_confirmed_yet():
    stage = StageFactory()
    owner = register(stage, "new@example.lv", first_name="Marta", phone=MARTAS_PHONE)
    register(StageFactory(), "new@example.lv", first_name="Mallory", phone=STRANGERS_PHONE)
    register(stage, "new@example.lv", first_name="Mallory", phone=STRANGERS_PHONE)

    assert details(owner.participant)[:3] == ("Marta", "Ērgle", MARTAS_PHONE)


def test_confirming_applies_the_details_typed_for_that_very_request(client, victim):
    stage = StageFactory()
    stage_url = url("stage_detail", stage_id=stage.pk)
    client.post(
        stage_url, form_data(email="victim@example.lv", first_name="Anna", phone=OWN_NEW_PHONE)
    )
    client.post(
        stage_url, form_data(email="victim@example.lv", first_name="Mallory", phone=STRANGERS_PHONE)
    )
    delivery.participant_mails_drain()
    own_request, strangers_request = mail.outbox
    assert details(victim)[:3] == ("Anna", "Ērgle", OWN_PHONE)  # nothing changed yet

    response = client.post(confirmation_path(own_request))

    assert response.status_code == 302
    assert details(victim)[:3] == ("Anna", "Ērgle", OWN_NEW_PHONE)
    # The stranger's request is for the same registration, now confirmed: it changes nothing.
    client.post(confirmation_path(strangers_request))
    assert details(victim)[:3] == ("Anna", "Ērgle", OWN_NEW_PHONE)


def test_the_owners_confirmation_applies_the_owners_details_even_after_a_strangers_post():
    stage = StageFactory()
    stranger = register(stage, "new@example.lv", first_name="Mallory", phone=STRANGERS_PHONE)
    owner_again = register(
        stage, "new@example.lv", first_name="Marta", phone=MARTAS_PHONE, language="en"
    )
    assert owner_again.pk == stranger.pk
    participant = owner_again.participant
    # Created by the first post, unchanged by the second.
    assert details(participant)[:3] == ("Mallory", "Ērgle", STRANGERS_PHONE)
    owners_mail = ParticipantMail.objects.order_by("pk").last()

    services.registration_confirm_email(
        registration=owner_again, confirmation_mail_id=owners_mail.pk
    )

    assert details(participant) == ("Marta", "Ērgle", MARTAS_PHONE, "en")


def test_a_link_without_a_request_confirms_without_changing_details(victim):
    registration = register(StageFactory(), "victim@example.lv", first_name="Mallory")
    foreign = register(StageFactory(), "other@example.lv", first_name="Mallory")
    foreign_mail = ParticipantMail.objects.get(registration=foreign)

    services.registration_confirm_email(
        registration=registration, confirmation_mail_id=foreign_mail.pk
    )

    assert details(victim)[0] == "Anna"
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CONFIRMED


def test_the_confirmation_link_names_its_request_and_cannot_be_altered():
    registration = register(StageFactory())
    row = ParticipantMail.objects.get()
    token = links.make_token(registration, salt=links.CONFIRMATION_SALT, mail_id=row.pk)
    read = {"salt": links.CONFIRMATION_SALT, "max_age": links.CONFIRMATION_MAX_AGE}

    assert links.token_mail_id(token, **read) == row.pk
    assert links.read_token(token, **read) == registration.pk
    with pytest.raises(links.BadLink):
        links.token_mail_id(token[:-2] + "xx", **read)


def test_a_new_person_is_created_from_the_form():
    registration = register(
        StageFactory(), "new@example.lv", first_name="Marta", phone=MARTAS_PHONE
    )

    assert details(registration.participant)[:3] == ("Marta", "Ērgle", MARTAS_PHONE)
    assert Participant.objects.count() == 1


def test_details_applied_on_confirmation_are_in_the_submitted_language_mail(victim):
    register(StageFactory(), "victim@example.lv", language="en")

    delivery.participant_mails_drain()

    assert "Please confirm your registration" in mail.outbox[0].subject
    assert "/en/confirm/" in mail.outbox[0].body
    assert details(victim)[3] == "lv"  # the stored language changes only on confirmation


# --- the calendar file is promised only when attached ------------------------------------------


CALENDAR_PROMISE = {"lv": "kalendāra fail", "en": "calendar file"}


@pytest.mark.parametrize("template", ["confirmed", "promoted"])
@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize("with_sessions", [True, False])
def test_a_mail_promises_a_calendar_file_only_when_it_carries_one(
    template, language, with_sessions
):
    stage = StageFactory()
    if with_sessions:
        SessionFactory(stage=stage)
    registration = RegistrationFactory(stage=stage, confirmed=True, participant__language=language)
    ParticipantMail.objects.create(registration=registration, template=template)

    delivery.participant_mails_drain()

    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert bool(message.attachments) is with_sessions
    for text in (message.body, html):
        assert (CALENDAR_PROMISE[language] in text.lower()) is with_sessions


# --- the admin ----------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, django_user_model):
    from django.contrib.auth.models import Group

    from innovation_centre.staff import PROGRAMME_STAFF

    user = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    client.force_login(user)
    return client


def test_staff_see_failed_mails_with_their_error_and_cannot_change_them(
    staff_client, refusing_smtp
):
    register(StageFactory(), "failing@example.lv")
    register(StageFactory(), "fine@example.lv")
    refusing_smtp.refusals = 1
    delivery.participant_mails_drain()
    changelist = "/admin/participants/participantmail/"

    page = staff_client.get(changelist, {"status__exact": "failed"}).content.decode()

    assert "failing@example.lv" in page
    assert "SMTPServerDisconnected" in page
    assert "fine@example.lv" not in page
    row = ParticipantMail.objects.get(status=Status.FAILED)
    response = staff_client.post(changelist, {"action": "send_again", "_selected_action": [row.pk]})
    assert ParticipantMail.objects.get(pk=row.pk).status == Status.FAILED  # view only
    assert response.status_code == 200  # the list again: staff have no such action
    assert staff_client.get(f"{changelist}{row.pk}/delete/").status_code == 403
