"""`python manage.py export_progress_report --from --to --format -o` (the contract)."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def export(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_progress_report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "file_format, start", [("xlsx", b"PK"), ("pdf", b"%PDF"), ("csv", b"\xef\xbb\xbf")]
)
def test_it_writes_each_format(data, tmp_path, file_format, start):
    target = tmp_path / f"report.{file_format}"
    out, _err = export(
        "--from", "2025-02-01", "--to", "2025-03-31", "--format", file_format, "-o", str(target)
    )
    assert target.read_bytes().startswith(start)
    assert "2025-02-01 – 2025-03-31" in out


def test_the_xlsx_from_the_command_has_the_figures(data, tmp_path):
    target = tmp_path / "r.xlsx"
    export(
        "--from",
        "2025-02-01",
        "--to",
        "2025-03-31",
        "--format",
        "XLSX",
        "-o",
        str(target),
        "--by",
        "Ieva",
    )
    sheet = openpyxl.load_workbook(target)["Rādītāji"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["people-trained"][5:7] == (2, 3)


def test_a_clipped_period_is_said(data, tmp_path):
    _out, err = export(
        "--from",
        "2024-06-01",
        "--to",
        "2025-03-31",
        "--format",
        "csv",
        "-o",
        str(tmp_path / "r.csv"),
    )
    assert "clipped" in err and "2025-01-01" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--from", "2025-02-30", "--to", "2025-03-31", "--format", "csv"],
            "--from must be a date",
        ),
        (["--from", "2025-02-01", "--to", "31.03.2025", "--format", "csv"], "--to must be a date"),
        (["--from", "2025-03-01", "--to", "2025-02-01", "--format", "csv"], "before its start"),
        (["--from", "2030-01-01", "--to", "2030-02-01", "--format", "csv"], "wholly outside"),
        (["--from", "2025-02-01", "--to", "2025-03-31", "--format", "docx"], "--format must be"),
    ],
)
def test_bad_input_is_a_clear_command_error(data, tmp_path, args, message):
    target = tmp_path / "r.out"
    with pytest.raises(CommandError, match=message):
        export(*args, "-o", str(target), "--language", "en")
    assert not target.exists()


def test_a_path_that_cannot_be_written_is_a_command_error(data, tmp_path):
    with pytest.raises(CommandError, match="existing folder"):
        export(
            "--from",
            "2025-02-01",
            "--to",
            "2025-03-31",
            "--format",
            "csv",
            "-o",
            str(tmp_path / "no" / "r.csv"),
        )
    with pytest.raises(CommandError, match="existing folder"):
        export("--from", "2025-02-01", "--to", "2025-03-31", "--format", "csv", "-o", str(tmp_path))


def test_without_a_programme(db, tmp_path):
    with pytest.raises(CommandError, match="seed_programme"):
        export(
            "--from",
            "2025-02-01",
            "--to",
            "2025-03-31",
            "--format",
            "csv",
            "-o",
            str(tmp_path / "r.csv"),
        )
