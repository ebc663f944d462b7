"""Reads about attendance: attended academic hours and progress against a stage's threshold.

The hours of one attendance row are the session's academic hours when the participant was
present; where the programme counts hours pro rata, they are the session's academic hours times
the share of its minutes the participant was there (capped at the whole session), for present
and absent rows alike (an excused absence counts nothing). All sums are done in SQL.
"""

import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least

from courses.expressions import MinutesBetween
from courses.models import Session, Stage
from participants.attendance.models import Attendance
from participants.models import Participant, Registration

HOURS = DecimalField(max_digits=10, decimal_places=4)
ZERO = Value(Decimal("0"), output_field=HOURS)
CENT = Decimal("0.01")


def _letter_key(char):
    """A letter with a mark (ā, č, ģ, ...) sorts right after the plain one, as in Latvian."""
    base = unicodedata.normalize("NFD", char)
    return (base[0], len(base) > 1)


def name_key(person):
    """Latvian alphabetical order by last name, then first name (Ābele after Apse, before B)."""
    return [
        [_letter_key(char) for char in name.casefold()]
        for name in (person.last_name, person.first_name)
    ] + [person.pk]


def row_hours(*, attendance="", session="session__", programme="session__stage__programme__"):
    """The academic hours one attendance row earns, as an SQL expression.

    The arguments are the paths from the query's model to the attendance row, its session and
    its programme; the defaults are those of a query on ``Attendance``. A query that reaches the
    rows another way (a registration's stage's sessions, say) passes its own paths and gets the
    same rule.
    """
    session_minutes = MinutesBetween(f"{session}starts_at", f"{session}ends_at")
    minutes = Least(
        Cast(f"{attendance}minutes_present", HOURS), session_minutes, output_field=HOURS
    )
    pro_rata = ExpressionWrapper(
        F(f"{session}academic_hours") * minutes / session_minutes, output_field=HOURS
    )
    return Case(
        When(
            Q(
                **{
                    f"{programme}hours_pro_rata": False,
                    f"{attendance}status": Attendance.Status.PRESENT,
                }
            ),
            then=Cast(f"{session}academic_hours", HOURS),
        ),
        When(
            Q(
                **{
                    f"{programme}hours_pro_rata": True,
                    f"{attendance}status__in": [
                        Attendance.Status.PRESENT,
                        Attendance.Status.ABSENT,
                    ],
                }
            ),
            then=pro_rata,
        ),
        default=ZERO,
        output_field=HOURS,
    )


def hours_attended_subquery(*, participant_ref="pk", stage):
    """A subquery of the academic hours a participant attended in ``stage``.

    ``participant_ref`` names the participant's id in the outer query; ``stage`` is a stage or
    an ``OuterRef`` to one, so querysets of registrations, participants or anything else can be
    annotated in a single query.
    """
    rows = (
        Attendance.objects.filter(participant=OuterRef(participant_ref), session__stage=stage)
        .order_by()
        .values("participant")
        .annotate(total=Sum(row_hours()))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=HOURS), ZERO)


def registrations_with_hours(registrations: QuerySet) -> QuerySet:
    """``registrations`` annotated with ``hours_attended`` (in their own stage)."""
    return registrations.annotate(
        hours_attended=hours_attended_subquery(
            participant_ref="participant_id", stage=OuterRef("stage_id")
        )
    )


def round_hours(hours) -> Decimal:
    return Decimal(hours or 0).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class StageProgress:
    """A participant's attended academic hours in a stage against its completion threshold."""

    hours_attended: Decimal
    planned_hours: Decimal
    threshold_percent: int

    @property
    def percent(self) -> Decimal:
        """Attended hours as a share of the planned hours, in percent (one decimal)."""
        if not self.planned_hours:
            return Decimal("0.0")
        share = self.hours_attended * 100 / self.planned_hours
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def percent_whole(self) -> int:
        """Whole percent, rounded down: 74.9% never shows as the 75% a certificate needs."""
        if not self.planned_hours:
            return 0
        return int(self.hours_attended * 100 / self.planned_hours)

    @property
    def hours_required(self) -> Decimal:
        return round_hours(self.planned_hours * self.threshold_percent / 100)

    @property
    def reached(self) -> bool:
        return self.hours_attended >= self.hours_required


def progress_of(*, hours_attended, stage: Stage) -> StageProgress:
    return StageProgress(
        hours_attended=round_hours(hours_attended),
        planned_hours=stage.planned_academic_hours,
        threshold_percent=stage.completion_threshold_percent,
    )


def stage_hours_attended(*, stage: Stage) -> dict[int, Decimal]:
    """Participant id -> academic hours attended in ``stage``, for its confirmed participants."""
    rows = registrations_with_hours(
        Registration.objects.filter(stage=stage, status=Registration.Status.CONFIRMED)
    ).values_list("participant_id", "hours_attended")
    return {participant_id: round_hours(hours) for participant_id, hours in rows}


