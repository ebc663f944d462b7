"""Signed personal links: the e-mail confirmation link and the manage link.

Both carry the registration's primary key signed with SECRET_KEY (a different salt each), so
they cannot be guessed or altered; a bad or expired signature never reveals another person's data.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

CONFIRMATION_SALT = "participants.registration.confirm"
MANAGE_SALT = "participants.registration.manage"
CONFIRMATION_MAX_AGE = timedelta(hours=72)
MANAGE_MAX_AGE = timedelta(days=3 * 365)


class BadLink(Exception):
    """The link was altered, is for something else, or has expired."""


class ExpiredLink(BadLink):
    pass


def make_token(registration, *, salt, mail_id=None):
    """A signed token for ``registration``; a confirmation link also names its mail (``m``)."""
    payload = {"r": registration.pk}
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
