"""Registration: a rush of teachers for one stage under 50 concurrent clients.

    .venv/bin/python bench/registration.py                  (full: 600 teachers, 300 seats)
    BENCH_SMALL=1 .venv/bin/python bench/registration.py    (seconds: 12 teachers, 5 seats)

Production-like: gunicorn with 2 workers (``DEBUG=False``), a Celery worker (concurrency 2) that
sends the outbox's mails, an SMTP sink that keeps them, cache and broker on Redis. The data is
the seeded programme plus one open stage ("Benchmark: registration rush", 8 sessions in the
coming weeks) that twice as many teachers as it has seats try to fill.

A registration is successful when it is complete: the form was accepted (its confirmation mail
queued in the outbox), the mail reached the SMTP sink, and the teacher confirmed with the link in
it. Seats are taken only then (double opt-in), so that is where overselling could happen. Each of
the 50 locust users (``bench/locust_registration.py``) is one teacher after another: stage page,
form POST, "check your mail" page, the mail, confirmation page, confirm POST, personal page; each
teacher comes from an address of their own through the trusted proxy (``X-Forwarded-For``), so
the per-address limits stay as in production and are not reached. Nothing in the portal is
switched off.

Measured: completed registrations per second (from the first page to the last confirmation),
p95 of the form POST and of the confirm POST, failed requests; then, from the database, seats
taken against capacity (oversold = taken beyond capacity), the waiting list, and mails: recorded
in the outbox, sent, and received by the sink once the outbox has drained.
"""

import io
import json
import resource
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import harness
import psutil

harness.setup_django(database="registration", smtp=True)

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from courses.models import Session, Stage  # noqa: E402
from courses.selectors import current_programme  # noqa: E402
from courses.services import session_save  # noqa: E402
from participants.models import Participant, Registration  # noqa: E402
from participants.outbox.models import ParticipantMail  # noqa: E402

LOCUSTFILE = Path(__file__).resolve().parent / "locust_registration.py"
MINIMAL_LOCUSTFILE = Path(__file__).resolve().parent / "locust_public_pages.py"
USERS = harness.size(50, 4)
CAPACITY = harness.size(300, 5)
PEOPLE = harness.size(600, 12)
MAX_SECONDS = harness.size(600, 120)
MINIMAL_SECONDS = harness.size(10, 2)
DOMAIN = "bench.example.lv"
STAGE_TITLE = "Benchmark: registration rush"
GOAL_RATE = 10
Status = Registration.Status
MailStatus = ParticipantMail.Status


def bench_stage():
    """The open stage of the rush, emptied of earlier runs' teachers, with ``CAPACITY`` seats."""
    call_command("seed_programme", stdout=io.StringIO())
    programme = current_programme()
    Registration.objects.filter(participant__email__endswith=f"@{DOMAIN}").delete()
    Participant.objects.filter(email__endswith=f"@{DOMAIN}").delete()
    stage = Stage.objects.filter(programme=programme, title_en=STAGE_TITLE).first()
    if stage is None:
        last = programme.stages.order_by("-order").values_list("order", flat=True).first()
        stage = Stage.objects.create(
            programme=programme,
            order=(last or 0) + 1,
            title_lv="Etalonuzdevums: reģistrācijas pūlis",
            title_en=STAGE_TITLE,
            planned_academic_hours=32,
            capacity=CAPACITY,
        )
    Registration.objects.filter(stage=stage).delete()
    with transaction.atomic():
        Stage.objects.filter(pk=stage.pk).update(
            capacity=CAPACITY, registration_opens_at=None, registration_closes_at=None
        )
    if not stage.sessions.exists():
        start = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
        for week in range(8):
            starts_at = start + timedelta(days=30 + 7 * week)
            session_save(
                session=Session(
                    stage=stage,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=3),
                    mode=Session.Mode.ONLINE,
                    zoom_url=f"https://zoom.example.com/j/bench-{week}",
                    topic_lv=f"Nodarbība {week + 1}",
                    topic_en=f"Session {week + 1}",
                    trainer="Ilze Paraudziņa",
                    academic_hours=None,
                )
            )
    return Stage.objects.get(pk=stage.pk)


def wait_for_outbox(svc, timeout=120):
    """Until every recorded mail has been sent and the sink has them all (or ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        unfinished = ParticipantMail.objects.filter(
            registration__participant__email__endswith=f"@{DOMAIN}",
            status__in=[MailStatus.PENDING, MailStatus.CLAIMED],
        ).count()
        sent = ParticipantMail.objects.filter(status=MailStatus.SENT).count()
        if not unfinished and svc.smtp_count() >= sent:
            return
        time.sleep(0.5)


def percentile(values, fraction):
    if not values:
        return None
    values = sorted(values)
    return values[min(int(len(values) * fraction), len(values) - 1)]


def service_pids(svc, name):
    """The service's process and its children (gunicorn's or Celery's workers)."""
    process = next(p for p in svc.processes if p.bench_name == name)
    parent = psutil.Process(process.pid)
    return [parent.pid, *(child.pid for child in parent.children(recursive=True))]


