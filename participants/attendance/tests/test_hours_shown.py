"""Attended hours where people see them: the manage page, the admin, the XLSX matrix."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from openpyxl import load_workbook

from courses.tests.factories import ProgrammeFactory, SessionFactory, StageFactory
from innovation_centre.staff import PROGRAMME_STAFF
from participants import links
from participants.attendance.tests.factories import AttendanceFactory
from participants.tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stage():
    """60 planned academic hours; 4 sessions of 4 academic hours (180 minutes) each."""
    stage = StageFactory(planned_academic_hours=Decimal("60"), completion_threshold_percent=75)
    for _ in range(4):
        SessionFactory(stage=stage)
    return stage


def sessions_of(stage):
    return list(stage.sessions.order_by("starts_at"))


@pytest.fixture
def staff_client(client):
    user = User.objects.create_user("lietvede", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    client.force_login(user)
    return client


def manage_url(registration, language="lv"):
    token = links.make_token(registration, salt=links.MANAGE_SALT)
    return f"/{language}" + reverse("participants:registration_manage", kwargs={"token": token})[3:]


def test_the_manage_page_shows_the_attended_hours_and_the_threshold(client, stage):
    registration = RegistrationFactory(stage=stage, confirmed=True)
    first, second, third, _ = sessions_of(stage)
    AttendanceFactory(participant=registration.participant, session=first)
    AttendanceFactory(participant=registration.participant, session=second)
    AttendanceFactory(
        participant=registration.participant, session=third, status="absent", minutes_present=0
    )

    page = client.get(manage_url(registration)).content.decode()

    assert "Apmeklēts: 8 no 60 akadēmiskajām stundām (13%)" in page
    assert "apliecībai nepieciešami 75%" in page


def test_the_manage_page_shows_pro_rata_hours_with_a_decimal_comma(client):
    stage = StageFactory(programme=ProgrammeFactory(hours_pro_rata=True))
    session = SessionFactory(stage=stage)
    registration = RegistrationFactory(stage=stage, confirmed=True)
    AttendanceFactory(participant=registration.participant, session=session, minutes_present=90)

    page = client.get(manage_url(registration)).content.decode()

    assert "Apmeklēts: 2 no 60" in page
    AttendanceFactory(
        participant=registration.participant,
        session=SessionFactory(stage=stage),
        minutes_present=100,  # 100/180 * 4 = 2.22
    )
    page = client.get(manage_url(registration)).content.decode()
    assert "Apmeklēts: 4,22 no 60" in page


def test_the_manage_page_of_the_waiting_list_shows_no_hours(client, stage):
    registration = RegistrationFactory(stage=stage, waiting=True)
    page = client.get(manage_url(registration)).content.decode()
    assert "Apmeklēts" not in page


def test_the_registration_list_shows_each_persons_hours(staff_client, stage):
    anna = RegistrationFactory(stage=stage, confirmed=True, participant=ParticipantFactory())
    for session in sessions_of(stage)[:3]:
        AttendanceFactory(participant=anna.participant, session=session)

    page = staff_client.get(reverse("admin:participants_registration_changelist"))

    assert "12 no 60 akadēmiskajām stundām (20%)" in page.content.decode()


@pytest.mark.parametrize("people", [2, 10])
def test_the_registration_list_query_count_does_not_grow(
    staff_client, stage, people, django_assert_max_num_queries
):
    for _ in range(people):
        registration = RegistrationFactory(stage=stage, confirmed=True)
        for session in sessions_of(stage):
            AttendanceFactory(participant=registration.participant, session=session)

    with django_assert_max_num_queries(8):
        page = staff_client.get(reverse("admin:participants_registration_changelist"))

    assert page.content.decode().count("16 no 60") == people


def download_matrix(client, stage):
    response = client.get(reverse("admin:participants_stage_attendance_matrix", args=[stage.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(BytesIO(response.content)).active


def test_the_matrix_xlsx_has_people_x_sessions_with_numbers_and_totals(staff_client, stage):
    first, second, third, fourth = sessions_of(stage)
    anna = RegistrationFactory(
        stage=stage, confirmed=True, participant=ParticipantFactory(last_name="Ābele")
    ).participant
    bruno = RegistrationFactory(
        stage=stage,
        confirmed=True,
        participant=ParticipantFactory(last_name="Zvaigzne", first_name="=HYPERLINK(1)"),
    ).participant
    AttendanceFactory(participant=anna, session=first)
    AttendanceFactory(participant=anna, session=second)
    AttendanceFactory(participant=anna, session=third, status="absent", minutes_present=0)
    AttendanceFactory(participant=bruno, session=first)
    AttendanceFactory(participant=bruno, session=second, status="excused", minutes_present=0)

    sheet = download_matrix(staff_client, stage)

    assert "EEZ un Norvēģijas" in sheet["A2"].value  # the funder's acknowledgement
    assert sheet.freeze_panes == "D5"
    header = [cell.value for cell in sheet[4]]
    assert header[:3] == ["Uzvārds", "Vārds", "E-pasts"]
    assert len(header) == 3 + 4 + 3
    anna_row = [cell.value for cell in sheet[5]]
    bruno_row = [cell.value for cell in sheet[6]]
    assert anna_row[0] == "Ābele"
    assert anna_row[3:7] == [4, 4, 0, None]
    assert isinstance(anna_row[3], (int, float))
    assert anna_row[7:9] == [8, pytest.approx(8 / 60, abs=0.001)]
    assert bruno_row[1] == "=HYPERLINK(1)"
    assert sheet.cell(row=6, column=2).data_type == "s"  # text, never a formula
    assert bruno_row[3:5] == [4, "attaisnots"]
    present_row = [cell.value for cell in sheet[7]]
    hours_row = [cell.value for cell in sheet[8]]
    assert present_row[3:7] == [2, 1, 0, 0]
    assert hours_row[3:8] == [8, 4, 0, 0, 12]


@pytest.mark.parametrize("people", [2, 10])
def test_the_matrix_query_count_does_not_grow(
    staff_client, stage, people, django_assert_max_num_queries
):
    for _ in range(people):
        registration = RegistrationFactory(stage=stage, confirmed=True)
        for session in sessions_of(stage):
            AttendanceFactory(participant=registration.participant, session=session)

    # 8, and the export log's record of the download.
    with django_assert_max_num_queries(9):
        sheet = download_matrix(staff_client, stage)

    assert sheet.max_row == 4 + people + 2


def test_only_staff_with_the_attendance_permission_download_the_matrix(client, stage):
    url = reverse("admin:participants_stage_attendance_matrix", args=[stage.pk])
    assert client.get(url).status_code == 302  # to the login
    user = User.objects.create_user("other", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(url).status_code == 403


def test_the_stage_page_links_to_the_matrix(staff_client, stage):
    page = staff_client.get(reverse("admin:courses_stage_change", args=[stage.pk]))
    url = reverse("admin:participants_stage_attendance_matrix", args=[stage.pk])
    assert url in page.content.decode()


def test_staff_set_the_attendance_policy_on_the_programme_page(staff_client):
    programme = ProgrammeFactory()
    page = staff_client.get(reverse("admin:courses_programme_change", args=[programme.pk]))
    content = page.content.decode()
    assert 'name="attendance_present_share"' in content
    assert 'name="hours_pro_rata"' in content
