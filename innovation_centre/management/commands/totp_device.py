"""Give a user a confirmed TOTP device from the server, e.g. an administrator who lost a phone."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from innovation_centre.security.two_factor import spaced_key, totp_device_create_confirmed


class Command(BaseCommand):
    help = (
        "Create a confirmed TOTP device for a user and print its key and otpauth:// link, to "
        "type or paste into an authenticator app. --reset removes the user's other devices."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--reset", action="store_true", help="remove the user's existing devices first"
        )

    def handle(self, *args, username, reset, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not reset and TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise CommandError(
                f"{username} already has a device. Use --reset to replace it (the old one "
                "stops working)."
            )
        device = totp_device_create_confirmed(user=user, reset=reset)
        self.stdout.write(f"TOTP device created for {username}.")
        self.stdout.write(f"Key for the authenticator app: {spaced_key(device)}")
        self.stdout.write(f"Or this link (e.g. as a QR code): {device.config_url}")
        self.stdout.write("Keep them secret: whoever has the key can make login codes.")
