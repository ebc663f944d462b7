"""Everything the portal holds about one person, as plain data for a JSON download.

The same for the person (from their manage link) and for staff (from the admin). Times are in
ISO 8601 with the Riga offset; codes (role, status, ...) are given with their label in the
language active when the file is made.
"""

from django.utils import timezone

from participants.attendance.models import Attendance
from participants.attendance.zoom_models import ZoomAlias
from participants.certificates.models import Certificate
from participants.models import Participant, ParticipantMail, Registration, ReminderDelivery

FORMAT_VERSION = 1


def _moment(value):
    return timezone.localtime(value).isoformat() if value else None


def _day(value):
    return value.isoformat() if value else None


def _coded(code, label):
    return {"code": code, "label": str(label)} if code else None


def _participant(participant):
    return {
        "id": participant.pk,
        "email": participant.email,
        "first_name": participant.first_name,
        "last_name": participant.last_name,
        "phone": participant.phone,
        "role": _coded(participant.role, participant.get_role_display()),
        "subjects": [
            {"code": code, "label": str(label)}
            for code, label in zip(
                participant.subjects or [], participant.get_subjects_display(), strict=True
            )
        ],
        "institution": participant.institution,
        "municipality": _coded(participant.municipality, participant.get_municipality_display()),
        "sex": _coded(participant.sex, participant.get_sex_display()),
        "preferred_language": participant.language,
        "created_at": _moment(participant.created_at),
        "updated_at": _moment(participant.updated_at),
        "erased_at": _moment(participant.erased_at),
    }


def _registration(registration):
    return {
        "id": registration.pk,
        "stage": str(registration.stage),
        "status": _coded(registration.status, registration.get_status_display()),
        "registered_at": _moment(registration.created_at),
        "email_confirmed_at": _moment(registration.email_confirmed_at),
        "seat_taken_at": _moment(registration.confirmed_at),
        "waiting_since": _moment(registration.waiting_since),
        "cancelled_at": _moment(registration.cancelled_at),
        "cancelled_by_staff": registration.cancelled_by_staff,
        "cancellation_reason": registration.cancellation_reason,
        "consent_version": registration.consent_version,
        "consent_at": _moment(registration.consent_at),
    }


def _attendance(row):
    return {
        "session": {
            "stage": str(row.session.stage),
            "starts_at": _moment(row.session.starts_at),
            "ends_at": _moment(row.session.ends_at),
            "topic": row.session.topic,
        },
        "status": _coded(row.status, row.get_status_display()),
        "minutes_present": row.minutes_present,
        "source": _coded(row.source, row.get_source_display()),
        "recorded_at": _moment(row.recorded_at),
    }


def _certificate(certificate):
    return {
        "number": certificate.number,
        "stage": str(certificate.stage),
        "holder_name": certificate.holder_name,
        "academic_hours_attended": str(certificate.hours_attended),
        "academic_hours_planned": str(certificate.hours_planned),
        "first_day": _day(certificate.first_day),
        "last_day": _day(certificate.last_day),
        "issued_at": _moment(certificate.issued_at),
        "revoked_at": _moment(certificate.revoked_at),
        "verification_code": certificate.verification_code,
    }


def _mail(mail):
    return {
        "mail": mail.template,
        "stage": str(mail.registration.stage),
        "recorded_at": _moment(mail.created_at),
        "status": _coded(mail.status, mail.get_status_display()),
        "sent_at": _moment(mail.sent_at),
    }


def _reminder(delivery):
    return {
        "session": {
            "stage": str(delivery.session.stage),
            "starts_at": _moment(delivery.session.starts_at),
            "topic": delivery.session.topic,
        },
        "kind": delivery.kind,
        "status": _coded(delivery.status, delivery.get_status_display()),
        "sent_at": _moment(delivery.sent_at),
    }


def participant_personal_data(*, participant: Participant, now=None) -> dict:
    """Everything held about ``participant``: a fixed number of queries, however much there is."""
    registrations = Registration.objects.filter(participant=participant).select_related("stage")
    attendance = Attendance.objects.filter(participant=participant).select_related("session__stage")
    certificates = Certificate.objects.filter(participant=participant).select_related("stage")
    mails = (
        ParticipantMail.objects.filter(registration__participant=participant)
        .select_related("registration__stage")
        .order_by("created_at", "pk")
    )
    reminders = (
        ReminderDelivery.objects.filter(registration__participant=participant)
        .select_related("session__stage")
        .order_by("due_at", "pk")
    )
    aliases = ZoomAlias.objects.filter(participant=participant).order_by("pk")
    return {
        "format_version": FORMAT_VERSION,
        "generated_at": _moment(now or timezone.now()),
        "participant": _participant(participant),
        "registrations": [_registration(r) for r in registrations.order_by("created_at", "pk")],
        "attendance": [_attendance(row) for row in attendance.order_by("session__starts_at")],
        "certificates": [_certificate(c) for c in certificates.order_by("issued_at", "pk")],
        "mails": [_mail(mail) for mail in mails],
        "reminders": [_reminder(delivery) for delivery in reminders],
        "names_matched_in_zoom_reports": [alias.label for alias in aliases],
    }


def personal_data_filename(participant_id) -> str:
    return f"personal-data-{participant_id}.json"
