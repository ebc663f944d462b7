"""Reading Zoom's participant report (CSV): no database, no session, only the file.

Zoom's exports differ by age and by the options ticked when exporting, so the header row is
found, not assumed:

- the older layout: a meeting block (``Meeting ID,Topic,Start Time,...``), a blank line, then
  ``Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest``;
- the newer sentence-case layout: ``Name (original name),Email,Join time,Leave time,Duration
  (minutes),Guest,...,In waiting room``; rows still in the waiting room are not attendance;
- the "unique users" layout, one row per person with only ``Total Duration (Minutes)``: it
  cannot show overlaps or when someone was there, so it is accepted with a warning.

Everything that makes a file unusable raises ``ValidationError`` with a message for staff; the
caller writes nothing then. Names are kept as the text they are (a name such as
``=HYPERLINK(...)`` is only ever stored and shown, never evaluated).
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

DEFAULT_TIME_ZONE = "Europe/Riga"
MAX_REPORT_BYTES = 5 * 1024 * 1024
# A report lists errors up to this many rows, then counts the rest.
MAX_LISTED_ERRORS = 10


class Layout:
    OLDER = "older"
    NEWER = "newer"
    UNIQUE_USERS = "unique_users"


# Header cells (compared lower-cased, spaces collapsed) -> the column they are.
COLUMNS = {
    "name": {"name (original name)", "name", "user name", "participant", "participant name"},
    "email": {"user email", "email", "e-mail", "participant email"},
    "join": {"join time"},
    "leave": {"leave time"},
    "duration": {"duration (minutes)", "duration (mins)", "duration"},
    "total": {"total duration (minutes)", "total duration (mins)", "total duration"},
    "guest": {"guest"},
    "waiting": {"in waiting room"},
}
YES = {"yes", "y", "true", "1", "jā", "ja"}
DELIMITERS = (",", ";", "\t")
MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
US_DATE = re.compile(r"^(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})[ T,]+(?P<time>.+)$")
DOTTED_DATE = re.compile(
    r"^(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})\.?[ T,]+(?P<time>.+)$"
)
ISO_DATE = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})[ T]+(?P<time>.+)$")
NAMED_DATE = re.compile(
    r"^(?P<mon>[A-Za-z]{3})[a-z]*\.? (?P<day>\d{1,2}),? (?P<year>\d{4})[ ,]+(?P<time>.+)$"
)
CLOCK = re.compile(
    r"^(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?$"
)
# Zoom writes "Display name (Original name)", with a space before the parenthesis.
DISPLAY_WITH_ORIGINAL = re.compile(r"^(?P<display>.*\S)\s+\((?P<original>[^()\"]+)\)$")
# Letters NFKD does not take apart (Norwegian partners, neighbours' names).
LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ı": "i"})


@dataclass(frozen=True)
class ZoomRow:
    """One line of the participant table: a person's one stay in the meeting (or, in the
    unique-users layout, their total)."""

    line: int
    name: str
    original_name: str
    email: str
    joined_at: datetime | None
    left_at: datetime | None
    total_minutes: int | None
    guest: bool

    @property
    def names(self):
        return [n for n in (self.name, self.original_name) if n]


@dataclass
class ZoomReport:
    layout: str
    time_zone: str
    rows: list[ZoomRow]
    waiting_room_rows: list[ZoomRow] = field(default_factory=list)
    meeting_starts_at: datetime | None = None
    meeting_topic: str = ""

    @property
    def has_times(self):
        return self.layout != Layout.UNIQUE_USERS


def normalise_name(text: str) -> str:
    """A name compared without case and diacritics: "Jānis  Bērziņš" -> "janis berzins"."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(LETTERS))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.split())


def split_display_name(value: str) -> tuple[str, str]:
    """``"Jānis B (Jānis Bērziņš)"`` -> ``("Jānis B", "Jānis Bērziņš")``: Zoom writes the
    original name in parentheses after the name someone renamed themselves to."""
    value = " ".join(value.split())
    found = DISPLAY_WITH_ORIGINAL.match(value)
    if not found:
        return value, ""
    return found["display"], " ".join(found["original"].split())


