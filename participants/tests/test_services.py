from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from courses.tests.factories import SessionFactory, StageFactory, riga
from participants import services
from participants.models import Participant, Registration
from participants.selectors import seats_left, seats_taken, waiting_list
from participants.tests.factories import ParticipantFactory, RegistrationFactory

Status = Registration.Status
pytestmark = pytest.mark.django_db


def person(email="liga@example.lv", **extra):
    return {
        "email": email,
        "first_name": "Līga",
        "last_name": "Ērgle",
        "role": Participant.Role.TEACHER,
        "subjects": ["chemistry"],
        "institution": "Daugavpils 9. vidusskola",
        "municipality": "daugavpils",
        "phone": "",
        "sex": "",
        **extra,
    }


def register(stage, email="liga@example.lv", language="lv", **extra):
    return services.registration_create(
        stage=stage,
        participant_data=person(email, **extra),
        language=language,
        consent_version=services.CONSENT_VERSION,
    )


def confirm(registration):
    return services.registration_confirm_email(registration=registration)


def confirmed_registration(stage, email):
    return confirm(register(stage, email))


# --- registration_create ----------------------------------------------------------------------


def test_registering_creates_an_unconfirmed_registration_and_mails_the_link(
    django_capture_on_commit_callbacks, mailoutbox
):
    stage = StageFactory()
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(stage, "Liga@Example.LV")

    registration.refresh_from_db()
    assert registration.status == Status.AWAITING_CONFIRMATION
    assert registration.participant.email == "liga@example.lv"
    assert registration.consent_version == "2026-11-v1"
    assert registration.consent_at is not None
    assert seats_taken(stage) == 0  # an unconfirmed registration holds no seat
    [mail] = mailoutbox
    assert mail.to == ["liga@example.lv"]
    assert "/lv/confirm/" in mail.body
    assert "/lv/manage/" in mail.body
    assert stage.programme.acknowledgement_lv in mail.body
    html = mail.alternatives[0][0]
    assert "/lv/confirm/" in html
    assert stage.programme.acknowledgement_lv in html


def test_the_mail_is_in_the_participants_language(django_capture_on_commit_callbacks, mailoutbox):
    stage = StageFactory()
    with django_capture_on_commit_callbacks(execute=True):
        register(stage, language="en")

    [mail] = mailoutbox
    assert "Please confirm your registration" in mail.subject
    assert "/en/confirm/" in mail.body
    assert stage.programme.acknowledgement_en in mail.body


def test_the_latvian_mail_is_translated(django_capture_on_commit_callbacks, mailoutbox):
    stage = StageFactory()
    with django_capture_on_commit_callbacks(execute=True):
        register(stage, language="lv")

    [mail] = mailoutbox
    assert "Lūdzu, apstipriniet" in mail.subject


def test_the_same_address_in_another_case_is_the_same_person():
    stage = StageFactory()
    first = register(stage, "liga@example.lv")
    second = register(StageFactory(programme=stage.programme), "LIGA@example.LV")

    assert first.participant_id == second.participant_id
    assert Participant.objects.count() == 1


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (riga(2027, 2, 1), riga(2027, 2, 20), "opens on"),
        (riga(2026, 1, 1), riga(2026, 11, 1), "closed on"),
    ],
)
def test_registration_outside_the_window_is_refused(opens, closes, message, settings):
    settings.LANGUAGE_CODE = "en"
    stage = StageFactory(registration_opens_at=opens, registration_closes_at=closes)

    with time_machine.travel(riga(2026, 11, 26, 12), tick=False):
        with pytest.raises(services.RegistrationClosed) as refused:
            register(stage)

    assert message in refused.value.messages[0]
    assert Registration.objects.count() == 0


def test_registration_for_a_past_stage_is_refused():
    stage = StageFactory(registration_closes_at=None)
    SessionFactory(stage=stage, starts_at=riga(2026, 3, 1, 10), ends_at=riga(2026, 3, 1, 13))

    with time_machine.travel(riga(2026, 11, 26, 12), tick=False):
        with pytest.raises(services.RegistrationClosed):
            register(stage)

    assert Registration.objects.count() == 0


def test_registering_twice_returns_the_same_registration_and_mails_the_link_again(
    django_capture_on_commit_callbacks, mailoutbox
):
    stage = StageFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = register(stage)
        second = register(stage, "LIGA@example.lv")

    assert first.pk == second.pk
    assert Registration.objects.count() == 1
    # Still unconfirmed: the second mail carries a fresh confirmation link.
    assert len(mailoutbox) == 2
    assert "/lv/confirm/" in mailoutbox[1].body


