"""Fill PostgreSQL with a programme at national scale (for the benchmarks in ``bench/``).

The logic lives in ``innovation_centre.scale_data``; this is the command line around it.
"""

import time
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from innovation_centre.scale_data.plan import Options
from innovation_centre.scale_data.write import ScaleDataError, generate

# Ten times every teacher in Latvia; the plan in memory grows with it (about 3 GB here).
MAX_PARTICIPANTS = 300_000


def _now(text):
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--now: not an ISO date and time: {text!r} ({error}).") from error
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # Riga time, the portal's time zone
    return moment


class Command(BaseCommand):
    help = (
        "Fill the (PostgreSQL) database with made-up data at national scale: one programme of "
        "many stages (20-40 seats, 8 weekly sessions), N participants who each take about five "
        "stages, registrations in every status, attendance, certificates, the mail outbox, a "
        "budget with expenditure and the funder's indicators. Data it did not make is refused "
        "unless --force; its own data is replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--participants", type=int, required=True, help="How many participants (> 0)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--now",
            help="The moment the data is made for, ISO 8601 (default: now). Sessions ended "
            "before it have attendance; stages ended a week before it have certificates.",
        )
        parser.add_argument(
            "--upcoming-share",
            type=float,
            default=0.15,
            help="Share of the stages whose sessions all lie after --now (default 0.15).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Empty the portal's tables first even when they hold data this command did "
            "not make (users, groups and permissions are kept).",
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Do nothing when the database already holds the data made with the same "
            "arguments.",
        )

    def handle(self, *args, participants, seed, now, upcoming_share, force, reuse, **options):
        if participants is None or participants <= 0:
            raise CommandError(
                f"--participants must be a whole number above 0, not {participants}."
            )
        if participants > MAX_PARTICIPANTS:
            raise CommandError(
                f"--participants must be at most {MAX_PARTICIPANTS}, not {participants}: the data "
                "is planned in memory first (about 280 MB at 30 000)."
            )
        if not 0 <= upcoming_share < 1:
            raise CommandError(
                f"--upcoming-share must be at least 0 and below 1, not {upcoming_share}."
            )
        moment = _now(now) if now else timezone.now()
        verbosity = options.get("verbosity", 1)
        self.stderr.style_func = None
        started = time.monotonic()
        try:
            outcome = generate(
                Options(
                    participants=participants,
                    seed=seed,
                    now=moment,
                    upcoming_share=upcoming_share,
                ),
                now_given=moment.isoformat() if now else None,
                force=force,
                reuse=reuse,
                stderr=self.stderr,
                quiet=verbosity == 0,
            )
        except ScaleDataError as error:
            raise CommandError(str(error)) from error
        if verbosity == 0:
            return
        if outcome.reused:
            self.stdout.write(
                "The database already holds the scale data made with these arguments; "
                "nothing changed (--reuse)."
            )
            return
        counts = ", ".join(
            f"{key} {value}" for key, value in outcome.counts.items() if isinstance(value, int)
        )
        self.stdout.write(
            f"Scale data for {participants} participants made in "
            f"{time.monotonic() - started:.1f} s: {counts}."
        )
