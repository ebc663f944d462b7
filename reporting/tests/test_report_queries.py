"""The report takes a fixed number of queries whatever the size of the data."""

import pytest

from reporting.report.files import report_file
from reporting.report.services import progress_report_for
from reporting.tests.report_data import NOW, PERIOD, build_report_data

pytestmark = pytest.mark.django_db

# programme dates 1, indicators 1, entered values 1, stage hours 1, people trained and
# completions 1, certificates 1, budget 1, headings 1, expenditure 1, sources (and their tree) 1.
QUERIES = 10


@pytest.mark.parametrize("extra_people", [0, 40])
def test_the_report_takes_a_fixed_number_of_queries(extra_people, django_assert_num_queries):
    data = build_report_data(extra_people=extra_people)
    with django_assert_num_queries(QUERIES):
        _period, report = progress_report_for(
            programme=data.programme, start=PERIOD[0], end=PERIOD[1], generated_by="x", now=NOW
        )
    rows = {row.code: row for row in report.indicators}
    assert rows["people-trained"].cumulative == 3 + extra_people
    with django_assert_num_queries(0):
        for file_format in ("xlsx", "pdf", "csv"):
            report_file(report, file_format)