def test_registering_again_when_confirmed_mails_the_manage_link(
    django_capture_on_commit_callbacks, mailoutbox
):
    stage = StageFactory()
    registration = confirmed_registration(stage, "liga@example.lv")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        again = register(stage)

    assert again.pk == registration.pk
    assert Registration.objects.count() == 1
    [mail] = mailoutbox
    assert "/lv/manage/" in mail.body
    assert "/lv/confirm/" not in mail.body
    assert "Jūsu reģistrācija jau ir spēkā" in mail.body


def test_a_form_cannot_overwrite_a_confirmed_persons_details():
    stage = StageFactory()
    confirmed_registration(stage, "liga@example.lv")

    register(stage, first_name="Mallory")

    assert Participant.objects.get().first_name == "Līga"


def test_a_cancelled_registration_does_not_stop_a_new_one():
    stage = StageFactory()
    first = register(stage)
    services.registration_cancel(registration=first)

    second = register(stage)

    assert second.pk != first.pk
    assert second.status == Status.AWAITING_CONFIRMATION


# --- confirming -------------------------------------------------------------------------------


def test_confirming_takes_a_free_seat_and_mails_the_calendar(
    django_capture_on_commit_callbacks, mailoutbox
):
    stage = StageFactory(capacity=2)
    SessionFactory.create_batch(3, stage=stage)
    registration = register(stage)

    with django_capture_on_commit_callbacks(execute=True):
        registration = confirm(registration)

    assert registration.status == Status.CONFIRMED
    assert registration.email_confirmed_at is not None
    assert registration.confirmed_at is not None
    assert seats_left(stage) == 1
    [mail] = mailoutbox
    [(filename, content, mimetype)] = mail.attachments
    assert filename.endswith(".ics")
    assert mimetype == "text/calendar"
    assert content.count("BEGIN:VEVENT") == 3
    assert "zoom.us" in mail.body


def test_confirming_twice_changes_nothing_and_sends_nothing(
    django_capture_on_commit_callbacks, mailoutbox
):
    stage = StageFactory(capacity=1)
    registration = confirm(register(stage))
    confirmed_at = registration.confirmed_at
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        again = confirm(registration)

    assert again.status == Status.CONFIRMED
    assert again.confirmed_at == confirmed_at
    assert seats_taken(stage) == 1
    assert mailoutbox == []


def test_confirming_when_full_puts_the_person_on_the_waiting_list(
    django_capture_on_commit_callbacks, mailoutbox
):
    stage = StageFactory(capacity=1)
    confirmed_registration(stage, "first@example.lv")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        unconfirmed = register(stage, "second@example.lv")
    with django_capture_on_commit_callbacks(execute=True):
        late = confirm(unconfirmed)

    assert late.status == Status.WAITING_LIST
    assert late.waiting_since == late.email_confirmed_at
    assert seats_taken(stage) == 1
    assert [m.to for m in mailoutbox] == [["second@example.lv"], ["second@example.lv"]]
    assert "gaidīšanas sarakst" in mailoutbox[1].subject


def test_confirming_never_jumps_the_waiting_list():
    stage = StageFactory(capacity=1)
    confirmed_registration(stage, "first@example.lv")
    waiting = confirmed_registration(stage, "waiting@example.lv")
    newcomer = register(stage, "new@example.lv")
    # Capacity raised without anyone calling waiting_list_promote.
    stage.capacity = 2
    stage.save()

    newcomer = confirm(newcomer)

    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert newcomer.status == Status.WAITING_LIST


# --- cancelling and the waiting list ----------------------------------------------------------


def test_cancelling_a_seat_promotes_the_first_on_the_waiting_list(
    django_capture_on_commit_callbacks, mailoutbox
):
    stage = StageFactory(capacity=1)
    SessionFactory(stage=stage)
    seated = confirmed_registration(stage, "seated@example.lv")
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        first = confirmed_registration(stage, "first@example.lv")
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        second = confirmed_registration(stage, "second@example.lv")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=seated, reason="ill")

    first.refresh_from_db()
    second.refresh_from_db()
    seated.refresh_from_db()
    assert seated.status == Status.CANCELLED
    assert seated.cancelled_at is not None
    assert first.status == Status.CONFIRMED
    assert second.status == Status.WAITING_LIST
    assert seats_taken(stage) == 1
    mails = {mail.to[0]: mail for mail in mailoutbox}
    assert set(mails) == {"seated@example.lv", "first@example.lv"}
    assert "atcelta" in mails["seated@example.lv"].subject
    assert mails["first@example.lv"].attachments  # the promoted person gets the calendar


