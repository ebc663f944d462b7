"""Writes about the programme: sessions that always fit the rules, copying, loading the seed.

The rules a session must keep (ends after it starts, its academic hours fit its duration, it does
not overlap another session of its stage) live in `session_check`; the admin forms, the copy
action and the seed all call it, and the database constraints back it up.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from courses import seed
from courses.models import Programme, Session, Stage
from courses.selectors import overlapping_sessions

HUNDREDTH = Decimal("0.01")
LONGEST_SESSION = timedelta(hours=24)
MOST_ACADEMIC_HOURS = Decimal("999.99")  # the column holds 5 digits


def academic_hours_in(*, starts_at: datetime, ends_at: datetime, minutes_per_academic_hour: int):
    """The most academic hours from ``starts_at`` to ``ends_at``, rounded down to 0.01."""
    minutes = Decimal((ends_at - starts_at).total_seconds()) / 60
    hours = minutes / Decimal(minutes_per_academic_hour)
    return max(hours, Decimal(0)).quantize(HUNDREDTH, rounding=ROUND_FLOOR)


def _minutes_per_academic_hour(stage: Stage) -> int:
    return stage.programme.minutes_per_academic_hour


def _describe(session: Session) -> str:
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    when = formats.date_format(start, "SHORT_DATETIME_FORMAT")
    return f"{when}–{formats.time_format(end, 'TIME_FORMAT')} {session.topic}"


def _overlap_error(*, stage, starts_at, ends_at, exclude_pk):
    if stage.pk is None:
        return None
    clash = (
        overlapping_sessions(
            stage=stage, starts_at=starts_at, ends_at=ends_at, exclude_pk=exclude_pk
        )
        .order_by("starts_at")
        .first()
    )
    if clash is None:
        return None
    return _("This time overlaps another session of the same stage: %(session)s.") % {
        "session": _describe(clash)
    }


def session_check(
    *,
    stage: Stage,
    starts_at: datetime,
    ends_at: datetime,
    academic_hours: Decimal | None = None,
    exclude_pk: int | None = None,
) -> Decimal:
    """Check a session's times and hours; return its academic hours.

    Empty ``academic_hours`` means "count them from the duration". Raises ``ValidationError``
    with a message per field (``ends_at``, ``academic_hours``, ``starts_at`` for an overlap).
    """
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The session must end after it starts.")})
    if ends_at - starts_at > LONGEST_SESSION:
        raise ValidationError(
            {"ends_at": _("A session lasts at most 24 hours: enter each day as its own session.")}
        )
    minutes = _minutes_per_academic_hour(stage)
    allowed = academic_hours_in(
        starts_at=starts_at, ends_at=ends_at, minutes_per_academic_hour=minutes
    )
    errors = {}
    allowed = min(allowed, MOST_ACADEMIC_HOURS)
    if academic_hours is None and allowed <= 0:
        errors["ends_at"] = _("The session is too short to count any academic hours.")
    elif academic_hours is not None and academic_hours > allowed:
        errors["academic_hours"] = _(
            "%(hours)s academic hours do not fit into this session: its duration allows at most "
            "%(allowed)s (%(minutes)s minutes per academic hour)."
        ) % {
            "hours": formats.localize(academic_hours),
            "allowed": formats.localize(allowed),
            "minutes": minutes,
        }
    overlap = _overlap_error(
        stage=stage, starts_at=starts_at, ends_at=ends_at, exclude_pk=exclude_pk
    )
    if overlap:
        errors["starts_at"] = overlap
    if errors:
        raise ValidationError(errors)
    return allowed if academic_hours is None else academic_hours


def session_save(*, session: Session) -> Session:
    """Check and save ``session`` (new or changed), its stage locked against racing saves."""
    with transaction.atomic():
        stage = (
            Stage.objects.select_for_update().select_related("programme").get(pk=session.stage_id)
        )
        session.academic_hours = session_check(
            stage=stage,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            academic_hours=session.academic_hours,
            exclude_pk=session.pk,
        )
        session.minutes_per_academic_hour = stage.programme.minutes_per_academic_hour
        session.save()
    return session


COPIED_FIELDS = ("mode", "zoom_url", "venue", "topic_lv", "topic_en", "trainer")


def session_copy(*, session: Session, days: int = 7) -> Session:
    """A copy of ``session`` ``days`` later at the same Riga wall-clock time (across DST)."""
    starts_at = timezone.localtime(session.starts_at) + timedelta(days=days)
    ends_at = timezone.localtime(session.ends_at) + timedelta(days=days)
    copy = Session(
        stage_id=session.stage_id,
        starts_at=starts_at,
        ends_at=ends_at,
        academic_hours=session.academic_hours,
        **{name: getattr(session, name) for name in COPIED_FIELDS},
    )
    return session_save(session=copy)


@dataclass
class SeedReport:
    programmes: int = 0
    stages: int = 0
    sessions: int = 0
    kept: list[str] = field(default_factory=list)
    programme: Programme | None = None

    @property
    def created_anything(self):
        return bool(self.programmes or self.stages or self.sessions)


def _seed_stage(*, programme: Programme, data: dict, report: SeedReport) -> None:
    stage, created = Stage.objects.get_or_create(
        programme=programme, order=data["order"], defaults=data
    )
    report.stages += created
    sessions = seed.SESSIONS.get(data["order"], [])
    if not sessions:
        return
    if stage.sessions.exists():
        # The stage's schedule belongs to staff once it has any session: never add to it.
        report.kept.append(str(stage))
        return
    for values in sessions:
        session_save(session=Session(stage=stage, **values))
        report.sessions += 1


def programme_seed(*, dry_run: bool = False) -> SeedReport:
    """Load the programme of the source article, creating only what is missing.

    Rows are matched by project number, stage order and, for sessions, by stage: existing rows
    are never changed, so staff edits survive, and a second run changes nothing.
    """
    report = SeedReport()
    with transaction.atomic():
        values = {k: v for k, v in seed.PROGRAMME.items() if k != "project_number"}
        programme, created = Programme.objects.get_or_create(
            project_number=seed.PROJECT_NUMBER, defaults=values
        )
        report.programmes += created
        report.programme = programme
        for data in seed.STAGES:
            _seed_stage(programme=programme, data=data, report=report)
        if dry_run:
            transaction.set_rollback(True)
    return report


@dataclass
class DemoSeedReport:
    stage: Stage | None = None
    created: bool = False
    sessions: int = 0


def _demo_planned_hours(sessions: list[dict], minutes_per_academic_hour: int) -> Decimal:
    return sum(
        (
            academic_hours_in(
                starts_at=values["starts_at"],
                ends_at=values["ends_at"],
                minutes_per_academic_hour=minutes_per_academic_hour,
            )
            for values in sessions
        ),
        Decimal("0.00"),
    )


def programme_seed_demo(*, programme: Programme, now: datetime | None = None) -> DemoSeedReport:
    """Add the clearly marked demonstration stage to ``programme``, dated around ``now``.

    Only once: when the programme has a demonstration stage already, nothing changes (its dates
    stay as they were). The stage takes the next free order after the programme's stages; the
    programme's own facts and stages are never touched.
    """
    today = timezone.localtime(now or timezone.now(), seed.RIGA).date()
    report = DemoSeedReport()
    with transaction.atomic():
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        report.stage = programme.stages.filter(is_demo=True).order_by("order").first()
        if report.stage is not None:
            return report
        sessions = seed.demo_sessions(today)
        last_order = programme.stages.order_by("-order").values_list("order", flat=True).first()
        report.stage = Stage.objects.create(
            programme=programme,
            order=(last_order or 0) + 1,
            planned_academic_hours=_demo_planned_hours(
                sessions, programme.minutes_per_academic_hour
            ),
            **seed.demo_stage(today),
        )
        report.created = True
        for values in sessions:
            session_save(session=Session(stage=report.stage, academic_hours=None, **values))
            report.sessions += 1
    return report
