"""Submitting a period's report freezes its figures: later corrections, or a participant's
data being erased, never change it; the live figures show the differences."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from participants.attendance.models import Attendance
from reporting.report.period import period_resolve
from reporting.report.services import progress_report_for, report_submit
from reporting.report.snapshot import report_differences, report_from_json
from reporting.tests.report_data import PERIOD

pytestmark = pytest.mark.django_db


def _period(data):
    return period_resolve(programme=data.programme, start=PERIOD[0], end=PERIOD[1])


def _live(data):
    return progress_report_for(
        programme=data.programme, start=PERIOD[0], end=PERIOD[1], generated_by="x"
    )[1]


def test_the_snapshot_round_trips_exactly(data, coordinator):
    submitted = report_submit(programme=data.programme, period=_period(data), user=coordinator)
    frozen = report_from_json(submitted.snapshot)
    live = _live(data)
    assert frozen.indicators == live.indicators
    assert frozen.money == live.money
    assert frozen.stages == live.stages
    assert frozen.cover.generated_by == "Koordinatore Ozoliņa"
    assert report_differences(submitted=frozen, live=live) == []


def test_corrections_and_erasure_never_change_a_submitted_report(data, coordinator):
    submitted = report_submit(programme=data.programme, period=_period(data), user=coordinator)
    snapshot = submitted.snapshot
    # A correction of money, and a participant's attendance erased altogether.
    expenditure = data.headings["A"].expenditures.get(amount=Decimal("2500.55"))
    expenditure.amount = Decimal("2600.55")
    expenditure.save()
    Attendance.objects.filter(participant=data.people["cilda"]).delete()
    data.people["cilda"].registrations.all().delete()
    data.people["cilda"].delete()

    submitted.refresh_from_db()
    assert submitted.snapshot == snapshot
    frozen = report_from_json(submitted.snapshot)
    rows = {row.code: row for row in frozen.indicators}
    assert rows["people-trained"].cumulative == 3  # as it was sent
    differences = report_differences(submitted=frozen, live=_live(data))
    found = {(d.item, d.figure): (d.submitted, d.live) for d in differences}
    assert found[("Apmācītie izglītības speciālisti", "kumulatīvi")] == (3, 2)
    assert found[("A Personāla izmaksas", "iztērēts periodā")] == (
        Decimal("2501.54"),
        Decimal("2601.54"),
    )


def test_a_period_is_submitted_once(data, coordinator):
    report_submit(programme=data.programme, period=_period(data), user=coordinator)
    with pytest.raises(ValidationError, match="jau ir iesniegta"):
        report_submit(programme=data.programme, period=_period(data), user=coordinator)
