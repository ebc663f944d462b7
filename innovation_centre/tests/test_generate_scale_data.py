"""``generate_scale_data``: a small data set keeps the portal's rules, and the portal's own
report, scan, exports and services work on it; foreign data is refused; --reuse does nothing."""

import io
import math
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Exists, OuterRef

from conftest import USING_POSTGRES
from courses.models import Programme, Session, Stage
from innovation_centre.models import ScaleDataRun
from participants import services
from participants.attendance.selectors import stage_progress
from participants.exports import registration_csv_lines
from participants.models import (
    Attendance,
    Certificate,
    Participant,
    ParticipantMail,
    Registration,
)
from participants.reminders.scan import reminders_record_due
from reporting.budget.models import Budget, Expenditure, FundingSource
from reporting.indicators.models import Indicator, IndicatorValue
from reporting.report.files import report_csv, report_xlsx
from reporting.report.services import progress_report_for

RIGA = ZoneInfo("Europe/Riga")
NOW = datetime(2030, 3, 6, 12, 0, tzinfo=RIGA)  # a Wednesday noon
PEOPLE = 200

Status = Registration.Status
pytestmark = pytest.mark.django_db


def postgres(test):
    """PostgreSQL only (the command refuses other databases; see the last test)."""
    skip = pytest.mark.skipif(
        not USING_POSTGRES,
        reason="needs PostgreSQL (set DATABASE_URL): generate_scale_data writes with COPY",
    )
    return skip(pytest.mark.postgres(test))


def generate(**options):
    out, err = io.StringIO(), io.StringIO()
    arguments = {"participants": PEOPLE, "now": NOW.isoformat()} | options
    call_command("generate_scale_data", stdout=out, stderr=err, **arguments)
    return out.getvalue()


@pytest.fixture
def made(db):
    generate()
    return ScaleDataRun.objects.get()


@postgres
def test_counts_are_within_the_expected_ranges(made):
    stages = math.ceil(PEOPLE / 5.5)
    assert Programme.objects.count() == 1
    assert Stage.objects.count() == stages
    assert Session.objects.count() == 8 * stages
    assert Participant.objects.count() == PEOPLE
    registrations = Registration.objects.count()
    assert 4 * PEOPLE <= registrations <= 8 * PEOPLE
    # Every participant took part: each has a registration, most several.
    assert not Participant.objects.filter(registrations__isnull=True).exists()
    upcoming = Stage.objects.exclude(sessions__starts_at__lte=NOW).count()
    assert upcoming == round(stages * 0.15)
    # Attendance: one row per confirmed participant and ended session of the held stages.
    held = Session.objects.filter(ends_at__lte=NOW)
    expected = sum(
        Registration.objects.filter(stage_id=row["stage_id"], status=Status.CONFIRMED).count()
        * row["n"]
        for row in held.values("stage_id").annotate(n=Count("pk"))
    )
    assert Attendance.objects.count() == expected > 5 * PEOPLE
    assert 0.6 * Registration.objects.filter(status=Status.CONFIRMED).count() < (
        Certificate.objects.count()
    )
    assert Budget.objects.count() == 1
    assert FundingSource.objects.count() == 4
    assert Expenditure.objects.count() > 50
    assert Indicator.objects.count() == 6
    assert IndicatorValue.objects.count() > 4
    assert ParticipantMail.objects.count() == registrations + Certificate.objects.count()
    assert made.counts["attendance"] == expected
    assert made.arguments["participants"] == PEOPLE


@postgres
def test_every_status_is_there_and_follows_the_rules(made):
    by_status = dict(Registration.objects.values_list("status").annotate(n=Count("pk")).order_by())
    assert set(by_status) == set(Status.values)
    assert by_status[Status.CONFIRMED] > sum(by_status.values()) * 0.7
    confirmed = Registration.objects.filter(status=Status.CONFIRMED)
    assert not confirmed.filter(confirmed_at__isnull=True).exists()
    assert not confirmed.filter(email_confirmed_at__isnull=True).exists()
    waiting = Registration.objects.filter(status=Status.WAITING_LIST)
    assert not waiting.filter(waiting_since__isnull=True).exists()
    assert not waiting.filter(confirmed_at__isnull=False).exists()
    # Awaiting confirmation only for less than 72 hours (older ones are purged by the portal).
    awaiting = Registration.objects.filter(status=Status.AWAITING_CONFIRMATION)
    assert not awaiting.filter(created_at__lt=NOW - timedelta(hours=72)).exists()
    assert not awaiting.filter(email_confirmed_at__isnull=False).exists()
    assert not Registration.objects.filter(
        status=Status.CANCELLED, cancelled_at__isnull=True
    ).exists()
    assert not Registration.objects.filter(created_at__gt=NOW).exists()
    assert not Registration.objects.exclude(consent_version=services.CONSENT_VERSION).exists()
    # Never more seats taken than the stage has; a waiting list only when it is full.
    for stage in Stage.objects.annotate(
        seats=Count("registrations", filter=Q_status(Status.CONFIRMED)),
        waiting=Count("registrations", filter=Q_status(Status.WAITING_LIST)),
    ):
        assert stage.seats <= stage.capacity
        assert not stage.waiting or stage.seats == stage.capacity
    assert not Participant.objects.exclude(link_version=1).exists()
    assert set(Attendance.objects.values_list("status", flat=True)) == set(Attendance.Status.values)


