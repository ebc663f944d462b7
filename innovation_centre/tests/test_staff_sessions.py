"""Staff sessions end after a working day without a request, not while in use."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(User.objects.create_user("darbiniece", is_staff=True))
    assert client.get("/admin/").status_code == 200
    return client


def test_a_session_unused_for_a_working_day_ends(staff_client, time_machine):
    time_machine.shift(timedelta(hours=8, minutes=1))

    response = staff_client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_session_in_use_goes_on_past_a_working_day(staff_client, time_machine):
    for _ in range(4):
        time_machine.shift(timedelta(hours=3))
        assert staff_client.get("/admin/").status_code == 200


def test_a_session_unused_for_less_than_a_working_day_goes_on(staff_client, time_machine):
    time_machine.shift(timedelta(hours=7, minutes=50))

    assert staff_client.get("/admin/").status_code == 200
