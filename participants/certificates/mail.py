"""The mail that brings a participant their certificate, with the PDF attached.

It goes through the participant mail outbox (``participants.outbox``): the issue records a row
in its own transaction, and a worker builds the mail here and sends it once. This module is in
``CELERY_IMPORTS`` so that workers know the builder.
"""

from participants.certificates.models import Certificate
from participants.certificates.pdf import certificate_filename, certificate_pdf, verification_url
from participants.links import manage_url
from participants.mail import render_participant_mail
from participants.outbox.delivery import message_builder
from participants.outbox.record import participant_mail_record

TEMPLATE = "certificate"


def certificate_mail_record(*, certificate, registration):
    """Record the mail in the current transaction (sent after it commits)."""
    return participant_mail_record(
        registration=registration, template=TEMPLATE, payload={"certificate": certificate.pk}
    )


def certificate_message(*, certificate, registration):
    participant = certificate.participant
    return render_participant_mail(
        participant=participant,
        template=TEMPLATE,
        context={
            "certificate": certificate,
            "stage": certificate.stage,
            "programme": certificate.programme,
            "verification_url": verification_url(certificate, language=participant.language),
            "manage_url": manage_url(registration),
        },
        attachments=[
            (certificate_filename(certificate), certificate_pdf(certificate), "application/pdf")
        ],
    )


@message_builder(TEMPLATE)
def certificate_mail_message(mail):
    """The outbox's builder: None (the row is skipped) once the certificate is revoked."""
    certificate = (
        Certificate.objects.select_related("participant", "stage", "programme")
        .filter(pk=(mail.payload or {}).get("certificate"), revoked_at__isnull=True)
        .first()
    )
    if certificate is None:
        return None
    return certificate_message(certificate=certificate, registration=mail.registration)
