"""The CSV files are the same whether PostgreSQL makes the cells (production) or Python does
(SQLite in development): each export's SQL is compared with its Python, cell by cell."""

from datetime import UTC, datetime
from unittest import mock

import pytest
from django.db import connection
from django.utils import translation

from courses.tests.factories import SessionFactory, StageFactory
from participants.attendance.exports import attendance_csv_file
from participants.attendance.models import Attendance
from participants.attendance.tests.factories import AttendanceFactory
from participants.csv_stream import neutralise, neutralise_sql
from participants.exports import registration_csv_file
from participants.models import Registration
from participants.tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the cells are made in SQL only on PostgreSQL (CI runs these tests on it)",
    ),
]

TRICKY_TEXT = ['=HYPERLINK("x")', "+371 2", "-1", "@A1", "\t=1", "\r=1", "a;b", 'say "hi"', ""]


def sql_rows(csv_file):
    sql, params = csv_file.select_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [list(row) for row in cursor.fetchall()]


def tricky_world():
    stage = StageFactory(title_en="", programme__hours_pro_rata=True)
    winter = SessionFactory(stage=stage, starts_at=datetime(2027, 1, 5, 22, 30, tzinfo=UTC))
    summer = SessionFactory(
        stage=stage,
        starts_at=datetime(2027, 7, 1, 21, 15, tzinfo=UTC),
        ends_at=datetime(2027, 7, 1, 23, 29, tzinfo=UTC),
        academic_hours=2,
        topic_en="",
    )
    for index, text in enumerate(TRICKY_TEXT):
        person = ParticipantFactory(
            first_name=text,
            last_name=f"Bērziņš {index}",
            institution=text,
            phone=text,
            subjects=["physics", "unknown", "chemistry"] if index % 2 else [],
            municipality="daugavpils" if index % 3 else "other",
            sex="" if index % 2 else "female",
        )
        registration = RegistrationFactory(
            participant=person, stage=stage, consent_version=text or "v1"
        )
        if index % 3 == 0:
            Registration.objects.filter(pk=registration.pk).update(
                status=Registration.Status.CANCELLED,
                cancelled_at=datetime(2027, 3, 28, 0, 30, tzinfo=UTC),  # the spring change
                cancelled_by_staff=bool(index % 2),
                cancellation_reason=text,
            )
        AttendanceFactory(participant=person, session=winter, minutes_present=index * 17)
        AttendanceFactory(
            participant=person,
            session=summer,
            status=["present", "absent", "excused"][index % 3],
            minutes_present=min(index * 31, 134),
            source=["staff", "zoom"][index % 2],
        )


@pytest.mark.parametrize("language", ["lv", "en"])
def test_registrations_file_is_the_same_from_sql_and_from_python(language):
    tricky_world()

    with translation.override(language):
        csv_file = registration_csv_file(Registration.objects.all())
        from_python = list(csv_file.python_rows())
        from_sql = sql_rows(csv_file)

    assert len(from_python) == len(TRICKY_TEXT)
    assert from_sql == from_python


@pytest.mark.parametrize("language", ["lv", "en"])
def test_attendance_file_is_the_same_from_sql_and_from_python(language):
    tricky_world()

    with translation.override(language):
        csv_file = attendance_csv_file(Attendance.objects.all())
        from_python = list(csv_file.python_rows())
        from_sql = sql_rows(csv_file)

    assert len(from_python) == 2 * len(TRICKY_TEXT)
    assert from_sql == from_python


def test_every_formula_trigger_is_neutralised_in_sql_as_in_python():
    cell, _params = neutralise_sql("t.v")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {cell} FROM unnest(%s::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n",  # noqa: S608
            [TRICKY_TEXT],
        )
        from_sql = [row[0] for row in cursor.fetchall()]

    assert from_sql == [neutralise(text) for text in TRICKY_TEXT]


def test_the_sql_path_reads_the_rows_through_one_server_side_cursor(django_assert_num_queries):
    AttendanceFactory.create_batch(7, session=SessionFactory())
    csv_file = attendance_csv_file(Attendance.objects.all())

    with (
        translation.override("lv"),
        mock.patch("participants.csv_stream.BATCH_ROWS", 3),
        django_assert_num_queries(1),
    ):
        pieces = list(csv_file.lines())

    # BOM and header, then batches of 3, 3 and 1 rows, each handed on as soon as it is read.
    assert [piece.count("\r\n") for piece in pieces] == [1, 3, 3, 1]
    assert pieces[0].startswith("\ufeffPosms;")
