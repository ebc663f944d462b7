"""Delivering 10 000 reminders to a local SMTP server: our delivery code vs plain smtplib.

Run (PostgreSQL, a database of its own; it is emptied and refilled):

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE ic_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ic_bench .venv/bin/python bench/smtp_delivery.py

The SMTP server is aiosmtpd's Sink handler in a process of its own on 127.0.0.1 (it accepts and
discards). Both sides send the same 10 000 messages in batches of 50 over one connection per
batch (REMINDER_SEND_BATCH_SIZE, what one Celery task gets):

* plain smtplib: the same messages rendered by our code beforehand (not timed), then only
  ``SMTP.sendmail`` of their bytes;
* our code: ``reminder_deliveries_send(delivery_ids=batch)`` per batch, i.e. everything a worker
  does: claim the rows (one UPDATE), load them, render subject/text/HTML in the person's language,
  build the .ics and the signed manage link, build and encode the MIME message and send it over
  Django's SMTP backend, mark each row sent.

Each is run with one sending process, then with two (the worker's ``--concurrency 2`` in
``bin/run``; the machine has two cores and the SMTP server needs CPU too). Settings as in
production (DEBUG off). Afterwards, where our time goes per message, without SMTP or database:
rendering, and Django building and encoding the MIME message (``message().as_bytes()`` and its
address checks), which no change of ours can avoid while mail goes through Django.

Goal: our rate at least half of plain smtplib's.
"""

import multiprocessing
import os
import smtplib
import socket
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = free_port()
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ic_bench")
os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{PORT}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innovation_centre.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DEBUG", "false")  # as the production worker runs
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
os.environ.setdefault("ALLOWED_HOSTS", "portal.example.lv")
os.environ.setdefault("SITE_URL", "https://portal.example.lv")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.mail.message import sanitize_address  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from courses.models import Programme, ReminderRule, Session, Stage  # noqa: E402
from participants.models import Participant, Registration, ReminderDelivery  # noqa: E402
from participants.reminders.delivery import (  # noqa: E402
    batch_session_parts,
    claimed_deliveries,
    reminder_deliveries_send,
    reminder_message,
)
from participants.reminders.tasks import reminders_send_due  # noqa: E402

MESSAGES = 10_000
STAGES = 100
BATCH = settings.REMINDER_SEND_BATCH_SIZE


def reset_and_fill():
    call_command("migrate", verbosity=0)
    tables = [
        m._meta.db_table
        for m in (ReminderDelivery, Registration, Participant, Session, ReminderRule, Stage)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)}, courses_programme CASCADE")
    programme = Programme.objects.create(
        title_lv="Inovāciju centra izveidošana Daugavpilī",
        title_en="Establishment of an Innovation Centre in Daugavpils",
        project_number="BENCH",
        agreement_number="9.-20.2.2.1/4",
        funding_frame_lv="EEZ un Norvēģijas finanšu instrumenti",
        acknowledgement_lv="Projektu atbalsta EEZ un Norvēģijas finanšu instrumenti.",
        acknowledgement_en="The project is supported by the EEA and Norway Grants.",
        organiser_lv="Daugavpils Inovāciju centrs",
        organiser_address="Vienības iela 30, Daugavpils",
        end_date=timezone.now().date() + timedelta(days=400),
    )
    ReminderRule.objects.create(programme=programme, kind="before", offset_minutes=60)
    starts = timezone.now() + timedelta(minutes=30)
    stages = Stage.objects.bulk_create(
        Stage(
            programme=programme,
            order=i + 1,
            title_lv=f"{i + 1}. posms",
            planned_academic_hours=60,
            capacity=MESSAGES // STAGES,
        )
        for i in range(STAGES)
    )
    Session.objects.bulk_create(
        Session(
            stage=stage,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            topic_lv="Kompetencēs balstīta pieeja izglītībā",
            topic_en="Competence-based",
            trainer="Dr. Anna Bērziņa",
            academic_hours=Decimal("4"),
            zoom_url="https://us02web.zoom.us/j/81234567890?pwd=abc",
            mode="hybrid",
        )
        for stage in stages
    )
    participants = Participant.objects.bulk_create(
        (
            Participant(
                email=f"skolotajs{i}@example.lv",
                first_name="Līga",
                last_name=f"Ērgle {i}",
                role="teacher",
                institution="Skola",
                municipality="daugavpils",
                language="lv" if i % 3 else "en",
            )
            for i in range(MESSAGES)
        ),
        batch_size=5000,
    )
    booked = timezone.now() - timedelta(days=10)
    Registration.objects.bulk_create(
        (
            Registration(
                participant=p,
                stage=stages[i % STAGES],
                status="confirmed",
                email_confirmed_at=booked,
                confirmed_at=booked,
                consent_version="1",
                consent_at=booked,
            )
            for i, p in enumerate(participants)
        ),
        batch_size=5000,
    )
    queued = []
    reminders_send_due(dispatch=queued.extend)
    assert len(queued) == MESSAGES, len(queued)
    return queued


