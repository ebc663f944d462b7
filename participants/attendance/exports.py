"""Attendance for staff: every row as a CSV file, and the per-stage matrix as XLSX.

The CSV file has one row per participant and session (stage, session start in Riga time, topic,
the person, the mark, minutes present and the academic hours it earns), streamed from the
database like every CSV export (``participants.csv_stream``).

The per-stage attendance matrix (people x sessions) is an XLSX workbook.

Numbers are real number cells (academic hours, percentages), so the sheet can be summed and
sorted; names are always written as text, never as formulas (a name typed as ``=HYPERLINK(...)``
into the public form stays a name). The header row is frozen and the funder's acknowledgement
stands at the top, as on every report.
"""

from io import BytesIO

from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from participants.attendance.models import Attendance
from participants.attendance.selectors import AttendanceMatrix, round_hours, row_hours
from participants.csv_stream import (
    Choice,
    Column,
    CsvFile,
    Hours,
    Integer,
    LocalDateTime,
    csv_lines,
)
from participants.exports import stage_label

SESSION = "session__"
PERSON = "participant__"
CSV_COLUMNS = [
    Column(_lazy("Stage"), ("stage_label",)),
    Column(_lazy("Session"), (SESSION + "starts_at",), LocalDateTime()),
    Column(_lazy("Topic"), ("topic",)),
    Column(_lazy("Last name"), (PERSON + "last_name",)),
    Column(_lazy("First name"), (PERSON + "first_name",)),
    Column(_lazy("E-mail"), (PERSON + "email",)),
    Column(_lazy("Attendance"), ("status",), Choice(Attendance.Status.choices)),
    Column(_lazy("Minutes present"), ("minutes_present",), Integer()),
    Column(_lazy("Academic hours"), ("hours",), Hours()),
    Column(_lazy("Source"), ("source",), Choice(Attendance.Source.choices)),
]
CSV_ORDERING = (
    SESSION + "stage__programme_id",
    SESSION + "stage__order",
    SESSION + "starts_at",
    "session_id",
    PERSON + "last_name",
    PERSON + "first_name",
    "participant_id",
)


def attendance_csv_file(attendances) -> CsvFile:
    """The attendance rows of ``attendances`` (a queryset) as a CSV file, in the active language."""
    topic = F(SESSION + "topic_lv")
    if (get_language() or "lv").startswith("en"):
        topic = Coalesce(NullIf(SESSION + "topic_en", Value("")), SESSION + "topic_lv")
    return CsvFile(
        queryset=attendances,
        columns=CSV_COLUMNS,
        ordering=CSV_ORDERING,
        annotations={
            "stage_label": stage_label(SESSION + "stage__"),
            "topic": topic,
            "hours": row_hours(),
        },
    )


def attendance_csv_lines(attendances, *, language=None):
    """The attendance CSV file as text pieces, BOM first, for a streaming response."""
    return csv_lines(lambda: attendance_csv_file(attendances), language=language)


def attendance_csv_filename() -> str:
    return f"attendance-{timezone.localtime():%Y-%m-%d-%H%M}.csv"


HOURS_FORMAT = "0.00"
PERCENT_FORMAT = "0.0%"
HEADER_ROW = 4
FIRST_SESSION_COLUMN = 4


def text(cell, value):
    """Write ``value`` as a string cell, whatever it starts with (no formula injection)."""
    cell.value = "" if value is None else str(value)
    cell.data_type = TYPE_STRING
    return cell


def session_heading(session) -> str:
    start = timezone.localtime(session.starts_at)
    hours = f"{session.academic_hours:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{start:%d.%m.%Y. %H:%M}\n{session.topic}\n({hours} {_('ac. h')})"


def cell_value(attendance):
    if attendance is None:
        return None
    if attendance.status == Attendance.Status.EXCUSED:
        return _("excused")
    return float(round_hours(attendance.hours))


def _write_heading(sheet, matrix):
    programme = matrix.stage.programme
    text(sheet.cell(row=1, column=1), f"{_('Attendance')}: {programme.title} – {matrix.stage}")
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    text(sheet.cell(row=2, column=1), programme.acknowledgement)
    text(
        sheet.cell(row=3, column=1),
        _(
            "Cells: academic hours earned at the session (0 = absent; empty = not marked). "
            "Planned academic hours: %(planned)s; a certificate needs %(threshold)s%%."
        )
        % {
            "planned": matrix.stage.planned_academic_hours,
            "threshold": matrix.stage.completion_threshold_percent,
        },
    )
    headers = [_("Last name"), _("First name"), _("E-mail")]
    headers += [session_heading(session) for session in matrix.sessions]
    headers += [_("Academic hours attended"), _("Share of planned hours"), _("Threshold reached")]
    for column, heading in enumerate(headers, start=1):
        cell = text(sheet.cell(row=HEADER_ROW, column=column), heading)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return len(headers)


def _write_person(sheet, row_number, person, cells, progress):
    text(sheet.cell(row=row_number, column=1), person.last_name)
    text(sheet.cell(row=row_number, column=2), person.first_name)
    text(sheet.cell(row=row_number, column=3), person.email)
    column = FIRST_SESSION_COLUMN
    for attendance in cells:
        value = cell_value(attendance)
        cell = sheet.cell(row=row_number, column=column)
        if isinstance(value, float):
            cell.value = value
            cell.number_format = HOURS_FORMAT
        elif value is not None:
            text(cell, value)
        column += 1
    total = sheet.cell(row=row_number, column=column, value=float(progress.hours_attended))
    total.number_format = HOURS_FORMAT
    share = sheet.cell(row=row_number, column=column + 1, value=float(progress.percent) / 100)
    share.number_format = PERCENT_FORMAT
    text(sheet.cell(row=row_number, column=column + 2), _("yes") if progress.reached else _("no"))


def _write_totals(sheet, row_number, matrix):
    text(sheet.cell(row=row_number, column=1), _("Present")).font = Font(bold=True)
    text(sheet.cell(row=row_number + 1, column=1), _("Academic hours, total")).font = Font(
        bold=True
    )
    hours = matrix.hours_per_session
    for index, session in enumerate(matrix.sessions):
        column = FIRST_SESSION_COLUMN + index
        sheet.cell(row=row_number, column=column, value=session.present_count)
        cell = sheet.cell(row=row_number + 1, column=column, value=float(hours[index]))
        cell.number_format = HOURS_FORMAT
    column = FIRST_SESSION_COLUMN + len(matrix.sessions)
    all_hours = sum((progress.hours_attended for *_rest, progress in matrix.rows), start=0)
    cell = sheet.cell(row=row_number + 1, column=column, value=float(all_hours))
    cell.number_format = HOURS_FORMAT


def attendance_matrix_xlsx(matrix: AttendanceMatrix) -> bytes:
    """The matrix as the bytes of an XLSX file, in the active language."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Attendance")[:31]
    columns = _write_heading(sheet, matrix)
    row_number = HEADER_ROW + 1
    for person, cells, progress in matrix.rows:
        _write_person(sheet, row_number, person, cells, progress)
        row_number += 1
    _write_totals(sheet, row_number, matrix)
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=FIRST_SESSION_COLUMN)
    for column in range(1, columns + 1):
        width = 22 if column < FIRST_SESSION_COLUMN else 16
        sheet.column_dimensions[get_column_letter(column)].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def matrix_filename(stage) -> str:
    return f"attendance-stage-{stage.order}-{timezone.localdate():%Y-%m-%d}.xlsx"
