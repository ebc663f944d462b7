"""Load the programme of the source article (idempotent; never overwrites staff edits).

It lives in ``innovation_centre`` because it wires the apps together: the programme comes from
``courses``, the demonstration participants from ``participants`` (and later seeds may add
more). Each part is one step in ``Command.steps``; every step creates only what is missing.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from courses.services import programme_seed, programme_seed_demo
from participants.demo import demo_registrations_seed
from reporting.indicators.seed import indicators_seed
from reporting.seed import budget_seed


class Command(BaseCommand):
    help = (
        "Load the programme, its four stages and stage 1's sessions from the source article. "
        "Creates only what is missing: a second run changes nothing, staff edits are kept. "
        "--demo also adds a clearly marked demonstration stage with sessions in the coming "
        "weeks and a few made-up participants."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be created without writing anything.",
        )
        parser.add_argument(
            "--demo",
            action="store_true",
            help=(
                "Also add a demonstration stage (sessions around today, open registration, "
                "made-up participants @example.com) for trying the portal."
            ),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Allow --demo with DEBUG off (the demonstration stage is public).",
        )

    def handle(self, *args, dry_run=False, demo=False, force=False, **options):
        if demo and not settings.DEBUG and not force:
            raise CommandError(
                "--demo adds a public, made-up stage anyone could register for; with DEBUG off "
                "add --force if that is really wanted."
            )
        self.verbosity = options["verbosity"]
        self.dry_run = dry_run
        with transaction.atomic():
            self.programme = None
            for step in self.steps(demo=demo):
                step()
            if dry_run:
                transaction.set_rollback(True)

    def steps(self, *, demo):
        """The seeding steps in order; add a step here to seed more."""
        yield self.seed_programme
        yield self.seed_budget
        yield self.seed_indicators
        if demo:
            yield self.seed_demo

    def say(self, text):
        self.stdout.write(f"{'Would create' if self.dry_run else 'Created'} {text}")

    def seed_programme(self):
        report = programme_seed()
        self.programme = report.programme
        if report.created_anything:
            self.say(
                f"{report.programmes} programme(s), {report.stages} stage(s), "
                f"{report.sessions} session(s)."
            )
        else:
            self.stdout.write("The programme is already loaded; nothing changed.")
        if self.verbosity >= 2:
            for stage in report.kept:
                self.stdout.write(f"Stage {stage} already has sessions; left as they are.")

    def seed_budget(self):
        report = budget_seed(programme=self.programme)
        if report.budget_created:
            self.say(f"the budget: {report.budget.total_cost} {report.budget.currency}.")
        if report.sources_created:
            self.say(f"{len(report.sources_created)} funding source(s).")
        if not report.created_anything:
            self.stdout.write("The budget is already loaded; nothing changed.")

    def seed_indicators(self):
        report = indicators_seed()
        if report.created:
            self.say(f"{len(report.created)} funder indicator(s): {', '.join(report.created)}.")
        else:
            self.stdout.write("The funder's indicators are already loaded; nothing changed.")

    def seed_demo(self):
        demo = programme_seed_demo(programme=self.programme)
        people = demo_registrations_seed(stage=demo.stage)
        if demo.created or people.registrations:
            self.say(
                f"the demonstration stage “{demo.stage}” with {demo.sessions} session(s), "
                f"{people.participants} demo participant(s) and {people.registrations} "
                "registration(s)."
            )
        else:
            self.stdout.write(
                f"The demonstration stage “{demo.stage}” exists already; nothing changed."
            )
