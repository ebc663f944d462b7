"""Public pages: verify a certificate by its code; the holder's download from the manage link.

The verification page shows only whether the certificate is valid, the holder's name, the stage
and the hours: nothing that the certificate itself does not already tell whoever holds it.
"""

import logging

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe
from django_ratelimit.core import get_usage

from courses.selectors import current_programme
from participants import links
from participants.certificates import selectors
from participants.certificates.forms import VerifyForm
from participants.certificates.pdf import certificate_filename, certificate_pdf

logger = logging.getLogger(__name__)

# Lookups per address (django-ratelimit, in the shared cache): plenty for people, useless for
# trying codes, which the codes' 80 random bits already make hopeless.
LOOKUP_LIMIT = 60
LOOKUP_RATE = f"{LOOKUP_LIMIT}/10m"
LOOKUP_WINDOW_SECONDS = 600


def _too_many_lookups(request) -> bool:
    try:
        usage = get_usage(
            request, group="certificates.lookup", key="ip", rate=LOOKUP_RATE, increment=True
        )
    except Exception:  # the cache is down: checking a certificate matters more than the limit
        logger.exception("Rate limit cache unavailable; certificate lookups not limited")
        return False
    return bool(usage and usage["should_limit"])


def _slow_down(request):
    response = render(
        request,
        "participants/certificates/too_many_lookups.html",
        {"programme": current_programme(), "retry_minutes": LOOKUP_WINDOW_SECONDS // 60},
        status=429,
    )
    response["Retry-After"] = str(LOOKUP_WINDOW_SECONDS)
    return response


def _form_page(request, form, *, not_found=False, status=200):
    context = {"form": form, "not_found": not_found, "programme": current_programme()}
    response = render(request, "participants/certificates/verify_form.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def verify_form(request):
    """A GET form: ``?code=`` leads to the certificate's page, or says what is wrong."""
    if "code" not in request.GET:
        return _form_page(request, VerifyForm())
    if _too_many_lookups(request):
        return _slow_down(request)
    form = VerifyForm(data=request.GET)
    if not form.is_valid():
        return _form_page(request, form)
    certificate = selectors.certificate_by_code(form.cleaned_data["code"])
    if certificate is None:
        return _form_page(request, form, not_found=True)
    return redirect("certificates:verify", code=certificate.verification_code)


@require_safe
def verify(request, code):
    if _too_many_lookups(request):
        return _slow_down(request)
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        form = VerifyForm(initial={"code": code[:64]})
        return _form_page(request, form, not_found=True, status=404)
    if code != certificate.verification_code:  # typed with dashes or in lower case
        return redirect("certificates:verify", code=certificate.verification_code)
    context = {"certificate": certificate, "programme": certificate.programme}
    response = render(request, "participants/certificates/verify.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def download(request, token):
    """The holder's certificate, from their personal manage link (the same signed token)."""
    try:
        registration = links.registration_for_token(
            token, salt=links.MANAGE_SALT, max_age=links.MANAGE_MAX_AGE
        )
    except links.BadLink as problem:
        context = {
            "expired": isinstance(problem, links.ExpiredLink),
            "withdrawn": isinstance(problem, links.WithdrawnLink),
        }
        return render(request, "participants/link_invalid.html", context, status=400)
    if registration.status == registration.Status.CANCELLED:
        raise Http404  # an old link of a cancelled registration gives nothing out
    certificate = selectors.certificate_for_registration(registration)
    if not certificate or certificate.is_revoked:
        raise Http404
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate_filename(certificate)}"'
    response["Cache-Control"] = "no-store"
    return response
