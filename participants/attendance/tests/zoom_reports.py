"""Zoom participant reports as Zoom writes them, built by the tests (never real people's data).

Each layout is written the way Zoom exports it: the older one with its meeting block, a blank
line and title-case headers; the newer sentence-case one with the waiting-room column; the
"unique users" one with only each person's total. Times are written in the file's time zone
(Europe/Riga unless a test says otherwise) in one of Zoom's formats.
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

RIGA = ZoneInfo("Europe/Riga")
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@dataclass
class Stay:
    """One line of the report: someone's one stay in the meeting."""

    name: str
    email: str
    joined: datetime
    left: datetime
    guest: bool = False
    waiting_room: bool = False


def zoom_time(moment: datetime, style: str = "us12", zone=RIGA) -> str:
    local = moment.astimezone(zone)
    if style == "us12":  # 03/06/2021 09:58:12 AM
        return local.strftime("%m/%d/%Y %I:%M:%S %p")
    if style == "us24":  # 03/06/2021 09:58:12
        return local.strftime("%m/%d/%Y %H:%M:%S")
    if style == "named":  # Mar 6, 2021 09:58:12
        return f"{MONTHS[local.month - 1]} {local.day}, {local.year} {local:%H:%M:%S}"
    raise ValueError(style)


def _csv(rows, delimiter=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


def _minutes(stay):
    return max(1, round((stay.left - stay.joined).total_seconds() / 60))


def older_report(stays, *, style="us12", zone=RIGA, bom=True, topic="Eksaktās zinātnes") -> bytes:
    """``Meeting ID,Topic,...`` block, blank line, ``Name (Original Name),User Email,...``."""
    start = min(stay.joined for stay in stays)
    end = max(stay.left for stay in stays)
    meeting = [
        [
            "Meeting ID",
            "Topic",
            "Start Time",
            "End Time",
            "User Email",
            "Duration (Minutes)",
            "Participants",
        ],
        [
            "812 3456 7890",
            topic,
            zoom_time(start, style, zone),
            zoom_time(end, style, zone),
            "inovacijas@example.lv",
            str(round((end - start).total_seconds() / 60)),
            str(len(stays)),
        ],
        [],
        [
            "Name (Original Name)",
            "User Email",
            "Join Time",
            "Leave Time",
            "Duration (Minutes)",
            "Guest",
        ],
    ]
    rows = [
        [
            stay.name,
            stay.email,
            zoom_time(stay.joined, style, zone),
            zoom_time(stay.left, style, zone),
            str(_minutes(stay)),
            "Yes" if stay.guest else "No",
        ]
        for stay in stays
    ]
    text = _csv(meeting + rows)
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def newer_report(stays, *, style="named", zone=RIGA, bom=False, topic="Kompetenču pieeja") -> bytes:
    """Sentence-case headers, ``In waiting room`` at the end."""
    start = min(stay.joined for stay in stays)
    end = max(stay.left for stay in stays)
    meeting = [
        ["Topic", "ID", "Host", "Duration (minutes)", "Start time", "End time", "Participants"],
        [
            topic,
            "81234567890",
            "Inovāciju centrs",
            str(round((end - start).total_seconds() / 60)),
            zoom_time(start, style, zone),
            zoom_time(end, style, zone),
            str(len(stays)),
        ],
        [],
        [
            "Name (original name)",
            "Email",
            "Join time",
            "Leave time",
            "Duration (minutes)",
            "Guest",
            "Recording disclaimer response",
            "In waiting room",
        ],
    ]
    rows = [
        [
            stay.name,
            stay.email,
            zoom_time(stay.joined, style, zone),
            zoom_time(stay.left, style, zone),
            str(_minutes(stay)),
            "Yes" if stay.guest else "No",
            "OK",
            "Yes" if stay.waiting_room else "No",
        ]
        for stay in stays
    ]
    text = _csv(meeting + rows)
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def unique_users_report(people, *, bom=True, meeting_start=None) -> bytes:
    """One row per person: ``(name, email, total minutes, guest)``; with ``meeting_start``,
    the meeting block (``Meeting ID,Topic,Start Time,...``) and a blank line come first."""
    rows = []
    if meeting_start is not None:
        rows += [
            ["Meeting ID", "Topic", "Start Time", "End Time", "User Email", "Duration (Minutes)"],
            ["812 3456 7890", "Eksaktās zinātnes", zoom_time(meeting_start), "", "", "180"],
            [],
        ]
    rows += [["Name (Original Name)", "User Email", "Total Duration (Minutes)", "Guest"]]
    rows += [
        [name, email, str(minutes), "Yes" if guest else "No"]
        for name, email, minutes, guest in people
    ]
    return ("\ufeff" if bom else "").encode() + _csv(rows).encode("utf-8")
