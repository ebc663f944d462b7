"""Signed personal links: the e-mail confirmation link and the manage link.

Both carry the registration's primary key signed with SECRET_KEY (a different salt each), so
they cannot be guessed or altered; a bad or expired signature never reveals another person's data.
They also carry the participant's ``link_version``: raising it (a fresh link was asked for, or
staff withdrew the links, or the person's data were erased) makes every older link stop working.
A link made before versions existed counts as version 1.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

from participants.selectors import registration_for_link

CONFIRMATION_SALT = "participants.registration.confirm"
MANAGE_SALT = "participants.registration.manage"
CONFIRMATION_MAX_AGE = timedelta(hours=72)
MANAGE_MAX_AGE = timedelta(days=3 * 365)
FIRST_VERSION = 1


class BadLink(Exception):
    """The link was altered, is for something else, or has expired."""


class ExpiredLink(BadLink):
    pass


class WithdrawnLink(BadLink):
    """A newer link replaced this one, or staff withdrew it."""


def make_token(registration, *, salt, mail_id=None):
    """A signed token for ``registration``; a confirmation link also names its mail (``m``)."""
    payload = {"r": registration.pk, "v": registration.participant.link_version}
    if mail_id is not None:
        payload["m"] = mail_id
    return signing.TimestampSigner(salt=salt).sign_object(payload)


def read_token(token, *, salt, max_age):
    """The registration primary key in ``token``; raises ExpiredLink or BadLink."""
    return read_payload(token, salt=salt, max_age=max_age)["r"]


def token_mail_id(token, *, salt, max_age):
    """The outbox mail a (valid) confirmation token names, or None for a token without one."""
    mail_id = read_payload(token, salt=salt, max_age=max_age).get("m")
    return mail_id if isinstance(mail_id, int) else None


def read_payload(token, *, salt, max_age):
    try:
        payload = signing.TimestampSigner(salt=salt).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ExpiredLink from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadLink from error
    if not isinstance(payload, dict) or not isinstance(payload.get("r"), int):
        raise BadLink
    return payload


def registration_for_token(token, *, salt, max_age):
    """The registration a valid, current link names; raises ExpiredLink, WithdrawnLink, BadLink."""
    payload = read_payload(token, salt=salt, max_age=max_age)
    registration = registration_for_link(payload["r"])
    if registration is None:
        raise BadLink
    if payload.get("v", FIRST_VERSION) != registration.participant.link_version:
        raise WithdrawnLink
    return registration


def absolute_url(view_name, *, token, language):
    with translation.override(language):
        path = reverse(view_name, kwargs={"token": token})
    return f"{settings.SITE_URL}{path}"


def confirmation_url(registration, *, mail_id=None):
    token = make_token(registration, salt=CONFIRMATION_SALT, mail_id=mail_id)
    return absolute_url(
        "participants:registration_confirm",
        token=token,
        language=registration.participant.language,
    )


def manage_url(registration):
    token = make_token(registration, salt=MANAGE_SALT)
    return absolute_url(
        "participants:registration_manage", token=token, language=registration.participant.language
    )
