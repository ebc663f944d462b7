"""Staff's side of reminders: "send reminder now", the per-session log, the delivery list, rules."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from courses.models import ReminderRule
from participants.models import ReminderDelivery, SessionReminders
from participants.reminders.tasks import reminders_send_now
from participants.tests import test_reminder_helpers as helpers
from participants.tests.test_reminder_helpers import (
    Status,
    confirmed,
    deliveries,
    hour_before_rule,
    make_session,
    riga,
)

pytestmark = pytest.mark.django_db

# Fixtures shared by the reminder tests.
programme = helpers.programme
run_scan = helpers.run_scan

START = riga(2027, 3, 15, 10, 0)
BOOKED = riga(2027, 3, 1)


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    def send(session, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_send_now(session=session, **kwargs)

    return send


def admin_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- "send reminder now" ------------------------------------------------------------------------


def test_send_now_reminds_every_confirmed_registration_and_records_it(
    programme, send_now, time_machine
):
    session = make_session(START)
    confirmed(session.stage, seat_at=BOOKED, email="a@example.lv")
    confirmed(session.stage, seat_at=BOOKED, email="b@example.lv")
    time_machine.move_to(START - timedelta(days=3), tick=False)

    outcome = send_now(session)

    assert (outcome.queued, outcome.skipped) == (2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.lv", "b@example.lv"]
    assert {(d.kind, d.status) for d in deliveries()} == {("manual", Status.SENT)}


def test_two_clicks_in_a_row_send_once(programme, send_now, time_machine):
    session = make_session(START)
    confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(START - timedelta(days=3), tick=False)

    send_now(session)
    time_machine.move_to(START - timedelta(days=3) + timedelta(seconds=5), tick=False)
    second = send_now(session)

    assert (second.queued, second.skipped) == (0, 1)
    assert len(mail.outbox) == 1


def test_send_now_may_be_repeated_once_the_window_has_passed(programme, send_now, time_machine):
    session = make_session(START)
    confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(START - timedelta(days=3), tick=False)
    send_now(session)

    time_machine.move_to(START - timedelta(days=3) + timedelta(minutes=11), tick=False)
    assert send_now(session).queued == 1
    assert len(mail.outbox) == 2


def test_send_now_skips_whom_a_scheduled_reminder_just_reached(
    programme, send_now, run_scan, time_machine
):
    hour_before_rule(programme)
    session = make_session(START)
    confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(START - timedelta(minutes=60), tick=False)
    run_scan()

    time_machine.move_to(START - timedelta(minutes=58), tick=False)
    outcome = send_now(session)

    assert (outcome.queued, outcome.skipped) == (0, 1)
    assert len(mail.outbox) == 1


def test_a_scheduled_reminder_right_after_send_now_is_skipped_later_ones_still_go(
    programme, send_now, run_scan, time_machine
):
    hour_before_rule(programme)
    session = make_session(START)
    confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(START - timedelta(minutes=65), tick=False)
    send_now(session)

    time_machine.move_to(START - timedelta(minutes=60), tick=False)
    summary = run_scan()

    assert summary.skipped == 1
    assert [(d.kind, d.status) for d in deliveries()] == [
        ("manual", Status.SENT),
        ("before_60", Status.SKIPPED),
    ]
    assert len(mail.outbox) == 1


def test_a_scheduled_reminder_well_after_send_now_still_goes(
    programme, send_now, run_scan, time_machine
):
    hour_before_rule(programme)
    session = make_session(START)
    confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(START - timedelta(days=1), tick=False)
    send_now(session)

    time_machine.move_to(START - timedelta(minutes=60), tick=False)
    run_scan()

    assert len(mail.outbox) == 2


def test_send_now_sends_nothing_once_the_session_has_started(programme, send_now, time_machine):
    session = make_session(START)
    confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(START + timedelta(minutes=1), tick=False)

    assert send_now(session).started is True
    assert mail.outbox == [] and deliveries() == []


def test_the_admin_action_sends_and_reports(programme, client, admin_user, time_machine):
    session = make_session(START)
    confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(START - timedelta(days=1), tick=False)
    client.force_login(admin_user)
    url = reverse("admin:participants_sessionreminders_changelist")
    data = {"action": "send_reminder_now", "_selected_action": [session.pk]}

    response = client.post(url, data)
    response_again = client.post(url, data)

    assert response.status_code == 302
    assert "atgādinājums tiek sūtīts 1 dalībniekam" in admin_messages(response)[0]
    assert "tikko saņēma" in admin_messages(response_again)[-1]
    manual = ReminderDelivery.objects.filter(kind="manual")
    assert manual.count() == 1
    assert manual.get().requested_by.is_superuser


# --- the logs -----------------------------------------------------------------------------------


def test_the_per_session_log_shows_who_which_kind_when_and_status(
    programme, client, admin_user, run_scan, time_machine
):
    hour_before_rule(programme)
    session = make_session(START)
    registration = confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(START - timedelta(minutes=60), tick=False)
    run_scan()

    client.force_login(admin_user)
    url = reverse("admin:participants_sessionreminders_change", args=[session.pk])
    response = client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert registration.participant.last_name in page
    assert "before_60" in page
    assert "nosūtīts" in page  # the status, in Latvian
    assert "15.03.2027" in page or "15. marts 2027" in page or "2027. gada 15. marts" in page


def make_deliveries(count, session):
    for index in range(count):
        registration = confirmed(session.stage, seat_at=BOOKED, email=f"p{index}@example.lv")
        ReminderDelivery.objects.create(
            registration=registration,
            session=session,
            kind="before_60",
            due_at=START - timedelta(minutes=60),
            status=Status.SENT,
            sent_at=START - timedelta(minutes=60),
        )


@pytest.mark.parametrize("count", [2, 12])
def test_the_delivery_list_makes_the_same_queries_for_any_number_of_rows(
    programme, admin_client, django_assert_max_num_queries, count
):
    session = make_session(START)
    make_deliveries(count, session)
    url = reverse("admin:participants_reminderdelivery_changelist")

    with django_assert_max_num_queries(12):
        response = admin_client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count("p1@example.lv") >= 1


@pytest.mark.parametrize("count", [2, 12])
def test_the_session_log_makes_the_same_queries_for_any_number_of_rows(
    programme, admin_client, django_assert_max_num_queries, count
):
    session = make_session(START)
    make_deliveries(count, session)
    url = reverse("admin:participants_sessionreminders_change", args=[session.pk])

    with django_assert_max_num_queries(14):
        response = admin_client.get(url)

    assert response.status_code == 200


def test_the_delivery_list_filters_by_status_kind_and_stage(programme, admin_client):
    session = make_session(START)
    other = make_session(START)
    make_deliveries(1, session)
    registration = confirmed(other.stage, seat_at=BOOKED, email="failed@example.lv")
    ReminderDelivery.objects.create(
        registration=registration,
        session=other,
        kind="day_before",
        due_at=START - timedelta(days=1),
        status=Status.FAILED,
    )
    url = reverse("admin:participants_reminderdelivery_changelist")

    by_status = admin_client.get(url, {"status__exact": "failed"}).content.decode()
    by_kind = admin_client.get(url, {"kind": "before_60"}).content.decode()
    by_stage = admin_client.get(url, {"session__stage__id__exact": other.stage_id}).content.decode()

    assert "failed@example.lv" in by_status and "p0@example.lv" not in by_status
    assert "p0@example.lv" in by_kind and "failed@example.lv" not in by_kind
    assert "failed@example.lv" in by_stage and "p0@example.lv" not in by_stage


# --- rules in the admin -------------------------------------------------------------------------


def test_staff_add_a_rule_and_a_bad_one_gets_its_message_next_to_the_field(programme, admin_client):
    url = reverse("admin:courses_reminderrule_add")
    base = {"programme": programme.pk, "active": "on", "label": ""}

    bad = admin_client.post(url, {**base, "kind": "day_before", "local_time": ""})
    good = admin_client.post(url, {**base, "kind": "before", "offset_minutes": "30"})

    assert bad.status_code == 200
    assert "local_time" in bad.context["adminform"].form.errors
    assert good.status_code == 302
    assert ReminderRule.objects.get().offset_minutes == 30


def test_the_rules_list_opens(programme, admin_client):
    hour_before_rule(programme)

    response = admin_client.get(reverse("admin:courses_reminderrule_changelist"))

    assert response.status_code == 200
    assert "60 minūtes pirms sākuma" in response.content.decode()


def test_the_session_reminders_proxy_is_the_session():
    assert SessionReminders._meta.proxy
    assert SessionReminders._meta.concrete_model._meta.label == "courses.Session"
