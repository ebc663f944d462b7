"""Putting the scale data into PostgreSQL: ownership check, emptying, COPY, sequences, ANALYZE.

Everything is written in one transaction: a failure (or a refusal) leaves the database as it
was. The big tables go in with ``COPY ... FROM STDIN`` fed in chunks from the generator; the
handful of rows of the programme's settings, budget and indicators through the ORM.
"""

import io
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from courses.models import Programme, ReminderRule, Session, Stage
from innovation_centre.models import ScaleDataRun
from innovation_centre.scale_data import names
from innovation_centre.scale_data.plan import (
    CONSENT_VERSION,
    PROJECT_NUMBER,
    RIGA,
    VERSION,
    Options,
    Plan,
)
from participants.models import Attendance, Certificate, Participant, ParticipantMail, Registration
from reporting.budget.models import Budget, BudgetHeading, Expenditure, FundingSource
from reporting.indicators.models import Indicator, IndicatorValue
from reporting.indicators.seed import INDICATORS

PORTAL_APPS = ("courses", "participants", "reporting")
CHUNK_ROWS = 50_000


class ScaleDataError(Exception):
    """The data cannot be generated here; the message says why."""


@dataclass
class Outcome:
    reused: bool
    counts: dict
    seconds: float
    run: ScaleDataRun | None = None


def arguments_of(options: Options, *, now_given: str | None) -> dict:
    """What the data is made from: compared by ``--reuse`` (and recorded)."""
    return {
        "participants": options.participants,
        "seed": options.seed,
        "now": now_given,
        "upcoming_share": options.upcoming_share,
        "version": VERSION,
    }


# --- whose data is this? ------------------------------------------------------------------------


def portal_models():
    """The portal's data tables (with the history tables), not auth, sessions or migrations."""
    for label in PORTAL_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                yield model


def last_run() -> ScaleDataRun | None:
    return ScaleDataRun.objects.order_by("-pk").first()


def foreign_data(run: ScaleDataRun | None) -> str | None:
    """What in the database this generator did not make (a short description), or None."""
    if run is None:
        for model in portal_models():
            if model._default_manager.exists():
                return f"{model._meta.verbose_name_plural} ({model._meta.db_table})"
        return None
    others = Programme.objects.exclude(pk=run.programme_id, project_number=PROJECT_NUMBER)
    if others.exists():
        return f"programme “{others.first()}”"
    strangers = Participant.objects.exclude(email__endswith=f"@{names.EMAIL_DOMAIN}")
    if strangers.exists():
        return f"{strangers.count()} participant(s) not made by generate_scale_data"
    return None


def current_counts() -> dict:
    return {
        "stages": Stage.objects.count(),
        "sessions": Session.objects.count(),
        "participants": Participant.objects.count(),
        "registrations": Registration.objects.count(),
        "attendance": Attendance.objects.count(),
        "certificates": Certificate.objects.count(),
    }


def reusable(run: ScaleDataRun | None, arguments: dict) -> bool:
    """The database holds exactly the data made with ``arguments`` (nothing added or taken)."""
    if run is None or run.arguments != arguments:
        return False
    if not Programme.objects.filter(pk=run.programme_id, project_number=PROJECT_NUMBER).exists():
        return False
    made = {key: run.counts.get(key) for key in current_counts()}
    return made == current_counts()


def truncate_portal():
    tables = [model._meta.db_table for model in portal_models()]
    tables.append(ScaleDataRun._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(table) for table in tables)
    with connection.cursor() as cursor:
        # Rows written earlier in the same transaction (a test's) still have their deferred
        # foreign key checks pending, which TRUNCATE refuses: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# --- progress and COPY --------------------------------------------------------------------------


