"""Write the funder's progress report for a period to a file (XLSX, PDF or CSV)."""

from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from courses.selectors import current_programme
from reporting.report.files import FORMATS, report_file
from reporting.report.services import progress_report_for


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} must be a date written YYYY-MM-DD, not “{text}”.") from None


def _writable_file_name(path: Path) -> bool:
    """A file name in an existing folder; False also for a name the system refuses (too long,
    say), which ``Path.is_dir`` raises for instead, or one with a NUL, which no system takes."""
    if "\x00" in str(path):
        return False
    try:
        return not path.is_dir() and path.parent.is_dir()
    except OSError:
        return False


class Command(BaseCommand):
    help = (
        "Write the funder's progress report for a period (the same figures as the reports "
        "area): --from 2021-03-01 --to 2021-06-30 --format xlsx|pdf|csv -o FILE."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--format", dest="file_format", required=True, help="xlsx, pdf or csv")
        parser.add_argument("-o", "--output", required=True, help="the file to write")
        parser.add_argument(
            "--language", default="lv", choices=["lv", "en"], help="language of the report"
        )
        parser.add_argument(
            "--by", default="export_progress_report", help="who generated it (on the cover)"
        )

    def handle(self, *args, start, end, file_format, output, language, by, **options):
        start, end = _date(start, "--from"), _date(end, "--to")
        file_format = file_format.lower()
        if file_format not in FORMATS:
            raise CommandError(f"--format must be xlsx, pdf or csv, not “{file_format}”.")
        path = Path(output)
        if not _writable_file_name(path):
            raise CommandError(f"Cannot write “{output}”: give a file in an existing folder.")
        programme = current_programme()
        if programme is None:
            raise CommandError("There is no programme yet: run `manage.py seed_programme`.")
        with translation.override(language):
            try:
                period, report = progress_report_for(
                    programme=programme, start=start, end=end, generated_by=by
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            content = report_file(report, file_format)
            if period.clipped:
                self.stderr.write(
                    f"The period was clipped to the programme's dates: {period.start} – "
                    f"{period.end}."
                )
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write “{output}”: {error.strerror}.") from None
        self.stdout.write(f"Wrote {path} ({len(content)} bytes, {period.start} – {period.end}).")
