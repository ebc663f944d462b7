"""Staff logins: lockout after repeated failures (django-axes), a second factor (TOTP with
django-otp) and sessions that end after a working day of inactivity.

- ``logins``: the client address axes counts against, the tiered lockout, the lockout page and
  the log lines of failed logins.
- ``two_factor``: the TOTP set-up and token pages and the middleware that sends a session to
  them until its second factor is done.
- ``sessions``: staff sessions expire after ``STAFF_SESSION_IDLE_HOURS`` without a request.
"""
