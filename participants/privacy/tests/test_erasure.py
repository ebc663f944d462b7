"""Erasure keeps what the funder counts and removes the rest; retention erases on time."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import translation

from courses.tests.factories import ProgrammeFactory, SessionFactory, StageFactory, riga
from participants import links, services
from participants.attendance.models import Attendance
from participants.attendance.tests.factories import AttendanceFactory
from participants.certificates.models import Certificate
from participants.models import (
    Participant,
    ParticipantMail,
    Registration,
    ZoomAlias,
    ZoomImport,
)
from participants.outbox.delivery import participant_mails_drain
from participants.privacy.services import (
    ErasureRefused,
    participant_erase,
    personal_data_erase_expired,
)
from participants.privacy.tasks import erase_expired_personal_data
from participants.tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
PARTICIPANTS = "admin:participants_participant_changelist"
ZOOM_REPORT = (
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n"
    "Ilze Āboliņa,ilze@example.lv,03/02/2021 10:00:00 AM,03/02/2021 01:00:00 PM,180\n"
    "Ilze A.,,03/02/2021 10:00:00 AM,03/02/2021 10:05:00 AM,5\n"
    "Cits Cilvēks,cits@example.lv,03/02/2021 10:00:00 AM,03/02/2021 01:00:00 PM,180\n"
)


def ended_stage(*, end=date(2021, 12, 31), number="NFI/TEST/1"):
    programme = ProgrammeFactory(project_number=number, end_date=end)
    stage = StageFactory(programme=programme, planned_academic_hours=Decimal("8"))
    start = riga(end.year, 3, 2, 10)
    return stage, SessionFactory(stage=stage, starts_at=start, ends_at=start + timedelta(hours=3))


def person(stage, session, **fields):
    participant = ParticipantFactory(
        first_name="Ilze",
        last_name="Āboliņa",
        email="ilze@example.lv",
        phone="+371 21111111",
        institution="Daugavpils 9. vidusskola",
        role="methodologist",
        municipality="rezekne",
        sex="female",
        **fields,
    )
    registration = RegistrationFactory(
        participant=participant, stage=stage, confirmed=True, cancellation_reason="Slimība"
    )
    AttendanceFactory(participant=participant, session=session, minutes_present=170)
    return participant, registration


@pytest.fixture
def erased_setup():
    stage, session = ended_stage()
    participant, registration = person(stage, session)
    certificate = Certificate.objects.create(
        participant=participant,
        stage=stage,
        programme=stage.programme,
        sequence=4,
        number="DIC-2021-1-004",
        verification_code="ABCDABCDABCDABCD",
        holder_name="Ilze Āboliņa",
        hours_attended=Decimal("4"),
        hours_planned=Decimal("8"),
        issued_at=session.ends_at,
    )
    sent = ParticipantMail.objects.create(
        registration=registration,
        template="awaiting_confirmation",
        payload={"details": {"first_name": "Ilze", "phone": "+371 21111111"}},
        status=ParticipantMail.Status.SENT,
        sent_at=session.starts_at,
    )
    waiting = ParticipantMail.objects.create(
        registration=registration, template="confirmed", last_error="550 ilze@example.lv refused"
    )
    ZoomAlias.objects.create(participant=participant, kind="name", key="ilze a", label="Ilze A.")
    zoom_import = ZoomImport.objects.create(
        session=session,
        file_sha256="0" * 64,
        content=ZOOM_REPORT,
        ignored=[{"label": "Cits Cilvēks"}],
        warnings=["Ilze Āboliņa joined twice"],
    )
    return {
        "participant": participant,
        "registration": registration,
        "certificate": certificate,
        "sent": sent,
        "waiting": waiting,
        "zoom_import": zoom_import,
    }


def test_erasure_replaces_personal_fields_and_keeps_what_the_funder_counts(erased_setup):
    participant = erased_setup["participant"]
    attendance_before = list(Attendance.objects.values("session", "status", "minutes_present"))

    participant_erase(participant=participant)

    participant.refresh_from_db()
    assert participant.email == f"erased-{participant.pk}@erased.invalid"
    assert (participant.first_name, participant.last_name) == ("Dzēsts", "Dalībnieks")
    assert (participant.phone, participant.institution) == ("", "")
    assert participant.erased_at is not None
    kept = (participant.role, participant.municipality, participant.sex, participant.subjects)
    assert kept == ("methodologist", "rezekne", "female", ["chemistry", "physics"])
    assert list(Attendance.objects.values("session", "status", "minutes_present")) == (
        attendance_before
    )
    registration = Registration.objects.get()
    assert registration.status == "confirmed" and registration.cancellation_reason == ""
    certificate = Certificate.objects.get()
    assert (certificate.number, certificate.hours_attended) == ("DIC-2021-1-004", Decimal("4"))
    assert certificate.verification_code == "ABCDABCDABCDABCD"
    assert certificate.holder_name == "Dzēsts Dalībnieks"


def test_erasure_removes_personal_details_kept_around_the_person(erased_setup):
    participant_erase(participant=erased_setup["participant"])

    sent = ParticipantMail.objects.get(pk=erased_setup["sent"].pk)
    waiting = ParticipantMail.objects.get(pk=erased_setup["waiting"].pk)
    assert (sent.template, sent.status, sent.payload) == ("awaiting_confirmation", "sent", {})
    assert (waiting.status, waiting.last_error) == ("skipped", "")
    assert not ZoomAlias.objects.exists()
    zoom_import = ZoomImport.objects.get()
    for text in (zoom_import.content, str(zoom_import.warnings)):
        assert "Ilze" not in text and "ilze@example.lv" not in text
    assert "Cits Cilvēks,cits@example.lv" in zoom_import.content  # other people are not erased
    assert zoom_import.ignored == [{"label": "Cits Cilvēks"}]


def test_erasure_renames_the_person_in_the_admins_change_log(erased_setup, admin_user):
    participant = erased_setup["participant"]
    for obj in (participant, erased_setup["registration"], erased_setup["certificate"]):
        LogEntry.objects.log_actions(
            admin_user.pk, [obj], CHANGE, change_message="[]", single_object=True
        )
    assert LogEntry.objects.filter(object_repr__contains="Ilze").count() == 3

    participant_erase(participant=participant)

    assert not LogEntry.objects.filter(object_repr__contains="Ilze").exists()
    assert not LogEntry.objects.filter(object_repr__contains="Āboliņa").exists()


def test_the_attendance_history_holds_no_names():
    """simple-history keeps every version of the attendance rows: ids and numbers only, so
    nothing personal is left behind in it once the person is erased."""
    names = {field.name for field in Attendance.history.model._meta.get_fields()}

    assert not names & {"first_name", "last_name", "email", "phone", "institution"}
    assert [model._meta.label for model in _models_with_history()] == ["participants.Attendance"]


def _models_with_history():
    return [
        model
        for model in apps.get_models()
        if hasattr(model, "history") and model._meta.app_label == "participants"
    ]


def test_erasure_withdraws_the_links_and_twice_changes_nothing(client, erased_setup):
    registration = erased_setup["registration"]
    old = links.make_token(registration, salt=links.MANAGE_SALT)

    participant_erase(participant=erased_setup["participant"])
    erased = Participant.objects.values().get()
    participant_erase(participant=erased_setup["participant"])

    assert Participant.objects.values().get() == erased
    with translation.override("lv"):
        page = reverse("participants:registration_manage", kwargs={"token": old})
    assert client.get(page).status_code == 400


def test_erasure_is_refused_while_the_programme_runs():
    stage = StageFactory(programme=ProgrammeFactory(end_date=date(2099, 12, 31)))
    registration = RegistrationFactory(stage=stage, confirmed=True)

    with pytest.raises(ErasureRefused):
        participant_erase(participant=registration.participant)

    services.registration_cancel(registration=registration)
    participant_erase(participant=registration.participant)
    assert Participant.objects.get().erased_at is not None


def test_an_erased_person_gets_no_more_mail(erased_setup, mailoutbox):
    participant_erase(participant=erased_setup["participant"])
    participant_mails_drain()

    assert mailoutbox == []


# --- the admin action -------------------------------------------------------------------------


def test_the_admin_asks_before_erasing(admin_client, erased_setup):
    participant = erased_setup["participant"]
    data = {"action": "erase_personal_data", ACTION_CHECKBOX_NAME: [participant.pk]}

    question = admin_client.post(reverse(PARTICIPANTS), data)

    assert question.status_code == 200
    assert "To nevar atsaukt." in question.content.decode()
    assert Participant.objects.get().erased_at is None

    answer = admin_client.post(reverse(PARTICIPANTS), {**data, "apply": "1"}, follow=True)

    assert Participant.objects.get().erased_at is not None
    assert "Dzēsti 1 dalībnieka personas dati." in answer.content.decode()


def test_the_admin_reports_a_refused_erasure(admin_client):
    registration = RegistrationFactory(confirmed=True)
    data = {"action": "erase_personal_data", ACTION_CHECKBOX_NAME: [registration.participant_id]}

    response = admin_client.post(reverse(PARTICIPANTS), {**data, "apply": "1"}, follow=True)

    assert "Vispirms atceliet to." in response.content.decode()
    assert Participant.objects.get().erased_at is None


def test_programme_staff_cannot_erase(client, erased_setup):
    user = User.objects.create_user("darbinieks", password="x", is_staff=True)
    for codename in ("view_participant", "change_participant"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    data = {"action": "erase_personal_data", ACTION_CHECKBOX_NAME: [erased_setup["participant"].pk]}

    listing = client.get(reverse(PARTICIPANTS))
    client.post(reverse(PARTICIPANTS), {**data, "apply": "1"})

    assert "erase_personal_data" not in listing.content.decode()
    assert "withdraw_links" in listing.content.decode()
    assert Participant.objects.get().erased_at is None


# --- retention --------------------------------------------------------------------------------


def test_unconfirmed_registrations_are_purged_with_their_mails_details():
    stage, _session = ended_stage(end=date(2099, 12, 31))
    kept = RegistrationFactory(stage=stage, confirmed=True)
    unconfirmed = RegistrationFactory(
        participant=kept.participant, stage=StageFactory(programme=stage.programme)
    )
    ParticipantMail.objects.create(
        registration=unconfirmed,
        template="awaiting_confirmation",
        payload={"details": {"phone": "+371 2"}},
    )
    Registration.objects.filter(pk=unconfirmed.pk).update(created_at=riga(2026, 1, 1))

    services.registrations_purge_expired(now=riga(2026, 1, 5))

    assert not Registration.objects.filter(pk=unconfirmed.pk).exists()
    assert not ParticipantMail.objects.filter(payload__has_key="details").exists()
    assert Participant.objects.filter(pk=kept.participant_id).exists()


def test_personal_data_are_erased_the_configured_time_after_the_programme_ends(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    stage, session = ended_stage(end=date(2021, 12, 31))
    participant, _registration = person(stage, session)
    ZoomImport.objects.create(session=session, file_sha256="1" * 64, content=ZOOM_REPORT)

    with time_machine.travel(riga(2022, 12, 31, 23, 59), tick=False):
        assert personal_data_erase_expired() == 0
    participant.refresh_from_db()
    assert participant.erased_at is None

    with time_machine.travel(riga(2023, 1, 1, 0, 1), tick=False):
        assert personal_data_erase_expired() == 1
    participant.refresh_from_db()
    assert participant.email.endswith("@erased.invalid")
    assert ZoomImport.objects.get().content == ""  # the programme's stored Zoom reports too


def test_a_person_still_in_a_running_programme_is_kept(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    stage, session = ended_stage(end=date(2021, 12, 31))
    participant, _registration = person(stage, session)
    running = StageFactory(
        programme=ProgrammeFactory(project_number="NFI/RUN/2", end_date=date(2099, 1, 1))
    )
    RegistrationFactory(participant=participant, stage=running, cancelled=True)

    assert personal_data_erase_expired() == 0
    assert Participant.objects.get().erased_at is None


def test_the_retention_task_runs_daily_from_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["erase-expired-personal-data"]

    assert entry["task"] == "participants.erase_expired_personal_data"
    assert entry["schedule"] == 24 * 60 * 60
    assert "participants.privacy.tasks" in django_settings.CELERY_IMPORTS


def test_the_task_erases(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 1
    stage, session = ended_stage()
    person(stage, session)

    assert erase_expired_personal_data.apply().get() == 1


@pytest.mark.parametrize(
    ("days", "period", "until"),
    [
        (5 * 365, "5 gadus", "2032. gada 29. decembris"),
        (100, "100 dienas", "2028. gada 9. aprīlis"),
    ],
)
def test_the_privacy_notice_states_the_configured_period(client, settings, days, period, until):
    settings.PERSONAL_DATA_RETENTION_DAYS = days
    ProgrammeFactory(end_date=date(2027, 12, 31))

    page = client.get("/lv/privacy/").content.decode()

    assert f"vēl {period} pēc tās beigām" in page
    assert until in page


def test_the_default_period_is_five_years():
    assert django_settings.PERSONAL_DATA_RETENTION_DAYS == 5 * 365