def test_leaving_the_waiting_list_promotes_nobody(django_capture_on_commit_callbacks, mailoutbox):
    stage = StageFactory(capacity=1)
    confirmed_registration(stage, "seated@example.lv")
    first = confirmed_registration(stage, "first@example.lv")
    second = confirmed_registration(stage, "second@example.lv")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=first)

    second.refresh_from_db()
    assert second.status == Status.WAITING_LIST
    assert list(waiting_list(stage)) == [second]
    assert [mail.to for mail in mailoutbox] == [["first@example.lv"]]


def test_cancelling_twice_sends_one_mail(django_capture_on_commit_callbacks, mailoutbox):
    registration = confirmed_registration(StageFactory(), "liga@example.lv")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=registration)
        services.registration_cancel(registration=registration)

    assert len(mailoutbox) == 1


def test_staff_cancellation_is_recorded_and_mentioned(
    django_capture_on_commit_callbacks, mailoutbox
):
    registration = confirmed_registration(StageFactory(), "liga@example.lv")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(
            registration=registration, reason="Dubults ieraksts", by_staff=True
        )

    registration.refresh_from_db()
    assert registration.cancelled_by_staff
    assert registration.cancellation_reason == "Dubults ieraksts"
    assert "Dubults ieraksts" in mailoutbox[0].body
    assert "Organizatori ir atcēluši" in mailoutbox[0].body


def test_more_capacity_promotes_the_waiting_list_in_order(
    django_capture_on_commit_callbacks, mailoutbox
):
    stage = StageFactory(capacity=1)
    confirmed_registration(stage, "seated@example.lv")
    first = confirmed_registration(stage, "first@example.lv")
    second = confirmed_registration(stage, "second@example.lv")
    third = confirmed_registration(stage, "third@example.lv")
    stage.capacity = 3
    stage.save()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.waiting_list_promote(stage=stage)

    assert promoted == [first, second]
    third.refresh_from_db()
    assert third.status == Status.WAITING_LIST
    assert seats_taken(stage) == 3
    assert sorted(mail.to[0] for mail in mailoutbox) == ["first@example.lv", "second@example.lv"]


def test_the_waiting_list_is_ordered_by_confirmation_time_not_registration_time():
    stage = StageFactory(capacity=0)
    early_registrant = register(stage, "early@example.lv")
    late_registrant = register(stage, "late@example.lv")
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        confirm(late_registrant)
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        confirm(early_registrant)

    assert [r.participant.email for r in waiting_list(stage)] == [
        "late@example.lv",
        "early@example.lv",
    ]


# --- staff actions ----------------------------------------------------------------------------


def test_staff_can_confirm_while_seats_are_free(django_capture_on_commit_callbacks, mailoutbox):
    stage = StageFactory(capacity=1)
    registration = register(stage)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        registration = services.registration_confirm_by_staff(registration=registration)

    assert registration.status == Status.CONFIRMED
    assert len(mailoutbox) == 1


def test_staff_cannot_confirm_into_a_full_stage():
    stage = StageFactory(capacity=1)
    confirmed_registration(stage, "seated@example.lv")
    waiting = confirmed_registration(stage, "waiting@example.lv")

    with pytest.raises(services.StageFull):
        services.registration_confirm_by_staff(registration=waiting)

    waiting.refresh_from_db()
    assert waiting.status == Status.WAITING_LIST
    assert seats_taken(stage) == 1


def test_moving_to_the_waiting_list_gives_the_seat_to_the_first_waiting(
    django_capture_on_commit_callbacks, mailoutbox
):
    stage = StageFactory(capacity=1)
    seated = confirmed_registration(stage, "seated@example.lv")
    waiting = confirmed_registration(stage, "waiting@example.lv")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_move_to_waiting_list(registration=seated)

    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert [r.participant.email for r in waiting_list(stage)] == ["seated@example.lv"]
    assert sorted(m.to[0] for m in mailoutbox) == ["seated@example.lv", "waiting@example.lv"]


