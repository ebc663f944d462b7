"""The funder's progress report over the scale data, against one hand-written SQL query.

For each format (XLSX, PDF, CSV, and the reports page /lv/reports/, which builds the same report
and shows it with its charts): the time to make the bytes the way ``export_progress_report``
does (the programme, the period, the report, the file; best of 3 after a warm-up) and the number
of queries, at 1 000 and at 30 000 participants. The reference is ``bench/progress_report.sql``:
one query (CTEs) computing every figure the report shows; the script checks that its numbers
equal the report's before timing anything.

Goals (issue 11): each format at most twice the SQL's time; the same query count at both sizes.

Each size has a database of its own (``<prefix>progress_<N>``) and is measured in a subprocess
of this script (``--size N``), which prints its results as JSON; the parent records them.
``BENCH_SMALL=1``: 100 and 300 participants.
"""

import json
import subprocess
import sys
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import harness

SIZES = harness.size((1_000, 30_000), (100, 300))
FORMATS = ("xlsx", "pdf", "csv", "html")
SQL_FILE = Path(__file__).resolve().parent / "progress_report.sql"
SQL = SQL_FILE.read_text()
COORDINATOR = "bench-coordinator"


# --- the report's numbers and the SQL's, side by side -------------------------------------------


def report_numbers(report) -> dict:
    """Every figure of a ``ProgressReport`` the SQL computes, keyed as the SQL keys them."""
    numbers = {("first_day", str(report.cover.programme_start)): ()}
    for row in report.stages:
        numbers[("stage", str(row.order))] = (
            row.scheduled,
            row.delivered_in_period,
            row.delivered_cumulative,
            row.planned,
        )
    for row in report.indicators:
        section = "breakdown" if row.level else "indicator"
        numbers[(section, row.code)] = (row.in_period, row.cumulative)
    money = report.money
    for row in money.headings:
        numbers[("heading", row.code)] = (row.planned, row.spent_in_period, row.spent_cumulative)
    numbers[("money", "eligible")] = (money.spent_in_period, money.spent_cumulative)
    numbers[("money", "ineligible")] = (
        money.ineligible_in_period,
        money.ineligible_cumulative,
        len(money.ineligible),
    )
    for row in money.sources:
        numbers[("source", row.key)] = (row.planned, row.spent_in_period, row.spent_cumulative)
    return _without_empty_breakdown(numbers)


def sql_numbers(rows, *, has_sources=True) -> dict:
    numbers = {}
    for section, key, *values in rows:
        if section == "source" and not has_sources:
            continue  # the report shows no sources when their shares cannot split the money
        while values and values[-1] is None:
            values.pop()
        numbers[(section, key)] = tuple(values)
    return _without_empty_breakdown(numbers)


def _without_empty_breakdown(numbers):
    """The report lists every group of a breakdown, the SQL only the groups with people."""
    return {
        key: values
        for key, values in numbers.items()
        if key[0] != "breakdown" or any(value != 0 for value in values)
    }


def differences(report, sql) -> list[str]:
    lines = []
    for key in sorted(set(report) | set(sql)):
        mine, theirs = report.get(key), sql.get(key)
        same = mine is not None and theirs is not None and len(mine) == len(theirs)
        if not (same and all(Decimal(a) == Decimal(b) for a, b in zip(mine, theirs, strict=True))):
            lines.append(f"{key}: report {mine} / SQL {theirs}")
    return lines


# --- one size, in its own database --------------------------------------------------------------


def sql_params(programme, period, now):
    return {
        "programme": programme.pk,
        "start": period.start,
        "end_": period.end,
        "start_at": period.start_at,
        "end_at": period.end_at,
        "now": now,
    }


