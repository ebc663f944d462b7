"""Staff logins lock out after repeated failures (django-axes), keyed on trustworthy addresses."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN_URL = "/admin/login/?next=/admin/"
PASSWORD = "Pareiza-parole-2026"
ATTACKER = "203.0.113.5"
VICTIM = "198.51.100.7"
PROXY = "10.0.0.1"


@pytest.fixture
def staff():
    return User.objects.create_user("darbiniece", password=PASSWORD, is_staff=True)


def log_in(client, password, *, username="darbiniece", address=ATTACKER, forwarded=None):
    headers = {"REMOTE_ADDR": address}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(LOGIN_URL, {"username": username, "password": password}, **headers)


def logged_in(client):
    return SESSION_KEY in client.session


def test_thirty_wrong_passwords_then_the_right_one_from_one_address_is_refused(client, staff):
    answers = [log_in(client, f"minejums-{n}").status_code for n in range(30)]
    response = log_in(client, PASSWORD)

    assert answers[:4] == [200] * 4  # the login form again, with its error
    assert set(answers[5:]) == {429}
    assert response.status_code == 429
    assert not logged_in(client)
    assert response["Retry-After"] == str(30 * 60)
    page = response.content.decode()
    assert "Pārāk daudz neveiksmīgu pieteikšanās mēģinājumu" in page
    assert "funder-acknowledgement" in page or "<footer" in page


def test_four_wrong_passwords_still_let_the_right_one_in(client, staff):
    for n in range(4):
        log_in(client, f"minejums-{n}")

    assert log_in(client, PASSWORD).status_code == 302
    assert logged_in(client)


def test_the_reports_login_locks_out_too(client, staff):
    url = "/lv/reports/login/"
    for n in range(5):
        client.post(url, {"username": "darbiniece", "password": f"m-{n}"}, REMOTE_ADDR=ATTACKER)

    response = client.post(
        url, {"username": "darbiniece", "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )

    assert response.status_code == 429
    assert not logged_in(client)


def test_the_lockout_ends_after_the_cool_off(client, staff, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    for n in range(5):
        log_in(client, f"minejums-{n}")
    assert log_in(client, PASSWORD).status_code == 429

    time_machine.shift(timedelta(minutes=31))

    assert log_in(client, PASSWORD).status_code == 302


def test_the_lockout_page_is_in_english_for_english_visitors(client, staff):
    for n in range(5):
        log_in(client, f"minejums-{n}")
    client.cookies["django_language"] = "en"

    response = log_in(client, PASSWORD)

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_a_forged_forwarded_for_does_not_escape_the_lockout(client, staff, settings):
    settings.TRUSTED_PROXIES = []  # the client talks to the portal directly
    for n in range(30):
        log_in(client, f"minejums-{n}", forwarded=f"192.0.2.{n + 1}")

    response = log_in(client, PASSWORD, forwarded="192.0.2.200")

    assert response.status_code == 429
    assert not logged_in(client)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_a_forged_forwarded_for_does_not_lock_out_someone_else(staff, settings):
    settings.TRUSTED_PROXIES = []
    attacker, victim = Client(), Client()
    for n in range(30):
        log_in(attacker, f"minejums-{n}", forwarded=VICTIM)

    response = log_in(victim, PASSWORD, address=VICTIM)

    assert response.status_code == 302
    assert logged_in(victim)


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(staff, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    attacker, colleague = Client(), Client()
    for n in range(5):
        # The client forged the left part; the proxy appended the address it saw.
        log_in(attacker, f"minejums-{n}", address=PROXY, forwarded=f"{VICTIM}, {ATTACKER}")

    assert log_in(attacker, PASSWORD, address=PROXY, forwarded=ATTACKER).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # Another visitor through the same proxy, and the one whose address was forged, get in.
    assert log_in(colleague, PASSWORD, address=PROXY, forwarded=VICTIM).status_code == 302


def test_one_address_trying_many_usernames_is_stopped(staff):
    attacker = Client()
    for n in range(20):
        log_in(attacker, "parole", username=f"lietotajs{n}")

    assert log_in(attacker, PASSWORD).status_code == 429
    assert log_in(Client(), PASSWORD, address=VICTIM).status_code == 302


def test_many_addresses_guessing_one_account_lock_it(staff):
    for host in range(10):
        for n in range(5):
            log_in(Client(), f"minejums-{n}", address=f"192.0.2.{host + 1}")

    assert log_in(Client(), PASSWORD, address=VICTIM).status_code == 429


def test_nine_addresses_cannot_lock_a_colleague_out(staff):
    for host in range(9):
        for n in range(10):  # each address is stopped at 5; the rest are not counted further
            log_in(Client(), f"minejums-{n}", address=f"192.0.2.{host + 1}")

    assert log_in(Client(), PASSWORD, address=VICTIM).status_code == 302


def test_an_ipv6_network_counts_as_one_address(client, staff):
    for n in range(5):
        log_in(client, f"minejums-{n}", address=f"2001:db8:1:2::{n + 1}")

    assert log_in(client, PASSWORD, address="2001:db8:1:2:ffff::9").status_code == 429
    assert log_in(Client(), PASSWORD, address="2001:db8:1:3::1").status_code == 302


def test_failures_are_logged_with_username_and_address(client, staff, caplog):
    with caplog.at_level(logging.WARNING, logger="innovation_centre.security.logins"):
        for n in range(5):
            log_in(client, f"minejums-{n}")

    lines = [
        record.getMessage()
        for record in caplog.records
        if record.name == "innovation_centre.security.logins"
    ]
    failures = [line for line in lines if line.startswith("Login failed")]
    assert len(failures) == 5
    assert "'darbiniece'" in failures[0] and ATTACKER in failures[0]
    assert any(line.startswith("Login locked out") and ATTACKER in line for line in lines)
    assert all(f"minejums-{n}" not in line for line in lines for n in range(5))


def test_a_username_with_a_newline_cannot_forge_a_log_line(client, staff, caplog):
    with caplog.at_level(logging.WARNING, logger="innovation_centre.security.logins"):
        log_in(client, "x", username="vards\nLogin succeeded for admin")

    assert all("\n" not in record.getMessage() for record in caplog.records)
