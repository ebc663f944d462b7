"""The progress report's figures (the data structure every format is made from) against the
figures worked out by hand (``expected.py``), and what demonstration data must never change."""

from datetime import date
from decimal import Decimal

import pytest

from participants.attendance.tests.factories import AttendanceFactory
from participants.tests.factories import ParticipantFactory, RegistrationFactory
from reporting.indicators.models import Indicator
from reporting.indicators.seed import indicators_seed
from reporting.report.services import progress_report_for
from reporting.tests import expected
from reporting.tests.report_data import NOW, PERIOD

pytestmark = pytest.mark.django_db


def build(data, start=PERIOD[0], end=PERIOD[1]):
    return progress_report_for(
        programme=data.programme, start=start, end=end, generated_by="Test", now=NOW
    )[1]


def test_indicators_match_the_hand_computed_figures(data):
    report = build(data)
    rows = {row.code: row for row in report.indicators}
    assert set(rows) == set(expected.INDICATORS)
    for code, (in_period, cumulative, percent) in expected.INDICATORS.items():
        row = rows[code]
        assert (row.in_period, row.cumulative, row.percent_of_target) == (
            Decimal(in_period),
            Decimal(cumulative),
            percent,
        ), code
    for code, target in expected.TARGETS.items():
        assert rows[code].target == target


def test_hours_per_stage(data):
    report = build(data)
    assert {
        row.order: (
            row.planned,
            row.scheduled,
            row.delivered_in_period,
            row.delivered_cumulative,
            row.percent_delivered,
        )
        for row in report.stages
    } == {order: tuple(Decimal(v) for v in values) for order, values in expected.STAGES.items()}


def test_money_per_heading_and_source(data):
    money = build(data).money
    assert {
        row.code: (
            row.planned,
            row.spent_in_period,
            row.spent_cumulative,
            row.remaining,
            row.percent_spent,
        )
        for row in money.headings
    } == expected.HEADINGS
    keys = {str(source.pk): name for name, source in data.sources.items()}
    assert {
        keys[row.key]: (row.planned, row.spent_in_period, row.spent_cumulative)
        for row in money.sources
    } == expected.SOURCES
    assert (money.spent_in_period, money.spent_cumulative) == (
        expected.SPENT_IN_PERIOD,
        expected.SPENT_CUMULATIVE,
    )


def test_ineligible_spending_is_listed_apart_and_counts_nowhere_else(data):
    money = build(data).money
    (row,) = money.ineligible
    assert (row.date, row.amount, row.note) == (date(2025, 3, 1), Decimal("300.00"), "Ēdināšana")
    assert money.ineligible_in_period == money.ineligible_cumulative == expected.INELIGIBLE
    assert sum(h.spent_cumulative for h in money.headings) == expected.SPENT_CUMULATIVE


def test_co_financing_minimum_is_checked(data):
    rows = {row.name: row for row in build(data).money.sources}
    municipality = rows["Daugavpils valstspilsētas pašvaldība"]
    assert municipality.required_minimum_share == Decimal("10")
    assert municipality.minimum_met is True

    data.sources["municipality"].required_minimum_share = Decimal("10.01")
    data.sources["municipality"].save()
    rows = {row.name: row for row in build(data).money.sources}
    assert rows["Daugavpils valstspilsētas pašvaldība"].minimum_met is False
    assert rows["EEZ un Norvēģijas granti"].minimum_met is None  # no minimum: not checked


def test_spending_against_time(data):
    pace = build(data).pace
    assert (pace.days_elapsed, pace.days_total) == (expected.DAYS_ELAPSED, expected.DAYS_TOTAL)
    assert (pace.time_elapsed_share, pace.spent_share) == (
        expected.TIME_ELAPSED,
        expected.SPENT_SHARE,
    )


def test_demonstration_stages_never_count(data):
    """More demo people, present and certified, change none of the funder's figures."""
    before = build(data)
    for _ in range(3):
        person = ParticipantFactory(municipality="daugavpils", sex="female")
        RegistrationFactory(participant=person, stage=data.demo, confirmed=True)
        AttendanceFactory(participant=person, session=data.sessions["d1"])
    after = build(data)
    assert after.indicators == before.indicators
    assert after.stages == before.stages
    assert all(row.title != "DEMO" for row in after.stages)


def test_a_confirmed_person_with_a_present_mark_is_trained(data):
    """The figure moves when the data does (the hand figures are not hard-coded)."""
    person = ParticipantFactory(role="other", municipality="jelgava", sex="male")
    RegistrationFactory(participant=person, stage=data.stage2, confirmed=True)
    AttendanceFactory(participant=person, session=data.sessions["s5"])
    rows = {row.code: row for row in build(data).indicators}
    assert (rows["people-trained"].in_period, rows["people-trained"].cumulative) == (3, 4)
    assert rows["people-trained.role.other"].cumulative == 1
    assert rows["people-trained.municipality.elsewhere"].in_period == 1


def test_cumulative_counts_everything_before_the_period_end(data):
    report = build(data, start=date(2025, 1, 1), end=date(2025, 1, 31))
    rows = {row.code: row for row in report.indicators}
    assert (rows["people-trained"].in_period, rows["people-trained"].cumulative) == (2, 2)
    assert (rows["sessions-held"].in_period, rows["sessions-held"].cumulative) == (1, 1)
    assert rows["certificates-issued"].cumulative == 0  # Boriss's was revoked


def test_the_seed_is_idempotent_and_keeps_staff_edits(db):
    first = indicators_seed()
    assert "people-trained" in first.created and "programmes-developed" in first.created
    Indicator.objects.filter(code="people-trained").update(target=Decimal("75"))
    assert indicators_seed().created == []
    assert Indicator.objects.get(code="people-trained").target == Decimal("75")
    assert Indicator.objects.get(code="programmes-developed").kind == "entered"


def test_the_seed_dry_run_writes_nothing(db):
    assert indicators_seed(dry_run=True).created
    assert not Indicator.objects.exists()
