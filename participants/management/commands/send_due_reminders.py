"""``python manage.py send_due_reminders``: one scan for due reminders, the beat task's code."""

from django.core.management.base import BaseCommand

from participants import reminder_delivery, reminders


class Command(BaseCommand):
    help = (
        "Scan once for due session reminders (the same code Celery beat runs every minute) and "
        "print a summary. The reminders are sent by the Celery workers, or here with --here."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--here",
            action="store_true",
            help="Send the due reminders from this process instead of queueing them for workers.",
        )

    def handle(self, *args, here=False, **options):
        queued = []
        summary = reminders.reminders_send_due(dispatch=queued.extend if here else None)
        self.stdout.write(f"Reminder scan: {summary}")
        if here:
            # The scan has committed its claims; send them exactly as a worker would.
            sent = reminder_delivery.reminder_deliveries_send(delivery_ids=queued)
            self.stdout.write(f"Sent here: {sent.sent}, failed: {sent.failed}")