def stage_progress(*, stage: Stage) -> dict[int, StageProgress]:
    """Participant id -> progress in ``stage``, for its confirmed participants (one query)."""
    return {
        participant_id: progress_of(hours_attended=hours, stage=stage)
        for participant_id, hours in stage_hours_attended(stage=stage).items()
    }


def participant_stage_progress(*, participant: Participant, stage: Stage) -> StageProgress:
    """One participant's attended academic hours in ``stage`` and the threshold (one query)."""
    hours = Attendance.objects.filter(participant=participant, session__stage=stage).aggregate(
        total=Sum(row_hours())
    )["total"]
    return progress_of(hours_attended=hours, stage=stage)


def sessions_with_marks(sessions: QuerySet) -> QuerySet:
    """``sessions`` annotated with ``marked_count`` (attendance rows) and ``expected_count``
    (the stage's confirmed participants), each counted in a subquery so the joins do not
    multiply."""
    marked = (
        Attendance.objects.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    expected = (
        Registration.objects.filter(
            stage=OuterRef("stage_id"), status=Registration.Status.CONFIRMED
        )
        .order_by()
        .values("stage")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return sessions.annotate(
        marked_count=Coalesce(Subquery(marked), 0),
        expected_count=Coalesce(Subquery(expected), 0),
    )


@dataclass
class AttendanceMatrix:
    """People x sessions of a stage: each cell an ``Attendance`` or None, with totals."""

    stage: Stage
    sessions: list
    rows: list  # [(participant, [Attendance | None per session], StageProgress)]

    @property
    def hours_per_session(self) -> list[Decimal]:
        """The academic hours earned at each session, summed over the people."""
        totals = [Decimal("0")] * len(self.sessions)
        for _person, cells, _progress in self.rows:
            for index, cell in enumerate(cells):
                totals[index] += round_hours(cell.hours) if cell is not None else 0
        return totals


def stage_attendance_matrix(*, stage: Stage) -> AttendanceMatrix:
    """The stage's confirmed participants (and anyone with attendance in it) x its sessions.

    Each cell's attendance row carries ``hours`` (the academic hours it earns, from SQL).
    Three queries whatever the size: sessions with their present counts, participants with
    their hours, and the attendance rows.
    """
    sessions = list(
        Session.objects.filter(stage=stage)
        .annotate(
            present_count=Count("attendances", filter=Q(attendances__status="present")),
        )
        .order_by("starts_at", "pk")
    )
    people = (
        Participant.objects.filter(
            Q(registrations__stage=stage, registrations__status=Registration.Status.CONFIRMED)
            | Q(attendances__session__stage=stage)
        )
        .distinct()
        .annotate(hours_attended=hours_attended_subquery(stage=stage))
        .order_by("last_name", "first_name", "pk")
    )
    cells = {
        (row.participant_id, row.session_id): row
        for row in Attendance.objects.filter(session__stage=stage).annotate(hours=row_hours())
    }
    rows = [
        (
            person,
            [cells.get((person.pk, session.pk)) for session in sessions],
            progress_of(hours_attended=person.hours_attended, stage=stage),
        )
        for person in sorted(people, key=name_key)
    ]
    return AttendanceMatrix(stage=stage, sessions=sessions, rows=rows)


def register_sheet(*, session: Session) -> list[tuple[Participant, Attendance | None]]:
    """The session's register: its stage's confirmed participants by name, each with their
    attendance row (or None when not marked yet). Two queries."""
    people = Participant.objects.filter(
        registrations__stage_id=session.stage_id,
        registrations__status=Registration.Status.CONFIRMED,
    ).order_by("last_name", "first_name", "pk")
    rows = {row.participant_id: row for row in Attendance.objects.filter(session=session)}
    return [(person, rows.get(person.pk)) for person in sorted(people, key=name_key)]


@dataclass(frozen=True)
class AttendanceChange:
    """One recorded change of a row: who, when, and the fields before and after."""

    record: object  # a HistoricalAttendance row
    changes: list  # [(field verbose name, before, after)]


TRACKED_FIELDS = ("status", "minutes_present", "source")


def _describe(record, field):
    value = getattr(record, field)
    if field in ("status", "source"):
        return getattr(record, f"get_{field}_display")() if value else ""
    return value


def session_attendance_changes(*, session: Session, limit: int = 50) -> list[AttendanceChange]:
    """The latest changes of the session's attendance, newest first, with before and after.

    One query: the session's history is read oldest first, and each record is compared with
    the previous record of the same row.
    """
    records = (
        Attendance.history.filter(session_id=session.pk)
        .select_related("history_user", "participant")
        .order_by("history_date", "history_id")
    )
    previous, changes = {}, []
    for record in records:
        before = previous.get(record.id)
        fields = []
        for field in TRACKED_FIELDS:
            old = _describe(before, field) if before else ""
            new = "" if record.history_type == "-" else _describe(record, field)
            if old != new:
                fields.append((Attendance._meta.get_field(field).verbose_name, old, new))
        previous[record.id] = record
        changes.append(AttendanceChange(record=record, changes=fields))
    return changes[::-1][:limit]
