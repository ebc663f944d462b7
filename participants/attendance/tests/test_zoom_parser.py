"""Reading Zoom's participant report: layouts, encodings, dates, minutes, and broken files."""

import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from participants.attendance import zoom
from participants.attendance.tests.zoom_reports import (
    RIGA,
    Stay,
    newer_report,
    older_report,
    unique_users_report,
)

START = datetime(2021, 3, 6, 10, 0, tzinfo=RIGA)
END = datetime(2021, 3, 6, 13, 0, tzinfo=RIGA)


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English, the source language (Latvian is checked in
    test_zoom_admin.py and test_zoom_command.py)."""
    with translation.override("en"):
        yield


def at(hour, minute, second=0):
    return datetime(2021, 3, 6, hour, minute, second, tzinfo=RIGA)


def read(content: bytes, time_zone="Europe/Riga"):
    report, _text, _bytes = zoom.read_report(io.BytesIO(content), time_zone=time_zone)
    return report


def error_of(content, **kwargs):
    with pytest.raises(ValidationError) as raised:
        read(content, **kwargs)
    return " ".join(raised.value.messages)


STAYS = [
    Stay("Jānis B (Jānis Bērziņš)", "janis@example.lv", at(9, 58, 12), at(11, 0)),
    Stay("Līga Ozola", "LIGA@example.lv", at(10, 5), at(13, 10)),
]


@pytest.mark.parametrize("style", ["us12", "us24", "named"])
def test_older_layout_with_meeting_block_and_bom(style):
    report = read(older_report(STAYS, style=style, bom=True))
    assert report.layout == zoom.Layout.OLDER
    assert [row.name for row in report.rows] == ["Jānis B", "Līga Ozola"]
    assert report.rows[0].original_name == "Jānis Bērziņš"
    assert report.rows[0].joined_at == at(9, 58, 12)
    assert report.rows[1].email == "liga@example.lv"
    assert report.meeting_topic == "Eksaktās zinātnes"
    assert report.meeting_starts_at == at(9, 58, 12)


def test_newer_layout_leaves_the_waiting_room_out():
    stays = STAYS + [Stay("Gaida", "", at(10, 0), at(10, 30), waiting_room=True)]
    report = read(newer_report(stays, style="named"))
    assert report.layout == zoom.Layout.NEWER
    assert [row.name for row in report.rows] == ["Jānis B", "Līga Ozola"]
    assert [row.name for row in report.waiting_room_rows] == ["Gaida"]


def test_unique_users_layout_has_totals_without_times():
    report = read(unique_users_report([("Līga Ozola", "liga@example.lv", 170, False)]))
    assert report.layout == zoom.Layout.UNIQUE_USERS
    assert report.rows[0].total_minutes == 170
    assert report.rows[0].joined_at is None
    assert not report.has_times


def test_times_are_read_in_the_chosen_time_zone():
    london = zoom.ZoneInfo("Europe/London")
    content = older_report(STAYS, zone=london)
    report = read(content, time_zone="Europe/London")
    assert report.rows[0].joined_at == at(9, 58, 12)
    # The same file read as Riga time is two hours off.
    assert read(content).rows[0].joined_at == at(7, 58, 12)


def test_utf16_with_byte_order_mark_and_semicolons():
    text = "Name (Original Name);User Email;Join Time;Leave Time;Duration (Minutes);Guest\r\n"
    text += "Jānis Bērziņš;;03/06/2021 10:00:00 AM;03/06/2021 12:30:00 PM;150;No\r\n"
    report = read(text.encode("utf-16"))
    assert report.rows[0].name == "Jānis Bērziņš"
    assert report.rows[0].left_at == at(12, 30)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("03/06/2021 09:58:12 AM", at(9, 58, 12)),
        ("03/06/2021 12:05:00 PM", at(12, 5)),
        ("03/06/2021 12:05:00 AM", datetime(2021, 3, 6, 0, 5, tzinfo=RIGA)),
        ("Mar 6, 2021 09:58:12", at(9, 58, 12)),
        ("03/06/2021 13:58:12", at(13, 58, 12)),
        ("2021-03-06 09:58:12", at(9, 58, 12)),
        ("06.03.2021 09:58", at(9, 58)),
        ("13/06/2021 09:58:12", None),
        ("03/06/2021 13:58:12 PM", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_zoom_time_formats(value, expected):
    assert zoom.parse_zoom_time(value, RIGA) == expected


@pytest.mark.parametrize(
    ("zoom_name", "person"),
    [
        ("Janis Berzins", "Jānis Bērziņš"),
        ("JĀNIS  BĒRZIŅŠ", "Jānis Bērziņš"),
        ("Ģirts Ķēniņš", "Girts Kenins"),
        ("Ørjan Ødegård", "Orjan Odegard"),
    ],
)
def test_names_compare_without_case_and_diacritics(zoom_name, person):
    assert zoom.normalise_name(zoom_name) == zoom.normalise_name(person)


def test_similar_names_stay_different():
    assert zoom.normalise_name("Jānis Bērziņš") != zoom.normalise_name("Jānis Bērziņa")


def test_display_name_and_original_name():
    assert zoom.split_display_name("Jānis B (Jānis Bērziņš)") == ("Jānis B", "Jānis Bērziņš")
    assert zoom.split_display_name("iPhone") == ("iPhone", "")


def test_overlapping_stays_count_once_and_are_clipped_to_the_session():
    rows = [
        # Joined early (counted from 10:00), dropped at 10:40, rejoined 10:45 until 11:30.
        zoom.ZoomRow(1, "L", "", "", at(9, 50), at(10, 40), None, False),
        zoom.ZoomRow(2, "L", "", "", at(10, 45), at(11, 30), None, False),
        # A second device 11:00-12:00 overlaps the laptop for half an hour.
        zoom.ZoomRow(3, "L", "", "", at(11, 0), at(12, 0), None, False),
        # Stayed after the end: counted to 13:00.
        zoom.ZoomRow(4, "L", "", "", at(12, 50), at(13, 20), None, False),
    ]
    # 10:00-10:40 (40) + 10:45-12:00 (75) + 12:50-13:00 (10) = 125
    assert zoom.minutes_present(rows, starts_at=START, ends_at=END) == 125


def test_a_stay_entirely_outside_the_session_counts_nothing():
    rows = [zoom.ZoomRow(1, "L", "", "", at(8, 0), at(9, 59), None, False)]
    assert zoom.minutes_present(rows, starts_at=START, ends_at=END) == 0


def test_unique_users_totals_are_capped_at_the_session():
    rows = [zoom.ZoomRow(1, "L", "", "", None, None, 200, False)]
    assert zoom.minutes_present(rows, starts_at=START, ends_at=END) == 180


def test_present_share():
    assert zoom.is_present(135, session_minutes=180, share=Decimal("0.75"))
    assert not zoom.is_present(134, session_minutes=180, share=Decimal("0.75"))


def test_a_formula_in_a_name_is_kept_as_text():
    stays = [Stay('=HYPERLINK("http://example.com","x")', "", at(10, 0), at(12, 0))]
    report = read(older_report(stays))
    assert report.rows[0].name == '=HYPERLINK("http://example.com","x")'


# --- Broken files: each a clear message ----------------------------------------------------


def test_empty_file():
    assert "empty" in error_of(b"")
    assert "empty" in error_of(b"\xef\xbb\xbf  \r\n")


def test_an_image_is_not_csv():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + bytes(range(256))
    assert "not a CSV file" in error_of(png)


def test_a_spreadsheet_is_not_csv():
    assert "Excel" in error_of(b"PK\x03\x04\x14\x00\x06\x00" + b"x" * 100)


def test_wrong_encoding():
    text = "Name (Original Name),User Email,Join Time,Leave Time\r\nJānis Bērziņš,,x,y\r\n"
    assert "UTF-8" in error_of(text.encode("cp1257"))


def test_text_without_a_participant_table():
    assert "No participant table" in error_of(b"hello,world\r\n1,2\r\n")


def test_missing_columns_are_named():
    message = error_of(b"Name (Original Name),User Email,Join Time\r\nA,a@b.lv,x\r\n")
    assert "Leave time" in message


def test_header_without_rows():
    header = b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\r\n"
    assert "no rows" in error_of(header)


def test_leave_before_join_names_the_line():
    stays = STAYS + [Stay("Atpakaļ", "", at(11, 0), at(10, 0))]
    message = error_of(older_report(stays))
    assert "Line 7" in message
    assert "before the join time" in message


def test_not_a_time_names_the_line_and_value():
    content = older_report(STAYS).replace(b"03/06/2021 11:00:00 AM", b"soon")
    message = error_of(content)
    assert "Line 5" in message
    assert "“soon”" in message


def test_negative_duration():
    content = unique_users_report([("Līga", "liga@example.lv", -5, False)])
    assert "zero or more" in error_of(content)


def test_too_many_errors_are_counted():
    stays = [Stay(f"P{n}", "", at(11, 0), at(10, 0)) for n in range(15)]
    message = error_of(older_report(stays))
    assert "… and 5 more lines with errors." in message


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    class Huge(io.BytesIO):
        size = 50 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("a file over the limit must not be read")

    assert "larger than 5 MB" in error_of_file(Huge())


def test_a_stream_over_the_limit_is_refused_without_reading_it_all():
    stream = io.BytesIO(b"x" * (6 * 1024 * 1024))
    assert "larger than 5 MB" in error_of_file(stream)
    assert stream.tell() == zoom.MAX_REPORT_BYTES + 1


def error_of_file(csv_file):
    with pytest.raises(ValidationError) as raised:
        zoom.read_report(csv_file)
    return " ".join(raised.value.messages)


def test_unknown_time_zone():
    assert "not a known time zone" in error_of(older_report(STAYS), time_zone="Mars/Olympus")


def test_messages_are_in_latvian():
    with translation.override("lv"):
        assert error_of(b"") == "Fails ir tukšs."
        message = error_of(older_report(STAYS + [Stay("X", "", at(11, 0), at(10, 0))]))
    assert message == "7. rinda: aiziešanas laiks ir agrāks par pievienošanās laiku."
