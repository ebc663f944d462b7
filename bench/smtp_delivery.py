"""Delivering 10 000 reminders to a local SMTP server: the reminder senders vs plain smtplib
(goal: at least half its rate, without giving up exactly-once).

The SMTP server is the harness's sink (aiosmtpd on 127.0.0.1 in a process of its own; it accepts,
counts and discards). The reminders: the scale data of ``reminder_scan.py`` (the same database
and arguments), ten weeks after its "now"; a new "N days before" rule makes at least 10 000 due,
and the first 10 000 the scan queued (in its order: session by session, as the senders get them)
are sent, in the batches the Celery tasks get (``scan.send_batches``: whole sessions, at least
``REMINDER_SEND_BATCH_SIZE`` = 50 rows where the sessions allow, at most twice that; both sides
get the same batches):

* plain smtplib: the same messages as bytes (made by our code beforehand, not timed), then only
  ``SMTP.sendmail`` over one connection per batch;
* reminder delivery: ``reminder_deliveries_send(delivery_ids=batch)``, everything a worker does:
  claim (one UPDATE, committed), load, check the seats, build each mail, send, mark sent.

The two alternate batch by batch in one process (a busy machine slows both alike), then run
with two processes each (the worker's ``--concurrency 2``), one after the other. Then the options
(``--options``, also in a full run) over the first 2 000 reminders, each beside plain smtplib on
the same batches: the code as it is (marks per group of 25); marks per group of 10; marking each
row on its own (as before); the group marks without waiting for the disk (``synchronous_commit``
off); Django building each mail (as before); batches of 50 rows cutting sessions (as before).

``BENCH_SMALL=1``: 500 reminders (options over 200).
"""

import multiprocessing
import smtplib
import time

import harness

harness.setup_django(database="reminders", smtp=True)

from _reminder_data import SCAN_DAY, burst_days, reset_reminders, scale_data  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from courses.models import Programme, ReminderRule  # noqa: E402
from participants.models import ReminderDelivery, ReminderScanMark  # noqa: E402
from participants.reminders import delivery  # noqa: E402
from participants.reminders.scan import send_batches  # noqa: E402
from participants.reminders.tasks import reminders_send_due  # noqa: E402

MESSAGES = harness.size(10_000, 500)
OPTION_MESSAGES = harness.size(2_000, 200)
BATCH = settings.REMINDER_SEND_BATCH_SIZE
AT = SCAN_DAY.replace(hour=8, minute=30)
GOAL = 0.5


def queued_reminders():
    """Record reminders for at least MESSAGES people and return the first MESSAGES ids."""
    reset_reminders()
    ReminderRule.objects.create(
        programme=Programme.objects.get(),
        kind="before",
        offset_minutes=burst_days(AT, MESSAGES) * 24 * 60,
    )
    queued = []
    with override_settings(REMINDER_SCAN_MAX_ROWS=10**9):
        reminders_send_due(now=AT, dispatch=queued.extend)
    assert len(queued) >= MESSAGES, len(queued)
    ReminderDelivery.objects.exclude(pk__in=queued[:MESSAGES]).delete()
    ReminderScanMark.objects.all().delete()
    return queued[:MESSAGES]


def reset_to_pending(delivery_ids):
    ReminderDelivery.objects.filter(pk__in=delivery_ids).update(
        status="pending", sent_at=None, attempts=0, claim_token="", claimed_at=None
    )


def prepared_bytes(delivery_ids):
    """What our code sends, as {delivery id: (from, [to], bytes)} (for plain smtplib)."""
    ReminderDelivery.objects.filter(pk__in=delivery_ids).update(
        status="claimed", claim_token="bench-bytes"
    )
    deliveries = delivery.claimed_deliveries(token="bench-bytes")
    reset_to_pending(delivery_ids)
    messages = delivery.BatchMessages(now=timezone.now())
    out = {}
    for item in deliveries:
        message = messages.for_delivery(item)
        data = getattr(message, "wire", None) or message.message().as_bytes(linesep="\r\n")
        out[item.pk] = (message.from_email, message.to, data)
    return out


def batches(delivery_ids):
    """The senders' batches (``reminders_queue`` cuts them so: whole sessions, about BATCH)."""
    if FIXED_BATCHES:
        return [delivery_ids[start : start + BATCH] for start in range(0, len(delivery_ids), BATCH)]
    return send_batches(delivery_ids, size=BATCH)


FIXED_BATCHES = False  # an option: BATCH rows each, cutting sessions (as before)


def batch_bytes(messages, id_batches):
    """Plain smtplib's batches: the same messages as ours, as bytes."""
    return [[messages[pk] for pk in ids] for ids in id_batches]


def plain_batch(batch):
    with smtplib.SMTP("127.0.0.1", harness.SMTP_PORT) as smtp:
        for sender, recipients, data in batch:
            smtp.sendmail(sender, recipients, data)
    return len(batch)


def our_batch(batch):
    return delivery.reminder_deliveries_send(delivery_ids=batch).sent


def alternating(messages, delivery_ids):
    """Plain and ours batch by batch in this process; (plain seconds, our seconds)."""
    plain = ours = 0.0
    id_batches = batches(delivery_ids)
    for data, ids in zip(batch_bytes(messages, id_batches), id_batches, strict=True):
        started = time.perf_counter()
        plain_batch(data)
        between = time.perf_counter()
        assert our_batch(ids) == len(ids)
        plain += between - started
        ours += time.perf_counter() - between
    return plain, ours


