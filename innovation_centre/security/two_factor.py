"""A second factor for staff logins: TOTP (django-otp), required of superusers.

Staff, finance staff and coordinators may turn it on (``security:two_factor_setup``: a QR
code for an authenticator app, then one code to confirm); from then on, after the password,
their login asks for a code (``security:two_factor_verify``). A superuser without a confirmed
device is sent to set one up before they can use anything. Until the second factor is done a
session reaches only these two pages, logout and the language switch.

Lost phone: a superuser deletes the person's device in the admin (OTP → TOTP devices); for a
superuser, ``manage.py totp_device USERNAME --reset`` on the server.
"""

import logging
from base64 import b32encode

import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from reportlab.graphics.barcode import qrencoder

from innovation_centre.security.logins import client_address

logger = logging.getLogger(__name__)

# Whether the logged-in user had a confirmed device, found once at login (no query per request).
HAS_DEVICE_SESSION_KEY = "security_has_totp_device"
PENDING_DEVICE_NAME = "pending"
DEVICE_NAME = "authenticator"
EXEMPT_URL_NAMES = {"logout", "set_language", "healthz", "jsi18n"}


# --- services -----------------------------------------------------------------------------------


def totp_device_pending(*, user) -> TOTPDevice:
    """The unconfirmed device being set up (the same key on every reload until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=PENDING_DEVICE_NAME, confirmed=False)
    return device


def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm ``device`` with a code from the app; it then replaces the user's other devices."""
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.name = DEVICE_NAME
        device.confirmed = True
        device.save(update_fields=["name", "confirmed"])
    return True


def totp_device_create_confirmed(*, user, reset: bool = False) -> TOTPDevice:
    """A confirmed device made on the server (``manage.py totp_device``); ``reset`` drops others."""
    with transaction.atomic():
        if reset:
            TOTPDevice.objects.filter(user=user).delete()
        return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)


# --- what a session still needs -----------------------------------------------------------------


def remember_device_at_login(sender, request, user, **kwargs):
    """``user_logged_in``: note once whether the user has a device to ask a code of."""
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE_SESSION_KEY] = user_has_device(user)


def has_device(request):
    if HAS_DEVICE_SESSION_KEY not in request.session:
        request.session[HAS_DEVICE_SESSION_KEY] = user_has_device(request.user)
    return request.session[HAS_DEVICE_SESSION_KEY]


def second_factor_missing(request):
    """None when the session may go on; else the name of the page that completes it."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return None
    if has_device(request):
        return "security:two_factor_verify"
    if user.is_superuser:
        return "security:two_factor_setup"
    return None


def _is_exempt(request):
    if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.namespace == "security" or match.url_name in EXEMPT_URL_NAMES


def second_factor_required(get_response):
    """Send a logged-in session without its second factor to the page that completes it."""

    def middleware(request):
        page = second_factor_missing(request)
        if page is not None and not _is_exempt(request):
            return redirect(f"{reverse(page)}?{_next_query(request.get_full_path())}")
        return get_response(request)

    return middleware


def _next_query(path):
    return urlencode({"next": path})


def _next_url(request):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


# --- the QR code --------------------------------------------------------------------------------


def qr_svg(text):
    """An inline SVG QR code (one path, no style attributes: fine under a strict CSP)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    count = code.getModuleCount()
    border = 4
    size = count + 2 * border
    path = "".join(
        f"M{column + border} {row + border}h1v1h-1z"
        for row in range(count)
        for column in range(count)
        if code.isDark(row, column)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="240" '
        f'height="240" role="img" shape-rendering="crispEdges"><rect width="{size}" '
        f'height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )


def spaced_key(device):
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[index : index + 4] for index in range(0, len(key), 4))


# --- pages --------------------------------------------------------------------------------------


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split())


def _to_login(request):
    return redirect(f"{reverse('admin:login')}?{_next_query(request.get_full_path())}")


def _log_wrong_code(request, step):
    logger.warning(
        "Wrong two-factor code (%s) for username %r from %s",
        step,
        request.user.get_username(),
        client_address(request),
    )


@never_cache
def two_factor_setup(request):
    user = request.user
    if not user.is_authenticated:
        return _to_login(request)
    if has_device(request) and not user.is_verified():
        # Replacing a device needs the current one first: a stolen password is not enough.
        return redirect(f"{reverse('security:two_factor_verify')}?{_next_query(request.path)}")
    device = totp_device_pending(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_device_confirm(device=device, token=form.cleaned_data["token"]):
            device.refresh_from_db()
            django_otp.login(request, device)
            request.session[HAS_DEVICE_SESSION_KEY] = True
            messages.success(request, _("Two-factor authentication is on for your account."))
            return redirect(_next_url(request))
        _log_wrong_code(request, "setup")
        form.add_error("token", _("This code is not right. Check the time on your phone."))
    context = {
        "form": form,
        "qr_code": qr_svg(device.config_url),
        "key": spaced_key(device),
        "already_on": has_device(request),
        "required": user.is_superuser,
        "next": _next_url(request),
    }
    return render(request, "security/two_factor_setup.html", context)


@never_cache
def two_factor_verify(request):
    user = request.user
    if not user.is_authenticated:
        return _to_login(request)
    if user.is_verified():
        return redirect(_next_url(request))
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    if not devices:
        request.session[HAS_DEVICE_SESSION_KEY] = False
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _matching_device(devices, form.cleaned_data["token"])
        if device is not None:
            request.session.cycle_key()
            django_otp.login(request, device)
            return redirect(_next_url(request))
        _log_wrong_code(request, "login")
        form.add_error("token", _wrong_code_message(devices))
    return render(
        request, "security/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


def _matching_device(devices, token):
    for device in devices:
        if device.verify_token(token):
            return device
    return None


def _wrong_code_message(devices):
    allowed, details = devices[0].verify_is_allowed()
    if not allowed and details and details.get("locked_until"):
        return _("Too many wrong codes. Please wait a minute and try again.")
    return _("This code is not right. Check the time on your phone.")
