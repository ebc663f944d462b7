"""Staff read a reminder's kind in words, never its key ("manual", "before_60")."""

from datetime import UTC, datetime

import pytest
from django.utils import translation

from courses.tests.factories import SessionFactory
from participants.models import ReminderDelivery, reminder_kind_label
from participants.tests.factories import RegistrationFactory


@pytest.mark.parametrize(
    ("kind", "latvian"),
    [
        ("manual", "nosūtīts ar darbību “Nosūtīt atgādinājumu tagad”"),
        ("day_before", "dienu iepriekš"),
        ("before_60", "60 minūtes pirms sākuma"),
        ("before_21", "21 minūti pirms sākuma"),
        ("something_else", "something_else"),  # a key from a later version: shown as it is
    ],
)
def test_a_kind_in_latvian(kind, latvian):
    with translation.override("lv"):
        assert str(reminder_kind_label(kind)) == latvian


@pytest.fixture
def deliveries(db):
    registration = RegistrationFactory(confirmed=True)
    session = SessionFactory(stage=registration.stage)
    due = datetime(2099, 3, 1, 16, tzinfo=UTC)
    for kind in ("manual", "before_60"):
        ReminderDelivery.objects.create(
            registration=registration, session=session, kind=kind, due_at=due
        )
    return session


def test_the_admin_list_and_filter_show_the_kinds_in_words(admin_client, deliveries):
    response = admin_client.get("/admin/participants/reminderdelivery/")
    content = response.content.decode()
    assert content.count("nosūtīts ar darbību “Nosūtīt atgādinājumu tagad”") == 2  # row, filter
    assert content.count("60 minūtes pirms sākuma") == 2
    assert ">manual<" not in content and ">before_60<" not in content


def test_the_filter_by_kind_still_filters(admin_client, deliveries):
    response = admin_client.get("/admin/participants/reminderdelivery/?kind=manual")
    assert response.status_code == 200
    assert "60 minūtes pirms sākuma</td>" not in response.content.decode()
    assert list(response.context["cl"].queryset.values_list("kind", flat=True)) == ["manual"]


def test_the_sessions_delivery_log_shows_the_kinds_in_words(admin_client, deliveries):
    response = admin_client.get(f"/admin/participants/sessionreminders/{deliveries.pk}/change/")
    content = response.content.decode()
    assert "nosūtīts ar darbību “Nosūtīt atgādinājumu tagad”" in content
    assert ">manual<" not in content
