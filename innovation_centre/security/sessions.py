"""Staff sessions end after a working day without a request (``STAFF_SESSION_IDLE_HOURS``).

Only staff have sessions (participants use signed personal links), so the session's own
lifetime (``SESSION_COOKIE_AGE``) is the idle limit. Django moves a session's expiry forward
only when the session is saved; this middleware saves it at most every few minutes rather
than on every request (``SESSION_SAVE_EVERY_REQUEST`` would write on every page).
"""

import time

from django.contrib.auth import SESSION_KEY

LAST_SEEN_SESSION_KEY = "security_last_seen"
REFRESH_EVERY_SECONDS = 5 * 60


def mark_seen(session):
    session[LAST_SEEN_SESSION_KEY] = int(time.time())


def mark_seen_at_login(sender, request, user, **kwargs):
    """``user_logged_in``: the login counts as activity (no extra write on the next page)."""
    if request is not None and hasattr(request, "session"):
        mark_seen(request.session)


def idle_expiry(get_response):
    """Move a logged-in session's expiry forward while its user keeps working."""

    def middleware(request):
        session = request.session
        if SESSION_KEY in session:
            last_seen = session.get(LAST_SEEN_SESSION_KEY)
            if not isinstance(last_seen, int) or time.time() - last_seen >= REFRESH_EVERY_SECONDS:
                mark_seen(session)
        return get_response(request)

    return middleware
