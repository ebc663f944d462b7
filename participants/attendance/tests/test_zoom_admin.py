"""Importing a Zoom report in the admin: upload, preview, staff's matches, save; bad files;
permissions."""

from datetime import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.tests.factories import SessionFactory
from innovation_centre.staff import PROGRAMME_STAFF
from participants.attendance import zoom
from participants.attendance.models import Attendance
from participants.attendance.tests.zoom_reports import RIGA, Stay, newer_report, older_report
from participants.attendance.zoom_import import attendee_field_name, attendees_of
from participants.attendance.zoom_models import ZoomAlias, ZoomImport
from participants.tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
UPLOAD_URL = "admin:participants_zoomimport_add"


def at(hour, minute=0):
    return datetime(2021, 3, 6, hour, minute, tzinfo=RIGA)


@pytest.fixture
def staff_client(client):
    user = User.objects.create_user("lietvede", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def session():
    session = SessionFactory(starts_at=at(10), ends_at=at(13))
    for first, last, email in (
        ("Jānis", "Bērziņš", "janis@example.lv"),
        ("Līga", "Ozola", "liga@example.lv"),
    ):
        person = ParticipantFactory(first_name=first, last_name=last, email=email)
        RegistrationFactory(stage=session.stage, participant=person, confirmed=True)
    return session


STAYS = [
    Stay("Janis Berzins", "", at(10), at(13)),
    Stay("Līgas iPhone", "", at(10), at(12, 50)),
    Stay('=HYPERLINK("http://example.com","x")', "", at(10), at(11)),
]


def upload(client, session, content, name="participants.csv", time_zone="Europe/Riga"):
    return client.post(
        reverse(UPLOAD_URL),
        {
            "session": session.pk,
            "time_zone": time_zone,
            "report": SimpleUploadedFile(name, content, content_type="text/csv"),
        },
    )


def test_the_session_page_links_to_the_import(staff_client, session):
    page = staff_client.get(reverse("admin:courses_session_change", args=[session.pk]))
    assert f"{reverse(UPLOAD_URL)}?session={session.pk}".encode() in page.content


def test_upload_form_preselects_the_session(staff_client, session):
    page = staff_client.get(reverse(UPLOAD_URL), {"session": session.pk})
    assert page.status_code == 200
    assert f'<option value="{session.pk}" selected>'.encode() in page.content
    assert b'<option value="Europe/Riga" selected>' in page.content


def test_upload_preview_match_and_save(staff_client, session):
    response = upload(staff_client, session, older_report(STAYS))
    zoom_import = ZoomImport.objects.get()
    preview_url = reverse("admin:participants_zoomimport_preview", args=[zoom_import.pk])
    assert response.status_code == 302
    assert response["Location"] == preview_url
    assert not Attendance.objects.exists()

    page = staff_client.get(preview_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Bērziņš" in text and "Līgas iPhone" in text
    # The formula is shown as text, escaped, never as markup or a link.
    assert "=HYPERLINK(&quot;http://example.com&quot;,&quot;x&quot;)" in text
    assert '<a href="http://example.com"' not in text

    iphone, formula = (a for a in page.context["plan"].unmatched)
    liga = session.stage.registrations.get(participant__last_name="Ozola").participant
    response = staff_client.post(
        preview_url,
        {
            attendee_field_name(iphone): str(liga.pk),
            f"{attendee_field_name(iphone)}_remember": "on",
            attendee_field_name(formula): "ignore",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:participants_sessionattendance_change", args=[session.pk]
    )
    rows = {
        a.participant.last_name: (a.status, a.minutes_present, a.source, a.recorded_by)
        for a in Attendance.objects.select_related("participant")
    }
    assert rows == {
        "Bērziņš": ("present", 180, "zoom", staff_client.user),
        "Ozola": ("present", 170, "zoom", staff_client.user),
    }
    zoom_import.refresh_from_db()
    assert zoom_import.status == "saved"
    assert zoom_import.ignored == [
        {"name": '=HYPERLINK("http://example.com","x")', "email": "", "minutes": 60, "guest": False}
    ]
    assert ZoomAlias.objects.get().participant == liga
    assert "Zoom atskaite saglabāta: jauni 2" in str(list(get_messages(response.wsgi_request))[0])


def test_the_saved_import_shows_what_was_ignored(staff_client, session):
    upload(staff_client, session, older_report(STAYS))
    zoom_import = ZoomImport.objects.get()
    staff_client.post(reverse("admin:participants_zoomimport_preview", args=[zoom_import.pk]), {})
    page = staff_client.get(reverse("admin:participants_zoomimport_change", args=[zoom_import.pk]))
    assert page.status_code == 200
    assert "Līgas iPhone" in page.content.decode()


def test_same_file_again_says_nothing_changed(staff_client, session):
    for _ in range(2):
        upload(staff_client, session, older_report(STAYS))
        zoom_import = ZoomImport.objects.filter(status="preview").get()
        response = staff_client.post(
            reverse("admin:participants_zoomimport_preview", args=[zoom_import.pk]), {}
        )
    assert "jau tika importēts" in str(list(get_messages(response.wsgi_request))[-1])
    assert ZoomImport.objects.count() == 1


def test_the_browser_cannot_send_another_file_at_save(staff_client, session):
    upload(staff_client, session, older_report(STAYS))
    zoom_import = ZoomImport.objects.get()
    other = newer_report([Stay("Līga Ozola", "", at(10), at(11))])
    staff_client.post(
        reverse("admin:participants_zoomimport_preview", args=[zoom_import.pk]),
        {"content": other.decode(), "report": SimpleUploadedFile("x.csv", other)},
    )
    assert not Attendance.objects.filter(participant__last_name="Ozola").exists()
    assert Attendance.objects.get(participant__last_name="Bērziņš").minutes_present == 180


def test_a_match_outside_the_stage_is_refused(staff_client, session):
    upload(staff_client, session, older_report(STAYS))
    zoom_import = ZoomImport.objects.get()
    outsider = RegistrationFactory(confirmed=True).participant
    attendees = attendees_of(zoom.parse_report(zoom_import.content))
    iphone = next(a for a in attendees if a.label == "Līgas iPhone")
    page = staff_client.post(
        reverse("admin:participants_zoomimport_preview", args=[zoom_import.pk]),
        {attendee_field_name(iphone): str(outsider.pk)},
    )
    assert page.status_code == 200
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "tukša"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Šis nav CSV fails"),
        ("Vārds;Uzvārds\r\nJānis;Bērziņš\r\n".encode("cp1257"), "UTF-8"),
        (b"Name (Original Name),User Email,Join Time\r\nA,a@b.lv,x\r\n", "Leave time"),
    ],
)
def test_bad_files_get_a_latvian_message_next_to_the_field(staff_client, session, content, message):
    page = upload(staff_client, session, content)
    assert page.status_code == 200
    assert message in " ".join(page.context["form"].errors["report"])
    assert not ZoomImport.objects.exists()
    assert not Attendance.objects.exists()


def test_a_file_of_another_day_is_refused(staff_client, session):
    stays = [Stay("Līga Ozola", "", at(10).replace(day=9), at(12).replace(day=9))]
    page = upload(staff_client, session, older_report(stays))
    assert "citas sanāksmes" in " ".join(page.context["form"].errors["report"])
    assert not ZoomImport.objects.exists()


def test_a_file_over_the_limit_is_refused(staff_client, session):
    page = upload(staff_client, session, b"a" * (5 * 1024 * 1024 + 1))
    assert "5 MB" in " ".join(page.context["form"].errors["report"])
    assert not ZoomImport.objects.exists()


def test_an_unknown_time_zone_is_refused(staff_client, session):
    page = upload(staff_client, session, older_report(STAYS), time_zone="Mars/Olympus")
    assert page.status_code == 200
    assert page.context["form"].errors["time_zone"]


def test_a_bad_preview_id_is_404(staff_client):
    assert staff_client.get("/admin/participants/zoomimport/999999/preview/").status_code == 404


def test_staff_without_the_permission_cannot_import(client, session):
    user = User.objects.create_user("viesis", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(reverse(UPLOAD_URL)).status_code == 403
    response = upload(client, session, older_report(STAYS))
    assert response.status_code == 403
    assert not ZoomImport.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client, session):
    response = client.get(reverse(UPLOAD_URL))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("people", [2, 12])
def test_preview_queries_do_not_grow_with_people(
    staff_client, session, people, django_assert_max_num_queries
):
    stays = []
    for n in range(people):
        person = ParticipantFactory(first_name="Anna", last_name=f"Liepa{n}")
        RegistrationFactory(stage=session.stage, participant=person, confirmed=True)
        stays.append(Stay(f"Anna Liepa{n}", "", at(10), at(12, 30)))
        stays.append(Stay(f"Viesis {n}", "", at(10), at(11)))
        Attendance.objects.create(
            participant=person, session=session, status="absent", source="zoom"
        )
    upload(staff_client, session, older_report(stays))
    url = reverse("admin:participants_zoomimport_preview", args=[ZoomImport.objects.get().pk])
    with django_assert_max_num_queries(10):
        assert staff_client.get(url).status_code == 200
