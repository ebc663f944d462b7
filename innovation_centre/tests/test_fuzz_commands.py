"""Property-based tests (hypothesis): hostile arguments to the management commands end in a
clear ``CommandError`` or a correct result, never a traceback, and a refused run writes nothing.

(``--help``, and the abbreviations argparse takes for it, are left out: printing the help and
exiting is what they are for.)
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from hypothesis import example, given, settings
from hypothesis import strategies as st

from courses.models import Programme, Session, Stage
from courses.tests.factories import SessionFactory
from innovation_centre.tests.hostile import examples, fresh_example, hostile_text
from innovation_centre.tests.test_fuzz_uploads import at
from participants.attendance.models import Attendance
from participants.attendance.tests.zoom_reports import Stay, older_report
from participants.attendance.zoom_models import ZoomImport
from participants.models import Participant, Registration
from participants.tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _not_help(argument):
    return not argument.lstrip().startswith(("-h", "--h"))


hostile_argument = hostile_text.map(lambda text: text[:500]).filter(_not_help)


def run(command, *args, **options):
    """Run a command; its output, or the CommandError it refused with."""
    out, err = StringIO(), StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err, **options)
    except CommandError as refusal:
        assert str(refusal).strip()  # says what is wrong
        return refusal
    return out.getvalue() + err.getvalue()


def counts(*models):
    return tuple(model.objects.count() for model in models)


# --- seed_programme ------------------------------------------------------------------------------
SEED_OPTIONS = ["--dry-run", "--demo", "--force", "-v", "2", "--verbosity", "0", "--no-color"]
SEEDED = (Programme, Stage, Session, Participant, Registration)


@settings(max_examples=examples(40))
@given(argv=st.lists(st.one_of(st.sampled_from(SEED_OPTIONS), hostile_argument), max_size=4))
@example(argv=[])  # the control: a plain run loads the programme
def test_seed_programme_with_any_options(argv):
    with fresh_example():
        before = counts(*SEEDED)

        outcome = run("seed_programme", *argv)

        if isinstance(outcome, CommandError) or "--dry-run" in argv:
            assert counts(*SEEDED) == before
        else:
            assert Stage.objects.filter(is_demo=False).count() == 4


# --- send_due_reminders --------------------------------------------------------------------------
@settings(max_examples=examples(40))
@given(argv=st.lists(st.one_of(st.just("--here"), hostile_argument), max_size=3))
def test_send_due_reminders_with_any_options(argv):
    with fresh_example():
        outcome = run("send_due_reminders", *argv)

        if not isinstance(outcome, CommandError):
            assert "Reminder scan" in outcome


# --- import_zoom_attendance ----------------------------------------------------------------------
@pytest.fixture
def session():
    session = SessionFactory(starts_at=at(10), ends_at=at(13))
    RegistrationFactory(
        stage=session.stage,
        confirmed=True,
        participant=ParticipantFactory(first_name="Jānis", last_name="Bērziņš", email="j@x.lv"),
    )
    return session


GOOD_REPORT = older_report([Stay("Jānis Bērziņš", "j@x.lv", at(10), at(13))])


@settings(max_examples=examples(80))
@given(
    session_id=st.one_of(st.none(), hostile_argument, st.integers().map(str)),
    content=st.one_of(
        st.just(GOOD_REPORT),
        st.binary(max_size=1000),
        hostile_text.map(lambda text: GOOD_REPORT + text.encode("utf-8", "replace")),
        hostile_text.map(lambda text: GOOD_REPORT.replace(b"Bergins", text.encode())),
    ),
    file_name=st.one_of(st.none(), hostile_argument),
    time_zone=st.one_of(st.none(), hostile_argument),
    dry_run=st.booleans(),
)
@example(session_id=None, content=GOOD_REPORT, file_name=None, time_zone=None, dry_run=False)
@example(session_id=None, content=GOOD_REPORT, file_name="ā" * 300, time_zone=None, dry_run=False)
@example(session_id=None, content=GOOD_REPORT, file_name="a\x00b", time_zone="\x00", dry_run=False)
def test_import_zoom_attendance_with_any_arguments(
    session, tmp_path, session_id, content, file_name, time_zone, dry_run
):
    report = tmp_path / "report.csv"
    report.write_bytes(content)
    argv = [str(session.pk) if session_id is None else session_id]
    argv.append(str(report) if file_name is None else file_name)
    if time_zone is not None:
        argv.append(f"--time-zone={time_zone}")
    if dry_run:
        argv.append("--dry-run")
    with fresh_example():
        before = counts(Attendance, ZoomImport)

        outcome = run("import_zoom_attendance", *argv)

        if isinstance(outcome, CommandError) or dry_run:
            assert counts(Attendance, ZoomImport)[0] == before[0]
        if isinstance(outcome, CommandError):
            assert counts(Attendance, ZoomImport) == before
        elif (session_id, content, file_name, time_zone, dry_run) == (
            None,
            GOOD_REPORT,
            None,
            None,
            False,
        ):
            assert Attendance.objects.get(session=session).minutes_present == 180


# --- export_progress_report ----------------------------------------------------------------------
@pytest.fixture
def programme():
    from courses.services import programme_seed

    return programme_seed().programme


def _inside(folder, name):
    """``name`` as a path inside ``folder`` (its slashes kept, so missing folders are tried)."""
    return f"{folder}/{name.replace('..', '_')}"


@settings(max_examples=examples(60))
@given(
    start=st.one_of(st.just("2021-03-01"), hostile_argument),
    end=st.one_of(st.just("2021-06-30"), hostile_argument),
    file_format=st.one_of(st.sampled_from(["xlsx", "pdf", "csv", "CSV"]), hostile_argument),
    output=st.one_of(st.none(), hostile_argument, st.sampled_from(["", "/", ".", "no/such/dir/x"])),
    language=st.one_of(st.just("lv"), hostile_argument),
)
@example(start="2021-03-01", end="2021-06-30", file_format="csv", output=None, language="lv")
@example(start="2021-03-01", end="2021-06-30", file_format="csv", output="ā" * 300, language="lv")
@example(start="2021-03-01", end="2021-06-30", file_format="csv", output="a\x00b", language="lv")
def test_export_progress_report_with_any_arguments(
    programme, tmp_path, start, end, file_format, output, language
):
    # Hostile names only inside the test's own folder: a run must never write elsewhere.
    target = tmp_path / "report.out" if output is None else _inside(tmp_path, output)
    argv = [f"--from={start}", f"--to={end}", f"--format={file_format}", f"--language={language}"]
    with fresh_example():
        outcome = run("export_progress_report", *argv, f"--output={target}")

        if not isinstance(outcome, CommandError) and output is None:
            assert target.stat().st_size > 0
        if output is None and target.exists():
            target.unlink()
