"""iCalendar (RFC 5545) files for sessions: what a participant adds to their own calendar.

Written by hand because the format we need is small: one VCALENDAR with a VEVENT per session.
The rules that matter and are easy to get wrong:

* lines end with CRLF and are folded so that no line is longer than 75 octets (not characters:
  Latvian letters take two octets in UTF-8, and a fold never splits one);
* TEXT values escape backslash, semicolon, comma and newline;
* times are written in UTC (``...Z``), so no VTIMEZONE is needed and daylight-saving changes
  cannot be misread by the calendar program;
* a session keeps the same UID in every file we send, so a calendar updates the event instead of
  adding a second copy.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

PRODID = "-//Daugavpils Innovation Centre//Training portal//LV"
MAX_LINE_OCTETS = 75
CRLF = "\r\n"


def calendar_for_sessions(
    sessions: Iterable, *, language: str, title: str | None = None, stamp: datetime | None = None
) -> bytes:
    """A UTF-8 encoded iCalendar file with one event per session, in ``language``.

    ``title`` names the calendar (X-WR-CALNAME); ``stamp`` is the DTSTAMP (default: now).
    Sessions need their stage loaded (``select_related("stage")`` avoids a query each).
    """
    stamp = stamp or timezone.now()
    with translation.override(language):
        lines = ["BEGIN:VCALENDAR", f"PRODID:{PRODID}", "VERSION:2.0", "CALSCALE:GREGORIAN"]
        lines.append("METHOD:PUBLISH")
        if title:
            lines.append(f"X-WR-CALNAME:{escape_text(title)}")
        for session in sessions:
            lines.extend(event_lines(session, stamp=stamp, language=language))
        lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + CRLF for line in lines).encode("utf-8")


def event_lines(session, *, stamp, language):
    lines = [
        "BEGIN:VEVENT",
        f"UID:{session_uid(session)}",
        f"DTSTAMP:{utc_stamp(stamp)}",
        f"DTSTART:{utc_stamp(session.starts_at)}",
        f"DTEND:{utc_stamp(session.ends_at)}",
        f"SUMMARY:{escape_text(session.topic)}",
    ]
    location = session_location(session)
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines.append(f"DESCRIPTION:{escape_text(session_description(session))}")
    lines.append(f"URL:{stage_url(session, language=language)}")
    lines.append("STATUS:CONFIRMED")
    lines.append("END:VEVENT")
    return lines


def session_uid(session):
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"session-{session.pk}@{host}"


def session_location(session):
    """The Zoom link for online sessions, the venue for on-site ones, both for hybrid ones."""
    places = []
    if session.is_onsite and session.venue:
        places.append(session.venue)
    if session.is_online and session.zoom_url:
        places.append(session.zoom_url)
    return " / ".join(places)


def session_description(session):
    parts = [session.topic]
    if session.is_online and session.zoom_url:
        parts.append(_("Zoom link: %(url)s") % {"url": session.zoom_url})
    if session.is_onsite and session.venue:
        parts.append(_("Venue: %(venue)s") % {"venue": session.venue})
    if session.trainer:
        parts.append(_("Trainer: %(trainer)s") % {"trainer": session.trainer})
    return "\n".join(parts)


def stage_url(session, *, language):
    with translation.override(language):
        path = reverse("participants:stage_detail", kwargs={"stage_id": session.stage_id})
    return f"{settings.SITE_URL}{path}"


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11); newlines of any kind become ``\\n``."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold_line(line: str) -> str:
    """Fold ``line`` into pieces of at most 75 octets, never inside a UTF-8 character.

    Continuation lines start with one space, which counts towards their 75 octets.
    """
    pieces = []
    current, size, limit = [], 0, MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, MAX_LINE_OCTETS - 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces)
