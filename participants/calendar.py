"""iCalendar (RFC 5545) files for sessions: what a participant adds to their own calendar.

Written with the icalendar library, which escapes TEXT values and folds long lines at 75
octets without splitting a Latvian letter. What this module decides:

* times are written in UTC (``...Z``), so no VTIMEZONE is needed and daylight-saving changes
  cannot be misread by the calendar program;
* a session keeps the same UID in every file we send, so a calendar updates the event instead of
  adding a second copy;
* an online session is located at its Zoom link, an on-site one at its venue, a hybrid one at
  both; the description repeats them with the trainer, in the participant's language.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

PRODID = "-//Daugavpils Innovation Centre//Training portal//LV"


def calendar_for_sessions(
    sessions: Iterable, *, language: str, title: str | None = None, stamp: datetime | None = None
) -> bytes:
    """A UTF-8 encoded iCalendar file with one event per session, in ``language``.

    ``title`` names the calendar (X-WR-CALNAME); ``stamp`` is the DTSTAMP (default: now).
    Sessions need their stage loaded (``select_related("stage")`` avoids a query each).
    """
    stamp = stamp or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if title:
        calendar.add("x-wr-calname", title)
    with translation.override(language):
        for session in sessions:
            calendar.add_component(session_event(session, stamp=stamp, language=language))
    return calendar.to_ical()


def session_event(session, *, stamp: datetime, language: str) -> Event:
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("summary", session.topic)
    location = session_location(session)
    if location:
        event.add("location", location)
    event.add("description", session_description(session))
    event.add("url", stage_url(session, language=language))
    event.add("status", "CONFIRMED")
    return event


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
