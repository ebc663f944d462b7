"""python manage.py import_zoom_attendance SESSION_ID FILE: saves what matched, prints the rest,
and refuses bad input with a clear message (never a traceback)."""

from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from courses.tests.factories import SessionFactory
from participants.attendance.models import Attendance
from participants.attendance.tests.zoom_reports import RIGA, Stay, older_report
from participants.attendance.zoom_models import ZoomImport
from participants.tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def at(hour, minute=0):
    return datetime(2021, 3, 6, hour, minute, tzinfo=RIGA)


@pytest.fixture
def session():
    session = SessionFactory(starts_at=at(10), ends_at=at(13))
    person = ParticipantFactory(first_name="Līga", last_name="Ozola", email="liga@example.lv")
    RegistrationFactory(stage=session.stage, participant=person, confirmed=True)
    return session


@pytest.fixture
def report_file(tmp_path):
    path = tmp_path / "participants_81234567890.csv"
    path.write_bytes(
        older_report(
            [
                Stay("Liga Ozola", "", at(10), at(12, 30)),
                Stay("iPhone", "", at(10), at(13), guest=True),
            ]
        )
    )
    return path


def run(*args):
    out = StringIO()
    call_command("import_zoom_attendance", *map(str, args), stdout=out)
    return out.getvalue()


def test_saves_what_matched_and_prints_what_did_not(session, report_file):
    output = run(session.pk, report_file)
    row = Attendance.objects.get()
    assert (row.participant.last_name, row.status, row.minutes_present, row.source) == (
        "Ozola",
        "present",
        150,
        "zoom",
    )
    assert "not matched: iPhone, 180 min" in output
    assert "Saved: 1 new, 0 changed, 0 removed; 1 not matched." in output
    zoom_import = ZoomImport.objects.get()
    assert zoom_import.file_name == "participants_81234567890.csv"
    assert zoom_import.time_zone == "Europe/Riga"


def test_running_it_again_changes_nothing(session, report_file):
    run(session.pk, report_file)
    output = run(session.pk, report_file)
    assert "already imported; nothing changed" in output
    assert ZoomImport.objects.count() == 1
    assert Attendance.history.count() == 1


def test_time_zone_option_is_stored(session, report_file):
    run(session.pk, report_file, "--time-zone", "Europe/Vilnius")
    assert ZoomImport.objects.get().time_zone == "Europe/Vilnius"


def test_dry_run_saves_nothing(session, report_file):
    output = run(session.pk, report_file, "--dry-run")
    assert "Dry run" in output
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("session_id", ["999999", "abc", "99999999999999999999999"])
def test_unknown_session(session_id, report_file):
    with pytest.raises(CommandError, match="No session with id"):
        run(session_id, report_file)


def test_missing_file(session, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(session.pk, tmp_path / "nav.csv")


def test_bad_file_gives_the_message_in_latvian(session, tmp_path):
    path = tmp_path / "bilde.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(CommandError, match="nav CSV fails"):
        run(session.pk, path)
    assert not ZoomImport.objects.exists()


def test_bad_time_zone(session, report_file):
    with pytest.raises(CommandError, match="Mars/Olympus"):
        run(session.pk, report_file, "--time-zone", "Mars/Olympus")