def batches(items):
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def plain_batch(batch):
    with smtplib.SMTP("127.0.0.1", PORT) as smtp:
        for sender, recipients, data in batch:
            smtp.sendmail(sender, recipients, data)
    return len(batch)


def our_batch(batch):
    return reminder_deliveries_send(delivery_ids=batch).sent


def timed(work, items, processes):
    """Run ``work`` over the batches in ``processes`` processes (like Celery's prefork pool)."""
    connections.close_all()  # each forked process opens its own database connection
    started = time.perf_counter()
    if processes == 1:
        done = sum(work(batch) for batch in batches(items))
    else:
        context = multiprocessing.get_context("fork")
        with context.Pool(processes, initializer=connections.close_all) as pool:
            done = sum(pool.imap_unordered(work, list(batches(items))))
    elapsed = time.perf_counter() - started
    assert done == len(items), done
    return elapsed


def reset_to_pending(delivery_ids):
    ReminderDelivery.objects.filter(pk__in=delivery_ids).update(
        status="pending", sent_at=None, attempts=0
    )


def rendered(delivery_ids):
    deliveries = ReminderDelivery.objects.filter(pk__in=delivery_ids).select_related(
        "registration__participant", "session__stage__programme"
    )
    out = []
    for delivery in deliveries:
        message = reminder_message(delivery)
        data = message.message().as_bytes(linesep="\r\n")
        out.append((message.from_email, message.recipients(), data))
    return out


def per_message_costs(delivery_ids, count=1000):
    """Milliseconds per message: rendering (ours), building and encoding the MIME (Django's)."""
    token = "bench-costs"
    ReminderDelivery.objects.filter(pk__in=delivery_ids[:count]).update(
        status="claimed", claim_token=token
    )
    deliveries = claimed_deliveries(token=token)
    reset_to_pending(delivery_ids[:count])
    started = time.perf_counter()
    parts = batch_session_parts(now=timezone.now())
    messages = [reminder_message(delivery, parts=parts) for delivery in deliveries]
    rendered_at = time.perf_counter()
    for message in messages:
        sanitize_address(message.from_email, "utf-8")
        [sanitize_address(address, "utf-8") for address in message.recipients()]
        message.message().as_bytes(linesep="\r\n")
    built_at = time.perf_counter()
    per_message = 1000 / len(messages)
    return (rendered_at - started) * per_message, (built_at - rendered_at) * per_message


def main():
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{PORT}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
    )
    try:
        time.sleep(1.5)
        delivery_ids = reset_and_fill()
        messages = rendered(delivery_ids)
        size = sum(len(data) for _, _, data in messages) / len(messages)
        print(
            f"{len(messages)} messages, {size / 1024:.1f} KiB each on average "
            f"(text + HTML + .ics), batches of {BATCH}"
        )
        for processes in (1, 2):
            plain = timed(plain_batch, messages, processes)
            mine = timed(our_batch, delivery_ids, processes)
            assert ReminderDelivery.objects.filter(status="sent").count() == MESSAGES
            reset_to_pending(delivery_ids)
            print(f"{processes} sending process(es):")
            print(f"  plain smtplib:        {plain:6.2f} s  {MESSAGES / plain:7.0f} messages/s")
            print(f"  reminder delivery:    {mine:6.2f} s  {MESSAGES / mine:7.0f} messages/s")
            print(f"  ratio (ours / plain): {plain / mine:.2f}  (goal: at least 0.50)")
        render, build = per_message_costs(delivery_ids)
        print("per message, one process, no SMTP or database:")
        print(f"  rendering (templates, .ics, manage link): {render:.2f} ms")
        print(f"  Django building and encoding the MIME:    {build:.2f} ms")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
