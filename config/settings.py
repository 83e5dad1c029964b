"""Yishi settings: every knob read from the environment (config.env reads it; the school's
platforms, sign-in and work notices, are in config.platforms).

The defaults run the embedded demo (SQLite file, jobs executed in-process).
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from config.env import env_bool, env_float, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent


# The demo runs with DEBUG on and only on loopback; production must say DEBUG=0.
DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "yishi-demo-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "template_partials",
    "django_rq",
    "axes",
    "csp",
    "import_export",
    "core",
    "org",
    "accounts",
    "decisions",
    "meetings",
    "notices",
    "supervision",
    "reports",
    "search",
    "dashboard",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.CleanQueryMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.IdleSessionMiddleware",
    "core.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "supervision.context_processors.nav",
                "reports.context_processors.nav",
                "dashboard.context_processors.nav",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# --- database -------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    if not DATABASE_URL.startswith(("postgres://", "postgresql://", "sqlite://")):
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// or sqlite:// URL")
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    if os.environ.get("TEST_DATABASE_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A restarted server leaves dead pooled connections behind: check before reuse.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # PostgreSQL's JIT compiles every plan whose estimated cost passes jit_above_cost (100,000).
        # The visibility rules' subqueries pass it on paper while they run in milliseconds, and
        # compiling them cost 100-310 ms a query (search at factor 1, docs/benchmarks.md). Off for
        # the application's connections unless DB_JIT=1; nothing here runs long enough to gain.
        if not env_bool("DB_JIT", False):
            DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo serves several people at once. SQLite's default (deferred) transactions read first
    # and take the write lock only at the first write, so of two requests that read the same item
    # the second is refused outright ("database is locked"). IMMEDIATE takes the write lock when
    # the transaction begins: the second request waits (up to SQLITE_BUSY_TIMEOUT seconds), then
    # reads what the first wrote and gets the service's ordinary refusal. WAL lets pages read
    # while someone writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- jobs -----------------------------------------------------------------
# With REDIS_URL, jobs go to RQ workers (`make worker`). Without it, core.jobs runs
# them in-process right after the transaction commits, so the demo needs no server.
REDIS_URL = os.environ.get("REDIS_URL", "")
RQ_QUEUES = {
    "default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 300},
}

# --- cache and sessions ---------------------------------------------------
# Sessions live in the database alone (one indexed read a page). A session kept in a second store
# can disagree with the first: with sessions read from Redis (cached_db), a sign-out while Redis was
# unreachable deleted the database row but left the cached copy, which signed the person back in
# once Redis returned. In the database a sign-out is one DELETE that every process reads.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# A session ends after SESSION_IDLE_HOURS without a request (a working day by default), pushed on
# at most every SESSION_REFRESH_MINUTES (core.middleware.IdleSessionMiddleware: a write then, not
# on every page).
SESSION_COOKIE_AGE = int(env_float("SESSION_IDLE_HOURS", 9) * 3600)
SESSION_REFRESH_MINUTES = env_int("SESSION_REFRESH_MINUTES", 10)
if SESSION_COOKIE_AGE <= 0 or SESSION_REFRESH_MINUTES < 0 or SESSION_REFRESH_MINUTES * 60 >= SESSION_COOKIE_AGE:
    raise ImproperlyConfigured("SESSION_IDLE_HOURS must be positive and longer than SESSION_REFRESH_MINUTES")
# With Redis, the cache is Redis, shared by every web process and forgiving when Redis is away.
REDIS_CACHE_URL = os.environ.get("REDIS_CACHE_URL", REDIS_URL)
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ForgivingRedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "yishi"),
            "OPTIONS": {
                "socket_connect_timeout": env_float("REDIS_CACHE_TIMEOUT", 0.5),
                "socket_timeout": env_float("REDIS_CACHE_TIMEOUT", 0.5),
            },
        }
    }

# --- auth -----------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
# django-axes first: it refuses a locked-out username+IP before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend's sign-in, with the person's roles loaded alongside them on every request.
    "org.backends.YishiBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- brute-force lockout (django-axes) -------------------------------------
# After AXES_FAILURE_LIMIT failed logins for one username from one IP address, that pair is
# refused (even with the right password) for AXES_COOLOFF_MINUTES, counted from the last
# counted failure. Attempts while locked out do not extend the lockout, so someone hammering
# a colleague's name cannot keep them out for ever. Axes reads the client from REMOTE_ADDR:
# behind a reverse proxy that is the proxy's own address (one address for everyone, so the
# lockout becomes per username only) unless the proxy hands the client address through.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME.total_seconds() <= 0:
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT and AXES_COOLOFF_MINUTES must be positive")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False  # its start-up banner would be printed by every manage.py command
# Behind a reverse proxy every request comes from the proxy's address: list it in TRUSTED_PROXIES
# (e.g. TRUSTED_PROXIES=127.0.0.1) and the lockout counts the client's address from the
# X-Forwarded-For the proxy wrote (core.http.client_ip). From anyone else the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"

# --- language and time ----------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Attachments live outside every public path and are served by a view that checks access.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ.get("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private"))},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# The PDF fonts (static/fonts/, 16 MB) are read by WeasyPrint from disk, not sent to browsers:
# compressing them with brotli would add over a minute to every collectstatic.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "ttf")
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 20) * 1024 * 1024
ATTACHMENT_EXTENSIONS = env_list(
    "ATTACHMENT_EXTENSIONS",
    ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "ofd", "txt", "jpg", "jpeg", "png", "zip"],
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- forms ----------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
FORM_RENDERER = "django.forms.renderers.DjangoTemplates"

# --- mail -----------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# A DingTalk group robot (自定义机器人) webhook; empty: no DingTalk channel.
DINGTALK_WEBHOOK_URL = os.environ.get("DINGTALK_WEBHOOK_URL", "")
# --- the school's platforms: sign-in and personal work notices (docs/deploy.md) ---------------
# (config/platforms.py: every name in it is a setting.)
from config.platforms import *  # noqa: E402, F403

# The address people reach Yishi at: every absolute link (e-mails, the DingTalk group, calendar
# feeds) starts with it (core.links.absolute). `make run` sets it to the port it serves;
# `check --deploy` reports one on this machine or outside ALLOWED_HOSTS (core.checks).
SITE_URL = os.environ.get("SITE_URL", "").strip() or "http://127.0.0.1:8000"
if not re.fullmatch(r"https?://[^/\s?#@]+(/[^\s?#]*)?", SITE_URL):
    raise ImproperlyConfigured(
        f"SITE_URL={SITE_URL!r} is not an http:// or https:// address, e.g. https://yishi.example.edu.cn"
    )
SITE_URL = SITE_URL.rstrip("/")
# Failed deliveries are retried with a doubling delay, up to this many attempts.
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 8)
# A consultation unanswered this long is reminded (once).
REMINDER_CONSULTATION_HOURS = env_int("REMINDER_CONSULTATION_HOURS", 24)
# Supervision tasks: reminded this many days before the deadline; once overdue, the responsible
# leader is told at once and the track's supervisor after this many more days.
SUPERVISION_DUE_SOON_DAYS = env_int("SUPERVISION_DUE_SOON_DAYS", 3)
# 书记信箱: a letter is answered within this many working days (public holidays and the school's
# own holiday table skipped); reminded this many working days before, escalated after.
MAILBOX_REPLY_WORKING_DAYS = env_int("MAILBOX_REPLY_WORKING_DAYS", 15)
MAILBOX_REMIND_DAYS_BEFORE = env_int("MAILBOX_REMIND_DAYS_BEFORE", 3)
SUPERVISION_ESCALATE_DAYS = env_int("SUPERVISION_ESCALATE_DAYS", 3)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "yishi@localhost")

# --- security (production) -------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Content-Security-Policy (django-csp): everything from our own origin, nothing inline. Templates
# carry no <script>/<style> blocks, on* handlers or style attributes (tests/test_csp.py); htmx is
# told not to inject its indicator <style> (the meta tag in base.html, the CSS in yishi.css).
# Bootstrap's icons are data: SVGs, hence img-src data:. DingTalk's JSAPI for the 免登 page is one
# of our static files too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Axes tells of every login at INFO; failures and lockouts come at WARNING.
    "loggers": {"axes": {"level": os.environ.get("AXES_LOG_LEVEL", "WARNING")}},
}