def Q_status(status):  # noqa: N802 - reads like the Q it is
    from django.db.models import Q

    return Q(registrations__status=status)


def _indexes_and_constraints():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = current_schema()::regnamespace"
        )
        return sorted(cursor.fetchall())


@postgres
def test_indexes_and_constraints_are_all_made_again(db):
    before = _indexes_and_constraints()
    assert any("session_no_overlap_in_stage" in name for name, _definition in before)
    generate(participants=40)
    assert _indexes_and_constraints() == before


@postgres
def test_attendance_only_for_ended_sessions_and_confirmed_participants(made):
    assert not Attendance.objects.filter(session__ends_at__gt=NOW).exists()
    assert not Attendance.objects.filter(recorded_at__gt=NOW).exists()
    seat = Registration.objects.filter(
        participant=OuterRef("participant_id"),
        stage=OuterRef("session__stage_id"),
        status=Status.CONFIRMED,
    )
    assert not Attendance.objects.exclude(Exists(seat)).exists()
    assert not Attendance.objects.filter(
        status=Attendance.Status.PRESENT, minutes_present=0
    ).exists()


@postgres
def test_sessions_are_weekly_riga_times_that_fit_their_hours(made):
    for stage in Stage.objects.prefetch_related("sessions")[:10]:
        sessions = list(stage.sessions.order_by("starts_at"))
        assert len(sessions) == 8
        starts = [timezone_local(s.starts_at) for s in sessions]
        assert {start.time() for start in starts} <= {
            time(9),
            time(10),
            time(14),
            time(15, 30),
            time(16),
        }
        assert all(
            b.date() - a.date() == timedelta(days=7)
            for a, b in zip(starts, starts[1:], strict=False)
        )
        assert sum(s.academic_hours for s in sessions) == stage.planned_academic_hours
        for session in sessions:
            assert session.academic_hours <= session.max_academic_hours(45)


def timezone_local(moment):
    return moment.astimezone(RIGA)


@postgres
def test_certificates_go_to_those_who_reached_the_threshold(made):
    certificates = list(Certificate.objects.select_related("stage", "participant"))
    assert certificates
    assert sorted(c.sequence for c in certificates) == list(range(1, len(certificates) + 1))
    progress_by_stage = {}
    for certificate in certificates:
        stage = certificate.stage
        if stage.pk not in progress_by_stage:
            progress_by_stage[stage.pk] = stage_progress(stage=stage)
        progress = progress_by_stage[stage.pk][certificate.participant_id]
        assert progress.reached
        assert certificate.hours_attended == progress.hours_attended
        assert certificate.hours_planned == stage.planned_academic_hours
        assert certificate.holder_name == certificate.participant.full_name
        assert certificate.number == (
            f"DIC-{certificate.issued_at.astimezone(RIGA).year}-{stage.order}-"
            f"{certificate.sequence:04d}"
        )
        assert certificate.issued_at <= NOW
    # In the stages with certificates, everyone who reached the threshold has one.
    for stage_id, progress in progress_by_stage.items():
        reached = {pid for pid, p in progress.items() if p.reached}
        holders = set(
            Certificate.objects.filter(stage_id=stage_id).values_list("participant_id", flat=True)
        )
        assert holders == reached


@postgres
def test_participants_pass_the_portals_own_validation(made):
    for participant in Participant.objects.all():
        participant.full_clean()
        assert participant.email.endswith("@scale.example")


@postgres
def test_the_progress_report_builds_and_counts_the_participants(made):
    programme = Programme.objects.get()
    period, report = progress_report_for(
        programme=programme,
        start=datetime(2020, 1, 1).date(),
        end=NOW.date(),
        generated_by="Test",
        now=NOW,
    )
    rows = {row.code: row for row in report.indicators}
    trained = Participant.objects.filter(
        Exists(
            Attendance.objects.filter(participant=OuterRef("pk"), status=Attendance.Status.PRESENT)
        )
    ).count()
    assert rows["people-trained"].cumulative == trained == made.counts["trained_participants"]
    confirmed_people = (
        Registration.objects.filter(status=Status.CONFIRMED, stage__sessions__ends_at__lte=NOW)
        .values("participant")
        .distinct()
        .count()
    )
    assert confirmed_people >= trained >= confirmed_people * 0.95
    assert (
        rows["certificates-issued"].cumulative
        == Certificate.objects.filter(revoked_at__isnull=True).count()
    )
    assert rows["sessions-held"].cumulative == Session.objects.filter(ends_at__lte=NOW).count()
    assert report.money.has_budget
    assert report_csv(report) and report_xlsx(report)