def run_sql(params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(SQL, params)
        return cursor.fetchall()


def choose_period(programme, now):
    """The middle third of the programme's time so far: figures in the period and before it."""
    from reporting.report.period import programme_dates

    first, last = programme_dates(programme=programme)
    end = min(last, now.date())
    third = (end - first) // 3
    return first + third, first + 2 * third


def coordinator_client():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from reporting.groups import COORDINATORS

    user, _created = get_user_model().objects.get_or_create(username=COORDINATOR)
    user.groups.add(Group.objects.get_or_create(name=COORDINATORS)[0])
    client = Client(HTTP_HOST="127.0.0.1", secure=True)
    client.force_login(user)
    return client


def server_setting(name) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


@contextmanager
def jit_off():
    """PostgreSQL's JIT off on every connection opened meanwhile (the test client's requests
    close and reopen it). Compiling these queries costs seconds at 30 000 participants, the
    hand-written one most of all; measured with it on as well (see the notes)."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    def off(sender, connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")

    connection_created.connect(off)
    connection.close()
    try:
        yield
    finally:
        connection_created.disconnect(off)
        connection.close()


def count_queries(job) -> int:
    """The queries one call of ``job`` makes, counted at the cursor (the test client's
    request_started signal empties Django's own query log)."""
    from django.db import connection

    queries = []

    def counted(execute, sql, params, many, context):
        if not sql.startswith("SET jit"):  # the benchmark's own, on a new connection
            queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        job()
    return len(queries)


def measure_size(participants) -> dict:
    """Make (or reuse) the scale data and measure every format and the SQL (in this process)."""
    harness.setup_django(database=f"progress_{participants}")
    harness.ensure_scale_data(participants)

    from django.utils import timezone, translation

    from courses.selectors import current_programme
    from reporting.report.files import report_file
    from reporting.report.services import progress_report_for

    now = timezone.now().replace(microsecond=0)
    programme = current_programme()
    start, end = choose_period(programme, now)

    def build():
        the_programme = current_programme()
        return progress_report_for(
            programme=the_programme, start=start, end=end, generated_by="bench", now=now
        )

    def make_file(file_format):
        def make():
            with translation.override("lv"):
                _period, report = build()
                return report_file(report, file_format)

        return make

    harness.collect_static()  # the page's template names its static files by the manifest
    url = f"/lv/reports/?start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"

    def page():
        response = client.get(url)
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        return response.content

    with translation.override("lv"):
        period, report = build()
    params = sql_params(programme, period, now)
    rows = run_sql(params)
    report_side = report_numbers(report)
    sql_side = sql_numbers(rows, has_sources=not report.money.split_problem)
    mismatches = differences(report_side, sql_side)
    if mismatches:
        raise AssertionError("the SQL and the report differ:\n" + "\n".join(mismatches))

    # The page first, right after the login: a session is saved again (one more query) once
    # it is five minutes old (innovation_centre/security/sessions.py).
    client = coordinator_client()
    jobs = {"html": page, **{fmt: make_file(fmt) for fmt in ("xlsx", "pdf", "csv")}}
    jobs["build"] = lambda: build()
    jobs["sql"] = lambda: run_sql(params)
    jit_default = server_setting("jit")
    results = {}
    with jit_off():
        for name, job in jobs.items():
            queries = count_queries(job)
            seconds, _result = harness.timed(job)
            results[name] = {"seconds": seconds, "queries": queries}
    # The same two with JIT on (PostgreSQL's default; the portal's settings turn it off).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET jit = on")
    with_jit = {name: harness.timed(jobs[name], repeat=2)[0] for name in ("build", "sql")}
    from participants.attendance.models import Attendance
    from participants.models import Registration

    return {
        "participants": participants,
        "period": [str(period.start), str(period.end)],
        "attendance_rows": Attendance.objects.count(),
        "registrations": Registration.objects.count(),
        "figures_compared": len(report_side),
        "people_trained": str(
            next(row.cumulative for row in report.indicators if row.code == "people-trained")
            if any(row.code == "people-trained" for row in report.indicators)
            else ""
        ),
        "results": results,
        "jit_default": jit_default,
        "with_jit": with_jit,
    }


# --- the parent: both sizes, the record ---------------------------------------------------------


def measured(participants) -> dict:
    finished = subprocess.run(
        [sys.executable, __file__, "--size", str(participants)],
        cwd=harness.ROOT,
        capture_output=True,
        text=True,
    )
    if finished.returncode != 0:
        sys.stderr.write(finished.stdout[-4000:] + finished.stderr[-8000:])
        raise SystemExit(f"measuring {participants} participants failed")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def label(number):
    return f"{number:,}".replace(",", " ")


def figures_for(small, large):
    figures = []
    sql_ms = {
        size["participants"]: size["results"]["sql"]["seconds"] * 1000 for size in (small, large)
    }
    for fmt in FORMATS:
        name = "page /lv/reports/" if fmt == "html" else fmt.upper()
        q_small = small["results"][fmt]["queries"]
        q_large = large["results"][fmt]["queries"]
        for size in (small, large):
            n = size["participants"]
            ms = size["results"][fmt]["seconds"] * 1000
            figures.append(
                harness.Figure(
                    name=f"progress report {name}, {label(n)} participants",
                    value=round(ms, 1),
                    unit="ms",
                    reference="one hand-written SQL query",
                    reference_value=round(sql_ms[n], 1),
                    # The goal is over the scale data; at the small size the fixed cost of
                    # writing any spreadsheet or PDF outweighs a 60 ms query (see the notes).
                    goal="ratio ≤ 2" if size is large else None,
                    met=ms <= 2 * sql_ms[n] if size is large else None,
                    detail=f"{size['results'][fmt]['queries']} queries",
                )
            )
        figures.append(
            harness.Figure(
                name=f"progress report {name}: queries at {label(large['participants'])}",
                value=q_large,
                unit="queries",
                reference=f"queries at {label(small['participants'])}",
                reference_value=q_small,
                goal="the same",
                met=q_small == q_large,
            )
        )
    return figures


def notes_for(small, large):
    lines = [
        "The time of a format: the programme, the period, the report "
        "(`progress_report_for`) and the file (`report_file`), as `export_progress_report` "
        "makes it; the page: a signed-in coordinator's GET of `/lv/reports/?start=…&end=…` "
        "through Django's test client (middleware, template, charts). The reference: "
        "`bench/progress_report.sql`, one query that computes every figure the report shows; "
        "the script asserts that its numbers equal the report's "
        f"({large['figures_compared']} figures at {label(large['participants'])}). "
        "Measured with PostgreSQL's JIT off (`SET jit = off`, for the report and the SQL "
        "alike): the server's default is on, and compiling these queries then costs seconds "
        "(see the last table).",
        "",
        "| participants | registrations | attendance rows | period | SQL | report data only |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    jit_lines = []
    for size in (small, large):
        results = size["results"]
        with_jit = size["with_jit"]
        jit_lines.append(
            f"| {label(size['participants'])} | {with_jit['sql'] * 1000:.0f} ms | "
            f"{with_jit['build'] * 1000:.0f} ms | {with_jit['build'] / with_jit['sql']:.2f} |"
        )
        lines.append(
            f"| {label(size['participants'])} | {label(size['registrations'])} | "
            f"{label(size['attendance_rows'])} | {size['period'][0]} – {size['period'][1]} | "
            f"{results['sql']['seconds'] * 1000:.1f} ms | "
            f"{results['build']['seconds'] * 1000:.1f} ms, {results['build']['queries']} queries |"
        )
    lines += [
        "",
        "With JIT on (PostgreSQL's default, which the portal turns off), best of 2:",
        "",
        "| participants | SQL | report data only | ratio |",
        "| --- | --- | --- | --- |",
        *jit_lines,
    ]
    return "\n".join(lines)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--size":
        print(json.dumps(measure_size(int(sys.argv[2]))))
        return
    small, large = (measured(n) for n in SIZES)
    harness.record(figures_for(small, large), notes=notes_for(small, large))


if __name__ == "__main__":
    main()
