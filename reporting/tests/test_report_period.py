"""Reporting periods: an end before the start and a period wholly outside the programme are
refused with a clear message; a period that overlaps the programme is clipped and says so."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from reporting.report.period import period_resolve

pytestmark = pytest.mark.django_db


def test_an_end_before_the_start_is_refused(data):
    with pytest.raises(ValidationError) as error:
        period_resolve(programme=data.programme, start=date(2025, 3, 1), end=date(2025, 2, 1))
    assert error.value.code == "end_before_start"
    assert "beigas ir pirms" in error.value.messages[0]


@pytest.mark.parametrize(
    "start, end",
    [
        (date(2024, 1, 1), date(2024, 12, 31)),  # before the programme's first day (01.01.2025)
        (date(2026, 1, 1), date(2026, 3, 31)),  # after its end date (31.12.2025)
    ],
)
def test_a_period_wholly_outside_the_programme_is_refused(data, start, end):
    with pytest.raises(ValidationError) as error:
        period_resolve(programme=data.programme, start=start, end=end)
    assert error.value.code == "outside_programme"
    assert "01.01.2025" in error.value.messages[0] and "31.12.2025" in error.value.messages[0]


def test_an_overlapping_period_is_clipped_and_says_so(data):
    period = period_resolve(programme=data.programme, start=date(2024, 12, 1), end=date(2026, 2, 1))
    assert (period.start, period.end) == (date(2025, 1, 1), date(2025, 12, 31))
    assert period.clipped
    inside = period_resolve(programme=data.programme, start=date(2025, 2, 1), end=date(2025, 3, 31))
    assert not inside.clipped


def test_a_one_day_period_is_fine(data):
    period = period_resolve(programme=data.programme, start=date(2025, 3, 5), end=date(2025, 3, 5))
    assert (period.start, period.end) == (date(2025, 3, 5), date(2025, 3, 5))


def test_demonstration_sessions_do_not_move_the_programme_start(data):
    """The demo stage's sessions are left out of the programme's dates too."""
    data.stage1.registration_opens_at = None
    data.stage1.save()
    data.stage2.registration_opens_at = None
    data.stage2.save()
    data.demo.registration_opens_at = None
    data.demo.save()
    data.sessions["d1"].starts_at = data.sessions["d1"].starts_at.replace(year=2024)
    data.sessions["d1"].ends_at = data.sessions["d1"].ends_at.replace(year=2024)
    data.sessions["d1"].save()
    period = period_resolve(programme=data.programme, start=date(2024, 1, 1), end=date(2025, 2, 1))
    assert period.start == date(2025, 1, 15)  # s1, the first session of a real stage
