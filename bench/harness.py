"""What every benchmark script shares: settings, databases, the services it runs, the results.

A script starts with::

    import harness
    harness.setup_django()          # before any model is imported

and ends with ``harness.record([...figures...], notes=...)``. ``make bench`` runs every script and
``bench/report.py`` turns the recorded figures into ``bench/RESULTS.md``. With ``BENCH_SMALL=1``
the scripts run a size that takes seconds (CI does that to keep them working) and record into
``var/bench-small/`` instead.
"""

import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SMALL = os.environ.get("BENCH_SMALL") == "1"
VENV_BIN = Path(sys.executable).parent
RESULTS_DIR = ROOT / ("var/bench-small" if SMALL else "bench/results")
STATIC_ROOT = ROOT / "var" / "bench-static"
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")


def size(full, small):
    """The full size, or the small one in CI's quick run."""
    return small if SMALL else full


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SMTP_PORT = free_port()


def database_name(database):
    prefix = os.environ.get("BENCH_DB_PREFIX", "ic_")
    return f"{prefix}{database}{'_small' if SMALL else ''}"


def database_url(database="bench"):
    return f"{POSTGRES}/{database_name(database)}"


def create_database(name):
    import psycopg2

    connection = psycopg2.connect(f"{POSTGRES}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


def production_environment(database="bench", smtp=False):
    """The environment of a production deployment on this machine, for the script and its
    services alike (every service started later inherits ``os.environ``)."""
    redis_db = os.environ.get("BENCH_REDIS_DB", "9")
    defaults = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "False",
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "https://127.0.0.1",
        "TRUSTED_PROXIES": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "CACHE_URL": f"{REDIS}/{redis_db}",
        "CELERY_BROKER_URL": f"{REDIS}/{redis_db}",
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": str(STATIC_ROOT),
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    os.environ["DATABASE_URL"] = database_url(database)
    if smtp:
        os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{SMTP_PORT}"
    else:
        os.environ.setdefault("EMAIL_URL", "dummymail://")


def setup_django(database="bench", smtp=False, migrate=True):
    """Production-like settings on the PostgreSQL database ``ic_<database>`` (created if missing,
    migrated), then ``django.setup()``. With ``smtp=True`` mail goes to the sink that
    ``Services(smtp=True)`` starts on ``SMTP_PORT``."""
    production_environment(database, smtp)
    create_database(database_name(database))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def ensure_scale_data(participants, **options):
    """Scale data of this size in the script's database; made again only if the arguments
    differ from what is there."""
    from django.core.management import call_command

    call_command(
        "generate_scale_data", participants=participants, reuse=True, force=True, **options
    )


def flush_redis():
    """Empty the benchmark's Redis database (cache and broker): no task or count left over."""
    import redis

    redis.Redis.from_url(os.environ["CACHE_URL"]).flushdb()


class Services:
    """gunicorn (the portal with the bench settings), a Celery worker, beat and an SMTP sink on
    loopback, each in a process group of its own, stopped (group and all) at exit."""

    def __init__(
        self,
        web_workers=2,
        worker=False,
        worker_concurrency=2,
        beat=False,
        smtp=False,
        web=True,
        smtp_keep=False,
    ):
        self.web, self.web_workers = web, web_workers
        self.worker, self.worker_concurrency = worker, worker_concurrency
        self.beat, self.smtp = beat, smtp
        self.processes = []
        self.work = Path(tempfile.mkdtemp(prefix="bench-"))
        # smtp_keep: the sink also keeps each message, in mail_dir/<recipient>/<n>.eml
        self.mail_dir = self.work / "mail" if smtp_keep else None
        self.web_port = free_port()
        self.smtp_port = SMTP_PORT
        self.base_url = f"http://127.0.0.1:{self.web_port}"

    def __enter__(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def _spawn(self, name, args, env=None):
        log = open(self.work / f"{name}.log", "wb")
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        process.bench_name = name
        self.processes.append(process)
        return process

    def _start(self):
        if self.smtp:
            count_file = self.work / "smtp-count"
            sink = [sys.executable, str(ROOT / "bench/smtp_sink.py"), str(SMTP_PORT), count_file]
            if self.mail_dir is not None:
                sink.append(str(self.mail_dir))
            self._spawn("smtp", sink)
            self._wait(lambda: count_file.exists(), "the SMTP sink")
        env = {"EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}"} if self.smtp else {}
        if self.web:
            collect_static()
            self._spawn(
                "gunicorn",
                [
                    str(VENV_BIN / "gunicorn"),
                    "innovation_centre.wsgi",
                    "--bind",
                    f"127.0.0.1:{self.web_port}",
                    "--workers",
                    str(self.web_workers),
                ],
                env,
            )
            self._wait(self._web_answers, "gunicorn")
        if self.worker:
            self._spawn(
                "worker",
                [
                    str(VENV_BIN / "celery"),
                    "-A",
                    "innovation_centre",
                    "worker",
                    "--loglevel",
                    "WARNING",
                    "--concurrency",
                    str(self.worker_concurrency),
                    "--without-gossip",
                    "--without-mingle",
                ],
                env,
            )
            self._wait(self._worker_answers, "the Celery worker")
        if self.beat:
            self._spawn(
                "beat",
                [
                    str(VENV_BIN / "celery"),
                    "-A",
                    "innovation_centre",
                    "beat",
                    "--loglevel",
                    "WARNING",
                    "--scheduler",
                    "django_celery_beat.schedulers:DatabaseScheduler",
                    "--schedule",
                    str(self.work / "beat-schedule"),
                ],
                env,
            )

    def _wait(self, ready, what, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    name = process.bench_name
                    raise RuntimeError(f"{name} exited:\n{self.log(name)}")
            if ready():
                return
            time.sleep(0.2)
        raise RuntimeError(f"{what} did not start in {timeout} s")

    def _web_answers(self):
        try:
            with urllib.request.urlopen(f"{self.base_url}/bench/minimal/", timeout=2) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def _worker_answers(self):
        from innovation_centre.celery import app

        try:
            return bool(app.control.ping(timeout=1))
        except Exception:  # noqa: BLE001 - the broker may not answer yet
            return False

    def log(self, name):
        path = self.work / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def smtp_count(self):
        count_file = self.work / "smtp-count"
        try:
            return int(count_file.read_text() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def web_pids(self):
        """The gunicorn master and its workers."""
        import psutil

        master = next(p for p in self.processes if p.bench_name == "gunicorn")
        parent = psutil.Process(master.pid)
        return [parent.pid, *(child.pid for child in parent.children(recursive=True))]

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
        self.processes = []


_static_collected = False


def collect_static():
    global _static_collected
    if not _static_collected:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            check=True,
        )
        _static_collected = True


def run_locust(locustfile, host, users=50, spawn_rate=50, seconds=20, env=None):
    """Headless locust against ``host``; the aggregated figures of the whole run."""
    with tempfile.TemporaryDirectory() as work:
        prefix = Path(work) / "stats"
        finished = subprocess.run(
            [
                str(VENV_BIN / "locust"),
                "-f",
                str(locustfile),
                "--headless",
                "--host",
                host,
                "--users",
                str(users),
                "--spawn-rate",
                str(spawn_rate),
                "--run-time",
                f"{seconds}s",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
        )
        if finished.returncode != 0:
            raise RuntimeError(f"locust failed:\n{finished.stderr[-4000:]}")
        with open(f"{prefix}_stats.csv", newline="") as stats:
            rows = {row["Name"]: row for row in csv.DictReader(stats)}
    total = rows["Aggregated"]
    return {
        "rps": float(total["Requests/s"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "by_name": {
            name: {
                "rps": float(row["Requests/s"]),
                "p95_ms": float(row["95%"]),
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
            }
            for name, row in rows.items()
            if name != "Aggregated"
        },
    }


class PeakRSS:
    """Peak resident memory of some processes (and their children), sampled every 20 ms."""

    def __init__(self, pids, interval=0.02):
        import psutil

        self.processes = [psutil.Process(pid) for pid in pids]
        self.interval = interval
        self.idle_mb = self.peak_mb = self._sample()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self):
        import psutil

        total = 0
        for process in self.processes:
            try:
                total += process.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total / 2**20

    def _run(self):
        while not self._stop.wait(self.interval):
            self.peak_mb = max(self.peak_mb, self._sample())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def above_idle_mb(self):
        return self.peak_mb - self.idle_mb


def timed(function, repeat=3, warmup=1):
    """Best wall-clock time of ``repeat`` calls after ``warmup`` calls, and the last result."""
    result = None
    for _ in range(warmup):
        result = function()
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    reference: str | None = None
    reference_value: float | None = None
    goal: str | None = None
    met: bool | None = None
    detail: str = ""

    @property
    def ratio(self):
        if self.reference_value in (None, 0):
            return None
        return self.value / self.reference_value


def script_name():
    return Path(sys.argv[0]).stem


def record(figures, notes="", name=None):
    """Write the figures (and markdown notes) of this script for ``bench/report.py``."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    name = name or script_name()
    payload = {
        "script": name,
        "small": SMALL,
        "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "figures": [{**asdict(figure), "ratio": figure.ratio} for figure in figures],
        "notes": notes,
    }
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    for figure in figures:
        ratio = "" if figure.ratio is None else f"  ratio {figure.ratio:.2f}"
        reference = ""
        if figure.reference is not None:
            reference = f"  vs {figure.reference} {figure.reference_value:g}"
        verdict = {True: "  goal met", False: "  GOAL MISSED", None: ""}[figure.met]
        print(f"{figure.name}: {figure.value:g} {figure.unit}{reference}{ratio}{verdict}")
    print(f"recorded in {path.relative_to(ROOT)}")
    return path
