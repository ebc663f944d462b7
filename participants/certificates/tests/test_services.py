"""Issuing and revoking: the threshold, once per stage, numbering, the mail with the PDF."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.tests.factories import SessionFactory, StageFactory
from participants.certificates import services
from participants.certificates.codes import normalise_code
from participants.certificates.models import Certificate
from participants.certificates.services import CertificateError
from participants.certificates.tests.conftest import confirmed_participant
from participants.outbox.delivery import participant_mails_send
from participants.outbox.models import ParticipantMail
from participants.tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def issue(participant, stage, user=None):
    return services.certificate_issue(participant=participant, stage=stage, issued_by=user)


def test_issue_at_the_threshold_freezes_hours_name_and_numbers_it(stage, eligible, staff_user):
    certificate = issue(eligible, stage, staff_user)

    year = timezone.localdate().year
    assert certificate.number == f"DIC-{year}-1-0001"
    assert certificate.hours_attended == Decimal("12.00")
    assert certificate.hours_planned == Decimal("16.00")
    assert certificate.holder_name == eligible.full_name
    assert certificate.issued_by == staff_user
    assert certificate.first_day and certificate.last_day > certificate.first_day

    eligible.first_name = "Cits"
    eligible.save()
    certificate.refresh_from_db()
    assert certificate.holder_name.startswith("Ārija")  # what was certified stays as issued


def test_issue_refused_below_the_threshold(stage, below_threshold):
    with pytest.raises(
        CertificateError, match=r"apmeklētas 8 akadēmiskās stundas, apliecībai vajag 12"
    ):
        issue(below_threshold, stage)
    assert not Certificate.objects.exists()
    assert not ParticipantMail.objects.exists()


def test_issue_refused_a_second_time_for_the_stage(stage, eligible):
    issue(eligible, stage)
    with pytest.raises(CertificateError, match="apliecība jau ir izsniegta"):
        issue(eligible, stage)
    assert Certificate.objects.count() == 1


def test_issue_refused_a_second_time_even_after_revoking(stage, eligible, staff_user):
    certificate = issue(eligible, stage)
    services.certificate_revoke(certificate=certificate, reason="Kļūda", revoked_by=staff_user)
    with pytest.raises(CertificateError, match="apliecība jau ir izsniegta"):
        issue(eligible, stage)


def test_issue_refused_without_a_confirmed_registration(stage):
    person = ParticipantFactory()
    RegistrationFactory(participant=person, stage=stage, waiting=True)
    with pytest.raises(CertificateError, match="nav apstiprinātas reģistrācijas"):
        issue(person, stage)


def test_the_database_refuses_a_second_certificate_for_a_stage(stage, eligible):
    first = issue(eligible, stage)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            participant=eligible,
            stage=stage,
            programme=stage.programme,
            sequence=99,
            number="X-99",
            verification_code="A" * 16,
            holder_name="x",
            hours_attended=first.hours_attended,
            hours_planned=first.hours_planned,
            issued_at=first.issued_at,
        )


def test_numbers_run_on_through_the_programme_with_a_custom_pattern(stage, eligible):
    programme = stage.programme
    programme.certificate_number_pattern = "IC/{stage}/{seq:03d}"
    programme.save()
    second_stage = StageFactory(programme=programme, order=2, planned_academic_hours=4)
    SessionFactory(stage=second_stage)
    other = confirmed_participant(second_stage, sessions=1)

    assert issue(eligible, stage).number == "IC/1/001"
    assert issue(other, second_stage).number == "IC/2/002"


def test_verification_codes_are_random_unguessable_and_unique(stage):
    people = [confirmed_participant(stage, sessions=4) for _ in range(5)]
    result = services.certificate_issue_for_stage(stage=stage, issued_by=None)
    codes = [certificate.verification_code for certificate in result.issued]
    assert len(set(codes)) == len(people) == 5
    for code in codes:
        assert re.fullmatch(r"[A-Z2-7]{16}", code)  # 80 random bits
    # No shared prefix that would hint at a sequence.
    assert len({code[:4] for code in codes}) > 1


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ABCD-EFGH-JKLM-NPQR", "ABCDEFGHJKLMNPQR"),
        (" abcd efgh jklm npqr ", "ABCDEFGHJKLMNPQR"),
        ("ABCD-EFGH-JKLM-NP0R", "ABCDEFGHJKLMNPOR"),  # a zero typed for the letter O
        ("ABCD-EFGH-JKLM-NPQ", None),  # too short
        ("ABCD-EFGH-JKLM-NPQRS", None),  # too long
        ("ĀBCD-EFGH-JKLM-NPQR", None),
        ("<script>", None),
        ("", None),
    ],
)
def test_typed_codes_are_normalised(typed, stored):
    assert normalise_code(typed) == stored


def test_bulk_issue_skips_those_below_and_those_who_have_one(stage, eligible, below_threshold):
    present_all = confirmed_participant(stage, sessions=4)
    issue(present_all, stage)

    result = services.certificate_issue_for_stage(stage=stage, issued_by=None)

    assert [c.participant for c in result.issued] == [eligible]
    assert result.below_threshold == [below_threshold]
    assert result.already_had == 1
    again = services.certificate_issue_for_stage(stage=stage, issued_by=None)
    assert again.issued == []
    assert Certificate.objects.filter(stage=stage).count() == 2


def test_bulk_issue_to_the_ticked_participants_only(stage, eligible):
    other = confirmed_participant(stage, sessions=4)
    result = services.certificate_issue_for_stage(
        stage=stage, issued_by=None, participant_ids=[other.pk]
    )
    assert [c.participant for c in result.issued] == [other]
    assert not Certificate.objects.filter(participant=eligible).exists()


def test_the_holder_gets_the_pdf_by_mail_in_their_language(
    stage, eligible, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issue(eligible, stage)

    (message,) = mail.outbox
    assert message.to == [eligible.email]
    assert message.subject == "Jūsu apliecība: Eksaktās zinātnes un kompetenču pieeja"
    assert certificate.display_code in message.body
    assert f"/lv/certificates/verify/{certificate.verification_code}/" in message.body
    ((filename, content, mimetype),) = message.attachments
    assert mimetype == "application/pdf"
    assert filename.endswith(".pdf")
    assert content.startswith(b"%PDF")
    outbox_row = ParticipantMail.objects.get()
    assert outbox_row.template == "certificate"
    assert outbox_row.status == ParticipantMail.Status.SENT


def test_no_mail_for_a_certificate_revoked_before_it_was_sent(stage, eligible, staff_user):
    certificate = issue(eligible, stage)  # the outbox row waits (no commit in this test)
    services.certificate_revoke(certificate=certificate, reason="Kļūda", revoked_by=staff_user)
    summary = participant_mails_send(mail_ids=[ParticipantMail.objects.get().pk])
    assert summary.skipped == 1
    assert mail.outbox == []


def test_revoke_needs_a_reason_and_happens_once(stage, eligible, staff_user):
    certificate = issue(eligible, stage)
    with pytest.raises(CertificateError, match="anulēšanas iemeslu"):
        services.certificate_revoke(certificate=certificate, reason="  ", revoked_by=staff_user)

    revoked = services.certificate_revoke(
        certificate=certificate, reason="Dubults ieraksts", revoked_by=staff_user
    )
    assert revoked.is_revoked and revoked.revoked_by == staff_user
    with pytest.raises(CertificateError, match="jau ir anulēta"):
        services.certificate_revoke(certificate=certificate, reason="x", revoked_by=staff_user)


def test_the_database_refuses_a_revocation_without_a_reason(stage, eligible):
    certificate = issue(eligible, stage)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=certificate.pk).update(revoked_at=timezone.now())


@pytest.mark.parametrize("pattern", ["DIC-{year}", "DIC-{seq}-{name}", "DIC-{seq:x4}", "{"])
def test_a_number_pattern_that_cannot_number_certificates_is_refused(stage, pattern):
    stage.programme.certificate_number_pattern = pattern
    with pytest.raises(ValidationError) as refused:
        stage.programme.full_clean()
    assert "certificate_number_pattern" in refused.value.message_dict
