"""The report as a file: XLSX (openpyxl), PDF (reportlab, ``report.pdf``) or CSV, all from
``report_sections``."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reporting.report.build import ProgressReport
from reporting.report.formatting import day_text, moment_text
from reporting.report.pdf import report_pdf
from reporting.report.tables import Section, report_sections

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}

XLSX_FORMATS = {
    "money": "#,##0.00",
    "number": "#,##0.##",
    "percent": "0.0%",
    "date": "DD.MM.YYYY",
    "datetime": "DD.MM.YYYY HH:MM",
}


def report_file(report: ProgressReport, file_format: str) -> bytes:
    writer = {"xlsx": report_xlsx, "pdf": report_pdf, "csv": report_csv}[file_format]
    return writer(report)


def report_filename(report: ProgressReport, file_format: str) -> str:
    cover = report.cover
    return (
        f"progress-report-{cover.period_start:%Y-%m-%d}-{cover.period_end:%Y-%m-%d}.{file_format}"
    )


# --- XLSX -------------------------------------------------------------------------------------


def _xlsx_value(kind, value):
    if value is None:
        return None
    if kind == "percent":
        return float(Decimal(value) / 100)
    if kind in ("money", "number") and isinstance(value, Decimal | int):
        return float(value) if isinstance(value, Decimal) else value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def _sheet_title(section: Section) -> str:
    title = section.title
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31]


def report_xlsx(report: ProgressReport) -> bytes:
    """A sheet per section: a header row (frozen, bold), real numbers and dates with formats."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for section in report_sections(report):
        sheet = workbook.create_sheet(_sheet_title(section))
        sheet.append([column.label for column in section.columns])
        for cell in sheet[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row_index, row in enumerate(section.rows):
            values = []
            for column_index, value in enumerate(row):
                kind = section.kind(row_index, column_index, value)
                values.append(_xlsx_value(kind, value))
            sheet.append(values)
            excel_row = row_index + 2  # after the header (``sheet.max_row`` reads every cell)
            for column_index, value in enumerate(row):
                kind = section.kind(row_index, column_index, value)
                cell = sheet.cell(row=excel_row, column=column_index + 1)
                if kind in XLSX_FORMATS:
                    cell.number_format = XLSX_FORMATS[kind]
                if row_index >= len(section.rows) - section.total_rows:
                    cell.font = bold
        for note in section.notes:
            sheet.append([])
            sheet.append([note])
        sheet.freeze_panes = "A2"
        for column_index, column in enumerate(section.columns, start=1):
            width = 60 if section.key == "cover" and column_index == 2 else 18
            if column.kind == "text" and section.key != "cover":
                width = 36
            sheet.column_dimensions[get_column_letter(column_index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- CSV --------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv_value(kind, value) -> str:
    if value is None:
        return ""
    if kind in ("money", "number", "percent") and isinstance(value, Decimal | int):
        text = f"{value:f}" if isinstance(value, Decimal) else str(value)
        return text.replace(".", ",") if _latvian() else text
    if isinstance(value, datetime):
        return csv_safe(moment_text(value))
    if isinstance(value, date):
        return day_text(value)
    return csv_safe(str(value))


def _latvian() -> bool:
    return not (get_language() or "lv").startswith("en")


def report_csv(report: ProgressReport) -> bytes:
    """UTF-8 with a BOM (Excel then reads the Latvian letters), semicolons, one block per
    section: its title, the header and the rows; numbers without grouping, a decimal comma in
    Latvian; text that could start a formula neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for number, section in enumerate(report_sections(report)):
        if number:
            writer.writerow([])
        writer.writerow([csv_safe(section.title)])
        writer.writerow([csv_safe(column.label) for column in section.columns])
        for row_index, row in enumerate(section.rows):
            writer.writerow(
                [
                    _csv_value(section.kind(row_index, column_index, value), value)
                    for column_index, value in enumerate(row)
                ]
            )
        for note in section.notes:
            writer.writerow([csv_safe(note)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