def time_zone_choices():
    """Time zones staff can choose from, Europe/Riga first."""
    zones = sorted(zone for zone in available_timezones() if "/" in zone and "Etc" not in zone)
    return [(DEFAULT_TIME_ZONE, DEFAULT_TIME_ZONE)] + [
        (z, z) for z in zones if z != DEFAULT_TIME_ZONE
    ]


def zone_from_name(name: str) -> ZoneInfo:
    try:
        if not name or name not in available_timezones():
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("“%(zone)s” is not a known time zone."), code="time_zone", params={"zone": name}
        ) from None


# --- Reading the bytes ---------------------------------------------------------------------


def read_limited(csv_file, *, limit=MAX_REPORT_BYTES) -> bytes:
    """The file's bytes, refusing one over ``limit`` before reading it all."""
    size = getattr(csv_file, "size", None)
    if size is not None and size > limit:
        raise too_big_error(limit)
    if hasattr(csv_file, "seek"):
        csv_file.seek(0)
    content = csv_file.read(limit + 1)
    if isinstance(content, str):
        content = content.encode("utf-8")
    if len(content) > limit:
        raise too_big_error(limit)
    return content


def too_big_error(limit):
    return ValidationError(
        _("The file is larger than %(size)s MB; a Zoom participant report is far smaller."),
        code="too_big",
        params={"size": limit // (1024 * 1024)},
    )


def decode_report(content: bytes) -> str:
    """The report's text: UTF-8 with or without a byte-order mark, or UTF-16 with one."""
    if not content.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_text() from None
    if content.startswith(b"PK\x03\x04") or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(
            _(
                "This is a spreadsheet (Excel) file, not CSV. Download the report from Zoom "
                "as CSV, or save it as “CSV UTF-8”."
            ),
            code="spreadsheet",
        )
    if b"\x00" in content:
        raise _not_text()
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _(
                "The file is not in UTF-8 encoding (it may have been saved from a spreadsheet "
                "program in another encoding). Download the report from Zoom again, or save it "
                "as “CSV UTF-8”."
            ),
            code="encoding",
        ) from None


def _not_text():
    return ValidationError(
        _("This is not a CSV file (it looks like an image or another binary file)."),
        code="not_csv",
    )


# --- Finding the table ---------------------------------------------------------------------


