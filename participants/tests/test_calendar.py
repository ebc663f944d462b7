"""The .ics file a participant gets with a session: valid RFC 5545, folded, escaped, in UTC."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import icalendar
import pytest

from courses.models import Session
from participants.calendar import calendar_for_sessions

RIGA = ZoneInfo("Europe/Riga")
STAMP = datetime(2021, 3, 1, 9, 0, tzinfo=UTC)
LONG_LATVIAN_TOPIC = (
    "Kompetencēs balstīta pieeja izglītībā: ķīmijas, fizikas un bioloģijas skolotāju "
    "pieredze, kā inovāciju centros attīstīt bērnu prasmes – Norvēģijas partneru ģeniālie "
    "piemēri ļoti daudzās skolās (ū, ž, č, š, ņ, ļ, ķ, ģ, ī, ē, ā)"
)


def make_session(pk=7, *, starts_at=None, ends_at=None, **fields):
    defaults = {
        "stage_id": 3,
        "starts_at": starts_at or datetime(2021, 3, 15, 10, 0, tzinfo=RIGA),
        "ends_at": ends_at or datetime(2021, 3, 15, 16, 0, tzinfo=RIGA),
        "mode": Session.Mode.ONLINE,
        "zoom_url": "https://us02web.zoom.us/j/81234567890?pwd=abc",
        "venue": "Vienības iela 30, Daugavpils",
        "topic_lv": "Eksakto zinātņu jomas",
        "topic_en": "Fields of the exact sciences",
        "trainer": "Dr. Anna Bērziņa",
        "academic_hours": Decimal("8"),
    }
    return Session(pk=pk, **{**defaults, **fields})


def physical_lines(data: bytes):
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def unfold(data: bytes):
    """Content lines as (name, value) after undoing the folding (RFC 5545 3.1)."""
    text = data.decode("utf-8").replace("\r\n ", "")
    return [tuple(line.split(":", 1)) for line in text[:-2].split("\r\n")]


def properties(data: bytes, name):
    return [value for key, value in unfold(data) if key == name]


def test_calendar_has_the_required_envelope_and_one_event_per_session(settings):
    settings.SITE_URL = "https://portal.example.lv"
    data = calendar_for_sessions(
        [make_session(7), make_session(8)], language="lv", title="1. posms", stamp=STAMP
    )

    lines = unfold(data)
    assert lines[0] == ("BEGIN", "VCALENDAR")
    assert lines[-1] == ("END", "VCALENDAR")
    assert properties(data, "VERSION") == ["2.0"]
    assert properties(data, "METHOD") == ["PUBLISH"]
    assert len(properties(data, "PRODID")) == 1
    assert properties(data, "X-WR-CALNAME") == ["1. posms"]
    assert properties(data, "BEGIN").count("VEVENT") == 2
    assert properties(data, "UID") == [
        "session-7@portal.example.lv",
        "session-8@portal.example.lv",
    ]
    assert properties(data, "DTSTAMP") == ["20210301T090000Z"] * 2
    assert properties(data, "URL") == ["https://portal.example.lv/lv/stages/3/"] * 2
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_the_uid_is_the_same_in_every_file_so_calendars_update_the_event():
    first = calendar_for_sessions([make_session(7)], language="lv", stamp=STAMP)
    later = calendar_for_sessions([make_session(7, topic_lv="Cita tēma")], language="en")

    assert properties(first, "UID") == properties(later, "UID")


def test_times_are_utc_in_winter_and_summer():
    winter = make_session(starts_at=datetime(2021, 3, 15, 10, 0, tzinfo=RIGA))
    summer = make_session(
        8,
        starts_at=datetime(2021, 4, 12, 10, 0, tzinfo=RIGA),
        ends_at=datetime(2021, 4, 12, 13, 15, tzinfo=RIGA),
    )

    data = calendar_for_sessions([winter, summer], language="lv", stamp=STAMP)

    assert properties(data, "DTSTART") == ["20210315T080000Z", "20210412T070000Z"]
    assert properties(data, "DTEND") == ["20210315T140000Z", "20210412T101500Z"]


@pytest.mark.parametrize(
    ("starts", "ends", "expected_start", "expected_end"),
    [
        # Spring forward on 2021-03-28: 03:00 EET becomes 04:00 EEST; the night is an hour short.
        ((2021, 3, 28, 1, 0), (2021, 3, 28, 5, 0), "20210327T230000Z", "20210328T020000Z"),
        ((2021, 3, 28, 10, 0), (2021, 3, 28, 12, 0), "20210328T070000Z", "20210328T090000Z"),
        # Fall back on 2021-10-31: 04:00 EEST becomes 03:00 EET; the night is an hour longer.
        ((2021, 10, 31, 1, 0), (2021, 10, 31, 5, 0), "20211030T220000Z", "20211031T030000Z"),
        ((2021, 10, 31, 10, 0), (2021, 10, 31, 12, 0), "20211031T080000Z", "20211031T100000Z"),
    ],
)
def test_sessions_on_the_daylight_saving_changes_keep_their_real_moments(
    starts, ends, expected_start, expected_end
):
    session = make_session(
        starts_at=datetime(*starts, tzinfo=RIGA), ends_at=datetime(*ends, tzinfo=RIGA)
    )

    data = calendar_for_sessions([session], language="lv", stamp=STAMP)

    assert properties(data, "DTSTART") == [expected_start]
    assert properties(data, "DTEND") == [expected_end]


def test_long_latvian_text_is_folded_at_75_octets_without_splitting_a_letter():
    session = make_session(topic_lv=LONG_LATVIAN_TOPIC, trainer="Ārija Ķīķēna-Žūriņa " * 6)

    data = calendar_for_sessions([session], language="lv", stamp=STAMP)

    lines = physical_lines(data)
    assert any(line.startswith(b" ") for line in lines), "the long topic must be folded"
    for line in lines:
        assert len(line) <= 75
        line.decode("utf-8")  # raises if a fold cut a two-octet letter in half
    assert properties(data, "SUMMARY") == [LONG_LATVIAN_TOPIC.replace(",", "\\,")]


def test_folding_counts_octets_not_characters():
    """100 letters of two octets each make one SUMMARY of 208 octets: folded in 3 or more."""
    data = calendar_for_sessions([make_session(topic_lv="ā" * 100)], language="lv", stamp=STAMP)

    lines = physical_lines(data)
    start = next(i for i, line in enumerate(lines) if line.startswith(b"SUMMARY:"))
    folded = [lines[start], *(line for line in lines[start + 1 :] if line.startswith(b" "))]
    assert len(folded) >= 3
    assert all(len(line) <= 75 for line in folded)
    assert properties(data, "SUMMARY") == ["ā" * 100]


def test_text_values_escape_backslash_semicolon_comma_and_newlines():
    topic = "Fizika; ķīmija, bioloģija\\matemātika\notrā rinda\r\ntrešā"
    data = calendar_for_sessions([make_session(topic_lv=topic)], language="lv", stamp=STAMP)

    assert properties(data, "SUMMARY") == [
        "Fizika\\; ķīmija\\, bioloģija\\\\matemātika\\notrā rinda\\ntrešā"
    ]


def test_summary_is_the_topic_in_the_participants_language():
    session = make_session()

    latvian = calendar_for_sessions([session], language="lv", stamp=STAMP)
    english = calendar_for_sessions([session], language="en", stamp=STAMP)

    assert properties(latvian, "SUMMARY") == ["Eksakto zinātņu jomas"]
    assert properties(english, "SUMMARY") == ["Fields of the exact sciences"]
    assert "Trainer: Dr. Anna Bērziņa" in properties(english, "DESCRIPTION")[0]
    assert "Pasniedzējs: Dr. Anna Bērziņa" in properties(latvian, "DESCRIPTION")[0]
    assert properties(english, "URL") == ["http://127.0.0.1:8000/en/stages/3/"]


def test_online_sessions_are_located_at_the_zoom_link():
    data = calendar_for_sessions([make_session(mode=Session.Mode.ONLINE)], language="en")

    assert properties(data, "LOCATION") == ["https://us02web.zoom.us/j/81234567890?pwd=abc"]
    description = properties(data, "DESCRIPTION")[0]
    assert "Zoom link: https://us02web.zoom.us/j/81234567890?pwd=abc" in description
    assert "Venue" not in description


def test_onsite_sessions_are_located_at_the_venue():
    data = calendar_for_sessions([make_session(mode=Session.Mode.ONSITE)], language="lv")

    assert properties(data, "LOCATION") == ["Vienības iela 30\\, Daugavpils"]
    description = properties(data, "DESCRIPTION")[0]
    assert "Norises vieta: Vienības iela 30\\, Daugavpils" in description
    assert "zoom.us" not in description


def test_hybrid_sessions_give_both_the_venue_and_the_zoom_link():
    data = calendar_for_sessions([make_session(mode=Session.Mode.HYBRID)], language="en")

    location = properties(data, "LOCATION")[0]
    assert "Vienības iela 30\\, Daugavpils" in location
    assert "https://us02web.zoom.us/j/81234567890?pwd=abc" in location
    description = properties(data, "DESCRIPTION")[0]
    assert "Zoom link: " in description
    assert "Venue: " in description
    assert "\\n" in description


def test_icalendar_reads_back_every_event_as_the_session_it_came_from(settings):
    """The file is parsed as a calendar program would: the real moments, texts and links."""
    settings.SITE_URL = "https://portal.example.lv"
    online = make_session(7, topic_lv="Fizika; ķīmija, bioloģija\notrā rinda")
    onsite = make_session(
        8,
        mode=Session.Mode.ONSITE,
        starts_at=datetime(2021, 10, 31, 10, 0, tzinfo=RIGA),
        ends_at=datetime(2021, 10, 31, 12, 0, tzinfo=RIGA),
    )

    data = calendar_for_sessions([online, onsite], language="lv", title="1. posms", stamp=STAMP)

    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == "1. posms"
    first, second = calendar.walk("VEVENT")
    assert str(first["UID"]) == "session-7@portal.example.lv"
    assert first.decoded("DTSTART") == online.starts_at
    assert first.decoded("DTEND") == online.ends_at
    assert first.decoded("DTSTART").utcoffset().total_seconds() == 0
    assert str(first["SUMMARY"]) == "Fizika; ķīmija, bioloģija\notrā rinda"
    assert str(first["LOCATION"]) == "https://us02web.zoom.us/j/81234567890?pwd=abc"
    assert "Zoom saite: https://us02web.zoom.us/j/81234567890?pwd=abc" in str(first["DESCRIPTION"])
    assert str(first["URL"]) == "https://portal.example.lv/lv/stages/3/"
    assert second.decoded("DTSTART") == onsite.starts_at
    assert str(second["LOCATION"]) == "Vienības iela 30, Daugavpils"
