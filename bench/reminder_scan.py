"""How long each minute's reminder scan takes with 100 000 confirmed registrations in upcoming
sessions (goal: under 5 s for every minute, including the burst when a new rule makes everyone
due at once).

The data: ``generate_scale_data`` (``--now`` a Monday noon, 95 % of the stages upcoming), its
default rules: the day before at 18:00 and 60 minutes before. The scans run ten weeks after the
generator's "now", when every weekday has its full share of sessions and at least 100 000
confirmed registrations are in sessions still to come. One scan is one
``reminders_send_due()`` at a fixed moment: finding the due (rule, session) pairs, the
``INSERT ... SELECT ... RETURNING`` that records them, the scan marks, the retry and missed
queries, the commit. The rows it queues are collected and then marked sent (not timed), as the
senders would. The moments:

* 17:59, nothing due (the common minute), after a scan at 17:58 caught up;
* 18:00, tomorrow's day-before reminders fall due; 18:01 (all recorded), 18:06 (checked once
  more, marked), 18:07 (marked: not checked again);
* 08:00 next day, the hour-before reminders of the 09:00 sessions;
* the burst: a new "N days before" rule, N the fewest days that make at least 130 000 reminders
  due at once; then a scan every minute until nothing is left over, and one more. A scan
  records at most ``REMINDER_SCAN_MAX_ROWS`` (20 000) rows, or for ``REMINDER_SCAN_MAX_SECONDS``
  (2 s), so the burst takes a few minutes.
  For comparison the same burst is then recorded by one unbounded scan (how it was before).

``BENCH_SMALL=1``: 3 000 participants, a 6 000-row burst and 1 500 rows a scan.
"""

import time
from datetime import timedelta

import harness

harness.setup_django(database="reminders")

from _reminder_data import (  # noqa: E402
    SCAN_DAY,
    burst_days,
    generator_arguments,
    reset_reminders,
    scale_data,
    upcoming_confirmed,
)
from django.test import override_settings  # noqa: E402

from courses.models import Programme, ReminderRule  # noqa: E402
from participants.models import ReminderDelivery, ReminderScanMark  # noqa: E402
from participants.reminders.tasks import reminders_send_due  # noqa: E402

BURST_ROWS = harness.size(130_000, 6_000)
MAX_ROWS = harness.size(20_000, 1_500)  # REMINDER_SCAN_MAX_ROWS (the default at full size)
GOAL_SECONDS = 5.0


def number(value):
    return f"{value:,}".replace(",", " ")


def scan(label, now, minutes):
    """One timed scan; the rows it queues are then marked sent (untimed), as senders would."""
    queued = []
    started = time.perf_counter()
    summary = reminders_send_due(now=now, dispatch=queued.extend)
    elapsed = time.perf_counter() - started
    recorded = summary.queued + summary.skipped + summary.missed
    print(f"{label:<52} {elapsed:6.2f} s  recorded {recorded:>7}  ({summary})", flush=True)
    minutes.append((label, elapsed, recorded, summary.deferred))
    for start in range(0, len(queued), 20_000):
        ReminderDelivery.objects.filter(pk__in=queued[start : start + 20_000]).update(
            status="sent", sent_at=now
        )
    return summary


def the_burst(rule_days, at, minutes, label):
    rule = ReminderRule.objects.create(
        programme=Programme.objects.get(), kind="before", offset_minutes=rule_days * 24 * 60
    )
    minute = 0
    while True:
        summary = scan(f"{label}, minute {minute}", at + timedelta(minutes=minute), minutes)
        minute += 1
        if not summary.deferred:
            break
    scan(f"{label}, the minute after", at + timedelta(minutes=minute), minutes)
    return rule


def main():
    started = time.perf_counter()
    scale_data()
    reset_reminders()
    confirmed = upcoming_confirmed()
    made = time.perf_counter() - started
    print(f"{confirmed} confirmed registrations in upcoming sessions (data: {made:.0f} s)")
    minutes = []
    day0 = SCAN_DAY.replace(hour=0)
    with override_settings(REMINDER_SCAN_MAX_ROWS=MAX_ROWS):
        scan("(catching up at 12:00, not counted)", SCAN_DAY, [])
        scan("(catching up at 17:58, not counted)", day0.replace(hour=17, minute=58), [])
        scan("17:59, nothing due (the common minute)", day0.replace(hour=17, minute=59), minutes)
        scan("18:00, tomorrow's day-before reminders", day0.replace(hour=18), minutes)
        scan("18:01, all recorded", day0.replace(hour=18, minute=1), minutes)
        scan("18:06, checked once more and marked", day0.replace(hour=18, minute=6), minutes)
        scan("18:07, marked: not checked again", day0.replace(hour=18, minute=7), minutes)
        next_day = day0 + timedelta(days=1)
        scan("(catching up at 07:59, not counted)", next_day.replace(hour=7, minute=59), [])
        scan("08:00 next day, the hour-before reminders", next_day.replace(hour=8), minutes)
        burst_at = next_day.replace(hour=8, minute=30)
        days = burst_days(burst_at, BURST_ROWS)
        rule = the_burst(days, burst_at, minutes, f"burst: a new {days}-day rule")
    bounded = [m for m in minutes if m[0].startswith("burst")]
    burst_rows = sum(m[2] for m in bounded)
    # The same burst in one unbounded scan, as before REMINDER_SCAN_MAX_ROWS (for comparison).
    ReminderScanMark.objects.filter(rule=rule).delete()
    ReminderDelivery.objects.filter(rule=rule).delete()
    rule.delete()
    with override_settings(REMINDER_SCAN_MAX_ROWS=10**9, REMINDER_SCAN_MAX_SECONDS=10**9):
        unbounded = []
        the_burst(days, burst_at, unbounded, "one unbounded scan")
    worst = max(minutes, key=lambda m: m[1])
    burst_worst = max(bounded, key=lambda m: m[1])
    rows = "\n".join(
        f"| {label} | {seconds:.2f} s | {number(recorded)} | {number(deferred)} |"
        for label, seconds, recorded, deferred in minutes + unbounded
    )
    notes = (
        f"{number(confirmed)} confirmed registrations in upcoming sessions "
        f"({generator_arguments()}, scans ten weeks later); rules: the day before at 18:00, "
        f"60 minutes before; the burst: a new {days}-day rule, {number(burst_rows)} reminders "
        f"at once; a scan records at most {number(MAX_ROWS)} rows or for 2 s.\n\n"
        "| minute | scan | rows recorded | pairs left for the next minute |\n"
        "|---|---:|---:|---:|\n" + rows
    )
    harness.record(
        [
            harness.Figure(
                "reminder scan, the slowest minute",
                round(worst[1], 2),
                "s",
                goal=f"< {GOAL_SECONDS:g} s every minute",
                met=worst[1] < GOAL_SECONDS,
                detail=worst[0],
            ),
            harness.Figure(
                "reminder scan, the slowest minute of the burst",
                round(burst_worst[1], 2),
                "s",
                reference="one unbounded scan (before)",
                reference_value=round(unbounded[0][1], 2),
                goal=f"< {GOAL_SECONDS:g} s",
                met=burst_worst[1] < GOAL_SECONDS,
                detail=f"{burst_rows} reminders over {len(bounded) - 1} minutes",
            ),
        ],
        notes=notes,
    )


if __name__ == "__main__":
    main()
