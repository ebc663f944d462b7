"""A stage that is over, closed or not yet open says so on the programme and stage pages,
instead of "20 of 20 seats left"."""

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext, ngettext

from courses.tests.factories import SessionFactory, StageFactory, riga
from participants.selectors import RegistrationState, public_stage

pytestmark = pytest.mark.django_db

NOW = riga(2026, 5, 20, 12, 0)
with translation.override("lv"):
    # What a stage of 20 seats nobody has taken shows while registration is open.
    SEATS_LEFT = ngettext(
        "%(seats)s of %(capacity)s seat left", "%(seats)s of %(capacity)s seats left", 20
    ) % {"seats": 20, "capacity": 20}


def lv(text):
    with translation.override("lv"):
        translated = gettext(text)
    assert translated != text, f"no Latvian translation for {text!r}"
    return translated


def lv_prefix(text):
    """The Latvian translation of ``text`` up to its first placeholder."""
    return lv(text).split("%(")[0]


def pages(client, stage):
    with time_machine.travel(NOW, tick=False):
        programme = client.get("/lv/").content.decode()
        detail = client.get(f"/lv/stages/{stage.pk}/").content.decode()
    return programme, detail


def held_stage():
    stage = StageFactory(
        registration_opens_at=riga(2026, 1, 1), registration_closes_at=riga(2026, 3, 1)
    )
    SessionFactory(stage=stage, starts_at=riga(2026, 3, 5, 10), ends_at=riga(2026, 3, 5, 13))
    return stage


def test_a_stage_that_has_taken_place_says_so_and_shows_no_form(client):
    stage = held_stage()
    programme, detail = pages(client, stage)
    for page in (programme, detail):
        assert lv("This stage has taken place; registration is closed.") in page
        assert SEATS_LEFT not in page
    assert 'name="email"' not in detail


def test_a_stage_whose_registration_closed_says_when(client):
    stage = StageFactory(
        registration_opens_at=riga(2026, 4, 1), registration_closes_at=riga(2026, 5, 1, 9, 30)
    )
    SessionFactory(stage=stage, starts_at=riga(2026, 6, 1, 10), ends_at=riga(2026, 6, 1, 13))
    programme, detail = pages(client, stage)
    for page in (programme, detail):
        assert lv_prefix("Registration closed on %(date)s at %(time)s.") in page
        assert "2026. gada 1. maijs, plkst. 09:30" in page  # Riga time
        assert SEATS_LEFT not in page
    assert 'name="email"' not in detail


def test_a_stage_not_open_yet_says_when_registration_opens(client):
    stage = StageFactory(
        registration_opens_at=riga(2026, 6, 1, 9), registration_closes_at=riga(2026, 6, 20)
    )
    SessionFactory(stage=stage, starts_at=riga(2026, 7, 1, 10), ends_at=riga(2026, 7, 1, 13))
    programme, detail = pages(client, stage)
    for page in (programme, detail):
        assert lv_prefix("Registration opens on %(date)s at %(time)s.") in page
        assert "2026. gada 1. jūnijs, plkst. 09:00" in page
    assert 'name="email"' not in detail


def test_an_open_stage_shows_its_seats_and_until_when(client):
    stage = StageFactory(
        registration_opens_at=riga(2026, 5, 1), registration_closes_at=riga(2026, 6, 1)
    )
    SessionFactory(stage=stage, starts_at=riga(2026, 7, 1, 10), ends_at=riga(2026, 7, 1, 13))
    programme, detail = pages(client, stage)
    for page in (programme, detail):
        assert SEATS_LEFT in page
        assert lv_prefix("Open until %(date)s at %(time)s.") in page
    assert 'name="email"' in detail


@pytest.mark.parametrize(
    ("moment", "state"),
    [
        (riga(2026, 5, 1, 9, 29), RegistrationState.OPEN),
        (riga(2026, 5, 1, 9, 30), RegistrationState.CLOSED),  # at the closing moment itself
        (riga(2026, 4, 1, 8, 59), RegistrationState.NOT_YET_OPEN),
        (riga(2026, 4, 1, 9, 0), RegistrationState.OPEN),
        (riga(2026, 6, 1, 12, 59), RegistrationState.CLOSED),  # the last session still runs
        (riga(2026, 6, 1, 13, 0), RegistrationState.PAST),  # it has ended
    ],
)
def test_the_state_changes_at_the_exact_moments(moment, state):
    stage = StageFactory(
        registration_opens_at=riga(2026, 4, 1, 9), registration_closes_at=riga(2026, 5, 1, 9, 30)
    )
    SessionFactory(stage=stage, starts_at=riga(2026, 5, 25, 10), ends_at=riga(2026, 5, 25, 13))
    SessionFactory(stage=stage, starts_at=riga(2026, 6, 1, 10), ends_at=riga(2026, 6, 1, 13))
    found = public_stage(programme=stage.programme, stage_id=stage.pk, now=moment)
    assert found.registration_state == state


def test_a_stage_without_sessions_is_not_past():
    stage = StageFactory(registration_opens_at=None, registration_closes_at=None)
    found = public_stage(programme=stage.programme, stage_id=stage.pk, now=NOW)
    assert found.registration_state == RegistrationState.OPEN


def test_the_programme_page_answers_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    held_stage()
    with django_assert_max_num_queries(8):
        client.get("/lv/")
    for _ in range(5):
        held_stage()
    with django_assert_max_num_queries(8):
        client.get("/lv/")