class Progress:
    """A one-line text bar per table on stderr: rows done / total and rows per second."""

    WIDTH = 30

    def __init__(self, stream, label, total, *, quiet=False, unit="rows"):
        self.stream, self.label, self.total, self.quiet = stream, label, max(total, 1), quiet
        self.unit = unit
        self.done = 0
        self.started = self.shown = time.monotonic()
        self._draw()

    def add(self, rows):
        self.done += rows
        now = time.monotonic()
        if now - self.shown >= 0.2:
            self.shown = now
            self._draw()

    def finish(self):
        self.total = max(self.done, 1)
        self._draw(end="\n")

    def _draw(self, end=""):
        if self.quiet:
            return
        share = min(self.done / self.total, 1)
        filled = int(share * self.WIDTH)
        elapsed = max(time.monotonic() - self.started, 1e-6)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(
            f"\r  {self.label:<16} [{bar}] {self.done:>9,}/{self.total:<9,} "
            f"{self.done / elapsed:>9,.1f} {self.unit}/s{end}"
        )
        self.stream.flush()


def _field(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _line(row) -> str:
    return "\t".join(_field(value) for value in row) + "\n"


class Copier:
    def __init__(self, *, stream, quiet):
        self.stream, self.quiet = stream, quiet
        self.counts = {}

    def copy(self, model, columns, rows, *, total, label=None, lines=False):
        """COPY ``rows`` (tuples in ``columns`` order, or ready lines) into ``model``'s table."""
        expected = {f.column for f in model._meta.concrete_fields}
        if set(columns) != expected:
            raise ScaleDataError(
                f"{model._meta.db_table}: the generator's columns {sorted(set(columns))} do not "
                f"match the model's {sorted(expected)}; update innovation_centre/scale_data."
            )
        table = connection.ops.quote_name(model._meta.db_table)
        column_list = ", ".join(connection.ops.quote_name(c) for c in columns)
        sql = f"COPY {table} ({column_list}) FROM STDIN"
        progress = Progress(self.stream, label or model._meta.model_name, total, quiet=self.quiet)
        buffer = []
        done = 0
        with connection.cursor() as cursor:
            for row in rows:
                buffer.append(row if lines else _line(row))
                if len(buffer) >= CHUNK_ROWS:
                    cursor.copy_expert(sql, io.StringIO("".join(buffer)))
                    done += len(buffer)
                    progress.add(len(buffer))
                    buffer = []
            if buffer:
                cursor.copy_expert(sql, io.StringIO("".join(buffer)))
                done += len(buffer)
                progress.add(len(buffer))
        progress.finish()
        self.counts[model._meta.db_table] = done
        return done


# --- indexes and constraints: built once after the rows are in ---------------------------------


def indexes_drop(tables) -> list[str]:
    """Drop the secondary indexes and the unique, exclusion and foreign key constraints of
    ``tables``; return the statements that make them again (same names and definitions).

    Within the generator's one transaction: a failure rolls the drops back as well. Building an
    index once over all rows, and checking a foreign key with one join, is much faster than
    keeping them up to date row by row during COPY. Partial indexes stay: they are small, and
    PostgreSQL prints their conditions in a form that would not read back identically.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, quote_ident(c.conname),
                   pg_get_constraintdef(c.oid), c.contype
            FROM pg_constraint c
            WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('f', 'u', 'x')
            ORDER BY c.contype = 'f', c.conname
            """,
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
              AND i.indpred IS NULL
              AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c
                WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                  AND c.contype IN ('p', 'u', 'x'))
            ORDER BY 1
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition, _kind in sorted(constraints, key=lambda c: c[3] != "f"):
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    restore = [definition for _name, definition in indexes]
    restore += [
        f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
        for table, name, definition, _kind in constraints
    ]
    return restore


def indexes_restore(statements, *, stderr, quiet):
    progress = Progress(stderr, "indexes", len(statements), quiet=quiet, unit="indexes")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '128MB'")
        for statement in statements:
            cursor.execute(statement)
            progress.add(1)
    progress.finish()


# --- the small tables ---------------------------------------------------------------------------


