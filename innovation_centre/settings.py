"""Settings for the Innovation Centre training portal, read from the environment.

Development defaults need no server: SQLite in ``var/``, a filesystem Celery broker in
``var/broker/`` and mail written to ``var/mail/``. Production (``DEBUG=False``) refuses to start
without ``SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

DEVELOPMENT_SECRET_KEY = "development-only-not-secret"  # noqa: S105 - refused when DEBUG is off
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG=False the portal needs a long random SECRET_KEY "
            "in the environment."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if not DEBUG else ["127.0.0.1", "localhost"])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG=False list the portal's host names, "
        "e.g. ALLOWED_HOSTS=portal.example.lv"
    )


def development_site_url():
    """``make run`` serves on 127.0.0.1:$PORT, so mailed links must point there too."""
    port = env.str("PORT", default="8000").strip() or "8000"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ImproperlyConfigured(f"PORT must be a port number (1-65535), not {port!r}.")
    return f"http://127.0.0.1:{int(port)}"


SITE_URL = env.str("SITE_URL", default="").rstrip("/")
if not SITE_URL and DEBUG:
    SITE_URL = development_site_url()
if not SITE_URL:
    # Every confirmation and manage link in the mail is built on it: a development default
    # would send participants to 127.0.0.1.
    raise ImproperlyConfigured(
        "SITE_URL is not set. With DEBUG=False give the portal's public address, "
        "e.g. SITE_URL=https://portal.example.lv"
    )
if not DEBUG and not SITE_URL.lower().startswith("https://"):
    # The manage links in the mail carry a person's access to their data: never over plain HTTP.
    raise ImproperlyConfigured(
        f"SITE_URL must be an https:// address with DEBUG=False, not {SITE_URL!r}: the personal "
        "links in the mail are built on it. E.g. SITE_URL=https://portal.example.lv"
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "django_ratelimit",
    "simple_history",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "courses",
    "participants",
    "reporting",
    "innovation_centre.apps.PortalConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "innovation_centre.middleware.personal_data_not_stored",
    "innovation_centre.middleware.PortalCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Before anything that reads the body; after Locale and CSRF so its 413 page has both.
    "innovation_centre.middleware.request_body_size_limit",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "innovation_centre.security.two_factor.second_factor_required",
    "innovation_centre.security.sessions.idle_expiry",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the portal's 429 page
]

ROOT_URLCONF = "innovation_centre.urls"
WSGI_APPLICATION = "innovation_centre.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "courses.context_processors.programme",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Let web, worker and beat share the file without "database is locked" errors.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    # Fail fast (and let /healthz answer) when the database server cannot be reached.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # Each web or worker process keeps its connection between requests (seconds; 0 closes it
    # after each, as Django does by default): a new one costs PostgreSQL a process and the
    # request 10-15 ms. Checked before reuse, so a restarted server costs no failed request.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # PostgreSQL's JIT compiles a big query before running it: seconds for the progress report
    # at national scale, and never a gain for the portal's short queries (bench/progress_report).
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "lv"
LANGUAGES = [("lv", _("Latvian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates as 15 March 2027 (day first, 24-hour clock); Latvian ones are Django's own.
FORMAT_MODULE_PATH = ["innovation_centre.formats"]
TIME_ZONE = "Europe/Riga"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns at start-up when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: written to var/mail/ unless EMAIL_URL names a server (smtp://host:port).
EMAIL_MAIL_DIR = VAR_DIR / "mail"
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = EMAIL_MAIL_DIR
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Daugavpils Inovāciju centrs <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis in production; a filesystem broker that needs no server by default.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    for folder in ("queue", "processed"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {}

# Session reminders (participants/reminders/): a scan every minute, no far-future ETA tasks.
CELERY_IMPORTS = ["participants.reminders.tasks"]
CELERY_BEAT_SCHEDULE["send-due-reminders"] = {
    "task": "participants.reminders_scan",
    "schedule": 60.0,
    "options": {"expires": 55},  # a scan that waited a minute is replaced by the next one
}
# A claim older than this is taken to belong to a dead worker and is retried. Keep it above the
# send task's hard time limit (120 s), so a live worker has always finished or been stopped.
REMINDER_CLAIM_STALE_SECONDS = env.int("REMINDER_CLAIM_STALE_SECONDS", default=300)
REMINDER_RETRY_BACKOFF_SECONDS = env.int("REMINDER_RETRY_BACKOFF_SECONDS", default=60)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
REMINDER_MANUAL_REPEAT_SECONDS = env.int("REMINDER_MANUAL_REPEAT_SECONDS", default=600)
REMINDER_MISSED_LOOKBACK_HOURS = env.int("REMINDER_MISSED_LOOKBACK_HOURS", default=24)
REMINDER_SEND_BATCH_SIZE = env.int("REMINDER_SEND_BATCH_SIZE", default=50)
# A scan records at most this many reminders, or for this long; a burst goes on next minute.
REMINDER_SCAN_MAX_ROWS = env.int("REMINDER_SCAN_MAX_ROWS", default=20_000)
REMINDER_SCAN_MAX_SECONDS = env.float("REMINDER_SCAN_MAX_SECONDS", default=2.0)
# Participant mail outbox (participants/outbox/): every mail is a row first; a send task is kicked
# after commit, and this drain sends whatever is still waiting (broker was down, SMTP failed).
CELERY_IMPORTS.append("participants.outbox.tasks")
CELERY_IMPORTS.append("participants.certificates.mail")  # the certificate mail's outbox builder
CELERY_BEAT_SCHEDULE["drain-participant-mails"] = {
    "task": "participants.drain_participant_mails",
    "schedule": 60.0,
    "options": {"expires": 55},
}
# A claim older than this belongs to a dead worker (keep it above the send task's 120 s limit).
PARTICIPANT_MAIL_CLAIM_STALE_SECONDS = env.int("PARTICIPANT_MAIL_CLAIM_STALE_SECONDS", default=300)
PARTICIPANT_MAIL_RETRY_BACKOFF_SECONDS = env.int(
    "PARTICIPANT_MAIL_RETRY_BACKOFF_SECONDS", default=60
)
PARTICIPANT_MAIL_MAX_ATTEMPTS = env.int("PARTICIPANT_MAIL_MAX_ATTEMPTS", default=5)
PARTICIPANT_MAIL_DRAIN_BATCH_SIZE = env.int("PARTICIPANT_MAIL_DRAIN_BATCH_SIZE", default=100)
# Confirmation requests and manage links the public form sends to one address per 24 hours.
REGISTRATION_MAIL_DAILY_LIMIT = env.int("REGISTRATION_MAIL_DAILY_LIMIT", default=3)
# Unconfirmed registrations hold no seat; delete those older than 72 hours once a day.
CELERY_BEAT_SCHEDULE["purge-expired-registrations"] = {
    "task": "participants.tasks.purge_expired_registrations",
    "schedule": 24 * 60 * 60,
}
# Personal data (participants/privacy/): everything personal is erased this many days after the
# programme's end date, by a daily task; the privacy notice states the period from this setting.
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=5 * 365)
CELERY_IMPORTS += ["participants.privacy.tasks", "participants.privacy.mail"]
CELERY_BEAT_SCHEDULE["erase-expired-personal-data"] = {
    "task": "participants.erase_expired_personal_data",
    "schedule": 24 * 60 * 60,
}
# "Lost your link?" requests per client address (every valid form counts, known address or not).
LINK_REQUEST_RATE_LIMIT = env.str("LINK_REQUEST_RATE_LIMIT", default="10/h")

# The cache holds the rate limits' counts, so every web process must share it: Redis in
# production (CACHE_URL=redis://host:6379/1, a database of its own: never the broker's);
# by default files in var/cache/, which all processes on this machine share.
SILENCED_SYSTEM_CHECKS = []
LOCAL_CACHE_DEFAULTS = {"TIMEOUT": 24 * 60 * 60 + 5, "OPTIONS": {"MAX_ENTRIES": 100_000}}
CACHES = {"default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}
_CACHE_BACKEND = CACHES["default"]["BACKEND"]
if _CACHE_BACKEND == "django.core.cache.backends.redis.RedisCache":
    # Django's, keeping its Redis client between operations (innovation_centre/cache.py).
    CACHES["default"]["BACKEND"] = "innovation_centre.cache.RedisCache"
    # A Redis outage must not hang the pages: the limits then fail open (participants/ratelimit).
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", 2)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 2)
    # Django's own Redis backend counts atomically (SET NX, INCRBY); django-ratelimit only
    # lists django-redis as supported.
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.W001")
elif _CACHE_BACKEND.endswith(("filebased.FileBasedCache", "db.DatabaseCache")):
    # Shared by all processes on one machine; increments are not atomic, so a burst of
    # simultaneous requests may be counted a little short. Use Redis for several machines.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "django_ratelimit.W001"]
    # These caches count by rewriting the entry with the default timeout, which would cut a
    # count's life to 5 minutes: keep every entry as long as the longest limit's window (a
    # day); keys name their window, so an old count is never read again.
    for _name, _value in LOCAL_CACHE_DEFAULTS.items():
        CACHES["default"].setdefault(_name, _value)

# Rate limits per client address (participants/ratelimit.py), in django-ratelimit's notation.
# Only new registrations count: a school of 20 gets through, a script stops at 30.
REGISTRATION_RATE_LIMITS = env.list("REGISTRATION_RATE_LIMITS", default=["30/10m", "60/h"])
# POSTs to the personal links (confirm, save details, cancel).
PERSONAL_LINK_RATE_LIMIT = env.str("PERSONAL_LINK_RATE_LIMIT", default="100/10m")
# Reverse proxies whose X-Forwarded-For is believed: addresses or networks (CIDR), e.g.
# TRUSTED_PROXIES=127.0.0.1,10.0.0.0/8. The client is the right-most address that is not one.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network (e.g. 10.0.0.0/8)."
        ) from None
RATELIMIT_IP_META_KEY = "participants.ratelimit.client_ip"
RATELIMIT_IPV6_MASK = 64
RATELIMIT_FAIL_OPEN = True

# Security: safe by default; SECURE_SSL_REDIRECT can be switched off behind a TLS proxy.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
if not SECURE_SSL_REDIRECT:
    # A TLS-terminating proxy redirects to HTTPS itself.
    SILENCED_SYSTEM_CHECKS.append("security.W008")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health probes often reach gunicorn directly over plain HTTP: answer them, not a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused form (expired page, cookies blocked) gets the portal's 403 page, in its language.
CSRF_FAILURE_VIEW = "innovation_centre.views.csrf_failure"
# The language cookie (the language switch) is sent over HTTPS only and never to scripts.
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Content Security Policy (django-csp; innovation_centre/middleware.py): everything from the
# portal itself, no inline script or style anywhere. Outside the admin script-src is 'none'.
# Bootstrap's form icons are data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # One inline style attribute exists, in django-simple-history's history page
        # (style="border-top: 0"): allowed by its hash, so no other inline style is.
        "style-src-attr": [UNSAFE_HASHES, "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Request bodies larger than their path's limit are refused (413) before they are read
# (innovation_centre/middleware.py); the longest matching prefix wins.
REQUEST_BODY_MAX_BYTES = {
    "/": 128 * 1024,  # the public forms: a registration is a few hundred bytes
    "/admin/": 6 * 1024 * 1024,  # Zoom reports (at most 5 MB) and every other admin form
    "/admin/reporting/expenditure/": 11 * 1024 * 1024,  # scans of at most 10 MB
}
# Form fields Django reads into memory; uploaded files above this go to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# Staff logins (innovation_centre/security/): lockout after failed logins (django-axes), TOTP
# (django-otp), sessions that end after a working day without a request.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out login before the password
    "django.contrib.auth.backends.ModelBackend",
]
# Failures counted over the cool-off: per username + client address (the ordinary lock), per
# address (one address trying many usernames), per username (many addresses, one account).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env.int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", default=20)
LOGIN_FAILURE_LIMIT_PER_USERNAME = env.int("LOGIN_FAILURE_LIMIT_PER_USERNAME", default=50)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_HANDLER = "innovation_centre.security.logins.TieredLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "innovation_centre.security.logins.client_address"  # TRUSTED_PROXIES
AXES_LOCKOUT_CALLABLE = "innovation_centre.security.logins.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
# Refused attempts during a lockout are not counted: one address adds at most LOGIN_FAILURE_LIMIT
# to an account's count, so locking a colleague out takes many addresses.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
OTP_TOTP_ISSUER = "Daugavpils IC"
# The admin lists and deletes devices but never shows their keys (they would let a superuser
# make another person's codes).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Only staff have sessions: a session unused this long ends (moved forward while in use).
STAFF_SESSION_IDLE_HOURS = env.int("STAFF_SESSION_IDLE_HOURS", default=8)
SESSION_COOKIE_AGE = STAFF_SESSION_IDLE_HOURS * 60 * 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
