"""How long one reminder scan takes with 100 000 confirmed registrations (goal: under 5 s).

Run (PostgreSQL, a database of its own; it is emptied and refilled):

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE ic_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ic_bench .venv/bin/python bench/reminder_scan.py

(``--reuse`` keeps the data of an earlier run and only clears the deliveries.)

The data: 1 000 stages of 100 confirmed registrations each (100 000), 8 sessions per stage (8 000),
a week apart; stage i's first session is at 10:00 on day 1 + i % 10, so 100 stages meet tomorrow.
Rules: the day before at 18:00 and 60 minutes before. The scan runs at fixed moments (``now=``);
the rows it claims are collected, not sent, so the figures are the scan itself: finding the due
(session, rule) pairs, selecting the registrations without a delivery, inserting and reading back
the claims, the stale/failed retry query and the missed update. A (rule, session) pair recorded
at least five minutes after its due moment is marked (``ReminderScanMark``) and not checked again.
"""

import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ic_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innovation_centre.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from decimal import Decimal  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from courses.models import Programme, ReminderRule, Session, Stage  # noqa: E402
from participants.models import (  # noqa: E402
    Participant,
    Registration,
    ReminderDelivery,
    ReminderScanMark,
)
from participants.reminders.tasks import reminders_send_due  # noqa: E402

RIGA = ZoneInfo("Europe/Riga")
STAGES = 1000
PER_STAGE = 100
SESSIONS_PER_STAGE = 8
DAY0 = datetime(2030, 3, 4, tzinfo=RIGA)  # a Monday; "today" in the benchmark


def reset():
    call_command("migrate", verbosity=0)
    tables = [
        m._meta.db_table
        for m in (
            ReminderScanMark,
            ReminderDelivery,
            Registration,
            Participant,
            Session,
            ReminderRule,
            Stage,
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)}, courses_programme CASCADE")


def make_data():
    programme = Programme.objects.create(
        title_lv="Etalons",
        project_number="BENCH",
        agreement_number="1",
        funding_frame_lv="-",
        acknowledgement_lv="-",
        organiser_lv="-",
        organiser_address="-",
        end_date=DAY0.date() + timedelta(days=400),
    )
    ReminderRule.objects.create(programme=programme, kind="day_before", local_time="18:00")
    ReminderRule.objects.create(programme=programme, kind="before", offset_minutes=60)
    stages = Stage.objects.bulk_create(
        Stage(
            programme=programme,
            order=i + 1,
            title_lv=f"Posms {i}",
            planned_academic_hours=60,
            capacity=PER_STAGE,
        )
        for i in range(STAGES)
    )
    sessions = []
    for i, stage in enumerate(stages):
        first = DAY0.replace(hour=10) + timedelta(days=1 + i % 10)
        for n in range(SESSIONS_PER_STAGE):
            starts = first + timedelta(days=7 * n)
            sessions.append(
                Session(
                    stage=stage,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=3),
                    topic_lv=f"Nodarbība {n}",
                    academic_hours=Decimal("4"),
                    zoom_url="https://zoom.us/j/1",
                )
            )
    Session.objects.bulk_create(sessions, batch_size=5000)
    participants = Participant.objects.bulk_create(
        (
            Participant(
                email=f"p{i}@example.lv",
                first_name="Līga",
                last_name=f"Ērgle {i}",
                role="teacher",
                institution="Skola",
                municipality="daugavpils",
            )
            for i in range(STAGES * PER_STAGE)
        ),
        batch_size=5000,
    )
    booked = DAY0 - timedelta(days=30)
    Registration.objects.bulk_create(
        (
            Registration(
                participant=p,
                stage=stages[i // PER_STAGE],
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
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed_scan(label, now):
    claimed = []
    started = time.perf_counter()
    summary = reminders_send_due(now=now, dispatch=claimed.extend)
    elapsed = time.perf_counter() - started
    print(f"{label:<58} {elapsed:6.2f} s   claimed {len(claimed):>6}   ({summary})")
    # The workers' part, not timed: the claimed reminders were sent.
    for start in range(0, len(claimed), 10000):
        ReminderDelivery.objects.filter(pk__in=claimed[start : start + 10000]).update(
            status="sent", sent_at=now
        )
    return elapsed


def main():
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    started = time.perf_counter()
    if "--reuse" in sys.argv and Registration.objects.count() == STAGES * PER_STAGE:
        ReminderDelivery.objects.all().delete()
        ReminderScanMark.objects.all().delete()
        ReminderRule.objects.filter(offset_minutes=11 * 24 * 60).delete()
    else:
        reset()
        make_data()
    confirmed = Registration.objects.filter(status="confirmed").count()
    print(
        f"data: {confirmed} confirmed registrations, {Session.objects.count()} sessions, "
        f"made in {time.perf_counter() - started:.1f} s"
    )
    timed_scan("1. 17:59, nothing due yet (the common case)", DAY0.replace(hour=17, minute=59))
    timed_scan("2. 18:00, tomorrow's day-before reminders fall due", DAY0.replace(hour=18))
    timed_scan("3. 18:01, the same, all already claimed", DAY0.replace(hour=18, minute=1))
    timed_scan("3b. 18:06, the same, checked once more and marked", DAY0.replace(hour=18, minute=6))
    timed_scan("3c. 18:07, the same, marked: not checked", DAY0.replace(hour=18, minute=7))
    timed_scan(
        "4. 09:00 next day, the hour-before reminders fall due",
        DAY0.replace(hour=9) + timedelta(days=1),
    )
    ReminderRule.objects.create(
        programme=Programme.objects.get(), kind="before", offset_minutes=11 * 24 * 60
    )
    timed_scan(
        "5. worst case: a new 11-day rule makes ~140 000 due at once",
        DAY0.replace(hour=9, minute=30) + timedelta(days=1),
    )
    timed_scan(
        "6. the minute after the worst case", DAY0.replace(hour=9, minute=31) + timedelta(days=1)
    )


if __name__ == "__main__":
    main()
