"""Importing Zoom's participant report into a session's attendance.

The file is read by ``participants.attendance.zoom`` (no database); here its people are matched
to the stage's confirmed participants and their minutes turned into attendance rows:

- matching, in this order: the e-mail (case-insensitive); the exact name without case and
  diacritics (display name or the original name Zoom adds in parentheses; "first last" or
  "last first"); a name or e-mail staff matched by hand before (``ZoomAlias``). Never by
  similarity. A name two confirmed participants share matches neither.
- minutes: each person's stays clipped to the session's scheduled start and end, overlaps
  (rejoins, two devices, rows staff matched to the same person) counted once;
- present when the minutes reach the programme's share of the session (default 75%);
- the import owns the rows it wrote (``source=zoom``): a corrected file replaces them, rows
  staff entered are never touched, and the same file again changes nothing at all.

Staff use it in two steps (``zoom_import_preview`` stores the upload, ``zoom_import_save``
saves it with their matches); the command uses ``attendance_import_zoom`` in one.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from courses.models import Session
from participants.attendance import zoom
from participants.attendance.models import Attendance
from participants.attendance.zoom_models import ZoomAlias, ZoomImport
from participants.models import Participant, Registration

UPDATED_FIELDS = ["status", "minutes_present", "source", "recorded_by", "recorded_at"]
# Previews nobody saved are removed when a later upload is made after this long.
PREVIEW_KEPT_FOR = timedelta(days=2)


class MatchedBy:
    EMAIL = "email"
    NAME = "name"
    ALIAS = "alias"
    STAFF = "staff"


@dataclass
class Attendee:
    """The rows of the report that are one person as far as the file can tell: the same
    e-mail, or, without one, the same name."""

    key: str
    rows: list = field(default_factory=list)
    minutes: int = 0
    participant_id: int | None = None
    matched_by: str = ""
    ambiguous: bool = False

    @property
    def email(self):
        return next((row.email for row in self.rows if row.email), "")

    @property
    def label(self):
        """The name as the report shows it (the first row's), with the original name."""
        row = self.rows[0]
        if row.original_name and row.original_name != row.name:
            return f"{row.name} ({row.original_name})"
        return row.name or row.email or "–"

    @property
    def names(self):
        seen = []
        for row in self.rows:
            for name in row.names:
                if name not in seen:
                    seen.append(name)
        return seen

    @property
    def guest(self):
        return any(row.guest for row in self.rows)


@dataclass
class PlannedAttendance:
    participant: Participant
    minutes: int
    status: str
    matched_by: str
    zoom_names: list
    existing: Attendance | None = None

    @property
    def kept_as_staff_entered(self):
        return self.existing is not None and self.existing.source == Attendance.Source.STAFF

    @property
    def change(self):
        """ "new", "changed", "same" or "kept" (staff entered it: the import leaves it)."""
        if self.existing is None:
            return "new"
        if self.kept_as_staff_entered:
            return "kept"
        if (self.existing.status, self.existing.minutes_present) == (self.status, self.minutes):
            return "same"
        return "changed"


@dataclass
class ZoomImportPlan:
    session: Session
    report: zoom.ZoomReport
    share: object
    session_minutes: int
    rows: list  # PlannedAttendance, by name
    unmatched: list  # Attendee, not matched and not matched by staff
    ignored: list  # Attendee staff chose to ignore
    removed: list  # Attendance rows of an earlier import this file no longer has
    not_in_report: list  # confirmed participants the report does not list
    warnings: list
    aliases: list  # (participant_id, kind, key, label) to remember

    @property
    def has_changes(self):
        return bool(self.removed) or any(row.change in ("new", "changed") for row in self.rows)


@dataclass
class ZoomImportOutcome:
    zoom_import: ZoomImport | None
    plan: ZoomImportPlan
    created: int = 0
    updated: int = 0
    removed: int = 0
    already_imported: ZoomImport | None = None


# --- Matching ------------------------------------------------------------------------------


def confirmed_participants(session):
    return list(
        Participant.objects.filter(
            registrations__stage_id=session.stage_id,
            registrations__status=Registration.Status.CONFIRMED,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


class Candidates:
    """The stage's confirmed participants, looked up by e-mail, name and remembered alias."""

    def __init__(self, participants):
        self.by_id = {person.pk: person for person in participants}
        self.by_email = {person.email.lower(): person.pk for person in participants}
        self.by_name = defaultdict(set)
        for person in participants:
            first, last = person.first_name, person.last_name
            for full in (f"{first} {last}", f"{last} {first}"):
                self.by_name[zoom.normalise_name(full)].add(person.pk)
        self.by_alias = defaultdict(set)
        for alias in ZoomAlias.objects.filter(participant_id__in=list(self.by_id)):
            self.by_alias[(alias.kind, alias.key)].add(alias.participant_id)

    def match(self, attendee: Attendee):
        if attendee.email in self.by_email:
            return self.by_email[attendee.email], MatchedBy.EMAIL
        by_name = set().union(*(self.by_name.get(self._key(n), set()) for n in attendee.names))
        if len(by_name) == 1:
            return next(iter(by_name)), MatchedBy.NAME
        if len(by_name) > 1:
            attendee.ambiguous = True
            return None, ""
        keys = [(ZoomAlias.Kind.NAME, self._key(name)) for name in attendee.names]
        if attendee.email:
            keys.append((ZoomAlias.Kind.EMAIL, attendee.email))
        by_alias = set().union(*(self.by_alias.get(key, set()) for key in keys))
        if len(by_alias) == 1:
            return next(iter(by_alias)), MatchedBy.ALIAS
        return None, ""

    @staticmethod
    def _key(name):
        return zoom.normalise_name(name)


def attendees_of(report: zoom.ZoomReport) -> list[Attendee]:
    """The report's rows grouped into people, in the order they first appear."""
    grouped = {}
    for row in report.rows:
        key = f"email:{row.email}" if row.email else f"name:{zoom.normalise_name(row.name)}"
        grouped.setdefault(key, Attendee(key=key)).rows.append(row)
    return list(grouped.values())


def attendee_field_name(attendee: Attendee) -> str:
    """A form field name for the attendee, stable for the same file."""
    return "match_" + hashlib.sha256(attendee.key.encode()).hexdigest()[:16]


# --- Checks against the session ------------------------------------------------------------


def _local_day(moment):
    return timezone.localtime(moment).date()


def _check_dates(session, report):
    days = {_local_day(session.starts_at), _local_day(session.ends_at)}
    if report.has_times:
        wrong = [row for row in report.rows if _local_day(row.joined_at) not in days]
    elif report.meeting_starts_at and _local_day(report.meeting_starts_at) not in days:
        wrong = [report]
    else:
        wrong = []
    if not wrong:
        return
    first = wrong[0].joined_at if report.has_times else report.meeting_starts_at
    raise ValidationError(
        _(
            "The report's times are on %(report_day)s, but the session is on %(session_day)s: "
            "this is the report of another meeting, or the time zone is wrong. Nothing was saved."
        )
        % {
            "report_day": formats.date_format(_local_day(first), "SHORT_DATE_FORMAT"),
            "session_day": formats.date_format(_local_day(session.starts_at), "SHORT_DATE_FORMAT"),
        },
        code="wrong_day",
    )


def _warnings(session, report, attendees, unmatched):
    warnings = []
    if not report.has_times:
        warnings.append(
            _(
                "This report lists only each person's total time (“unique users”): overlaps "
                "(rejoins, two devices) and time outside the session could not be checked. "
                "Export the report with every join and leave time when you can."
            )
        )
    if report.waiting_room_rows:
        count = len(report.waiting_room_rows)
        warnings.append(
            ngettext(
                "%(count)d row was in the waiting room and is not counted as attendance.",
                "%(count)d rows were in the waiting room and are not counted as attendance.",
                count,
            )
            % {"count": count}
        )
    if report.has_times and attendees and not any(a.minutes for a in attendees):
        warnings.append(
            _(
                "Nobody in the report was there during the session's scheduled time "
                "(%(start)s–%(end)s): check the session's time and the file's time zone."
            )
            % {
                "start": timezone.localtime(session.starts_at).strftime("%H:%M"),
                "end": timezone.localtime(session.ends_at).strftime("%H:%M"),
            }
        )
    if any(attendee.ambiguous for attendee in unmatched):
        warnings.append(
            _(
                "Some names belong to more than one confirmed participant and were not "
                "matched; match them by hand."
            )
        )
    return warnings


# --- The plan ------------------------------------------------------------------------------


def _clean_manual_matches(manual_matches, candidates):
    cleaned = {}
    for key, value in (manual_matches or {}).items():
        if value in (None, ""):
            cleaned[key] = None
            continue
        try:
            participant_id = int(getattr(value, "pk", value))
        except (TypeError, ValueError):
            participant_id = None
        if participant_id not in candidates.by_id:
            raise ValidationError(
                _("Only the stage's confirmed participants can be matched."), code="match"
            )
        cleaned[key] = participant_id
    return cleaned


def _alias_keys(attendee):
    keys = [(ZoomAlias.Kind.NAME, zoom.normalise_name(n), n) for n in attendee.names]
    if attendee.email:
        keys.append((ZoomAlias.Kind.EMAIL, attendee.email, attendee.email))
    return [(kind, key[:255], label[:255]) for kind, key, label in keys if key]


def zoom_import_plan(
    *, session: Session, report: zoom.ZoomReport, manual_matches=None, remember=None
) -> ZoomImportPlan:
    """What importing ``report`` into ``session`` would write, without writing anything.

    ``manual_matches`` maps an attendee's key (``Attendee.key``) to a confirmed participant's
    id, or to None to ignore the row. ``remember`` is the set of keys whose manual match is
    remembered for later imports (None: all of them).
    """
    _check_dates(session, report)
    session = Session.objects.select_related("stage__programme").get(pk=session.pk)
    candidates = Candidates(confirmed_participants(session))
    manual = _clean_manual_matches(manual_matches, candidates)
    attendees = attendees_of(report)
    rows_by_participant = defaultdict(list)
    unmatched, ignored, aliases = [], [], []
    for attendee in attendees:
        attendee.minutes = zoom.minutes_present(
            attendee.rows, starts_at=session.starts_at, ends_at=session.ends_at
        )
        participant_id, how = candidates.match(attendee)
        if participant_id is None and attendee.key in manual:
            participant_id, how = manual[attendee.key], MatchedBy.STAFF
            if participant_id is None:
                ignored.append(attendee)
                continue
            if remember is None or attendee.key in remember:
                aliases += [(participant_id, *key) for key in _alias_keys(attendee)]
        if participant_id is None:
            unmatched.append(attendee)
            continue
        attendee.participant_id, attendee.matched_by = participant_id, how
        rows_by_participant[participant_id].append(attendee)
    return _plan(session, report, candidates, rows_by_participant, unmatched, ignored, aliases)


def _plan(session, report, candidates, rows_by_participant, unmatched, ignored, aliases):
    share = session.stage.programme.attendance_present_share
    session_minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
    rows = Attendance.objects.filter(session=session).select_related("participant")
    existing = {row.participant_id: row for row in rows}
    planned = []
    for participant_id, attendees in rows_by_participant.items():
        rows = [row for attendee in attendees for row in attendee.rows]
        minutes = zoom.minutes_present(rows, starts_at=session.starts_at, ends_at=session.ends_at)
        present = zoom.is_present(minutes, session_minutes=session_minutes, share=share)
        planned.append(
            PlannedAttendance(
                participant=candidates.by_id[participant_id],
                minutes=minutes,
                status=Attendance.Status.PRESENT if present else Attendance.Status.ABSENT,
                matched_by=", ".join(sorted({a.matched_by for a in attendees})),
                zoom_names=[name for attendee in attendees for name in attendee.names],
                existing=existing.get(participant_id),
            )
        )
    planned.sort(
        key=lambda p: (p.participant.last_name, p.participant.first_name, p.participant.pk)
    )
    removed = [
        row
        for participant_id, row in existing.items()
        if row.source == Attendance.Source.ZOOM and participant_id not in rows_by_participant
    ]
    attendees = [a for group in rows_by_participant.values() for a in group] + unmatched
    return ZoomImportPlan(
        session=session,
        report=report,
        share=share,
        session_minutes=session_minutes,
        rows=planned,
        unmatched=unmatched,
        ignored=ignored,
        removed=removed,
        not_in_report=[
            person
            for pid, person in candidates.by_id.items()
            if pid not in rows_by_participant and pid not in existing
        ],
        warnings=_warnings(session, report, attendees, unmatched),
        aliases=aliases,
    )


# --- Saving --------------------------------------------------------------------------------


def _apply(plan: ZoomImportPlan, *, user) -> tuple[int, int, int]:
    now = timezone.now()
    created, changed = [], []
    for planned in plan.rows:
        if planned.change in ("kept", "same"):
            continue
        row = planned.existing or Attendance(participant=planned.participant, session=plan.session)
        (created if planned.existing is None else changed).append(row)
        row.status, row.minutes_present = planned.status, planned.minutes
        row.source, row.recorded_by, row.recorded_at = Attendance.Source.ZOOM, user, now
    if created:
        bulk_create_with_history(created, Attendance, default_user=user, default_date=now)
    if changed:
        bulk_update_with_history(
            changed, Attendance, UPDATED_FIELDS, default_user=user, default_date=now
        )
    for row in plan.removed:
        row._history_user = user
        row.delete()
    for participant_id, kind, key, label in plan.aliases:
        ZoomAlias.objects.get_or_create(
            participant_id=participant_id,
            kind=kind,
            key=key,
            defaults={"label": label, "created_by": user},
        )
    return len(created), len(changed), len(plan.removed)


def _record(zoom_import: ZoomImport, plan: ZoomImportPlan, *, user):
    recorded = [row for row in plan.rows if row.change != "kept"]
    zoom_import.status = ZoomImport.Status.SAVED
    zoom_import.saved_at = timezone.now()
    zoom_import.imported_by = user or zoom_import.imported_by
    zoom_import.layout = plan.report.layout
    zoom_import.rows_count = len(plan.report.rows) + len(plan.report.waiting_room_rows)
    zoom_import.matched_count = len(plan.rows)
    zoom_import.present_count = sum(r.status == Attendance.Status.PRESENT for r in recorded)
    zoom_import.absent_count = sum(r.status == Attendance.Status.ABSENT for r in recorded)
    zoom_import.kept_staff_count = len(plan.rows) - len(recorded)
    zoom_import.removed_count = len(plan.removed)
    zoom_import.ignored_count = len(plan.unmatched) + len(plan.ignored)
    zoom_import.ignored = [
        {"name": a.label, "email": a.email, "minutes": a.minutes, "guest": a.guest}
        for a in plan.unmatched + plan.ignored
    ]
    zoom_import.warnings = [str(warning) for warning in plan.warnings]
    zoom_import.save()


def _earlier_same_file(session, digest, time_zone, *, exclude=None):
    return (
        ZoomImport.objects.filter(
            session=session,
            status=ZoomImport.Status.SAVED,
            file_sha256=digest,
            time_zone=time_zone,
        )
        .exclude(pk=exclude)
        .order_by("-saved_at")
        .first()
    )


def _save(*, session, report, digest, time_zone, zoom_import, manual_matches, remember, user):
    """Lock the session, plan again against the rows as they are now, and write."""
    with transaction.atomic():
        Session.objects.select_for_update().get(pk=session.pk)
        if zoom_import.pk and not _still_a_preview(zoom_import):
            raise ValidationError(_("This import has already been saved."), code="saved")
        plan = zoom_import_plan(
            session=session, report=report, manual_matches=manual_matches, remember=remember
        )
        earlier = _earlier_same_file(
            session, digest, time_zone, exclude=zoom_import.pk if zoom_import else None
        )
        if earlier and not plan.has_changes and not _new_aliases(plan):
            if zoom_import and zoom_import.pk:
                zoom_import.delete()
            return ZoomImportOutcome(zoom_import=None, plan=plan, already_imported=earlier)
        created, updated, removed = _apply(plan, user=user)
        _record(zoom_import, plan, user=user)
    return ZoomImportOutcome(
        zoom_import=zoom_import, plan=plan, created=created, updated=updated, removed=removed
    )


def _still_a_preview(zoom_import):
    """Under the session's lock: a second click on "save" finds the import saved."""
    return ZoomImport.objects.filter(pk=zoom_import.pk, status=ZoomImport.Status.PREVIEW).exists()


def _new_aliases(plan):
    return [
        alias
        for alias in plan.aliases
        if not ZoomAlias.objects.filter(
            participant_id=alias[0], kind=alias[1], key=alias[2]
        ).exists()
    ]


def _read(csv_file, time_zone):
    report, text, content = zoom.read_report(csv_file, time_zone=time_zone)
    return report, text, hashlib.sha256(content).hexdigest()


def _file_name(csv_file, file_name):
    name = file_name or getattr(csv_file, "name", "") or ""
    return str(name).replace("\\", "/").rsplit("/", 1)[-1][:255]


# --- The services --------------------------------------------------------------------------


def zoom_import_preview(
    *,
    session: Session,
    csv_file,
    time_zone: str = zoom.DEFAULT_TIME_ZONE,
    imported_by=None,
    file_name: str = "",
) -> tuple[ZoomImport, ZoomImportPlan]:
    """Read an upload and keep it (status "preview") with what saving it would do.

    Raises ``ValidationError`` (and keeps nothing) when the file cannot be used.
    """
    report, text, digest = _read(csv_file, time_zone)
    plan = zoom_import_plan(session=session, report=report)
    ZoomImport.objects.filter(
        status=ZoomImport.Status.PREVIEW, created_at__lt=timezone.now() - PREVIEW_KEPT_FOR
    ).delete()
    zoom_import = ZoomImport.objects.create(
        session=session,
        file_name=_file_name(csv_file, file_name),
        file_sha256=digest,
        content=text,
        time_zone=time_zone,
        layout=report.layout,
        imported_by=imported_by,
        rows_count=len(report.rows) + len(report.waiting_room_rows),
        warnings=[str(warning) for warning in plan.warnings],
    )
    return zoom_import, plan


def zoom_import_report(zoom_import: ZoomImport) -> zoom.ZoomReport:
    """The stored report of an import, read again (the same text gives the same rows)."""
    return zoom.parse_report(zoom_import.content, time_zone=zoom_import.time_zone)


def zoom_import_save(
    *, zoom_import: ZoomImport, manual_matches=None, remember=None, imported_by=None
) -> ZoomImportOutcome:
    """Save a previewed import with staff's matches (see ``zoom_import_plan``)."""
    if zoom_import.status != ZoomImport.Status.PREVIEW:
        raise ValidationError(_("This import has already been saved."), code="saved")
    return _save(
        session=zoom_import.session,
        report=zoom_import_report(zoom_import),
        digest=zoom_import.file_sha256,
        time_zone=zoom_import.time_zone,
        zoom_import=zoom_import,
        manual_matches=manual_matches,
        remember=remember,
        user=imported_by,
    )


def attendance_import_zoom(
    *,
    session: Session,
    csv_file,
    time_zone: str = zoom.DEFAULT_TIME_ZONE,
    manual_matches=None,
    imported_by=None,
    dry_run: bool = False,
    file_name: str = "",
) -> ZoomImportOutcome:
    """Import a session's Zoom report in one step: save what matched (and what
    ``manual_matches`` matches), list the rest in the outcome. ``dry_run`` writes nothing."""
    report, text, digest = _read(csv_file, time_zone)
    if dry_run:
        plan = zoom_import_plan(session=session, report=report, manual_matches=manual_matches)
        return ZoomImportOutcome(zoom_import=None, plan=plan)
    zoom_import = ZoomImport(
        session=session,
        file_name=_file_name(csv_file, file_name),
        file_sha256=digest,
        content=text,
        time_zone=time_zone,
        imported_by=imported_by,
    )
    return _save(
        session=session,
        report=report,
        digest=digest,
        time_zone=time_zone,
        zoom_import=zoom_import,
        manual_matches=manual_matches,
        remember=None,
        user=imported_by,
    )