def _header_key(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").strip().strip('"').lower().split())


def _columns(row) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(row):
        key = _header_key(cell)
        for column, names in COLUMNS.items():
            if key in names and column not in found:
                found[column] = index
    return found


def _is_table_header(columns) -> bool:
    return "name" in columns and (("join" in columns and "leave" in columns) or "total" in columns)


def _looks_like_header(columns) -> bool:
    return len(set(columns) & {"name", "email", "join", "leave", "total", "guest"}) >= 2


def _rows(text, delimiter):
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error:
        raise ValidationError(
            _("The file could not be read as CSV: %(error)s"),
            code="not_csv",
            params={"error": _("a field is malformed or too long")},
        ) from None


def find_table(text: str) -> tuple[list[list[str]], int, dict[str, int]]:
    """The CSV rows, the index of the participant table's header row and its columns."""
    near_miss = None
    for delimiter in DELIMITERS:
        if delimiter != "," and delimiter not in text:
            continue
        rows = _rows(text, delimiter)
        for index, row in enumerate(rows):
            columns = _columns(row)
            if _is_table_header(columns):
                return rows, index, columns
            if near_miss is None and _looks_like_header(columns):
                near_miss = columns
    raise _missing_columns(near_miss)


def _missing_columns(columns):
    if columns is None:
        return ValidationError(
            _(
                "No participant table was found in the file. A Zoom participant report has the "
                "columns “Name (original name)”, “Join time”, “Leave time” (or “Total duration "
                "(minutes)”)."
            ),
            code="no_table",
        )
    missing = []
    if "name" not in columns:
        missing.append("Name (original name)")
    if "total" not in columns:
        missing += [
            label
            for key, label in (("join", "Join time"), ("leave", "Leave time"))
            if key not in columns
        ]
    return ValidationError(
        _("The participant table lacks the column(s): %(columns)s."),
        code="missing_columns",
        params={"columns": ", ".join(f"“{name}”" for name in missing)},
    )


def _layout(header, columns):
    if "join" not in columns:
        return Layout.UNIQUE_USERS
    name_cell = header[columns["name"]].replace("\ufeff", "").strip()
    if (
        "waiting" in columns
        or name_cell == "Name (original name)"
        or "email" in columns
        and (_header_key(header[columns["email"]]) == "email")
    ):
        return Layout.NEWER
    return Layout.OLDER


# --- Dates and numbers ---------------------------------------------------------------------


def parse_zoom_time(value: str, zone: ZoneInfo) -> datetime | None:
    """A Zoom time (``03/06/2021 09:58:12 AM``, ``Mar 6, 2021 09:58:12``, 24-hour, ISO, or
    ``06.03.2021 09:58``) in ``zone``, aware; None when it is none of these."""
    value = " ".join(value.strip().split())
    for pattern in (US_DATE, NAMED_DATE, ISO_DATE, DOTTED_DATE):
        found = pattern.match(value)
        if found:
            break
    else:
        return None
    parts = found.groupdict()
    month = MONTHS.get(parts["mon"].lower()) if "mon" in parts else int(parts["month"])
    clock = CLOCK.match(parts["time"].strip())
    if not month or not clock:
        return None
    hour = int(clock["hour"])
    if clock["ampm"]:
        if not 1 <= hour <= 12:
            return None
        pm = clock["ampm"].lower().startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    try:
        moment = datetime(
            int(parts["year"]),
            month,
            int(parts["day"]),
            hour,
            int(clock["minute"]),
            int(clock["second"] or 0),
        )
    except ValueError:
        return None
    return moment.replace(tzinfo=zone)


def _minutes(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# --- The report ----------------------------------------------------------------------------


class _Errors:
    def __init__(self):
        self.messages = []

    def add(self, line, message, **params):
        self.messages.append((line, message, params))

    def raise_if_any(self):
        if not self.messages:
            return
        errors = [
            ValidationError(
                _("Line %(line)d: %(problem)s"),
                code="row",
                params={"line": line, "problem": message % params},
            )
            for line, message, params in self.messages[:MAX_LISTED_ERRORS]
        ]
        more = len(self.messages) - MAX_LISTED_ERRORS
        if more > 0:
            errors.append(
                ValidationError(
                    ngettext_lazy(
                        "… and %(count)d more line with errors.",
                        "… and %(count)d more lines with errors.",
                        "count",
                    ),
                    code="row",
                    params={"count": more},
                )
            )
        raise ValidationError(errors)


def _cell(row, columns, key):
    index = columns.get(key)
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def _time(row, columns, key, zone, line, errors):
    value = _cell(row, columns, key)
    moment = parse_zoom_time(value, zone)
    if moment is None:
        label = "Join time" if key == "join" else "Leave time"
        errors.add(
            line,
            _("“%(value)s” in “%(column)s” is not a date and time."),
            value=value[:40],
            column=label,
        )
    return moment


def _row(row, line, columns, zone, errors) -> ZoomRow | None:
    if not any(cell.strip() for cell in row):
        return None
    name, original = split_display_name(_cell(row, columns, "name"))
    email = _cell(row, columns, "email").lower()
    joined = left = total = None
    if "join" in columns:
        joined = _time(row, columns, "join", zone, line, errors)
        left = _time(row, columns, "leave", zone, line, errors)
        if joined and left and left < joined:
            errors.add(line, _("the leave time is before the join time."))
        if "duration" in columns and _cell(row, columns, "duration"):
            duration = _minutes(_cell(row, columns, "duration"))
            if duration is None or duration < 0:
                errors.add(line, _("the duration is not a number of minutes of zero or more."))
    else:
        duration = _minutes(_cell(row, columns, "total"))
        if duration is None or duration < 0:
            errors.add(line, _("the total duration is not a number of minutes of zero or more."))
        else:
            total = int(duration)
    return ZoomRow(
        line=line,
        name=name,
        original_name=original,
        email=email,
        joined_at=joined,
        left_at=left,
        total_minutes=total,
        guest=_cell(row, columns, "guest").lower() in YES,
    )


def _meeting_block(rows, header_index, zone):
    """The meeting's topic and start time from the block above the table, when there is one."""
    for index in range(header_index - 1):
        keys = [_header_key(cell) for cell in rows[index]]
        if "start time" in keys and index + 1 < header_index:
            values = rows[index + 1]
            position = keys.index("start time")
            start = parse_zoom_time(values[position], zone) if position < len(values) else None
            topic = ""
            if "topic" in keys and keys.index("topic") < len(values):
                topic = values[keys.index("topic")].strip()
            return start, topic
    return None, ""


def parse_report(text: str, *, time_zone: str = DEFAULT_TIME_ZONE) -> ZoomReport:
    """The participant table of a Zoom report's text; ``ValidationError`` when it is unusable."""
    zone = zone_from_name(time_zone)
    if not text.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    rows, header_index, columns = find_table(text)
    layout = _layout(rows[header_index], columns)
    errors = _Errors()
    report = ZoomReport(layout=layout, time_zone=time_zone, rows=[])
    report.meeting_starts_at, report.meeting_topic = _meeting_block(rows, header_index, zone)
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        parsed = _row(row, offset, columns, zone, errors)
        if parsed is None:
            continue
        if _cell(row, columns, "waiting").lower() in YES:
            report.waiting_room_rows.append(parsed)
        else:
            report.rows.append(parsed)
    errors.raise_if_any()
    if not report.rows and not report.waiting_room_rows:
        raise ValidationError(
            _("The participant table has no rows: nobody is listed in the report."),
            code="empty_table",
        )
    return report


def read_report(csv_file, *, time_zone: str = DEFAULT_TIME_ZONE) -> tuple[ZoomReport, str, bytes]:
    """Read, decode and parse an uploaded file: the report, its text and its bytes."""
    content = read_limited(csv_file)
    text = decode_report(content)
    return parse_report(text, time_zone=time_zone), text, content


# --- Minutes present -----------------------------------------------------------------------


def merged_seconds(intervals, *, starts_at: datetime, ends_at: datetime) -> int:
    """Seconds covered by ``intervals`` (pairs of aware datetimes) inside [starts_at, ends_at],
    each moment counted once however many intervals (rejoins, devices) cover it."""
    clipped = sorted(
        (max(start, starts_at), min(end, ends_at))
        for start, end in intervals
        if start < ends_at and end > starts_at
    )
    total = timedelta()
    current_start = current_end = None
    for start, end in clipped:
        if current_end is None or start > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return int(total.total_seconds())


def minutes_from_seconds(seconds: int) -> int:
    """Whole minutes, half a minute and more rounded up."""
    return (seconds + 30) // 60


def minutes_present(rows, *, starts_at: datetime, ends_at: datetime) -> int:
    """A person's minutes at the session from their rows: intervals clipped to the session and
    merged; in the unique-users layout their total, capped at the session's length."""
    session_minutes = int((ends_at - starts_at).total_seconds() // 60)
    timed = [(row.joined_at, row.left_at) for row in rows if row.joined_at and row.left_at]
    if timed:
        return minutes_from_seconds(merged_seconds(timed, starts_at=starts_at, ends_at=ends_at))
    total = sum(row.total_minutes or 0 for row in rows)
    return min(total, session_minutes)


def is_present(minutes: int, *, session_minutes: int, share: Decimal) -> bool:
    """Present when the minutes reach ``share`` (0.75 = 75%) of the session."""
    return Decimal(minutes) >= Decimal(share) * Decimal(session_minutes)
