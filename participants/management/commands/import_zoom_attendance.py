"""python manage.py import_zoom_attendance SESSION_ID FILE [--time-zone Europe/Riga] [--dry-run]"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from courses.models import Session
from participants.attendance import zoom
from participants.attendance.zoom_import import attendance_import_zoom


def _is_file(path):
    """Whether ``path`` names a readable file; False also for a name the system refuses (too
    long, say), which ``Path.is_file`` raises for instead."""
    try:
        return path.is_file()
    except OSError:
        return False


class Command(BaseCommand):
    help = (
        "Import Zoom's participant report (CSV) into a session's attendance: saves the people "
        "matched to the stage's confirmed participants and prints the rows that were not."
    )

    def add_arguments(self, parser):
        parser.add_argument("session_id", help="The session's id (see the admin).")
        parser.add_argument("file", help="The participant report, as downloaded from Zoom.")
        parser.add_argument(
            "--time-zone",
            default=zoom.DEFAULT_TIME_ZONE,
            help="The time zone of the times in the file (default %(default)s).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show, but save nothing.")

    def handle(self, *args, **options):
        with translation.override("lv"):
            self._import(options)

    def _import(self, options):
        session = self._session(options["session_id"])
        path = Path(options["file"])
        if not _is_file(path):
            raise CommandError(f"No such file: {path}")
        try:
            with path.open("rb") as csv_file:
                outcome = attendance_import_zoom(
                    session=session,
                    csv_file=csv_file,
                    time_zone=options["time_zone"],
                    dry_run=options["dry_run"],
                    file_name=path.name,
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except OSError as error:
            raise CommandError(f"The file could not be read: {error.strerror or error}") from None
        self._print(outcome, dry_run=options["dry_run"])

    def _session(self, value):
        try:
            return Session.objects.select_related("stage__programme").get(pk=int(value))
        except (ValueError, OverflowError, Session.DoesNotExist):
            raise CommandError(f"No session with id {value!r}.") from None

    def _print(self, outcome, *, dry_run):
        plan = outcome.plan
        for warning in plan.warnings:
            self.stdout.write(self.style.WARNING(f"! {warning}"))
        for row in plan.rows:
            note = " (kept: entered by staff)" if row.kept_as_staff_entered else ""
            self.stdout.write(
                f"  {row.participant.full_name} <{row.participant.email}>: "
                f"{row.minutes} min, {row.status}{note}"
            )
        for attendee in plan.unmatched:
            email = f" <{attendee.email}>" if attendee.email else ""
            self.stdout.write(
                self.style.WARNING(
                    f"  not matched: {attendee.label}{email}, {attendee.minutes} min"
                )
            )
        if outcome.already_imported:
            self.stdout.write("This file was already imported; nothing changed.")
        elif dry_run:
            self.stdout.write("Dry run: nothing was saved.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Saved: {outcome.created} new, {outcome.updated} changed, "
                    f"{outcome.removed} removed; {len(plan.unmatched)} not matched."
                )
            )
