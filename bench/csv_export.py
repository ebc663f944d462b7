"""CSV exports: the registrations and every attendance row, downloaded by staff over HTTP.

    .venv/bin/python bench/csv_export.py                  (full: 30 000 participants, ≥ 1 000 000
                                                            attendance rows)
    BENCH_SMALL=1 .venv/bin/python bench/csv_export.py    (seconds: 300 participants)

Production-like: gunicorn with 2 workers (``DEBUG=False``), the scale data of
``generate_scale_data``. A staff user with only the view permissions of registrations and
attendance (the least an export needs) downloads the two admin exports,
``/admin/participants/registration/export.csv`` and ``/admin/participants/attendance/export.csv``
(no filter: every row), streamed; the script counts the rows as they arrive.

Reference: PostgreSQL's ``COPY (SELECT ...) TO STDOUT WITH CSV`` of the very ``SELECT`` the
export runs (the same rows, the same finished cells: Latvian labels, Riga time, neutralised
formulas), through psycopg2's ``copy_expert`` into a sink that drops the bytes: what the
database alone does at best to make this file. The best of two COPY runs (one before, one after
the download) is taken, so the download is not compared with a cold cache.

Memory: resident memory of the gunicorn processes (master and workers, sampled every 20 ms)
during each download, above what they held just before it (after a few small warm-up exports).
"""

import time

import harness

harness.setup_django(database="export")

import requests  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import translation  # noqa: E402

from participants.attendance.exports import attendance_csv_file  # noqa: E402
from participants.exports import registration_csv_file  # noqa: E402
from participants.models import Attendance, Registration  # noqa: E402

PARTICIPANTS = harness.size(30_000, 300)
STAFF = "bench-export"
RATIO_GOAL = 1 / 3
MEMORY_GOAL_MB = 100
EXPORTS = {
    "registrations": ("/admin/participants/registration/export.csv", registration_csv_file),
    "attendance": ("/admin/participants/attendance/export.csv", attendance_csv_file),
}
MODELS = {"registrations": Registration, "attendance": Attendance}


def staff_cookie() -> str:
    """A session of a staff user who may only view registrations and attendance."""
    user, _created = get_user_model().objects.get_or_create(
        username=STAFF, defaults={"is_staff": True}
    )
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_registration", "view_attendance"])
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client.cookies["sessionid"].value


class NullSink:
    def __init__(self):
        self.bytes = 0

    def write(self, data):
        self.bytes += len(data)
        return len(data)


def copy_reference(name) -> tuple[float, int]:
    """Seconds and bytes of ``COPY (the export's SELECT) TO STDOUT WITH CSV`` into a null sink."""
    with translation.override("lv"):
        sql, params = EXPORTS[name][1](MODELS[name].objects.all()).select_sql()
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()
        sink = NullSink()
        started = time.perf_counter()
        cursor.cursor.copy_expert(
            f"COPY ({query}) TO STDOUT WITH (FORMAT csv, DELIMITER ';')", sink
        )
        return time.perf_counter() - started, sink.bytes


def download(session, url) -> tuple[float, float, int, int]:
    """Seconds to the first byte, seconds in all, data rows and bytes of one streamed download."""
    started = time.perf_counter()
    first_byte, lines, size = None, 0, 0
    with session.get(url, stream=True, timeout=600) as response:
        response.raise_for_status()
        assert response.headers["Content-Type"].startswith("text/csv"), response.headers
        for chunk in response.iter_content(chunk_size=256 * 1024):
            if first_byte is None:
                first_byte = time.perf_counter() - started
            lines += chunk.count(b"\n")
            size += len(chunk)
    return first_byte or 0.0, time.perf_counter() - started, lines - 1, size


def main():
    # gunicorn reads the repository's gunicorn.conf.py (as in production): its 300 s timeout lets
    # a million-row download finish (gunicorn's default of 30 s killed it mid-file).
    harness.ensure_scale_data(PARTICIPANTS)
    counts = {name: model.objects.count() for name, model in MODELS.items()}
    cookie = staff_cookie()
    print(f"rows: {counts}", flush=True)
    results = {}
    with harness.Services(web_workers=2) as svc:
        session = requests.Session()
        session.headers.update({"Cookie": f"sessionid={cookie}", "Accept-Language": "lv"})
        for _ in range(4):  # both workers load the admin and the export code before "idle"
            url = f"{svc.base_url}{EXPORTS['registrations'][0]}?status__exact=none"
            download(session, url)
        for name, (path, _csv_file) in EXPORTS.items():
            copy_before = copy_reference(name)
            with harness.PeakRSS(svc.web_pids()) as peak:
                first_byte, seconds, rows, size = download(session, svc.base_url + path)
            copy_after = copy_reference(name)
            copy_seconds = min(copy_before[0], copy_after[0])
            assert rows == counts[name], f"{name}: {rows} rows downloaded, {counts[name]} exist"
            results[name] = {
                "rows": rows,
                "seconds": seconds,
                "first_byte": first_byte,
                "bytes": size,
                "copy_seconds": copy_seconds,
                "copy_bytes": copy_before[1],
                "memory": peak.above_idle_mb,
                "idle": peak.idle_mb,
            }
            print(name, results[name], flush=True)
    record(results)


def record(results):
    figures = []
    for name, result in results.items():
        rate = result["rows"] / result["seconds"]
        copy_rate = result["rows"] / result["copy_seconds"]
        figures.append(
            harness.Figure(
                f"{name} CSV export ({result['rows']:,} rows)",
                round(rate),
                "rows/s",
                reference="COPY (same SELECT) TO STDOUT",
                reference_value=round(copy_rate),
                goal="ratio ≥ 0.33",
                met=rate / copy_rate >= RATIO_GOAL,
                detail=(
                    f"{result['seconds']:.2f} s, first byte after {result['first_byte']:.2f} s, "
                    f"{result['bytes'] / 2**20:.0f} MB (COPY: {result['copy_seconds']:.2f} s, "
                    f"{result['copy_bytes'] / 2**20:.0f} MB)"
                ),
            )
        )
        figures.append(
            harness.Figure(
                f"{name} CSV export: peak memory above idle",
                round(result["memory"], 1),
                "MB",
                goal=f"< {MEMORY_GOAL_MB} MB",
                met=result["memory"] < MEMORY_GOAL_MB,
                detail=f"gunicorn master + 2 workers, idle {result['idle']:.0f} MB",
            )
        )
    notes = (
        "Both exports are made by PostgreSQL: the admin's filtered queryset is wrapped in one "
        "`SELECT` whose columns are the finished cells (labels in the staff member's language, "
        "Riga time, neutralised formulas, decimal comma), read through a server-side cursor in "
        "batches of 5 000 rows and written by `csv.writer.writerows`, so the worker holds one "
        "batch at a time. The reference is `COPY` of that same `SELECT`; the gap is the "
        "cursor's round trips, Python's CSV writing, and HTTP. gunicorn runs with "
        "the repository's `gunicorn.conf.py` (`timeout = 300`): with gunicorn's default 30 s the "
        "sync worker is killed during a download longer than that (the 1 000 000-row file was, "
        "on a busy machine)."
    )
    harness.record(figures, notes=notes)


if __name__ == "__main__":
    main()
