"""Importing a session's Zoom report: matching, minutes, present/absent, replacing, idempotence."""

import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from courses.tests.factories import SessionFactory
from participants.attendance.models import Attendance
from participants.attendance.tests.factories import AttendanceFactory
from participants.attendance.tests.zoom_reports import (
    RIGA,
    Stay,
    newer_report,
    older_report,
    unique_users_report,
)
from participants.attendance.zoom_import import (
    attendance_import_zoom,
    attendees_of,
    zoom_import_preview,
    zoom_import_save,
)
from participants.attendance.zoom_models import ZoomAlias, ZoomImport
from participants.tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
PRESENT, ABSENT = Attendance.Status.PRESENT, Attendance.Status.ABSENT


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English, the source language (Latvian is checked in
    test_zoom_admin.py and test_zoom_command.py)."""
    with translation.override("en"):
        yield


def at(hour, minute=0, day=6):
    return datetime(2021, 3, day, hour, minute, tzinfo=RIGA)


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("lietvede", is_staff=True)


@pytest.fixture
def session():
    """10:00-13:00 in Riga on 6 March 2021 (180 minutes; 75% is 135)."""
    return SessionFactory(starts_at=at(10), ends_at=at(13))


def confirmed(session, first, last, email):
    person = ParticipantFactory(first_name=first, last_name=last, email=email)
    RegistrationFactory(stage=session.stage, participant=person, confirmed=True)
    return person


@pytest.fixture
def people(session):
    return {
        "janis": confirmed(session, "Jānis", "Bērziņš", "janis.berzins@example.lv"),
        "liga": confirmed(session, "Līga", "Ozola", "liga.ozola@example.lv"),
        "anna": confirmed(session, "Anna", "Kalniņa", "anna.k@example.lv"),
        "peteris": confirmed(session, "Pēteris", "Zariņš", "peteris@example.lv"),
    }


def a_session_of_stays():
    return [
        # No e-mail, the name written without diacritics.
        Stay("Janis Berzins", "", at(9, 55), at(12, 20)),
        # Upper-case e-mail; rejoined; a second device overlapping the laptop.
        Stay("Līga Ozola", "LIGA.OZOLA@example.lv", at(10, 0), at(11, 0)),
        Stay("Līga Ozola", "LIGA.OZOLA@example.lv", at(11, 5), at(13, 30)),
        Stay("Līgas telefons", "liga.ozola@example.lv", at(10, 30), at(12, 0)),
        # Renamed herself; the original name in parentheses.
        Stay("Anna K. (Anna Kalniņa)", "", at(10, 0), at(11, 0)),
        # Not participants.
        Stay("Inovāciju centrs", "inovacijas@example.lv", at(9, 40), at(13, 5)),
        Stay("iPhone", "", at(10, 10), at(12, 50), guest=True),
        Stay("Marta Liepa", "marta@example.com", at(10, 0), at(13, 0)),
    ]


def import_file(session, content, **kwargs):
    return attendance_import_zoom(session=session, csv_file=io.BytesIO(content), **kwargs)


def rows_of(session):
    return {
        row.participant.last_name: (row.status, row.minutes_present, row.source)
        for row in Attendance.objects.filter(session=session).select_related("participant")
    }


def test_import_matches_counts_minutes_and_marks_present_or_absent(session, people, staff):
    outcome = import_file(session, older_report(a_session_of_stays()), imported_by=staff)

    assert rows_of(session) == {
        "Bērziņš": (PRESENT, 140, "zoom"),  # 10:00-12:20 (clipped at the start)
        "Ozola": (PRESENT, 180, "zoom"),  # 10:00-11:00 + 10:30-13:00 (overlaps once, clipped)
        "Kalniņa": (ABSENT, 60, "zoom"),  # 60 of 180 minutes is below 75%
    }
    assert {(p.participant.last_name, p.matched_by) for p in outcome.plan.rows} == {
        ("Bērziņš", "name"),
        ("Ozola", "email"),
        ("Kalniņa", "name"),
    }
    assert sorted(a.label for a in outcome.plan.unmatched) == [
        "Inovāciju centrs",
        "Marta Liepa",
        "iPhone",
    ]
    assert [p.last_name for p in outcome.plan.not_in_report] == ["Zariņš"]
    zoom_import = outcome.zoom_import
    assert zoom_import.status == ZoomImport.Status.SAVED
    assert zoom_import.time_zone == "Europe/Riga"
    assert zoom_import.imported_by == staff
    assert (zoom_import.matched_count, zoom_import.present_count, zoom_import.absent_count) == (
        3,
        2,
        1,
    )
    assert zoom_import.ignored_count == 3
    assert len(zoom_import.file_sha256) == 64


def test_nothing_is_made_into_a_participant(session, people):
    before = set(people["janis"].__class__.objects.values_list("pk", flat=True))
    import_file(session, older_report(a_session_of_stays()))
    assert set(people["janis"].__class__.objects.values_list("pk", flat=True)) == before


def test_only_the_stages_confirmed_participants_are_matched(session, people):
    other_stage_person = ParticipantFactory(first_name="Marta", last_name="Liepa")
    RegistrationFactory(participant=other_stage_person, confirmed=True)  # another stage
    RegistrationFactory(
        stage=session.stage,
        participant=ParticipantFactory(email="marta@example.com"),
        waiting=True,
    )
    outcome = import_file(session, older_report(a_session_of_stays()))
    assert "Marta Liepa" in [a.label for a in outcome.plan.unmatched]
    assert "Liepa" not in rows_of(session)


def test_a_name_two_participants_share_matches_neither(session, people):
    confirmed(session, "Jānis", "Bērziņš", "otrs.janis@example.lv")
    outcome = import_file(session, older_report(a_session_of_stays()))
    assert "Bērziņš" not in rows_of(session)
    assert "Janis Berzins" in [a.label for a in outcome.plan.unmatched]
    assert any("more than one" in str(w) for w in outcome.plan.warnings)


def test_similar_names_are_never_matched(session, people):
    stays = [Stay("Līga Ozoliņa", "", at(10), at(13)), Stay("J. Bērziņš", "", at(10), at(13))]
    outcome = import_file(session, older_report(stays))
    assert rows_of(session) == {}
    assert len(outcome.plan.unmatched) == 2


def test_the_same_file_again_changes_nothing(session, people, staff):
    content = older_report(a_session_of_stays())
    import_file(session, content, imported_by=staff)
    history = Attendance.history.count()
    rows = rows_of(session)

    again = import_file(session, content, imported_by=staff)

    assert again.already_imported is not None
    assert again.zoom_import is None
    assert ZoomImport.objects.count() == 1
    assert Attendance.history.count() == history
    assert rows_of(session) == rows


def test_a_corrected_file_replaces_imported_rows_and_keeps_staff_rows(session, people, staff):
    import_file(session, older_report(a_session_of_stays()), imported_by=staff)
    # Staff mark Pēteris excused (he is not in the report) and correct Anna by hand.
    AttendanceFactory(
        session=session, participant=people["peteris"], status="excused", minutes_present=0
    )
    anna = Attendance.objects.get(session=session, participant=people["anna"])
    anna.status, anna.source, anna.minutes_present = PRESENT, "staff", 170
    anna.save()

    corrected = [
        Stay("Janis Berzins", "", at(10), at(10, 30)),  # now only 30 minutes: absent
        Stay("Anna Kalniņa", "", at(10), at(10, 10)),  # staff's row stays as it is
        Stay("Pēteris Zariņš", "peteris@example.lv", at(10), at(13)),  # staff's row stays
    ]  # Līga is not in the corrected file: her imported row goes
    outcome = import_file(session, newer_report(corrected), imported_by=staff)

    assert rows_of(session) == {
        "Bērziņš": (ABSENT, 30, "zoom"),
        "Kalniņa": (PRESENT, 170, "staff"),
        "Zariņš": ("excused", 0, "staff"),
    }
    assert (outcome.updated, outcome.removed, outcome.created) == (1, 1, 0)
    assert outcome.zoom_import.kept_staff_count == 2
    assert ZoomImport.objects.filter(status="saved").count() == 2


def test_staff_rows_of_people_not_in_the_file_are_never_removed(session, people, staff):
    AttendanceFactory(
        session=session, participant=people["peteris"], status="excused", minutes_present=0
    )
    import_file(session, older_report(a_session_of_stays()), imported_by=staff)
    import_file(session, newer_report([Stay("Līga Ozola", "", at(10), at(13))]))
    assert rows_of(session) == {
        "Ozola": (PRESENT, 180, "zoom"),
        "Zariņš": ("excused", 0, "staff"),
    }


def test_every_change_is_in_the_history_with_who(session, people, staff):
    import_file(session, older_report(a_session_of_stays()), imported_by=staff)
    import_file(session, older_report([Stay("Līga Ozola", "", at(10), at(11))]), imported_by=staff)
    liga = Attendance.objects.get(participant=people["liga"])
    assert [(h.history_type, h.minutes_present) for h in liga.history.order_by("history_id")] == [
        ("+", 180),
        ("~", 60),
    ]
    janis_history = Attendance.history.filter(participant_id=people["janis"].pk)
    assert [h.history_type for h in janis_history.order_by("history_id")] == ["+", "-"]
    assert {h.history_user_id for h in Attendance.history.all()} == {staff.pk}


def test_the_present_share_comes_from_the_programme(session, people):
    programme = session.stage.programme
    programme.attendance_present_share = Decimal("0.30")
    programme.save()
    import_file(session, older_report(a_session_of_stays()))
    assert rows_of(session)["Kalniņa"][0] == PRESENT  # 60 of 180 is a third


def test_waiting_room_rows_are_not_attendance(session, people):
    stays = [
        Stay("Pēteris Zariņš", "peteris@example.lv", at(10), at(13), waiting_room=True),
        Stay("Līga Ozola", "", at(10), at(13)),
    ]
    outcome = import_file(session, newer_report(stays))
    assert set(rows_of(session)) == {"Ozola"}
    assert any("waiting room" in str(w) for w in outcome.plan.warnings)


def test_unique_users_layout_is_imported_with_a_warning(session, people):
    content = unique_users_report(
        [("Līga Ozola", "liga.ozola@example.lv", 200, False), ("Jānis Bērziņš", "", 90, False)]
    )
    outcome = import_file(session, content)
    assert rows_of(session) == {"Ozola": (PRESENT, 180, "zoom"), "Bērziņš": (ABSENT, 90, "zoom")}
    assert "could not be checked" in outcome.zoom_import.warnings[0]


def test_times_on_another_day_are_refused_and_nothing_is_written(session, people):
    stays = [Stay("Līga Ozola", "", at(10, day=7), at(13, day=7))]
    with pytest.raises(ValidationError) as raised:
        import_file(session, older_report(stays))
    assert "another meeting" in " ".join(raised.value.messages)
    assert not Attendance.objects.exists()
    assert not ZoomImport.objects.exists()


def test_a_unique_users_report_of_another_day_is_refused(session, people):
    content = unique_users_report([("Līga Ozola", "", 170, False)], meeting_start=at(10, day=5))
    with pytest.raises(ValidationError, match="another meeting"):
        import_file(session, content)
    assert not Attendance.objects.exists()


def test_a_wrong_time_zone_is_warned_about(session, people):
    # The file is in Riga time, read as if in Tokyo: everybody was there at night.
    outcome = import_file(
        session,
        older_report([Stay("Līga Ozola", "", at(10), at(13))]),
        time_zone="Asia/Tokyo",
        dry_run=True,
    )
    assert any("time zone" in str(w) for w in outcome.plan.warnings)


def test_dry_run_writes_nothing(session, people):
    outcome = import_file(session, older_report(a_session_of_stays()), dry_run=True)
    assert len(outcome.plan.rows) == 3
    assert not Attendance.objects.exists()
    assert not ZoomImport.objects.exists()


def test_a_broken_file_writes_nothing(session, people):
    with pytest.raises(ValidationError):
        import_file(session, b"\x89PNG\r\n\x1a\n\x00\x00")
    assert not Attendance.objects.exists()
    assert not ZoomImport.objects.exists()


# --- Preview, staff's matches, remembered names --------------------------------------------


def preview(session, content, user=None):
    return zoom_import_preview(
        session=session, csv_file=io.BytesIO(content), imported_by=user, file_name="zoom.csv"
    )


def key_of(plan, label):
    return next(a.key for a in plan.unmatched if a.label == label)


def test_preview_writes_no_attendance_and_keeps_the_file(session, people, staff):
    zoom_import, plan = preview(session, older_report(a_session_of_stays()), staff)
    assert zoom_import.status == ZoomImport.Status.PREVIEW
    assert "Janis Berzins" in zoom_import.content
    assert len(plan.rows) == 3
    assert not Attendance.objects.exists()


def test_staff_match_a_row_and_the_name_is_remembered_next_time(session, people, staff):
    stays = a_session_of_stays() + [Stay("P Z", "", at(10), at(13))]
    zoom_import, plan = preview(session, older_report(stays), staff)
    matches = {key_of(plan, "P Z"): people["peteris"].pk, key_of(plan, "iPhone"): None}

    outcome = zoom_import_save(zoom_import=zoom_import, manual_matches=matches, imported_by=staff)

    assert rows_of(session)["Zariņš"] == (PRESENT, 180, "zoom")
    assert ZoomAlias.objects.get(participant=people["peteris"]).key == "p z"
    assert "iPhone" in [row["name"] for row in outcome.zoom_import.ignored]
    # The next session's report matches "P Z" by itself.
    next_session = SessionFactory(
        stage=session.stage, starts_at=at(10, day=13), ends_at=at(13, day=13)
    )
    again = import_file(
        next_session, older_report([Stay("P Z", "", at(10, day=13), at(12, day=13))])
    )
    assert [(p.participant, p.matched_by) for p in again.plan.rows] == [
        (people["peteris"], "alias")
    ]


def test_a_row_matched_to_someone_already_matched_adds_to_their_minutes(session, people, staff):
    stays = [Stay("Jānis Bērziņš", "", at(10), at(11)), Stay("iPhone", "", at(10, 30), at(12, 30))]
    zoom_import, plan = preview(session, older_report(stays), staff)
    zoom_import_save(
        zoom_import=zoom_import,
        manual_matches={key_of(plan, "iPhone"): people["janis"].pk},
        remember=set(),
        imported_by=staff,
    )
    assert rows_of(session)["Bērziņš"] == (PRESENT, 150, "zoom")
    assert not ZoomAlias.objects.exists()  # staff chose not to remember "iPhone"


def test_staff_cannot_match_someone_outside_the_stage(session, people, staff):
    outsider = RegistrationFactory(confirmed=True).participant
    zoom_import, plan = preview(session, older_report(a_session_of_stays()), staff)
    with pytest.raises(ValidationError):
        zoom_import_save(
            zoom_import=zoom_import,
            manual_matches={key_of(plan, "iPhone"): outsider.pk},
            imported_by=staff,
        )
    assert not Attendance.objects.exists()


def test_a_saved_import_cannot_be_saved_twice(session, people, staff):
    zoom_import, _plan = preview(session, older_report(a_session_of_stays()), staff)
    zoom_import_save(zoom_import=zoom_import, imported_by=staff)
    with pytest.raises(ValidationError):
        zoom_import_save(zoom_import=zoom_import, imported_by=staff)


def test_attendees_group_rows_by_email_then_name(session):
    from participants.attendance import zoom

    report = zoom.parse_report(older_report(a_session_of_stays()).decode("utf-8-sig"))
    keys = [a.key for a in attendees_of(report)]
    assert keys.count("email:liga.ozola@example.lv") == 1
    assert len(keys) == 6
