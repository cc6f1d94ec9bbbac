"""flowcoach settings, read from the environment.

Development defaults are safe to run on a laptop; `FLOWCOACH_PROFILE=production` switches on
every transport and cookie protection and refuses to start without a real secret key. The
README lists every variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FLOWCOACH_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PROFILE = os.environ.get("FLOWCOACH_PROFILE", "development").strip().lower()
if PROFILE not in {"development", "production"}:
    raise ImproperlyConfigured("FLOWCOACH_PROFILE must be 'development' or 'production'.")
PRODUCTION = PROFILE == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)

_DEV_SECRET = "dev-only-insecure-key-flowcoach-do-not-use-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("Set SECRET_KEY to a random string of at least 50 characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Absolute links in emails (invitations, login codes) need to know where the app lives.
# Unless set, it follows where `make serve` listens (FLOWCOACH_HOST, FLOWCOACH_PORT), so
# emailed links and the calendar feed work when the README's port setting is used.
_SERVE_URL = (
    f"http://{os.environ.get('FLOWCOACH_HOST', '127.0.0.1')}:"
    f"{os.environ.get('FLOWCOACH_PORT', '8000')}"
)
SITE_URL = os.environ.get("SITE_URL", _SERVE_URL).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # django-ninja: its bundled Swagger UI files, so the API docs page needs no CDN.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "flowcoach.accounts",
    "flowcoach.clients",
    "flowcoach.programs",
    "flowcoach.coaching",
    "flowcoach.portal",
    "flowcoach.checkins",
    "flowcoach.insights",
    "flowcoach.home",
    "flowcoach.outbox",
    "flowcoach.transcripts",
    "flowcoach.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "flowcoach.lib.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the user and their memberships loaded in one query (accounts/middleware).
    "flowcoach.accounts.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "flowcoach.accounts.middleware.ActiveOrganisationMiddleware",
    "flowcoach.accounts.middleware.UserTimezoneMiddleware",
    "flowcoach.accounts.middleware.RequireMfaMiddleware",
]

ROOT_URLCONF = "flowcoach.urls"
WSGI_APPLICATION = "flowcoach.wsgi.application"

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
                "flowcoach.accounts.context_processors.organisation",
                "flowcoach.lib.headers.csp_nonce",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
_default_db = f"sqlite:///{VAR_DIR / 'flowcoach.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_db),
        # Persistent connections: measured here as the difference between ~109 and ~716
        # requests/s on PostgreSQL.
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
# NORMAL (in WAL mode) survives any crash of the app or its processes; a power cut or an
# operating-system crash may lose the last commits before a checkpoint, never corrupt the
# file. FULL adds one fsync per commit, held under SQLite's single write lock: measured at
# about 8 ms here, more than a whole autosave (docs/decisions.md).
SQLITE_SYNCHRONOUS = os.environ.get("FLOWCOACH_SQLITE_SYNCHRONOUS", "NORMAL").strip().upper()
if SQLITE_SYNCHRONOUS not in {"NORMAL", "FULL"}:
    raise ImproperlyConfigured("FLOWCOACH_SQLITE_SYNCHRONOUS must be NORMAL or FULL.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on the busy
        # timeout instead of failing with "database is locked" halfway through a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={SQLITE_SYNCHRONOUS};",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache ----------------------------------------------------------------------------------
# The cache holds the sign-in rate-limit counters, so it must be one store that every worker
# process shares: a per-process memory cache let "5 failures per account" become 5 per worker.
# The database by default (its table is made by a migration), Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "flowcoach_cache",
            # Culling drops entries at random: kept rare, so a flood of made-up addresses
            # cannot push a real account's failure count out of the table.
            "OPTIONS": {"MAX_ENTRIES": 200_000, "CULL_FREQUENCY": 10},
        }
    }

# Sessions are read on every signed-in request. They stay in the database (signing out, a
# password change and deleting a client end them there), with a copy in a cache that every
# worker shares, so a request reads the copy instead of the session table. Redis when it is
# there; otherwise files under VAR_DIR, which every worker on the machine sees: measured
# faster than a second table (docs/decisions.md). A per-process memory cache would let a
# worker keep a session another worker had ended.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"
if REDIS_URL:
    CACHES["sessions"] = {**CACHES["default"], "KEY_PREFIX": "session"}
else:
    CACHES["sessions"] = {
        "BACKEND": "flowcoach.lib.file_cache.FileCache",
        "LOCATION": str(VAR_DIR / "cache" / "sessions"),
        # A copy culled too early is read again from the database: culling costs a little
        # time, never a session. Each file is a few hundred bytes.
        "OPTIONS": {"MAX_ENTRIES": 100_000, "CULL_FREQUENCY": 10},
    }

# Pages a person opens again are kept for them until their organisation's data changes, for
# at most a minute (accounts/page_cache.py). Shared by every worker like the sessions' copies:
# a copy in one process's memory would miss another process's writes.
FLOWCOACH_PAGE_CACHE = env_bool("FLOWCOACH_PAGE_CACHE", True)
# The data generations (lib/generations.py): empty files whose times are the tokens, unless
# a "generations" cache is set (Redis).
FLOWCOACH_GENERATIONS_DIR = VAR_DIR / "cache" / "generations"
if REDIS_URL:
    CACHES["pages"] = {**CACHES["default"], "KEY_PREFIX": "page"}
    CACHES["generations"] = {**CACHES["default"], "KEY_PREFIX": "generation"}
else:
    CACHES["pages"] = {
        "BACKEND": "flowcoach.lib.file_cache.FileCache",
        "LOCATION": str(VAR_DIR / "cache" / "pages"),
        # Copies are tens of KB and a minute old at most; every new copy lists the folder to
        # decide whether to cull, so it stays small (about 125 MB at most).
        "OPTIONS": {"MAX_ENTRIES": 5_000, "CULL_FREQUENCY": 3},
    }

# --- Background tasks -----------------------------------------------------------------------
# The database queue by default (`manage.py outbox_worker`); FLOWCOACH_TASKS_BACKEND=rq with a
# REDIS_URL moves it to Redis (django-tasks-rq), for workers on several machines.
TASKS_BACKEND = os.environ.get("FLOWCOACH_TASKS_BACKEND", "database").strip().lower()
if TASKS_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("FLOWCOACH_TASKS_BACKEND=rq needs REDIS_URL.")
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured("FLOWCOACH_TASKS_BACKEND must be 'database' or 'rq'.")
# A message still "sending" this long after a worker claimed it belongs to a dead worker and
# is flagged "interrupted" (docs/operations.md).
# The worker's sweep opens, reminds and closes weekly check-ins (flowcoach/checkins). Off
# only where something else drives the rhythm (the test suite, which turns it on per test).
FLOWCOACH_CHECKIN_RHYTHM = os.environ.get("FLOWCOACH_CHECKIN_RHYTHM", "1") == "1"
# The worker's once-a-day jobs (retention, discarding transcript text nobody kept).
FLOWCOACH_DAILY_JOBS = env_bool("FLOWCOACH_DAILY_JOBS", True)
FLOWCOACH_OUTBOX_LEASE_SECONDS = int(os.environ.get("FLOWCOACH_OUTBOX_LEASE_SECONDS", "300"))
FLOWCOACH_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("FLOWCOACH_OUTBOX_MAX_ATTEMPTS", "5"))
FLOWCOACH_OUTBOX_RETRY_BASE_SECONDS = int(
    os.environ.get("FLOWCOACH_OUTBOX_RETRY_BASE_SECONDS", "60")
)
# Messages a worker sends over one SMTP connection before it looks at its queue again.
FLOWCOACH_OUTBOX_BATCH_SIZE = int(os.environ.get("FLOWCOACH_OUTBOX_BATCH_SIZE", "100"))

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "flowcoach.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"request_login_code": "flowcoach.accounts.forms.RequestLoginCodeForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[flowcoach] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Sign-in limits (docs/security.md). Failures count per account ("key"), in the shared cache
# above. Limits per IP address are only flood caps, set far above what one office behind one
# address needs, because anyone sharing that address (a NAT, a proxy) could otherwise spend
# them and lock everyone else out.
ACCOUNT_RATE_LIMITS = {
    "login": "300/m/ip",
    "login_failed": "5/5m/key",
    "confirm_email": "1/3m/key",
    "reset_password": "100/m/ip,5/m/key",
    "reset_password_from_key": "100/m/ip",
    "request_login_code": "100/m/ip,3/m/key",
    "signup": "20/m/ip",
}
# Behind a reverse proxy every request comes from the proxy's address. Set this to the number
# of proxies in front of the app that append to X-Forwarded-For (1 for the operations guide's
# single HTTPS proxy) so the limits see the visitor's address; leave it 0 when the app is
# reached directly, or anyone could pick their address by sending the header themselves.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("FLOWCOACH_TRUSTED_PROXY_COUNT", "0"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "flowcoach"

# --- Email ----------------------------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "flowcoach <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Without an SMTP host (the demo), emails are printed to the terminal so login codes and
# invitation links can still be followed.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "flowcoach.lib.console_mail.EmailBackend",
)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (assessment reports, handouts) hold private client data: they live outside
# any served directory and are only streamed by views that check access.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Development and tests serve static files straight from the source folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 15 * 1024 * 1024
FLOWCOACH_MAX_ATTACHMENT_BYTES = int(
    os.environ.get("FLOWCOACH_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
)
# A coach's practice export with more rows than this is prepared by the task worker and
# fetched when ready (with an email), instead of streaming straight to the browser; the
# prepared file is deleted after FLOWCOACH_EXPORT_KEEP_DAYS.
FLOWCOACH_EXPORT_BACKGROUND_ROWS = int(os.environ.get("FLOWCOACH_EXPORT_BACKGROUND_ROWS", "2000"))
FLOWCOACH_EXPORT_KEEP_DAYS = int(os.environ.get("FLOWCOACH_EXPORT_KEEP_DAYS", "7"))

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # /healthz is probed over plain HTTP by load balancers inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"one_line_4xx": {"()": "flowcoach.lib.logs.OneLineForClientErrors"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_4xx"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's own console handler would print each request problem a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
