"""Dates read the same way in every English page and e-mail: 15 March 2027, 24-hour clock."""

import pytest
from django.utils import formats, translation

from courses.tests.factories import SessionFactory, riga

pytestmark = pytest.mark.django_db


def test_english_dates_put_the_day_first():
    moment = riga(2027, 3, 15, 14, 30)

    with translation.override("en"):
        assert formats.date_format(moment, "DATE_FORMAT") == "15 March 2027"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "15 March 2027, 14:30"


def test_latvian_dates_are_unchanged():
    with translation.override("lv"):
        assert formats.date_format(riga(2027, 3, 15), "DATE_FORMAT") == "2027. gada 15. marts"


def test_the_english_stage_page_shows_day_first_dates(client):
    session = SessionFactory(starts_at=riga(2027, 3, 15, 10), ends_at=riga(2027, 3, 15, 13))

    page = client.get(f"/en/stages/{session.stage_id}/").content.decode()

    assert "15 March 2027" in page
    assert "March 15, 2027" not in page