def test_the_moved_person_goes_behind_everyone_already_waiting():
    stage = StageFactory(capacity=1)
    seated = confirmed_registration(stage, "seated@example.lv")
    confirmed_registration(stage, "first@example.lv")
    confirmed_registration(stage, "second@example.lv")

    services.registration_move_to_waiting_list(registration=seated)

    assert [r.participant.email for r in waiting_list(stage)] == [
        "second@example.lv",
        "seated@example.lv",
    ]


def test_moving_with_nobody_waiting_leaves_the_seat_free():
    stage = StageFactory(capacity=1)
    seated = confirmed_registration(stage, "seated@example.lv")

    moved = services.registration_move_to_waiting_list(registration=seated)

    assert moved.status == Status.WAITING_LIST
    assert seats_left(stage) == 1


def test_only_a_confirmed_registration_can_be_moved():
    registration = register(StageFactory())

    with pytest.raises(services.RegistrationError):
        services.registration_move_to_waiting_list(registration=registration)


@pytest.mark.parametrize(
    ("trait", "subject_part"),
    [
        ({}, "apstipriniet"),
        ({"confirmed": True}, "apstiprināta"),
        ({"waiting": True}, "gaidīšanas"),
        ({"cancelled": True}, "atcelta"),
    ],
)
def test_resending_sends_the_mail_of_the_current_status(
    trait, subject_part, django_capture_on_commit_callbacks, mailoutbox
):
    registration = RegistrationFactory(**trait)

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_resend_email(registration=registration)

    [mail] = mailoutbox
    assert subject_part in mail.subject


# --- purging and transactions -----------------------------------------------------------------


def test_unconfirmed_registrations_are_purged_after_72_hours():
    stage = StageFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = register(stage, "old@example.lv")
        kept = confirmed_registration(stage, "kept@example.lv")
    with time_machine.travel(start + timedelta(hours=71), tick=False):
        recent = register(stage, "recent@example.lv")

    count = services.registrations_purge_expired(now=start + timedelta(hours=72, minutes=1))

    assert count == 1
    assert not Registration.objects.filter(pk=old.pk).exists()
    assert not Participant.objects.filter(email="old@example.lv").exists()
    assert Registration.objects.filter(pk__in=[kept.pk, recent.pk]).count() == 2


def test_registering_again_restarts_the_72_hours():
    stage = StageFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        registration = register(stage)
    with time_machine.travel(start + timedelta(hours=70), tick=False):
        register(stage)

    services.registrations_purge_expired(now=start + timedelta(hours=73))

    assert Registration.objects.filter(pk=registration.pk).exists()


def test_the_purge_task_runs_daily():
    from django.conf import settings

    from participants.tasks import purge_expired_registrations

    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired-registrations"]
    assert entry["task"] == purge_expired_registrations.name
    stage = StageFactory()
    with time_machine.travel(timezone.now() - timedelta(days=4)):
        register(stage)

    assert purge_expired_registrations.delay().get() == 1
    assert Registration.objects.count() == 0


def test_nothing_is_sent_when_the_transaction_rolls_back(
    django_capture_on_commit_callbacks, mailoutbox
):
    stage = StageFactory()

    class Boom(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Boom), transaction.atomic():
            register(stage)
            raise Boom

    assert callbacks == []
    assert mailoutbox == []
    assert Registration.objects.count() == 0


def test_a_mail_for_a_purged_registration_is_skipped(mailoutbox):
    from participants.tasks import send_registration_mail

    registration = RegistrationFactory()
    registration_id = registration.pk
    registration.delete()

    assert send_registration_mail.delay(registration_id, "awaiting_confirmation").get() is False
    assert mailoutbox == []


def test_participant_factory_builds_a_valid_participant():
    ParticipantFactory().full_clean()


def test_plain_text_mail_is_not_html_escaped(django_capture_on_commit_callbacks, mailoutbox):
    stage = StageFactory(title_lv="Pētniecība & izglītība")

    with django_capture_on_commit_callbacks(execute=True):
        register(stage)

    [mail] = mailoutbox
    assert "Pētniecība & izglītība" in mail.subject
    assert "Pētniecība & izglītība" in mail.body
    assert "Pētniecība &amp; izglītība" in mail.alternatives[0][0]


# --- the exact moments: a stage is past when its last session ends; registration closes at the
# closing moment itself and opens at the opening moment itself ------------------------------------

ONE_TICK = timedelta(microseconds=1)


