"""Erasing people's personal data changes no figure of the funder's progress report."""

import pytest

from participants.models import Participant
from participants.privacy.services import participant_erase, personal_data_erase_expired
from reporting.report.services import progress_report_for
from reporting.report.snapshot import report_to_json
from reporting.tests.report_data import NOW, PERIOD, build_report_data


def _report(programme):
    _period, report = progress_report_for(
        programme=programme, start=PERIOD[0], end=PERIOD[1], generated_by="Tests", now=NOW
    )
    return report_to_json(report)


@pytest.mark.django_db
def test_every_report_figure_is_the_same_after_everyone_is_erased():
    data = build_report_data(extra_people=3)
    before = _report(data.programme)

    for participant in Participant.objects.all():
        participant_erase(participant=participant)

    assert Participant.objects.filter(erased_at__isnull=True).count() == 0
    assert not Participant.objects.filter(first_name="Anna").exists()
    assert _report(data.programme) == before


@pytest.mark.django_db
def test_the_retention_task_keeps_every_report_figure(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30  # the programme ended on 31.12.2025
    data = build_report_data()
    before = _report(data.programme)

    erased = personal_data_erase_expired()

    assert erased == Participant.objects.count()
    assert _report(data.programme) == before
