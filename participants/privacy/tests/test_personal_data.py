"""A person's data as JSON (from the manage link and from the admin), and the export log."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import translation

from courses.tests.factories import SessionFactory, StageFactory
from participants import links
from participants.attendance.tests.factories import AttendanceFactory
from participants.certificates.models import Certificate
from participants.models import ExportRecord, ParticipantMail, ReminderDelivery, ZoomAlias
from participants.tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
PARTICIPANTS = "admin:participants_participant_changelist"


def data_url(registration):
    token = links.make_token(registration, salt=links.MANAGE_SALT)
    with translation.override("lv"):
        return reverse("participants:registration_personal_data", kwargs={"token": token})


def person_with_history(*, sessions=2):
    """A confirmed person with attendance, a certificate, mails, reminders and a Zoom name."""
    stage = StageFactory(title_lv="Ķīmija")
    participant = ParticipantFactory(
        first_name="Ilze", last_name="Āboliņa", email="ilze@example.lv", phone="+371 21111111"
    )
    registration = RegistrationFactory(participant=participant, stage=stage, confirmed=True)
    moment = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    for _ in range(sessions):
        session = SessionFactory(stage=stage)
        AttendanceFactory(participant=participant, session=session)
        ReminderDelivery.objects.create(
            registration=registration,
            session=session,
            kind="day_before",
            status=ReminderDelivery.Status.SENT,
            due_at=moment,
            sent_at=moment,
        )
        ParticipantMail.objects.create(
            registration=registration,
            template="confirmed",
            status=ParticipantMail.Status.SENT,
            sent_at=moment,
        )
    Certificate.objects.create(
        participant=participant,
        stage=stage,
        programme=stage.programme,
        sequence=7,
        number="DIC-2026-1-007",
        verification_code="ABCDABCDABCDABCD",
        holder_name="Ilze Āboliņa",
        hours_attended=Decimal("8"),
        hours_planned=Decimal("60"),
        issued_at=moment,
    )
    ZoomAlias.objects.create(participant=participant, kind="name", key="ilze a", label="Ilze A.")
    return registration


def test_a_participant_downloads_everything_held_about_them(client):
    registration = person_with_history()

    response = client.get(data_url(registration))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    person = data["participant"]
    assert (person["first_name"], person["last_name"]) == ("Ilze", "Āboliņa")
    assert (person["email"], person["phone"]) == ("ilze@example.lv", "+371 21111111")
    assert person["role"] == {"code": "teacher", "label": "skolotājs"}
    [seat] = data["registrations"]
    assert seat["status"]["code"] == "confirmed"
    assert seat["consent_version"] == registration.consent_version
    assert seat["consent_at"].startswith(registration.consent_at.date().isoformat()[:4])
    assert [row["minutes_present"] for row in data["attendance"]] == [180, 180]
    assert [c["number"] for c in data["certificates"]] == ["DIC-2026-1-007"]
    assert [m["mail"] for m in data["mails"]] == ["confirmed", "confirmed"]
    assert data["mails"][0]["sent_at"] == "2026-03-01T10:00:00+02:00"
    assert [r["kind"] for r in data["reminders"]] == ["day_before", "day_before"]
    assert data["names_matched_in_zoom_reports"] == ["Ilze A."]


def test_the_download_holds_nobody_elses_data(client):
    registration = person_with_history()
    other = RegistrationFactory(stage=registration.stage, confirmed=True)
    AttendanceFactory(participant=other.participant, session=registration.stage.sessions.first())

    data = json.loads(client.get(data_url(registration)).content)

    assert other.participant.email not in json.dumps(data)
    assert len(data["attendance"]) == 2


@pytest.mark.parametrize("sessions", [1, 8])
def test_the_download_reads_the_database_a_fixed_number_of_times(
    client, django_assert_max_num_queries, sessions
):
    registration = person_with_history(sessions=sessions)

    # The registration by its link, then one read for each kind of data.
    with django_assert_max_num_queries(7):
        response = client.get(data_url(registration))

    assert len(json.loads(response.content)["attendance"]) == sessions


def test_a_bad_link_downloads_nothing(client):
    response = client.get("/lv/manage/nav-derīga/personal-data.json")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


# --- staff ------------------------------------------------------------------------------------


def staff_user(*permissions):
    user = User.objects.create_user("darbiniece", password="x", is_staff=True)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def test_staff_download_a_persons_data_and_the_download_is_logged(client):
    registration = person_with_history()
    user = staff_user("view_participant")
    client.force_login(user)

    response = client.post(
        reverse(PARTICIPANTS),
        {"action": "download_personal_data", ACTION_CHECKBOX_NAME: [registration.participant_id]},
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content)["participant"]["email"] == "ilze@example.lv"
    [record] = ExportRecord.objects.all()
    assert (record.user, record.username, record.kind) == (user, "darbiniece", "personal_data")
    assert record.participant_id == registration.participant_id


def test_staff_download_one_person_at_a_time(admin_client):
    people = ParticipantFactory.create_batch(2)

    response = admin_client.post(
        reverse(PARTICIPANTS),
        {"action": "download_personal_data", ACTION_CHECKBOX_NAME: [p.pk for p in people]},
        follow=True,
    )

    assert response["Content-Type"].startswith("text/html")
    assert not ExportRecord.objects.exists()


def test_every_registrations_csv_export_is_logged(admin_client, admin_user):
    RegistrationFactory.create_batch(3, status="confirmed")

    admin_client.get(
        reverse("admin:participants_registration_export"), {"status__exact": "confirmed"}
    )
    admin_client.post(
        reverse("admin:participants_registration_changelist"),
        {
            "action": "export_csv",
            ACTION_CHECKBOX_NAME: [r.pk for r in RegistrationFactory.create_batch(2)],
        },
    )

    filtered, selected = ExportRecord.objects.order_by("pk")
    assert (filtered.kind, filtered.rows, filtered.user) == ("registrations_csv", 3, admin_user)
    assert filtered.description == "status__exact=confirmed"
    assert (selected.rows, selected.description) == (2, "atlasītās reģistrācijas")


def test_the_attendance_matrix_download_is_logged(admin_client):
    stage = StageFactory()
    AttendanceFactory(session=SessionFactory(stage=stage))

    response = admin_client.get(
        reverse("admin:participants_stage_attendance_matrix", kwargs={"stage_id": stage.pk})
    )

    assert response.status_code == 200
    [record] = ExportRecord.objects.all()
    assert record.kind == "attendance_xlsx"
    assert record.description == str(stage)


def test_the_export_log_is_read_only_even_for_superusers(admin_client):
    record = ExportRecord.objects.create(kind="registrations_csv", username="kāds")

    listing = admin_client.get(reverse("admin:participants_exportrecord_changelist"))
    change = admin_client.post(
        reverse("admin:participants_exportrecord_change", args=[record.pk]), {"username": "cits"}
    )

    assert listing.status_code == 200
    assert "kāds" in listing.content.decode()
    assert admin_client.get(reverse("admin:participants_exportrecord_add")).status_code == 403
    assert change.status_code == 403
    delete = reverse("admin:participants_exportrecord_delete", args=[record.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.username == "kāds"
    assert record.created_at <= datetime.now(UTC) + timedelta(seconds=1)