def stage_of_three_sessions():
    """Sessions created out of order (middle, last, first), so neither the first nor the last
    row stands for the stage's first or last session."""
    stage = StageFactory(registration_closes_at=None)
    for day in (4, 8, 1):
        SessionFactory(
            stage=stage, starts_at=riga(2027, 3, day, 10), ends_at=riga(2027, 3, day, 13)
        )
    return stage


@pytest.mark.parametrize(
    ("now", "past"),
    [
        (riga(2027, 3, 1, 13), False),  # the first session has ended
        (riga(2027, 3, 4, 13) + ONE_TICK, False),  # the middle one too
        (riga(2027, 3, 8, 10) + ONE_TICK, False),  # the last one has begun, not ended
        (riga(2027, 3, 8, 13) - ONE_TICK, False),
        (riga(2027, 3, 8, 13), True),  # the last session ends at this very moment
        (riga(2027, 3, 9), True),
    ],
)
def test_a_stage_is_past_only_once_its_last_session_has_ended(now, past):
    stage = stage_of_three_sessions()

    assert services.stage_is_past(stage, now=now) is past
    refusal = services.registration_refusal(stage, now=now)
    assert (refusal is not None) is past


def test_registering_while_the_last_session_runs_is_accepted_and_at_its_end_refused():
    stage = stage_of_three_sessions()

    with time_machine.travel(riga(2027, 3, 8, 13) - ONE_TICK, tick=False):
        assert register(stage, "early@example.lv").status == Status.AWAITING_CONFIRMATION
    with time_machine.travel(riga(2027, 3, 8, 13), tick=False):
        with pytest.raises(services.RegistrationClosed):
            register(stage, "late@example.lv")

    assert Registration.objects.count() == 1


def test_a_stage_without_sessions_is_not_past():
    assert not services.stage_is_past(StageFactory(), now=riga(2099, 12, 31))


CLOSES = riga(2027, 3, 1, 18)
OPENS = riga(2027, 2, 1, 9)


@pytest.mark.parametrize(
    ("now", "open_"),
    [
        (OPENS - ONE_TICK, False),
        (OPENS, True),  # opens at the opening moment itself
        (CLOSES - ONE_TICK, True),
        (CLOSES, False),  # closed at the closing moment itself, not a moment later
        (CLOSES + ONE_TICK, False),
    ],
)
def test_registration_is_open_from_the_opening_moment_until_just_before_the_closing_one(now, open_):
    stage = StageFactory(registration_opens_at=OPENS, registration_closes_at=CLOSES)
    SessionFactory(stage=stage)

    assert (services.registration_refusal(stage, now=now) is None) is open_


def test_registering_at_the_closing_moment_itself_is_refused():
    stage = StageFactory(registration_opens_at=OPENS, registration_closes_at=CLOSES)
    SessionFactory(stage=stage)

    with time_machine.travel(CLOSES - ONE_TICK, tick=False):
        register(stage, "in-time@example.lv")
    with time_machine.travel(CLOSES, tick=False):
        with pytest.raises(services.RegistrationClosed):
            register(stage, "too-late@example.lv")

    assert list(Registration.objects.values_list("participant__email", flat=True)) == [
        "in-time@example.lv"
    ]


# --- the waiting-list mail says waiting, never "you have a seat" -------------------------------


@pytest.mark.parametrize(
    ("language", "waiting", "seat"),
    [
        (
            "lv",
            ["gaidīšanas sarakstā", "gaidīšanas saraksts"],
            ["jums ir vieta", "vieta ir apstiprināta"],
        ),
        ("en", ["waiting list"], ["you have a seat", "seat is confirmed"]),
    ],
)
def test_the_waiting_list_mail_says_waiting_and_promises_no_seat(
    language, waiting, seat, django_capture_on_commit_callbacks, mailoutbox
):
    stage = StageFactory(capacity=1)
    SessionFactory(stage=stage)
    confirmed_registration(stage, "first@example.lv")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        unconfirmed = register(stage, "second@example.lv", language=language)
    with django_capture_on_commit_callbacks(execute=True):
        late = confirm(unconfirmed)

    assert late.status == Status.WAITING_LIST
    [confirmation_request, message] = mailoutbox
    [(html, _)] = message.alternatives
    for text in (message.subject, message.body, html):
        assert any(words in text.lower() for words in waiting), text
        assert not any(words in text.lower() for words in seat), text
    assert message.attachments == []  # no calendar: the sessions are not theirs yet
