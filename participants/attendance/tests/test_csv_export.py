"""The attendance CSV export: every row (participant x session), streamed, for staff who may
view attendance; logged; Latvian headers, Riga time, formulas neutralised."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.http import StreamingHttpResponse
from django.urls import reverse

from courses.tests.factories import SessionFactory, StageFactory
from participants.attendance.models import Attendance
from participants.attendance.tests.factories import AttendanceFactory
from participants.models import ExportRecord
from participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

EXPORT_URL = "admin:participants_attendance_export"
HEADER = [
    "Posms",
    "Nodarbība",
    "Tēma",
    "Uzvārds",
    "Vārds",
    "E-pasts",
    "Apmeklējums",
    "Klātbūtnes minūtes",
    "Akadēmiskās stundas",
    "Avots",
]


def read_csv(response):
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM missing: Excel would garble ā, č, ē"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def staff(client, *permissions):
    user = User.objects.create_user("staff", password="x", is_staff=True)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    return user


def session_at(when, **kwargs):
    return SessionFactory(starts_at=when, ends_at=when + timedelta(hours=3), **kwargs)


def test_only_staff_who_may_view_attendance_get_the_file(client):
    AttendanceFactory(participant=ParticipantFactory(email="private@example.lv"))
    url = reverse(EXPORT_URL)

    anonymous = client.get(url)
    client.force_login(User.objects.create_user("plain", password="x"))
    not_staff = client.get(url)
    client.force_login(User.objects.create_user("other", password="x", is_staff=True))
    staff_without_permission = client.get(url)
    staff(client, "view_attendance")
    allowed = client.get(url)

    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/admin/login/")
    assert not_staff.status_code == 302 and not_staff["Location"].startswith("/admin/login/")
    assert staff_without_permission.status_code == 403
    assert allowed.status_code == 200
    assert isinstance(allowed, StreamingHttpResponse)
    assert allowed["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="attendance-' in allowed["Content-Disposition"]
    assert "private@example.lv" in b"".join(allowed.streaming_content).decode()


def test_the_export_is_logged_before_the_file_is_handed_out(client):
    AttendanceFactory.create_batch(3)
    user = staff(client, "view_attendance")

    client.get(reverse(EXPORT_URL), {"status__exact": "present"})

    record = ExportRecord.objects.get()
    assert record.kind == ExportRecord.Kind.ATTENDANCE_CSV
    assert record.user == user and record.username == "staff"
    assert record.rows == 3
    assert record.description == "status__exact=present"


def test_one_row_per_participant_and_session_with_latvian_words_and_riga_time(client):
    stage = StageFactory(order=2, title_lv="Eksaktās zinātnes", programme__hours_pro_rata=True)
    winter = session_at(datetime(2027, 3, 15, 12, 30, tzinfo=UTC), stage=stage)  # UTC+2
    summer = session_at(datetime(2027, 7, 1, 12, 0, tzinfo=UTC), stage=stage)  # UTC+3
    janis = ParticipantFactory(first_name="Jānis", last_name="Bērziņš", email="janis@example.lv")
    liga = ParticipantFactory(first_name="Līga", last_name="Ozola", email="liga@example.lv")
    AttendanceFactory(participant=janis, session=winter, minutes_present=90)
    AttendanceFactory(participant=liga, session=winter, status="excused", minutes_present=0)
    AttendanceFactory(
        participant=janis, session=summer, status="absent", minutes_present=45, source="zoom"
    )
    staff(client, "view_attendance")

    rows = read_csv(client.get(reverse(EXPORT_URL)))

    assert rows[0] == HEADER
    # By stage, session start, then name. Pro rata: 90 of a 3-hour session's 180 minutes earn
    # half its 4 academic hours; 45 minutes absent earn 1; an excused absence earns nothing.
    assert rows[1:] == [
        [
            "2. Eksaktās zinātnes",
            "15.03.2027. 14:30",
            winter.topic_lv,
            "Bērziņš",
            "Jānis",
            "janis@example.lv",
            "piedalījās",
            "90",
            "2,00",
            "ievadījuši darbinieki",
        ],
        [
            "2. Eksaktās zinātnes",
            "15.03.2027. 14:30",
            winter.topic_lv,
            "Ozola",
            "Līga",
            "liga@example.lv",
            "attaisnots",
            "0",
            "0,00",
            "ievadījuši darbinieki",
        ],
        [
            "2. Eksaktās zinātnes",
            "01.07.2027. 15:00",
            summer.topic_lv,
            "Bērziņš",
            "Jānis",
            "janis@example.lv",
            "nepiedalījās",
            "45",
            "1,00",
            "Zoom atskaite",
        ],
    ]


def test_the_header_follows_the_staff_members_language(client):
    session = SessionFactory(topic_en="Robots")
    AttendanceFactory(session=session)
    staff(client, "view_attendance")

    rows = read_csv(client.get(reverse(EXPORT_URL), HTTP_ACCEPT_LANGUAGE="en"))

    assert rows[0][:4] == ["Stage", "Session", "Topic", "Last name"]
    assert rows[1][2] == "Robots"
    assert rows[1][6] == "present"


def test_formulas_typed_into_the_public_form_are_neutralised(client):
    person = ParticipantFactory(
        first_name='=HYPERLINK("http://evil.example","Klikšķini")', last_name="@SUM(1+1)"
    )
    AttendanceFactory(participant=person)
    staff(client, "view_attendance")

    row = dict(zip(*read_csv(client.get(reverse(EXPORT_URL))), strict=True))

    assert row["Vārds"] == '\'=HYPERLINK("http://evil.example","Klikšķini")'
    assert row["Uzvārds"] == "'@SUM(1+1)"


def test_the_change_list_filters_apply_and_the_list_links_the_export(client):
    AttendanceFactory(participant=ParticipantFactory(email="here@example.lv"))
    AttendanceFactory(participant=ParticipantFactory(email="away@example.lv"), status="absent")
    staff(client, "view_attendance")

    rows = read_csv(client.get(reverse(EXPORT_URL), {"status__exact": "absent"}))
    changelist = client.get(reverse("admin:participants_attendance_changelist"), {"q": "x"})

    assert [row[5] for row in rows[1:]] == ["away@example.lv"]
    assert f'{reverse(EXPORT_URL)}?q=x"' in changelist.content.decode()
    assert "Eksportēt CSV (pašreizējie filtri)" in changelist.content.decode()


def test_a_broken_filter_in_the_address_goes_back_to_the_list(client):
    staff(client, "view_attendance")

    response = client.get(reverse(EXPORT_URL), {"no_such_field__exact": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:participants_attendance_changelist")
    assert not ExportRecord.objects.exists()


@pytest.mark.parametrize("count", [3, 40])
def test_the_file_is_read_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, count
):
    session = SessionFactory()
    AttendanceFactory.create_batch(count, session=session)
    staff(client, "view_attendance")

    # Session, user, permissions, the change list's filter choices and counts, the log's count
    # and record, then one read of the rows, however many there are.
    with django_assert_max_num_queries(11):
        rows = read_csv(client.get(reverse(EXPORT_URL)))

    assert len(rows) == count + 1
    assert Attendance.objects.count() == count
