"""``python manage.py send_due_reminders``: one scan for due reminders, the beat task's code."""

from django.core.management.base import BaseCommand

from participants.reminders import delivery, tasks


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
        dispatch = queued.extend if here else tasks.reminders_queue
        summary = tasks.reminders_send_due(dispatch=dispatch)
        self.stdout.write(f"Reminder scan: {summary}")
        if here:
            # The scan has committed its claims; send them exactly as a worker would.
            sent = delivery.reminder_deliveries_send(delivery_ids=queued)
            self.stdout.write(f"Sent here: {sent.sent}, failed: {sent.failed}")
