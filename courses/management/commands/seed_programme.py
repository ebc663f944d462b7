"""Load the programme of the source article (idempotent; never overwrites staff edits)."""

from django.core.management.base import BaseCommand

from courses.services import programme_seed


class Command(BaseCommand):
    help = (
        "Load the programme, its four stages and stage 1's sessions from the source article. "
        "Creates only what is missing: a second run changes nothing, staff edits are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be created without writing anything.",
        )

    def handle(self, *args, dry_run=False, **options):
        report = programme_seed(dry_run=dry_run)
        prefix = "Would create" if dry_run else "Created"
        if report.created_anything:
            self.stdout.write(
                f"{prefix} {report.programmes} programme(s), {report.stages} stage(s), "
                f"{report.sessions} session(s)."
            )
        else:
            self.stdout.write("The programme is already loaded; nothing changed.")
        if options["verbosity"] >= 2:
            for stage in report.kept:
                self.stdout.write(f"Stage {stage} already has sessions; left as they are.")