def postgres_pids():
    """PostgreSQL's backends serving this benchmark's database (their title names it)."""
    database = harness.database_name("registration")
    return [
        p.pid
        for p in psutil.process_iter(["name", "cmdline"])
        if p.info["name"] == "postgres" and database in " ".join(p.info["cmdline"] or [])
    ]


def cpu_seconds(pids):
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:  # a PostgreSQL backend that ended meanwhile
            continue
        total += times.user + times.system
    return total


def schedstat(pids):
    """Seconds on a CPU and seconds runnable but waiting for one (Linux ``schedstat``)."""
    running = waiting = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/schedstat").read_text().split()
        except OSError:
            continue
        running += int(fields[0]) / 1e9
        waiting += int(fields[1]) / 1e9
    return running, waiting


def locust_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class BackendCPU:
    """CPU seconds of this database's PostgreSQL backends, sampled every 0.2 s, so backends that
    end meanwhile (a connection older than ``CONN_MAX_AGE`` is closed) are counted too."""

    def __init__(self):
        self.start = {pid: cpu_seconds([pid]) for pid in postgres_pids()}
        self.last = dict(self.start)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self):
        while not self.stop.wait(0.2):
            for pid in postgres_pids():
                self.last[pid] = cpu_seconds([pid]) or self.last.get(pid, 0.0)

    def seconds(self):
        self.stop.set()
        self.thread.join()
        return sum(self.last.values()) - sum(self.start.values())


def run_rush(svc, stage):
    """The rush; with the CPU seconds the web, the Celery worker, PostgreSQL (the backends of
    this database) and locust used meanwhile."""
    groups = {"web": service_pids(svc, "gunicorn"), "worker": service_pids(svc, "worker")}
    before = {name: cpu_seconds(pids) for name, pids in groups.items()}
    before["locust"] = locust_cpu_seconds()
    backends = BackendCPU()
    workers = groups["web"][1:]  # gunicorn's workers (the master only watches them)
    sched_before = schedstat(workers)
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "outcomes.json"
        started = time.monotonic()
        result = harness.run_locust(
            LOCUSTFILE,
            svc.base_url,
            users=USERS,
            spawn_rate=USERS,
            seconds=MAX_SECONDS,
            env={
                "BENCH_STAGE_PATH": f"/lv/stages/{stage.pk}/",
                "BENCH_MAIL_DIR": str(svc.mail_dir),
                "BENCH_PEOPLE": str(PEOPLE),
                "BENCH_RUN": uuid.uuid4().hex[:8],
                "BENCH_OUT": str(out),
                "BENCH_EMAIL_DOMAIN": DOMAIN,
            },
        )
        result["wall_s"] = time.monotonic() - started
        result["outcomes"] = json.loads(out.read_text()) if out.exists() else []
    running, waiting = (b - a for a, b in zip(sched_before, schedstat(workers), strict=True))
    result["web_time"] = {
        "on a CPU": running,
        "waiting for a CPU": waiting,
        "waiting for PostgreSQL, Redis, a lock or a request": max(
            len(workers) * result["wall_s"] - running - waiting, 0
        ),
    }
    wait_for_outbox(svc)  # the mails of the rush are part of its cost
    after = {name: cpu_seconds(pids) for name, pids in groups.items()}
    after["locust"] = locust_cpu_seconds()
    result["cpu_s"] = {name: after[name] - before[name] for name in before}
    result["cpu_s"]["postgres"] = backends.seconds()
    return result


def counts(stage):
    statuses = dict(
        Registration.objects.filter(stage=stage).values_list("status").annotate(n=Count("pk"))
    )
    mails = ParticipantMail.objects.filter(registration__stage=stage)
    return {
        "confirmed": statuses.get(Status.CONFIRMED, 0),
        "waiting": statuses.get(Status.WAITING_LIST, 0),
        "awaiting": statuses.get(Status.AWAITING_CONFIRMATION, 0),
        "cancelled": statuses.get(Status.CANCELLED, 0),
        "mails_recorded": mails.count(),
        "mails_sent": mails.filter(status=MailStatus.SENT).count(),
    }


def main():
    stage = bench_stage()
    harness.flush_redis()
    with harness.Services(web_workers=2, worker=True, smtp=True, smtp_keep=True) as svc:
        minimal = harness.run_locust(
            MINIMAL_LOCUSTFILE,
            svc.base_url,
            users=USERS,
            spawn_rate=USERS,
            seconds=MINIMAL_SECONDS,
            env={"BENCH_PAGE_PATH": "/bench/minimal/"},
        )
        rush = run_rush(svc, stage)
        delivered = svc.smtp_count()
    db = counts(stage)
    harness.record(figures(rush, db, delivered, minimal), notes=notes(rush, db, minimal))


