"""Indicators and entered values in the admin: who entered a value, and its history."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from reporting.indicators.models import Indicator, IndicatorValue
from reporting.indicators.seed import indicators_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def developed(db):
    indicators_seed()
    return Indicator.objects.get(code="programmes-developed")


def test_a_value_entered_in_the_admin_keeps_who_and_its_history(
    admin_client, admin_user, developed
):
    response = admin_client.post(
        "/admin/reporting/indicatorvalue/add/",
        {
            "indicator": developed.pk,
            "period_start": "01.01.2022",
            "period_end": "30.06.2022",
            "value": "12",
            "note": "Apstiprinātas 12 programmas",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    value = IndicatorValue.objects.get()
    assert value.entered_by == admin_user
    admin_client.post(
        f"/admin/reporting/indicatorvalue/{value.pk}/change/",
        {
            "indicator": developed.pk,
            "period_start": "01.01.2022",
            "period_end": "30.06.2022",
            "value": "13",
            "note": "Labots",
        },
    )
    history = list(value.history.order_by("history_date"))
    assert [(h.value, h.history_user) for h in history] == [
        (Decimal("12.00"), admin_user),
        (Decimal("13.00"), admin_user),
    ]
    page = admin_client.get(f"/admin/reporting/indicatorvalue/{value.pk}/history/")
    assert page.status_code == 200


def test_only_entered_indicators_take_values(admin_client, developed):
    computed = Indicator.objects.get(code="people-trained")
    response = admin_client.post(
        "/admin/reporting/indicatorvalue/add/",
        {
            "indicator": computed.pk,
            "period_start": "01.01.2022",
            "period_end": "30.06.2022",
            "value": "5",
        },
    )
    assert response.status_code == 200
    assert not IndicatorValue.objects.exists()


def test_a_period_that_ends_before_it_starts_is_refused(developed):
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(
            indicator=developed,
            period_start=date(2022, 6, 1),
            period_end=date(2022, 1, 1),
            value=1,
        )


def test_a_computed_indicator_needs_a_computation(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(
            code="x", name_lv="X", unit_lv="x", kind=Indicator.Kind.COMPUTED, computation=""
        )
