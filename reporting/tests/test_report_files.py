"""The downloads: the XLSX opened with openpyxl, the PDF read back with pypdf and the CSV parsed,
every figure compared with the hand-computed ones (``expected.py``)."""

import csv
import io
from datetime import datetime
from decimal import Decimal

import openpyxl
import pypdf
import pytest
from django.utils import translation

from participants.certificates.tests.glyphs import misdrawn_letters
from reporting.report.files import csv_safe, report_file
from reporting.report.services import progress_report_for
from reporting.tests import expected
from reporting.tests.report_data import NOW, PERIOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(data):
    return progress_report_for(
        programme=data.programme,
        start=PERIOD[0],
        end=PERIOD[1],
        generated_by="Anna Ozoliņa",
        now=NOW,
    )[1]


def _d(value):
    """A spreadsheet number back as a Decimal with at most two places."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


# --- XLSX ----------------------------------------------------------------------------------------


def test_the_xlsx_has_a_sheet_per_section_with_frozen_headers(report):
    book = openpyxl.load_workbook(io.BytesIO(report_file(report, "xlsx")))
    assert book.sheetnames == [
        "Titullapa",
        "Rādītāji",
        "Stundas pa posmiem",
        "Budžeta pozīcijas",
        "Finansējuma avoti",
        "Neattiecināmie izdevumi",
        "Izdevumi pret laiku",
    ]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.b


def test_the_xlsx_cover_has_real_dates(report):
    sheet = openpyxl.load_workbook(io.BytesIO(report_file(report, "xlsx")))["Titullapa"]
    values = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2) if row[0].value}
    assert values["Projekta numurs"].value == "NFI/IC/VIAA/2020/4"
    assert values["Līguma numurs"].value == "9.-20.2.2.1/4"
    assert values["Periods no"].value == datetime(2025, 2, 1)
    assert values["Periods no"].number_format == "DD.MM.YYYY"
    assert values["Periods līdz"].value == datetime(2025, 3, 31)
    assert values["Sagatavots"].value == datetime(2025, 6, 1, 15, 0)  # Riga time
    assert values["Sagatavoja"].value == "Anna Ozoliņa"
    notes = [row[0].value for row in sheet.iter_rows() if row[0].value]
    assert any("EEZ un Norvēģijas finanšu instrumentu atbalstu" in note for note in notes)


def test_the_xlsx_indicators(report):
    sheet = openpyxl.load_workbook(io.BytesIO(report_file(report, "xlsx")))["Rādītāji"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2) if row[0].value}
    assert set(rows) == set(expected.INDICATORS)
    for code, (in_period, cumulative, percent) in expected.INDICATORS.items():
        row = rows[code]
        assert (row[5].value, row[6].value) == (in_period, cumulative), code
        assert isinstance(row[6].value, int | float)
        if percent is None:
            assert row[7].value is None
        else:
            assert _d(row[7].value * 100) == percent and row[7].number_format == "0.0%"
    for code, target in expected.TARGETS.items():
        assert rows[code][4].value == target


def test_the_xlsx_hours_per_stage(report):
    sheet = openpyxl.load_workbook(io.BytesIO(report_file(report, "xlsx")))["Stundas pa posmiem"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2) if row[0].value}
    for order, values in expected.STAGES.items():
        *hours, percent = values
        assert [row.value for row in rows[order][2:6]] == hours
        assert _d(rows[order][6].value * 100) == percent


def test_the_xlsx_money(report, data):
    book = openpyxl.load_workbook(io.BytesIO(report_file(report, "xlsx")))
    headings = {row[0].value: row for row in book["Budžeta pozīcijas"].iter_rows(min_row=2)}
    for code, (planned, in_period, cumulative, remaining, percent) in expected.HEADINGS.items():
        row = headings[code]
        assert [_d(cell.value) for cell in row[2:6]] == [planned, in_period, cumulative, remaining]
        assert row[2].number_format == "#,##0.00"
        assert _d(row[6].value * 100) == percent
    sources = {
        row[0].value.strip(): row
        for row in book["Finansējuma avoti"].iter_rows(min_row=2)
        if row[0].value and row[1].value
    }
    names = {key: source.name_lv for key, source in data.sources.items()}
    for key, (planned, in_period, cumulative) in expected.SOURCES.items():
        row = sources[names[key]]
        assert [_d(cell.value) for cell in row[3:6]] == [planned, in_period, cumulative]
    assert sources[names["municipality"]][9].value == "jā"
    ineligible = list(book["Neattiecināmie izdevumi"].iter_rows(min_row=2, values_only=True))
    assert ineligible[0][0] == datetime(2025, 3, 1) and _d(ineligible[0][4]) == expected.INELIGIBLE
    pace = {row[0]: row[1] for row in book["Izdevumi pret laiku"].iter_rows(values_only=True)}
    assert _d(pace["Kopējās izmaksas, EUR"]) == expected.TOTAL_COST
    assert _d(pace["Attiecināmie izdevumi kumulatīvi, EUR"]) == expected.SPENT_CUMULATIVE
    assert pace["Pagājušās programmas dienas"] == expected.DAYS_ELAPSED
    assert _d(pace["Pagājušā programmas laika daļa"] * 100) == expected.TIME_ELAPSED


def test_the_xlsx_is_written_without_a_scan_of_the_sheet_per_row(report, monkeypatch):
    """``Worksheet.max_row`` reads every cell of the sheet: read once per row, it made the XLSX
    of a national programme (thousands of stages) take seconds."""
    from openpyxl.worksheet.worksheet import Worksheet

    reads = []
    max_row = Worksheet.max_row

    def counted(sheet):
        reads.append(sheet.title)
        return max_row.fget(sheet)

    monkeypatch.setattr(Worksheet, "max_row", property(counted))
    rows = len(report.stages) + 1  # and the total
    report_file(report, "xlsx")
    assert reads.count("Stundas pa posmiem") < rows


# --- PDF -----------------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def money(value: Decimal) -> str:
    """As the report's tables write it in Latvian: 2 011 605,00 (EUR is in the column's label;
    no-break spaces read as spaces)."""
    whole, cents = f"{value:.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", " ")
    return f"{groups},{cents}"


def test_the_pdf_states_every_figure(report, data):
    content = report_file(report, "pdf")
    assert content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(content))
    pages = len(reader.pages)
    text = pdf_text(content).replace("\xa0", " ")
    assert "Inovāciju centra izveidošana Daugavpilī" in text
    assert "NFI/IC/VIAA/2020/4" in text and "9.-20.2.2.1/4" in text
    assert "01.02.2025.–31.03.2025." in text
    assert f"1. lapa no {pages}" in text and f"{pages}. lapa no {pages}" in text
    # The acknowledgement at the foot of every page.
    for page in reader.pages:
        assert "EEZ un Norvēģijas finanšu instrumentu atbalstu" in " ".join(
            page.extract_text().split()
        )
    for code, (planned, in_period, cumulative, remaining, _percent) in expected.HEADINGS.items():
        row = " ".join(money(v) for v in (planned, in_period, cumulative, remaining))
        assert row in text, code
    for key, (planned, in_period, cumulative) in expected.SOURCES.items():
        assert " ".join(money(v) for v in (planned, in_period, cumulative)) in text, key
    assert "Apmācītie izglītības speciālisti personas 0 70 2 3 4,3 %" in text
    assert "Izstrādātās izglītības programmas programmas 0 37 5 8 21,6 %" in text
    assert "Notikušās nodarbības nodarbības 0 – 3 4 –" in text
    assert "1 Eksaktās zinātnes 16 16 8 12 75,0 %" in text
    assert "2 Ģeogrāfija un ķīmija 8 4 4 4 50,0 %" in text
    assert "Plānots, EUR" in text
    assert f"Kopā periodā {money(expected.INELIGIBLE)}" in text
    assert "Pagājušā programmas laika daļa 24,7 %" in text


def test_the_pdf_sets_only_text_too_wide_for_its_column_as_a_paragraph(report):
    """The report has a row per stage (thousands at national scale) and a Paragraph takes long
    to lay out: only text that must wrap is one; numbers, percentages, dates and text that fits
    its column are plain strings, right-aligned (numbers), in the body font and bold in a total
    row, each row one line high."""
    from reportlab.platypus import Paragraph

    from reporting.report import pdf
    from reporting.report.tables import Column, Section, report_sections

    pdf._register_fonts()
    styles, width = pdf._styles(), pdf.PAGE[0] - 2 * pdf.MARGIN
    stages = next(section for section in report_sections(report) if section.key == "stages")
    table = pdf._section_table(stages, styles, width)
    first, total = table._cellvalues[1], table._cellvalues[-1]

    assert first == ["1", "Eksaktās zinātnes", "16", "16", "8", "12", "75,0\xa0%"]
    assert total[1:] == ["Kopā", "24", "20", "12", "16", "66,7\xa0%"]
    cells = table._cellStyles
    assert {cells[1][column].alignment for column in (0, 2, 3, 4, 5, 6)} == {"RIGHT"}
    assert cells[1][1].alignment == "LEFT"
    assert {cells[1][column].fontname for column in range(7)} == {pdf.FONT}
    assert {cells[-1][column].fontname for column in range(7)} == {pdf.BOLD_FONT}
    assert table._argH[1:3] == [styles["cell"].leading + 6] * 2

    long = Section(
        key="long",
        title="",
        columns=[Column("Title"), Column("Hours", "number")],
        rows=[["Eksaktās zinātnes " * 40, Decimal("4")]],
    )
    row = pdf._section_table(long, styles, width)._cellvalues[1]
    assert isinstance(row[0], Paragraph) and row[1] == "4"


def test_the_pdf_draws_every_latvian_letter(report):
    """PDFium renders the first page; each Latvian letter of the title must look like itself."""
    content = report_file(report, "pdf")
    assert misdrawn_letters(content, "Inovāciju centra izveidošana Daugavpilī") == []


def test_the_pdf_in_english(report, data):
    with translation.override("en"):
        english = progress_report_for(
            programme=data.programme, start=PERIOD[0], end=PERIOD[1], generated_by="x", now=NOW
        )[1]
        text = pdf_text(report_file(english, "pdf"))
    assert "Progress report" in text and "Page 1 of" in text
    assert "Establishment of an Innovation Centre in Daugavpils" in text


# --- CSV -----------------------------------------------------------------------------------------


def test_the_csv_is_utf8_with_bom_and_semicolons(report):
    content = report_file(report, "csv")
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Titullapa"]
    by_first = {row[0]: row for row in rows if row}
    for code, (in_period, cumulative, _percent) in expected.INDICATORS.items():
        figures = [Decimal(cell.replace(",", ".")) for cell in by_first[code][5:7]]
        assert figures == [in_period, cumulative], code
    assert by_first["A"][2:6] == ["1000000,00", "2501,54", "3501,54", "996498,46"]
    assert by_first["Periods no"][1] == "01.02.2025."


def test_the_csv_neutralises_formulas(report):
    text = report_file(report, "csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    (ineligible,) = [row for row in rows if row and row[0] == "01.03.2025."]
    assert ineligible[2] == '\'=HYPERLINK("x")'
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@")), cell


@pytest.mark.parametrize(
    "text, safe",
    [
        ("=1+1", "'=1+1"),
        ("+371 2000", "'+371 2000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("SIA Bēta", "SIA Bēta"),
        ("a=b", "a=b"),
    ],
)
def test_csv_safe(text, safe):
    assert csv_safe(text) == safe