def summary(rush):
    outcomes = rush["outcomes"]
    done = [o for o in outcomes if "confirmed" in o]
    posted = [o for o in outcomes if "posted" in o]
    first = min((o["started"] for o in outcomes), default=0)
    last = max((o["confirmed"] for o in done), default=first)
    span = max(last - first, 1e-9)
    return {
        "completed": len(done),
        "posted": len(posted),
        "span_s": span,
        "rate": len(done) / span,
        "mail_wait_p95_s": percentile([o["mailed"] - o["posted"] for o in done], 0.95),
        "person_p95_s": percentile([o["confirmed"] - o["started"] for o in done], 0.95),
    }


def figures(rush, db, delivered, minimal):
    s = summary(rush)
    by_name = rush["by_name"]
    oversold = max(0, db["confirmed"] - CAPACITY)
    Figure = harness.Figure
    return [
        Figure(
            "registrations completed (form + mailed link confirmed)",
            round(s["rate"], 1),
            "/s",
            reference="goal",
            reference_value=GOAL_RATE,
            goal=f"≥ {GOAL_RATE}/s",
            met=s["rate"] >= GOAL_RATE and s["completed"] == PEOPLE,
            detail=f"{s['completed']} of {PEOPLE} teachers in {s['span_s']:.1f} s, {USERS} users",
        ),
        Figure(
            "seats oversold",
            oversold,
            "seats",
            goal="0",
            met=oversold == 0,
            detail=f"{db['confirmed']} seats taken of {CAPACITY}, {db['waiting']} waiting",
        ),
        Figure("form POST p95", by_name.get("2 form POST", {}).get("p95_ms", 0), "ms"),
        Figure("confirm POST p95", by_name.get("5 confirm POST", {}).get("p95_ms", 0), "ms"),
        Figure("failed requests", rush["failures"], "requests", detail=f"of {rush['requests']}"),
        Figure(
            "mails delivered to the sink",
            delivered,
            "mails",
            reference="mails sent (outbox)",
            reference_value=db["mails_sent"] or None,
            detail=f"{db['mails_recorded']} recorded in the outbox",
        ),
        Figure(
            "mail wait p95 (form POST to mail in the sink)",
            round(s["mail_wait_p95_s"] or 0, 2),
            "s",
        ),
        Figure(
            "web CPU per complete registration",
            round(rush["cpu_s"]["web"] / max(s["completed"], 1) * 1000, 1),
            "ms",
            detail="gunicorn's 2 workers, all six requests of one teacher",
        ),
        Figure(
            "CPU-bound ceiling on 2 cores",
            round(2 / max(sum(rush["cpu_s"].values()) / max(s["completed"], 1), 1e-9), 1),
            "/s",
            detail="2 cores / (web + worker + PostgreSQL + locust CPU per complete registration)",
        ),
        Figure("minimal view (context)", round(minimal["rps"], 1), "req/s"),
    ]


def notes(rush, db, minimal):
    s = summary(rush)
    rows = "\n".join(
        f"| {name} | {r['requests']} | {r['rps']:.1f} | {r['p95_ms']:.0f} | {r['failures']} |"
        for name, r in sorted(rush["by_name"].items())
    )
    return (
        f"{PEOPLE} teachers for {CAPACITY} seats, {USERS} concurrent locust users, each teacher "
        f"from an address of their own (X-Forwarded-For via the trusted proxy). A registration "
        f"is complete when the teacher has confirmed with the link from the mail the SMTP sink "
        f"received. {s['posted']} forms accepted, {s['completed']} confirmed in "
        f"{s['span_s']:.1f} s; one teacher's whole path p95 {s['person_p95_s'] or 0:.1f} s. "
        f"Database after the run: {db['confirmed']} confirmed (seats), {db['waiting']} on the "
        f"waiting list, {db['awaiting']} unconfirmed; {db['mails_sent']} of "
        f"{db['mails_recorded']} mails sent. Minimal view on the same gunicorn: "
        f"{minimal['rps']:.0f} req/s.\n\n"
        "CPU per complete registration (the rush and its mails; 2 cores in all): "
        f"{cpu_line(rush)}. "
        f"gunicorn's workers' time during the rush: {web_time_line(rush)}."
        "\n\n| request | count | req/s | p95 ms | failures |\n|---|---:|---:|---:|---:|\n" + rows
    )


def web_time_line(rush):
    total = max(sum(rush["web_time"].values()), 1e-9)
    return ", ".join(f"{name} {seconds / total:.0%}" for name, seconds in rush["web_time"].items())


def cpu_line(rush):
    completed = max(summary(rush)["completed"], 1)
    wall = rush["wall_s"]
    return ", ".join(
        f"{name} {seconds / completed * 1000:.0f} ms ({seconds / wall:.2f} cores)"
        for name, seconds in rush["cpu_s"].items()
    )


if __name__ == "__main__":
    main()
