"""The data both reminder benchmarks use (``reminder_scan.py``, ``smtp_delivery.py``): the same
scale data in the same database, so the second finds it made (``--reuse``).

``generate_scale_data`` with ``--now`` a Monday noon and 95 % of the stages upcoming; the
benchmarks run ten weeks after that "now": the upcoming stages start over 26 weeks, 8 weekly
sessions each, so by then every weekday has its full share of sessions, and (full size) more than
100 000 confirmed registrations are in sessions still to come. Import after
``harness.setup_django``.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import harness
from django.db import connection

from courses.models import ReminderRule, Session
from participants.models import Registration, ReminderDelivery, ReminderScanMark

RIGA = ZoneInfo("Europe/Riga")
NOW = datetime(2030, 3, 4, 12, 0, tzinfo=RIGA)  # a Monday noon: the generator's "now"
SCAN_DAY = NOW + timedelta(weeks=10)
PARTICIPANTS = harness.size(35_000, 3_000)
UPCOMING_SHARE = 0.95


def scale_data():
    harness.ensure_scale_data(
        PARTICIPANTS, now=NOW.isoformat(), upcoming_share=UPCOMING_SHARE, seed=1
    )


def generator_arguments():
    return (
        f"`generate_scale_data --participants {PARTICIPANTS} --upcoming-share {UPCOMING_SHARE} "
        f"--now {NOW.isoformat()}`"
    )


def reset_reminders():
    """Back to the generated data: no deliveries, no marks, no rule but the default ones."""
    ReminderScanMark.objects.all().delete()
    ReminderDelivery.objects.all().delete()
    ReminderRule.objects.filter(offset_minutes__gte=24 * 60).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {ReminderDelivery._meta.db_table}")


def upcoming_confirmed():
    """Confirmed registrations of stages with a session after SCAN_DAY's noon."""
    upcoming = Session.objects.filter(starts_at__gt=SCAN_DAY).values("stage_id")
    return Registration.objects.filter(status="confirmed", stage_id__in=upcoming).count()


def burst_days(now, rows):
    """The fewest whole days of a "days before" rule that make at least ``rows`` reminders due
    at ``now`` (the scan's own condition: the seat was taken by the due moment)."""
    sql = """
        SELECT count(*) FROM courses_session s
        JOIN participants_registration r ON r.stage_id = s.stage_id AND r.status = 'confirmed'
        WHERE s.starts_at > %s AND s.starts_at <= %s
          AND COALESCE(r.confirmed_at, r.email_confirmed_at, r.created_at)
              <= s.starts_at - %s * interval '1 day'
    """
    with connection.cursor() as cursor:
        for days in range(2, 200):
            cursor.execute(sql, [now, now + timedelta(days=days), days])
            if cursor.fetchone()[0] >= rows:
                return days
    raise RuntimeError(f"no rule makes {rows} reminders due at once")
