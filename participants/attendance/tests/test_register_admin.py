"""Staff's attendance register in the admin: permissions, the sheet, "all present", history."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.messages import get_messages
from django.urls import reverse

from courses.tests.factories import SessionFactory, StageFactory
from innovation_centre.staff import PROGRAMME_STAFF
from participants.attendance.models import Attendance
from participants.attendance.tests.factories import AttendanceFactory
from participants.tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def register_url(session):
    return reverse("admin:participants_sessionattendance_change", args=[session.pk])


def programme_staff(username="lietvede"):
    user = User.objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    return user


@pytest.fixture
def staff_client(client):
    user = programme_staff()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def session():
    session = SessionFactory()  # 180 minutes
    for name in ("Zariņa", "Bērziņš", "Ozola"):
        participant = ParticipantFactory(last_name=name)
        RegistrationFactory(stage=session.stage, participant=participant, confirmed=True)
    RegistrationFactory(
        stage=session.stage, participant=ParticipantFactory(last_name="Gaida"), waiting=True
    )
    return session


def sheet_post(session, marks, *, button="save"):
    """The register's POST data: ``marks`` maps participant -> (status, minutes)."""
    data = {
        "form-TOTAL_FORMS": str(len(marks)),
        "form-INITIAL_FORMS": str(len(marks)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        button: "1",
    }
    for index, (participant, (status, minutes)) in enumerate(marks.items()):
        data[f"form-{index}-participant"] = str(participant.pk)
        data[f"form-{index}-status"] = status
        data[f"form-{index}-minutes_present"] = "" if minutes is None else str(minutes)
    return data


def confirmed_people(session):
    return [
        r.participant
        for r in session.stage.registrations.filter(status="confirmed").order_by(
            "participant__last_name"
        )
    ]


def test_anonymous_visitors_are_sent_to_the_login(client, session):
    response = client.get(register_url(session))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert client.post(register_url(session), {}).status_code == 302
    assert not Attendance.objects.exists()


def test_staff_without_the_attendance_permission_cannot_see_or_save(client, session):
    user = User.objects.create_user("other", password="x", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_session", content_type__app_label="courses")
    )
    client.force_login(user)
    people = confirmed_people(session)

    assert client.get(register_url(session)).status_code == 403
    post = sheet_post(session, {people[0]: ("present", None)})
    assert client.post(register_url(session), post).status_code == 403
    assert not Attendance.objects.exists()


def test_view_only_staff_see_the_sheet_but_cannot_save(client, session):
    user = User.objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_attendance"))
    client.force_login(user)
    people = confirmed_people(session)

    page = client.get(register_url(session))
    assert page.status_code == 200
    assert 'name="save"' not in page.content.decode()
    post = sheet_post(session, {people[0]: ("present", None)})
    assert client.post(register_url(session), post).status_code == 403
    assert not Attendance.objects.exists()


def test_the_programme_staff_group_has_the_attendance_permissions():
    group = Group.objects.get(name=PROGRAMME_STAFF)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_attendance", "add_attendance", "change_attendance"} <= codenames
    assert "view_historicalattendance" in codenames


def test_the_sheet_lists_every_confirmed_participant_of_the_stage(staff_client, session):
    page = staff_client.get(register_url(session)).content.decode()

    assert page.index("Bērziņš") < page.index("Ozola") < page.index("Zariņa")
    assert "Gaida" not in page  # on the waiting list
    assert page.count('name="form-') >= 3 * 3


def test_staff_save_the_whole_sheet_at_once(staff_client, session):
    bērziņš, ozola, zariņa = confirmed_people(session)
    marks = {bērziņš: ("present", None), ozola: ("absent", 20), zariņa: ("excused", None)}

    response = staff_client.post(register_url(session), sheet_post(session, marks))

    assert response.status_code == 302
    saved = {
        a.participant: (a.status, a.minutes_present, a.source) for a in Attendance.objects.all()
    }
    assert saved == {
        bērziņš: ("present", 180, "staff"),
        ozola: ("absent", 20, "staff"),
        zariņa: ("excused", 0, "staff"),
    }
    assert {a.recorded_by for a in Attendance.objects.all()} == {staff_client.user}


def test_all_present_fills_the_sheet_with_the_whole_session(staff_client, session):
    people = confirmed_people(session)
    marks = dict.fromkeys(people, ("", None))

    page = staff_client.post(
        register_url(session), sheet_post(session, marks, button="all_present")
    )

    content = page.content.decode()
    assert page.status_code == 200
    assert content.count('value="present" selected') == 3
    assert content.count('value="180"') >= 3
    assert not Attendance.objects.exists()  # staff check the sheet, then save

    filled = sheet_post(session, dict.fromkeys(people, ("present", 180)))
    assert staff_client.post(register_url(session), filled).status_code == 302
    assert set(Attendance.objects.values_list("status", "minutes_present")) == {("present", 180)}
    assert Attendance.objects.count() == 3


def test_a_bad_row_is_shown_next_to_it_and_nothing_is_saved(staff_client, session):
    bērziņš, ozola, _ = confirmed_people(session)
    marks = {bērziņš: ("present", None), ozola: ("present", 999)}

    page = staff_client.post(register_url(session), sheet_post(session, marks))

    assert page.status_code == 200
    assert "errorlist" in page.content.decode()
    assert not Attendance.objects.exists()


def test_a_participant_not_on_the_sheet_is_refused_and_nothing_is_saved(staff_client, session):
    stranger = RegistrationFactory(stage=StageFactory(), confirmed=True).participant
    bērziņš = confirmed_people(session)[0]
    marks = {bērziņš: ("present", None), stranger: ("present", None)}

    page = staff_client.post(register_url(session), sheet_post(session, marks))

    assert page.status_code == 200
    messages = [str(m) for m in get_messages(page.wsgi_request)]
    assert any("pārlādējiet" in m.lower() or "reload" in m.lower() for m in messages)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("bad", ["abc", "999999", "0"])
def test_a_made_up_session_is_a_404(staff_client, bad):
    url = reverse("admin:participants_sessionattendance_change", args=[bad])
    assert staff_client.get(url).status_code in (302, 404)


def test_changes_are_listed_with_who_before_and_after(staff_client, session):
    bērziņš = confirmed_people(session)[0]
    staff_client.post(register_url(session), sheet_post(session, {bērziņš: ("present", None)}))
    staff_client.post(register_url(session), sheet_post(session, {bērziņš: ("absent", 15)}))

    page = staff_client.get(register_url(session)).content.decode()

    row = Attendance.objects.get()
    assert row.history.count() == 2
    assert all(h.history_user == staff_client.user for h in row.history.all())
    changes = page[page.index('id="attendance-changes"') :]
    assert "lietvede" in changes
    assert "180 → 15" in changes
    history_url = reverse("admin:participants_attendance_history", args=[row.pk])
    assert history_url in page
    assert staff_client.get(history_url).status_code == 200
    first = row.history.earliest("history_date")
    record_url = reverse(
        "admin:participants_attendance_simple_history", args=[row.pk, first.history_id]
    )
    assert staff_client.get(record_url).status_code in (200, 403)


def test_the_register_list_shows_how_many_are_marked(staff_client, session):
    bērziņš, ozola, _ = confirmed_people(session)
    AttendanceFactory(participant=bērziņš, session=session)
    AttendanceFactory(participant=ozola, session=session, status="absent", minutes_present=0)
    SessionFactory(stage=session.stage)

    page = staff_client.get(reverse("admin:participants_sessionattendance_changelist"))

    content = page.content.decode()
    assert "2/3" in content
    assert "0/3" in content


@pytest.mark.parametrize("sessions", [2, 12])
def test_the_register_list_query_count_does_not_grow(
    staff_client, sessions, django_assert_max_num_queries
):
    stage = StageFactory()
    people = [RegistrationFactory(stage=stage, confirmed=True).participant for _ in range(3)]
    for _ in range(sessions):
        session = SessionFactory(stage=stage)
        for person in people:
            AttendanceFactory(participant=person, session=session)
    url = reverse("admin:participants_sessionattendance_changelist")

    with django_assert_max_num_queries(10):
        page = staff_client.get(url)

    assert page.content.decode().count("3/3") == sessions


@pytest.mark.parametrize("people", [3, 15])
def test_the_register_query_count_does_not_grow(
    staff_client, people, django_assert_max_num_queries
):
    session = SessionFactory()
    for _ in range(people):
        person = RegistrationFactory(stage=session.stage, confirmed=True).participant
        AttendanceFactory(participant=person, session=session)

    with django_assert_max_num_queries(8):
        page = staff_client.get(register_url(session))

    assert page.status_code == 200


def test_the_session_page_links_to_its_register(staff_client, session):
    page = staff_client.get(reverse("admin:courses_session_change", args=[session.pk]))
    assert register_url(session) in page.content.decode()


def test_attendance_rows_are_read_only_in_the_admin(staff_client, session):
    row = AttendanceFactory(participant=confirmed_people(session)[0], session=session)
    url = reverse("admin:participants_attendance_change", args=[row.pk])
    page = staff_client.post(url, {"status": "absent", "minutes_present": "0"})
    row.refresh_from_db()
    assert row.status == "present"
    assert page.status_code in (200, 403)


def test_a_tampered_post_gets_a_message_and_a_fresh_sheet_never_a_500(staff_client, session):
    page = staff_client.post(register_url(session), {"save": "1", "form-0-status": "present"})

    assert page.status_code == 200
    assert 'id="attendance-register"' in page.content.decode()
    assert not Attendance.objects.exists()
