"""Fixtures of the progress-report tests (the data itself is built in ``report_data``)."""

import pytest

from reporting.tests.report_data import build_report_data, make_user


@pytest.fixture
def data(db):
    """The small programme of ``report_data`` (figures by hand in ``expected``)."""
    return build_report_data()


@pytest.fixture
def coordinator(db):
    return make_user("koordinatore", group="Coordinators")