def programme_create(plan: Plan) -> Programme:
    programme = Programme.objects.create(
        pk=plan.programme_id,
        title_lv="Inovāciju centri visā Latvijā: STEM skolotāju profesionālā pilnveide",
        title_en="Innovation centres across Latvia: professional development of STEM teachers",
        project_number=PROJECT_NUMBER,
        agreement_number="SCALE/2030/1",
        funding_frame_lv="Mēroga dati veiktspējas mērījumiem (generate_scale_data)",
        funding_frame_en="Scale data for performance measurements (generate_scale_data)",
        acknowledgement_lv=(
            "Izdomāti dati: programma, dalībnieki un izdevumi radīti veiktspējas mērījumiem."
        ),
        acknowledgement_en="Made-up data: programme, participants and spending for benchmarks.",
        organiser_lv="Daugavpils Inovāciju centrs",
        organiser_en="Daugavpils Innovation Centre",
        organiser_address=names.VENUES[0],
        partner_lv="Daugavpils Universitāte",
        partner_en="Daugavpils University",
        end_date=plan.end_date,
        minutes_per_academic_hour=45,
        signatory_name="Ilze Paraudziņa",
        signatory_title_lv="Centra vadītāja",
        signatory_title_en="Head of the centre",
    )
    ReminderRule.objects.bulk_create(
        [
            ReminderRule(programme=programme, kind="day_before", local_time=clock(18, 0)),
            ReminderRule(programme=programme, kind="before", offset_minutes=60),
        ]
    )
    return programme


