from datetime import datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from courses.tests.factories import ProgrammeFactory, SessionFactory
from participants.attendance import services
from participants.attendance.models import Attendance
from participants.attendance.services import attendance_record_register
from participants.attendance.tests.factories import AttendanceFactory
from participants.tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(django_user_model):
    """A session of a stage with three confirmed participants and one waiting, and a staff user."""
    session = SessionFactory()
    confirmed = [
        RegistrationFactory(stage=session.stage, confirmed=True).participant for _ in range(3)
    ]
    waiting = RegistrationFactory(stage=session.stage, waiting=True).participant
    staff = django_user_model.objects.create_user("lietvede", is_staff=True)
    return session, confirmed, waiting, staff


def test_one_attendance_per_participant_and_session_in_the_database():
    row = AttendanceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(
            participant=row.participant, session=row.session, status=Attendance.Status.ABSENT
        )


def test_minutes_cannot_be_negative_in_the_database():
    row = AttendanceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.filter(pk=row.pk).update(minutes_present=-5)


def test_programme_present_share_is_checked_by_the_database():
    programme = ProgrammeFactory()
    assert programme.attendance_present_share == Decimal("0.75")
    assert programme.hours_pro_rata is False
    for share in (Decimal("0"), Decimal("1.01")):
        with pytest.raises(IntegrityError), transaction.atomic():
            type(programme).objects.filter(pk=programme.pk).update(attendance_present_share=share)


def test_register_saves_every_entry_as_staff(register):
    session, (anna, bruno, cilda), _, staff = register
    rows = attendance_record_register(
        session=session,
        entries=[
            {"participant": anna, "status": "present", "minutes_present": None},
            {"participant": bruno.pk, "status": "absent", "minutes_present": 20},
            {"participant": cilda, "status": "excused", "minutes_present": None},
        ],
        recorded_by=staff,
    )
    assert len(rows) == 3
    saved = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
    assert (saved[anna.pk].status, saved[anna.pk].minutes_present) == ("present", 180)
    assert (saved[bruno.pk].status, saved[bruno.pk].minutes_present) == ("absent", 20)
    assert (saved[cilda.pk].status, saved[cilda.pk].minutes_present) == ("excused", 0)
    assert {a.source for a in saved.values()} == {"staff"}
    assert {a.recorded_by for a in saved.values()} == {staff}


def test_register_leaves_entries_without_a_status_alone(register):
    session, (anna, bruno, _), _, staff = register
    AttendanceFactory(participant=anna, session=session, status="absent", minutes_present=0)
    attendance_record_register(
        session=session,
        entries=[
            {"participant": anna, "status": "", "minutes_present": None},
            {"participant": bruno, "status": "", "minutes_present": None},
        ],
        recorded_by=staff,
    )
    assert list(Attendance.objects.values_list("participant_id", "status")) == [(anna.pk, "absent")]


@pytest.mark.parametrize(
    "entry",
    [
        {"status": "present", "minutes_present": 181},  # longer than the session
        {"status": "present", "minutes_present": -1},
        {"status": "late", "minutes_present": 10},
    ],
)
def test_register_refuses_a_bad_entry_and_writes_nothing(register, entry):
    session, (anna, bruno, _), _, staff = register
    entries = [
        {"participant": anna, "status": "present", "minutes_present": None},
        {"participant": bruno, **entry},
    ]
    with pytest.raises(ValidationError):
        attendance_record_register(session=session, entries=entries, recorded_by=staff)
    assert not Attendance.objects.exists()


def test_register_refuses_someone_not_confirmed_in_the_stage(register):
    session, _, waiting, staff = register
    other = RegistrationFactory(confirmed=True).participant  # another stage
    for person in (waiting, other):
        with pytest.raises(ValidationError):
            attendance_record_register(
                session=session,
                entries=[{"participant": person, "status": "present", "minutes_present": 5}],
                recorded_by=staff,
            )
    assert not Attendance.objects.exists()


def test_register_is_saved_in_one_go_a_failure_rolls_back_every_row(register):
    session, (anna, bruno, _), _, staff = register
    AttendanceFactory(participant=bruno, session=session, status="present")
    entries = [
        {"participant": anna, "status": "present", "minutes_present": None},
        {"participant": bruno, "status": "absent", "minutes_present": 0},
    ]
    # The update of Bruno's row fails after Anna's row was inserted: neither may stay.
    with (
        mock.patch.object(services, "bulk_update_with_history", side_effect=IntegrityError),
        pytest.raises(IntegrityError),
    ):
        attendance_record_register(session=session, entries=entries, recorded_by=staff)
    assert list(Attendance.objects.values_list("participant_id", "status")) == [
        (bruno.pk, "present")
    ]
    assert not Attendance.history.filter(participant_id=anna.pk).exists()


def test_every_change_is_in_the_history_with_who_when_before_and_after(register):
    session, (anna, _, _), _, staff = register
    entry = {"participant": anna, "status": "present", "minutes_present": None}
    attendance_record_register(session=session, entries=[entry], recorded_by=staff)
    entry = {"participant": anna, "status": "absent", "minutes_present": 30}
    attendance_record_register(session=session, entries=[entry], recorded_by=staff)

    row = Attendance.objects.get()
    created, changed = row.history.order_by("history_date", "history_id")
    assert (created.history_type, created.history_user) == ("+", staff)
    assert (changed.history_type, changed.history_user) == ("~", staff)
    delta = changed.diff_against(created)
    before_after = {c.field: (c.old, c.new) for c in delta.changes}
    assert before_after["status"] == ("present", "absent")
    assert before_after["minutes_present"] == (180, 30)


def test_saving_the_same_register_again_changes_nothing(register):
    session, (anna, _, _), _, staff = register
    entry = {"participant": anna, "status": "present", "minutes_present": 150}
    attendance_record_register(session=session, entries=[entry], recorded_by=staff)
    assert attendance_record_register(session=session, entries=[entry], recorded_by=staff) == []
    assert Attendance.history.count() == 1


def test_staff_correcting_a_zoom_row_makes_it_a_staff_row(register):
    session, (anna, _, _), _, staff = register
    AttendanceFactory(participant=anna, session=session, source="zoom", minutes_present=100)
    entry = {"participant": anna, "status": "present", "minutes_present": 120}
    attendance_record_register(session=session, entries=[entry], recorded_by=staff)
    row = Attendance.objects.get()
    assert (row.source, row.recorded_by, row.minutes_present) == ("staff", staff, 120)


def test_saving_the_sheet_leaves_unchanged_zoom_rows_to_the_import(register):
    session, (anna, bruno, _), _, staff = register
    AttendanceFactory(participant=anna, session=session, source="zoom", minutes_present=100)
    entries = [
        {"participant": anna, "status": "present", "minutes_present": 100},
        {"participant": bruno, "status": "absent", "minutes_present": 0},
    ]
    attendance_record_register(session=session, entries=entries, recorded_by=staff)
    row = Attendance.objects.get(participant=anna)
    assert (row.source, row.recorded_by) == ("zoom", None)


def test_a_session_across_the_autumn_clock_change_lasts_its_real_minutes():
    riga = ZoneInfo("Europe/Riga")
    session = SessionFactory(
        starts_at=datetime(2026, 10, 25, 1, 0, tzinfo=riga),
        ends_at=datetime(2026, 10, 25, 4, 0, tzinfo=riga),  # the clocks go back at 04:00
    )
    assert services.session_full_minutes(session) == 240
    session.refresh_from_db()
    assert services.session_full_minutes(session) == 240
