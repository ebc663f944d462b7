"""Staff issuing at the same time never number two certificates alike (PostgreSQL only)."""

import pytest

from conftest import requires_postgres
from participants.certificates import services
from participants.certificates.models import Certificate
from participants.certificates.tests.conftest import confirmed_participant
from participants.tests.test_concurrency import run_together

pytestmark = [requires_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_bulk_issues_at_once_number_uniquely_and_issue_once(stage):
    people = [confirmed_participant(stage, sessions=4) for _ in range(12)]

    run_together(
        [lambda: services.certificate_issue_for_stage(stage=stage, issued_by=None)] * 4
        + [lambda person=person: _issue_quietly(person, stage) for person in people[:4]]
    )

    certificates = list(Certificate.objects.filter(stage=stage))
    assert sorted(c.participant_id for c in certificates) == sorted(p.pk for p in people)
    assert sorted(c.sequence for c in certificates) == list(range(1, 13))
    assert len({c.number for c in certificates}) == 12


def _issue_quietly(person, stage):
    """A single issue racing the bulk ones: refused if a bulk issue got there first."""
    try:
        services.certificate_issue(participant=person, stage=stage, issued_by=None)
    except services.CertificateError:
        pass