def budget_create(plan: Plan, programme: Programme) -> dict:
    """The budget sized to the spending: headings planned for the whole programme at the pace
    spent so far (plus a margin), funding 90% grant (85/15 split) and 10% co-financing."""
    items = plan.expenditure_plan()
    elapsed = max((plan.today - plan.first_day).days, 30)
    whole = max((plan.end_date - plan.first_day).days, elapsed)
    spent = {code: 0 for code, *_rest in names.HEADINGS}
    for code, _day, cents, *_rest in items:
        spent[code] += cents
    budget = Budget.objects.create(programme=programme, total_cost=Decimal("0"))
    headings = {}
    total = Decimal("0")
    for order, (code, name_lv, name_en, _share) in enumerate(names.HEADINGS, 1):
        planned = Decimal(spent[code] * whole * 115 // (elapsed * 100) // 100 + 1000)
        total += planned
        headings[code] = BudgetHeading.objects.create(
            budget=budget,
            code=code,
            name_lv=name_lv,
            name_en=name_en,
            planned_amount=planned,
            order=order * 10,
        )
    budget.total_cost = total
    budget.save(update_fields=["total_cost"])
    grant = FundingSource.objects.create(
        budget=budget,
        name_lv="Eiropas Ekonomikas zonas un Norvēģijas finanšu instrumentu finansējums",
        name_en="EEA and Norway Grants",
        kind="grant",
        share=Decimal("90"),
        order=10,
    )
    FundingSource.objects.bulk_create(
        [
            FundingSource(
                budget=budget,
                name_lv="Pašvaldību līdzfinansējums",
                name_en="Municipal co-financing",
                kind="co_financing",
                share=Decimal("10"),
                required_minimum_share=Decimal("10"),
                order=20,
            ),
            FundingSource(
                budget=budget,
                parent=grant,
                name_lv="Norvēģijas finanšu instruments",
                name_en="Norwegian Financial Mechanism",
                kind="grant",
                share=Decimal("85"),
                order=10,
            ),
            FundingSource(
                budget=budget,
                parent=grant,
                name_lv="Latvijas valsts budžets",
                name_en="Latvian state budget",
                kind="co_financing",
                share=Decimal("15"),
                order=20,
            ),
        ]
    )
    return {"items": items, "headings": headings}


def indicators_create(plan: Plan) -> int:
    planned = sum(stage.planned for stage in plan.stages) // 100
    targets = {
        "people-trained": Decimal(int(plan.options.participants * 0.9) or 1),
        "sessions-held": Decimal(plan.session_count),
        "academic-hours": Decimal(planned),
        "programmes-developed": Decimal(max(1, len(plan.stages) // 100)),
    }
    indicators = Indicator.objects.bulk_create(
        [
            Indicator(
                order=(number + 1) * 10,
                baseline=Decimal("0"),
                **(row | {"target": targets.get(row["code"], row["target"])}),
            )
            for number, row in enumerate(INDICATORS)
        ]
    )
    entered = [indicator for indicator in indicators if indicator.kind == "entered"]
    values = []
    rng = plan.rng
    start = date(plan.first_day.year, ((plan.first_day.month - 1) // 3) * 3 + 1, 1)
    while True:
        end_month = start.month + 2
        end = (date(start.year, end_month, 28) + timedelta(days=4)).replace(day=1) - timedelta(1)
        if end > plan.today:
            break
        for indicator in entered:
            values.append(
                IndicatorValue(
                    indicator=indicator,
                    period_start=start,
                    period_end=end,
                    value=Decimal(rng.randint(0, 4)),
                    note="",
                    entered_at=datetime.combine(end + timedelta(days=10), clock(12), RIGA),
                )
            )
        start = end + timedelta(days=1)
    IndicatorValue.objects.bulk_create(values)
    return len(values)


# --- the whole run ------------------------------------------------------------------------------


STAGE_COLUMNS = [
    "id", "programme_id", "order", "title_lv", "title_en", "description_lv", "description_en",
    "planned_academic_hours", "capacity", "registration_opens_at", "registration_closes_at",
    "completion_threshold_percent", "is_demo",
]  # fmt: skip
SESSION_COLUMNS = [
    "id", "stage_id", "starts_at", "ends_at", "mode", "zoom_url", "venue", "topic_lv", "topic_en",
    "trainer", "academic_hours", "minutes_per_academic_hour",
]  # fmt: skip
PARTICIPANT_COLUMNS = [
    "id", "email", "first_name", "last_name", "role", "subjects", "institution", "municipality",
    "sex", "phone", "language", "created_at", "updated_at", "link_version", "erased_at",
]  # fmt: skip
REGISTRATION_COLUMNS = [
    "id", "participant_id", "stage_id", "status", "created_at", "email_confirmed_at",
    "confirmed_at", "waiting_since", "cancelled_at", "cancelled_by_staff", "cancellation_reason",
    "consent_version", "consent_at",
]  # fmt: skip
ATTENDANCE_COLUMNS = [
    "id", "participant_id", "session_id", "status", "minutes_present", "source", "recorded_by_id",
    "recorded_at",
]  # fmt: skip
CERTIFICATE_COLUMNS = [
    "id", "participant_id", "stage_id", "programme_id", "sequence", "number", "verification_code",
    "holder_name", "hours_attended", "hours_planned", "first_day", "last_day", "issued_at",
    "issued_by_id", "revoked_at", "revoked_by_id", "revocation_reason",
]  # fmt: skip
MAIL_COLUMNS = [
    "id", "registration_id", "template", "payload", "status", "created_at", "claim_token",
    "claimed_at", "sent_at", "attempts", "next_attempt_at", "last_error",
]  # fmt: skip
EXPENDITURE_COLUMNS = [
    "id", "heading_id", "date", "amount", "supplier", "document_number", "eligible", "note",
    "scan", "created_by_id", "created_at",
]  # fmt: skip


def generate(
    options: Options,
    *,
    now_given: str | None,
    force: bool = False,
    reuse: bool = False,
    stderr=None,
    quiet: bool = False,
) -> Outcome:
    """Fill the database with the scale data for ``options`` (see the command's help)."""
    if connection.vendor != "postgresql":
        raise ScaleDataError(
            "generate_scale_data needs PostgreSQL (it writes with COPY); this database is "
            f"{connection.vendor}. Set DATABASE_URL=postgres://..."
        )
    from participants import page_cache, services

    if services.CONSENT_VERSION != CONSENT_VERSION:
        raise ScaleDataError("participants.services.CONSENT_VERSION changed: update plan.py.")
    stderr = stderr or sys.stderr
    arguments = arguments_of(options, now_given=now_given)
    started = time.monotonic()
    with transaction.atomic():
        run = last_run()
        if reuse and reusable(run, arguments):
            return Outcome(reused=True, counts=run.counts, seconds=0.0, run=run)
        foreign = foreign_data(run)
        if foreign and not force:
            raise ScaleDataError(
                f"The database holds data generate_scale_data did not make ({foreign}). "
                "Use an empty database, or --force to empty the portal's tables first "
                "(everything in courses, participants and reporting is deleted)."
            )
        truncate_portal()
        # COPY passes by the signals that keep the public pages' cache fresh.
        page_cache.invalidate()
        copier = Copier(stream=stderr, quiet=quiet)
        plan = Plan(options)
        programme = programme_create(plan)
        bulk = [
            model._meta.db_table
            for model in (Stage, Session, Participant, Registration, Attendance, Certificate)
        ] + [ParticipantMail._meta.db_table]
        restore = indexes_drop(bulk)
        copier.copy(Stage, STAGE_COLUMNS, plan.stage_rows(), total=len(plan.stages))
        copier.copy(Session, SESSION_COLUMNS, plan.session_rows(), total=plan.session_count)
        copier.copy(
            Participant,
            PARTICIPANT_COLUMNS,
            plan.participant_rows(),
            total=len(plan.participants),
        )
        copier.copy(
            Registration,
            REGISTRATION_COLUMNS,
            plan.registration_rows(),
            total=len(plan.registrations),
        )
        copier.copy(
            Attendance,
            ATTENDANCE_COLUMNS,
            plan.attendance_lines(),
            total=plan.attendance_estimate(),
            lines=True,
        )
        certificates = copier.copy(
            Certificate,
            CERTIFICATE_COLUMNS,
            plan.certificate_rows(programme.certificate_number_pattern),
            total=len(plan.confirmed),
        )
        copier.copy(
            ParticipantMail,
            MAIL_COLUMNS,
            plan.mail_rows(),
            total=len(plan.registrations) + certificates,
        )
        indexes_restore(restore, stderr=stderr, quiet=quiet)
        money = budget_create(plan, programme)
        headings = money["headings"]
        expenditure_rows = (
            (
                number,
                headings[code].pk,
                day.isoformat(),
                f"{cents // 100}.{cents % 100:02d}",
                supplier,
                document,
                eligible,
                note,
                "",
                None,
                datetime.combine(day, clock(12), RIGA).isoformat(),
            )
            for number, (code, day, cents, supplier, document, eligible, note) in enumerate(
                money["items"], 1
            )
        )
        copier.copy(Expenditure, EXPENDITURE_COLUMNS, expenditure_rows, total=len(money["items"]))
        values = indicators_create(plan)
        sequences_reset()
        counts = current_counts() | {
            "registrations_by_status": _by_status(plan),
            "mails": copier.counts[ParticipantMail._meta.db_table],
            "expenditures": len(money["items"]),
            "indicator_values": values,
            "trained_participants": len(plan.trained),
            "confirmed_participants": len({person for _r, person, _s in plan.confirmed}),
        }
        run = ScaleDataRun.objects.create(
            arguments=arguments,
            counts=counts,
            programme_id=programme.pk,
            now=options.now,
            made_at=timezone.now(),
            seconds=round(time.monotonic() - started, 1),
        )
    analyze(stderr=stderr, quiet=quiet)
    run.seconds = round(time.monotonic() - started, 1)
    run.save(update_fields=["seconds"])
    return Outcome(reused=False, counts=counts, seconds=run.seconds, run=run)


def _by_status(plan: Plan) -> dict:
    counts = {}
    for row in plan.registrations:
        counts[row[3]] = counts.get(row[3], 0) + 1
    return counts


def sequences_reset():
    """Every id sequence past the rows written, so the portal's own inserts work afterwards."""
    models = list(portal_models()) + [ScaleDataRun]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def analyze(*, stderr, quiet):
    """Fresh planner statistics (and, outside a transaction, the visibility map) for the
    tables written: the benchmarks then see the plans production would."""
    tables = [model._meta.db_table for model in portal_models()]
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    started = time.monotonic()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")
    if not quiet:
        stderr.write(f"  {command} of {len(tables)} tables: {time.monotonic() - started:.1f} s\n")
