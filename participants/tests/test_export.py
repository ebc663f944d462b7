"""The CSV export of registrations: opens in Latvian Excel, safe against formula injection."""

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import translation

from courses.tests.factories import StageFactory
from participants import exports
from participants.models import Registration
from participants.tests.factories import ParticipantFactory, RegistrationFactory

EXPORT_URL = "admin:participants_registration_export"
CHANGELIST_URL = "admin:participants_registration_changelist"


def read_csv(response):
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM missing: Excel would garble ā, č, ē"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def rows_by_email(rows):
    email_column = rows[0].index(str(exports.COLUMNS[2].header))
    return {row[email_column]: row for row in rows[1:]}


def staff_user(*, permissions=()):
    user = User.objects.create_user("staff", password="x", is_staff=True)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+371 29 123 456", "'+371 29 123 456"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Jānis", "Jānis"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_cells_a_spreadsheet_would_run_as_formulas_are_quoted(cell, written):
    assert exports.neutralise(cell) == written


@pytest.mark.django_db
def test_export_is_utf8_with_bom_semicolons_latvian_header_and_riga_times(admin_client):
    participant = ParticipantFactory(
        first_name="Jānis",
        last_name="Bērziņš",
        email="janis@example.lv",
        institution="Šķilbēnu skola",
    )
    with time_machine.travel(datetime(2027, 3, 15, 12, 30, tzinfo=UTC), tick=False):
        RegistrationFactory(
            participant=participant, status=Registration.Status.AWAITING_CONFIRMATION
        )

    response = admin_client.get(reverse(EXPORT_URL))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="registrations-' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:3] == ["Vārds", "Uzvārds", "E-pasts"]
    assert "Reģistrēts" in rows[0] and "Statuss" in rows[0]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Vārds"] == "Jānis"
    assert row["Uzvārds"] == "Bērziņš"
    assert row["Iestāde"] == "Šķilbēnu skola"
    with translation.override("lv"):
        assert row["Statuss"] == str(Registration.Status.AWAITING_CONFIRMATION.label)
    # 12:30 UTC is 14:30 in Riga (winter time, UTC+2), written the Latvian way.
    assert row["Reģistrēts"] == "15.03.2027. 14:30"


@pytest.mark.django_db
def test_header_follows_the_admins_language(admin_client):
    RegistrationFactory()

    response = admin_client.get(reverse(EXPORT_URL), HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("lv"):  # the rows are written after the view has returned
        header = read_csv(response)[0]
    assert header[:3] == ["First name", "Last name", "E-mail"]


@pytest.mark.django_db
def test_formulas_typed_into_the_form_are_neutralised_in_the_file(admin_client):
    participant = ParticipantFactory(
        first_name='=HYPERLINK("http://evil.example","Klikšķini")',
        last_name="@SUM(1+1)",
        institution="+cmd|' /C calc'!A0",
        phone="-1",
    )
    RegistrationFactory(participant=participant)

    row = dict(zip(*read_csv(admin_client.get(reverse(EXPORT_URL))), strict=True))

    assert row["Vārds"] == '\'=HYPERLINK("http://evil.example","Klikšķini")'
    assert row["Uzvārds"] == "'@SUM(1+1)"
    assert row["Iestāde"] == "'+cmd|' /C calc'!A0"
    assert row["Tālrunis"] == "'-1"


@pytest.mark.django_db
def test_export_button_honours_the_change_list_filters_and_search(admin_client):
    stage = StageFactory()
    RegistrationFactory(
        stage=stage,
        confirmed=True,
        participant=ParticipantFactory(email="liga@example.lv", last_name="Ozola"),
    )
    RegistrationFactory(
        stage=stage,
        waiting=True,
        participant=ParticipantFactory(email="peteris@example.lv", last_name="Kalniņš"),
    )
    RegistrationFactory(participant=ParticipantFactory(email="other@example.lv", last_name="Ozols"))

    url = reverse(EXPORT_URL)
    filtered = admin_client.get(url, {"status__exact": "confirmed"})
    searched = admin_client.get(url, {"q": "Ozol", "stage__id__exact": stage.pk})
    everything = admin_client.get(url)

    assert set(rows_by_email(read_csv(filtered))) == {"liga@example.lv"}
    assert set(rows_by_email(read_csv(searched))) == {"liga@example.lv"}
    assert set(rows_by_email(read_csv(everything))) == {
        "liga@example.lv",
        "peteris@example.lv",
        "other@example.lv",
    }


@pytest.mark.django_db
def test_change_list_links_the_export_with_its_current_filters(admin_client):
    RegistrationFactory()

    response = admin_client.get(reverse(CHANGELIST_URL), {"status__exact": "confirmed"})

    assert f'{reverse(EXPORT_URL)}?status__exact=confirmed"' in response.content.decode()
    assert "Eksportēt CSV (pašreizējie filtri)" in response.content.decode()


@pytest.mark.django_db
def test_a_broken_filter_in_the_address_redirects_instead_of_failing(admin_client):
    response = admin_client.get(reverse(EXPORT_URL), {"no_such_field__exact": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse(CHANGELIST_URL)


@pytest.mark.django_db
def test_action_exports_only_the_selected_registrations(admin_client):
    chosen = RegistrationFactory(participant=ParticipantFactory(email="chosen@example.lv"))
    RegistrationFactory(participant=ParticipantFactory(email="not-chosen@example.lv"))

    response = admin_client.post(
        reverse(CHANGELIST_URL), {"action": "export_csv", "_selected_action": [chosen.pk]}
    )

    assert response.status_code == 200
    assert set(rows_by_email(read_csv(response))) == {"chosen@example.lv"}


@pytest.mark.django_db
def test_export_needs_staff_with_the_view_permission(client):
    RegistrationFactory(participant=ParticipantFactory(email="private@example.lv"))
    url = reverse(EXPORT_URL)

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("admin:login"))

    client.force_login(staff_user())
    assert client.get(url).status_code == 403
    no_action = client.post(
        reverse(CHANGELIST_URL), {"action": "export_csv", "_selected_action": ["1"]}
    )
    assert no_action.status_code == 403

    client.force_login(User.objects.create_user("plain", password="x", is_staff=False))
    assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_view_permission_is_enough_to_export(client):
    RegistrationFactory(participant=ParticipantFactory(email="seen@example.lv"))
    client.force_login(staff_user(permissions=["view_registration"]))

    response = client.get(reverse(EXPORT_URL))

    assert response.status_code == 200
    assert set(rows_by_email(read_csv(response))) == {"seen@example.lv"}


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 40])
def test_export_reads_the_database_a_fixed_number_of_times(
    admin_client, django_assert_max_num_queries, count
):
    RegistrationFactory.create_batch(count)

    # Session, user, the second factor's device, the change list's filter choices and counts,
    # the export log's count and record, then one read of the rows.
    with django_assert_max_num_queries(10):
        rows = read_csv(admin_client.get(reverse(EXPORT_URL)))

    assert len(rows) == count + 1


@pytest.mark.django_db
def test_write_registrations_csv_writes_the_same_file_to_a_stream():
    RegistrationFactory(participant=ParticipantFactory(first_name="Āris"))
    out = io.StringIO()

    with translation.override("lv"):
        exports.write_registrations_csv(Registration.objects.all(), out)

    text = out.getvalue()
    assert text.startswith("\ufeffVārds;Uzvārds;E-pasts;")
    assert "\r\nĀris;" in text