def in_processes(work, items, processes=2):
    """``work`` over the batches ``items`` in a pool of ``processes`` (like Celery's prefork
    pool)."""
    connections.close_all()  # each forked process opens its own database connection
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(processes, initializer=connections.close_all) as pool:
        done = sum(pool.imap_unordered(work, items))
    elapsed = time.perf_counter() - started
    assert done == sum(map(len, items)), done
    return elapsed


# --- the options -------------------------------------------------------------------------------


def marks_without_disk_wait(mark):
    def deliveries_mark_sent(**kwargs):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            return mark(**kwargs)

    return deliveries_mark_sent


def django_builds_each_mail(self, item):
    return delivery.reminder_message(item, parts=self.parts)


def options(messages, delivery_ids):
    """Each option beside plain smtplib on the same batches: (name, plain s, ours s)."""
    mark, build, every = (
        delivery.deliveries_mark_sent,
        delivery.BatchMessages.for_delivery,
        delivery.MARK_EVERY,
    )
    variants = [
        (f"as it is: marks per group of {every}, committed", {}),
        ("marks per group of 10, committed", {"MARK_EVERY": 10}),
        ("each row marked on its own (before)", {"MARK_EVERY": 1}),
        (
            f"marks per group of {every}, synchronous_commit off",
            {"deliveries_mark_sent": marks_without_disk_wait(mark)},
        ),
        ("Django builds each mail (before)", {"for_delivery": django_builds_each_mail}),
        (f"batches of {BATCH} rows cutting sessions (before)", {"FIXED_BATCHES": True}),
    ]
    results = []
    for name, changes in variants:
        global FIXED_BATCHES
        for attribute, value in changes.items():
            if attribute == "FIXED_BATCHES":
                FIXED_BATCHES = value
                continue
            target = delivery.BatchMessages if attribute == "for_delivery" else delivery
            setattr(target, attribute, value)
        try:
            plain, ours = alternating(messages, delivery_ids)
        finally:
            delivery.deliveries_mark_sent, delivery.MARK_EVERY = mark, every
            delivery.BatchMessages.for_delivery = build
            FIXED_BATCHES = False
        reset_to_pending(delivery_ids)
        print(f"  {name}: {len(delivery_ids) / ours:.0f}/s, ratio {plain / ours:.2f}", flush=True)
        results.append((name, plain, ours))
    return results


def main():
    scale_data()
    delivery_ids = queued_reminders()
    messages = prepared_bytes(delivery_ids)
    size = sum(len(data) for _, _, data in messages.values()) / len(messages)
    id_batches = batches(delivery_ids)
    print(
        f"{len(messages)} reminders, {size / 1024:.1f} KiB each, {len(id_batches)} batches of "
        f"whole sessions (about {BATCH})"
    )
    expected = MESSAGES * 4 + OPTION_MESSAGES * 2 * 6  # both sides, 1 and 2 processes, options
    with harness.Services(web=False, smtp=True) as services:
        plain, ours = alternating(messages, delivery_ids)
        assert ReminderDelivery.objects.filter(status="sent").count() == MESSAGES
        reset_to_pending(delivery_ids)
        print(f"1 process: plain {MESSAGES / plain:.0f}/s, ours {MESSAGES / ours:.0f}/s")
        plain2 = in_processes(plain_batch, batch_bytes(messages, id_batches))
        ours2 = in_processes(our_batch, id_batches)
        assert ReminderDelivery.objects.filter(status="sent").count() == MESSAGES
        reset_to_pending(delivery_ids)
        print(f"2 processes: plain {MESSAGES / plain2:.0f}/s, ours {MESSAGES / ours2:.0f}/s")
        print(f"options over {OPTION_MESSAGES} reminders:")
        results = options(messages, delivery_ids[:OPTION_MESSAGES])
        received = services.smtp_count()
        deadline = time.monotonic() + 10
        while received < expected and time.monotonic() < deadline:
            time.sleep(0.2)  # the sink writes its count every 0.2 s
            received = services.smtp_count()
    assert received == expected, (received, expected)
    table = "\n".join(
        f"| {name} | {OPTION_MESSAGES / p:.0f} | {OPTION_MESSAGES / o:.0f} | {p / o:.2f} |"
        for name, p, o in results
    )
    notes = (
        f"{MESSAGES} reminders ({size / 1024:.1f} KiB: text, HTML, .ics) from the scale data, "
        f"{len(id_batches)} batches of whole sessions (about {BATCH} rows); one process "
        "alternates plain smtplib and reminder delivery batch by batch. Every mail reached the "
        f"SMTP sink ({received} in all).\n\n"
        f"The options, over {OPTION_MESSAGES} reminders each, beside plain smtplib on the same "
        "batches (messages/s):\n\n"
        "| option | plain smtplib | reminder delivery | ratio |\n|---|---:|---:|---:|\n" + table
    )
    harness.record(
        [
            harness.Figure(
                "reminder delivery, 1 process",
                round(MESSAGES / ours),
                "messages/s",
                reference="plain smtplib",
                reference_value=round(MESSAGES / plain),
                goal=f"ratio ≥ {GOAL}",
                met=plain / ours >= GOAL,
            ),
            harness.Figure(
                "reminder delivery, 2 processes",
                round(MESSAGES / ours2),
                "messages/s",
                reference="plain smtplib",
                reference_value=round(MESSAGES / plain2),
                goal=f"ratio ≥ {GOAL}",
                met=plain2 / ours2 >= GOAL,
            ),
        ],
        notes=notes,
    )


if __name__ == "__main__":
    main()