@postgres
def test_the_reminder_scan_finds_the_day_before_reminders(made):
    first = Session.objects.filter(starts_at__gt=NOW + timedelta(days=1)).order_by("starts_at")[0]
    day = first.starts_at.astimezone(RIGA).date()
    due = datetime.combine(day - timedelta(days=1), time(18), tzinfo=RIGA)
    tomorrow = Session.objects.filter(
        starts_at__gte=datetime.combine(day, time(0), tzinfo=RIGA),
        starts_at__lt=datetime.combine(day + timedelta(days=1), time(0), tzinfo=RIGA),
    )
    expected = Registration.objects.filter(
        status=Status.CONFIRMED,
        confirmed_at__lte=due,
        stage__in=tomorrow.values("stage_id"),
    ).count()
    summary = reminders_record_due(now=due)
    assert len(summary.delivery_ids) == expected > 0


@postgres
def test_the_registration_csv_export_lists_every_registration(made):
    lines = "".join(registration_csv_lines(Registration.objects.all(), language="lv"))
    assert lines.count("\n") >= Registration.objects.count() + 1
    assert "scale.example" in lines


@postgres
def test_the_portal_can_add_rows_afterwards(made):
    stage = (
        Stage.objects.filter(sessions__starts_at__gt=NOW)
        .exclude(sessions__starts_at__lte=NOW)
        .distinct()
        .first()
    )
    registration = services.registration_create(
        stage=stage,
        participant_data={
            "email": "jauna.skolotaja@example.com",
            "first_name": "Jauna",
            "last_name": "Skolotāja",
            "role": "teacher",
            "subjects": ["physics"],
            "institution": "Daugavpils 9. vidusskola",
            "municipality": "daugavpils",
        },
        language="lv",
        consent_version=services.CONSENT_VERSION,
        now=NOW,
    )
    assert registration.pk > made.counts["registrations"]
    assert registration.participant.pk > PEOPLE
    assert ParticipantMail.objects.filter(registration=registration).exists()


@postgres
def test_the_same_seed_makes_the_same_data(db):
    generate(participants=60)
    first = list(Participant.objects.order_by("pk").values_list("email", "institution"))
    minutes = sum(Attendance.objects.values_list("minutes_present", flat=True))
    generate(participants=60)
    assert list(Participant.objects.order_by("pk").values_list("email", "institution")) == first
    assert sum(Attendance.objects.values_list("minutes_present", flat=True)) == minutes
    generate(participants=60, seed=2)
    assert list(Participant.objects.order_by("pk").values_list("email", "institution")) != first


@postgres
def test_foreign_data_is_refused_and_nothing_is_written(db):
    call_command("seed_programme", stdout=io.StringIO())
    before = (Programme.objects.count(), Stage.objects.count(), Session.objects.count())
    with pytest.raises(CommandError, match="did not make"):
        generate()
    assert (Programme.objects.count(), Stage.objects.count(), Session.objects.count()) == before
    assert not Participant.objects.exists()
    assert not ScaleDataRun.objects.exists()
    generate(force=True)
    assert list(Programme.objects.values_list("project_number", flat=True)) == ["SCALE-DATA"]


@postgres
def test_a_participant_it_did_not_make_is_refused_too(made):
    Participant.objects.create(
        email="cits@example.com",
        first_name="Cits",
        last_name="Cilvēks",
        role="teacher",
        institution="Skola",
        municipality="riga",
    )
    with pytest.raises(CommandError, match="participant"):
        generate(seed=5)
    assert ScaleDataRun.objects.get().arguments["seed"] == 1


@postgres
def test_its_own_data_is_replaced_and_reuse_keeps_it(made):
    assert "nothing changed" in generate(reuse=True)
    assert ScaleDataRun.objects.get().pk == made.pk
    output = generate(participants=80, reuse=True)
    assert "made in" in output
    run = ScaleDataRun.objects.get()
    assert run.arguments["participants"] == 80
    assert Participant.objects.count() == 80
    # Data changed after it was made is not reused as if untouched.
    Registration.objects.filter(pk=1).delete()
    ParticipantMail.objects.filter(registration_id=1).delete()
    assert "made in" in generate(participants=80, reuse=True)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"participants": 0}, "above 0"),
        ({"participants": -3}, "above 0"),
        ({"participants": 10**11}, "at most 300000"),
        ({"now": "yesterday"}, "--now"),
        ({"upcoming_share": 1.5}, "upcoming-share"),
    ],
)
def test_bad_arguments_are_refused(db, arguments, message):
    with pytest.raises(CommandError, match=message):
        generate(**arguments)
    assert not Participant.objects.exists()


def test_participants_are_required(db):
    with pytest.raises(CommandError, match="participants"):
        call_command("generate_scale_data", stdout=io.StringIO())


def test_other_databases_than_postgresql_are_refused(db, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        generate()
