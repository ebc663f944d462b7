"""Writes about attendance: the staff register of a session.

Rows staff save get ``source=staff``; Zoom's import replaces only its own rows, so a correction
staff made survives a repeated import. Saving the sheet leaves rows it does not change as they
are, imported ones included. Every change is written with django-simple-history
(who, when, the row before and after); unchanged rows are not written at all.
"""

import math
from collections.abc import Iterable, Mapping
from datetime import UTC

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from courses.models import Session
from participants.attendance.models import Attendance
from participants.models import Registration

STATUSES = set(Attendance.Status.values)
UPDATED_FIELDS = ["status", "minutes_present", "source", "recorded_by", "recorded_at"]


def session_full_minutes(session: Session) -> int:
    """The session's length in whole minutes (what "all present" fills in).

    Both ends are taken in UTC: two datetimes in Europe/Riga subtract as wall-clock times, which
    is an hour off for a session across a daylight-saving change.
    """
    length = session.ends_at.astimezone(UTC) - session.starts_at.astimezone(UTC)
    return math.ceil(length.total_seconds() / 60)


def confirmed_participant_ids(session: Session) -> set[int]:
    return set(
        Registration.objects.filter(
            stage_id=session.stage_id, status=Registration.Status.CONFIRMED
        ).values_list("participant_id", flat=True)
    )


def _participant_id(entry: Mapping) -> int:
    participant = entry["participant"]
    return getattr(participant, "pk", participant)


def _clean_entry(entry: Mapping, *, session, allowed_ids, full_minutes) -> tuple[int, str, int]:
    participant_id = _participant_id(entry)
    status = entry.get("status") or ""
    minutes = entry.get("minutes_present")
    if participant_id not in allowed_ids:
        raise ValidationError(_("Only the stage's confirmed participants can be marked."))
    if status not in STATUSES:
        raise ValidationError(_("Choose present, absent or excused."))
    if minutes is None:
        minutes = full_minutes if status == Attendance.Status.PRESENT else 0
    if not isinstance(minutes, int) or not 0 <= minutes <= full_minutes:
        raise ValidationError(
            _("Minutes present must be between 0 and %(minutes)d (the session's length).")
            % {"minutes": full_minutes}
        )
    return participant_id, status, minutes


def attendance_clean_entries(*, session: Session, entries: Iterable[Mapping]) -> dict:
    """participant id -> (status, minutes) for every entry with a status; entries without one
    are left as they are. Raises ``ValidationError`` for the first entry the rules refuse."""
    allowed_ids = confirmed_participant_ids(session)
    full_minutes = session_full_minutes(session)
    cleaned = {}
    for entry in entries:
        if not entry.get("status"):
            continue
        participant_id, status, minutes = _clean_entry(
            entry, session=session, allowed_ids=allowed_ids, full_minutes=full_minutes
        )
        cleaned[participant_id] = (status, minutes)
    return cleaned


@transaction.atomic
def attendance_record_register(
    *, session: Session, entries: Iterable[Mapping], recorded_by
) -> list[Attendance]:
    """Save a session's register in one go: all entries or, on any error, none.

    ``entries`` are mappings with ``participant`` (a participant or its id), ``status``
    (present / absent / excused; empty leaves the row as it is) and ``minutes_present`` (None
    means the whole session for "present", 0 otherwise). Returns the rows created or changed.
    """
    cleaned = attendance_clean_entries(session=session, entries=entries)
    existing = {
        row.participant_id: row
        for row in Attendance.objects.select_for_update().filter(
            session=session, participant_id__in=list(cleaned)
        )
    }
    now = timezone.now()
    created, changed = [], []
    for participant_id, (status, minutes) in cleaned.items():
        row = existing.get(participant_id)
        if row is None:
            row = Attendance(participant_id=participant_id, session=session)
            created.append(row)
        elif (row.status, row.minutes_present) == (status, minutes):
            continue  # unchanged: an imported row stays the import's, to be replaced by it
        else:
            changed.append(row)
        row.status, row.minutes_present, row.source = status, minutes, Attendance.Source.STAFF
        row.recorded_by, row.recorded_at = recorded_by, now
    if created:
        bulk_create_with_history(created, Attendance, default_user=recorded_by, default_date=now)
    if changed:
        bulk_update_with_history(
            changed, Attendance, UPDATED_FIELDS, default_user=recorded_by, default_date=now
        )
    return created + changed
