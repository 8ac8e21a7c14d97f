"""Tandem's one settings module. Everything that differs between machines comes from the
environment; the defaults are safe for a trial on one machine (SQLite, DEBUG off unless asked).
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("TANDEM_DEBUG")
TESTING = "pytest" in sys.modules or env_bool("TANDEM_TESTING")
# The demo site started by `make run`: plain HTTP on loopback, no manifest of static files.
DEMO = env_bool("TANDEM_DEMO")
LOCAL = DEBUG or TESTING or DEMO

# A missing key is only tolerated for local runs; production settings must set one.
SECRET_KEY = os.environ.get("TANDEM_SECRET_KEY", "")
if not SECRET_KEY:
    if not LOCAL:
        raise RuntimeError(
            "TANDEM_SECRET_KEY is not set. Set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "insecure-local-only-" + "x" * 50

# The key of the audit chain's HMAC; derived from the secret key when unset. Changing either
# later makes every earlier row fail verification, so set it once, keep it, back it up.
AUDIT_CHAIN_KEY = os.environ.get("TANDEM_AUDIT_KEY", "")

ALLOWED_HOSTS = env_list("TANDEM_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("TANDEM_CSRF_TRUSTED_ORIGINS")

# The demo may relax MFA so that a trial needs no phone; every page then says so. Outside a
# demo, debug or test run the switch is refused outright.
DEMO_RELAX_MFA = env_bool("TANDEM_DEMO_RELAX_MFA")
if DEMO_RELAX_MFA and not (DEMO or TESTING):
    raise RuntimeError(
        "TANDEM_DEMO_RELAX_MFA is only allowed together with TANDEM_DEMO=1: "
        "two-factor authentication cannot be switched off on a real site."
    )

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "ninja",
    "django_tasks_db",
    "tandem.core",
    "tandem.accounts",
    "tandem.tenancy",
    "tandem.access",
    "tandem.audit",
    "tandem.people",
    "tandem.matching",
    "tandem.casework",
    "tandem.casework.support",
    "tandem.consent",
    "tandem.policy",
    "tandem.legal",
    "tandem.notify",
    "tandem.referrals",
    "tandem.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "tandem.core.middleware.PrivateResponsesMiddleware",
    "tandem.audit.middleware.AuditContextMiddleware",
    "tandem.accounts.middleware.SessionPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "tandem.tenancy.middleware.CurrentSiteMiddleware",
    "tandem.accounts.middleware.RequireMFAMiddleware",
    # Axes goes last so that it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tandem.tenancy.context_processors.current_site",
                "tandem.accounts.context_processors.security_limits",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'tandem.sqlite3'}"),
        conn_max_age=int(os.environ.get("TANDEM_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE takes the write lock when a transaction starts, so two writers cannot
    # both read the same audit-chain head; WAL lets readers carry on meanwhile.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # A database cache is shared by every worker, which the one-time use of TOTP codes needs.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tandem_cache",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# NIST SP 800-63B: a minimum length, a check against known breached and common passwords
# and context words, no composition rules, no forced periodic change.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "tandem.accounts.passwords.ContextWordsValidator"},
    {"NAME": "tandem.accounts.passwords.MaximumLengthValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "tandem.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Tandem] "
MFA_ADAPTER = "tandem.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Tandem"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = LOCAL
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_FORMS = {"authenticate": "tandem.accounts.forms.LockoutAwareAuthenticateForm"}

# Lock an account after repeated failures (CJIS 5.5.3: at most 5 attempts).
AXES_FAILURE_LIMIT = int(os.environ.get("TANDEM_LOCKOUT_FAILURES", "5"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "tandem.accounts.lockout.canonical_username"
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("TANDEM_LOCKOUT_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
# allauth's own throttle must not answer before the lockout does (see AccountAdapter).
ACCOUNT_RATE_LIMITS = {"login_failed": f"10/m/ip,{AXES_FAILURE_LIMIT}/5m/key"}
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("TANDEM_PROXY_COUNT", "0"))

# Sessions: 30 minutes idle, 12 hours at most (HIPAA/CJIS session lock); see
# tandem.accounts.middleware.SessionPolicyMiddleware.
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Transport security: on unless the operator says the site is served over plain HTTP
# (local runs and tests only).
INSECURE_HTTP = env_bool("TANDEM_INSECURE_HTTP", default=LOCAL)
SECURE_SSL_REDIRECT = not INSECURE_HTTP
SESSION_COOKIE_SECURE = not INSECURE_HTTP
CSRF_COOKIE_SECURE = not INSECURE_HTTP
SECURE_HSTS_SECONDS = 0 if INSECURE_HTTP else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not INSECURE_HTTP
SECURE_HSTS_PRELOAD = not INSECURE_HTTP
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TANDEM_BEHIND_PROXY") else None
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LANGUAGE_CODE = "en-us"
# Records are dated by their site's calendar: services use Site.today(), and a page or an
# API call runs in its site's zone (CurrentSiteMiddleware, TokenAuth). The server's zone is
# left to what names no site, such as log times. Tests take their West Coast sites' zone, so
# that a test may write timezone.localdate() for its site's today at any hour.
TIME_ZONE = os.environ.get("TANDEM_TIME_ZONE", "America/Los_Angeles" if TESTING else "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if LOCAL
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = LOCAL
MEDIA_ROOT = BASE_DIR / "var" / "media"

# Mail: printed to the console on local runs; SMTP (TLS by default) everywhere else.
MAILERS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": os.environ.get(
            "TANDEM_EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if LOCAL
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
    }
}
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("TANDEM_SMTP_HOST", "localhost"),
        "port": int(os.environ.get("TANDEM_SMTP_PORT", "587")),
        "username": os.environ.get("TANDEM_SMTP_USER", ""),
        "password": os.environ.get("TANDEM_SMTP_PASSWORD", ""),
        "use_tls": env_bool("TANDEM_SMTP_TLS", default=True),
    }
DEFAULT_FROM_EMAIL = os.environ.get("TANDEM_FROM_EMAIL", "tandem@localhost")

# Where links in e-mail and SMS point: a task has no request to take the address from.
TANDEM_BASE_URL = os.environ.get(
    "TANDEM_BASE_URL",
    "http://127.0.0.1:8000" if LOCAL else f"https://{(ALLOWED_HOSTS or ['localhost'])[0]}",
).rstrip("/")
# SMS (paging the on-call case manager): a dotted path to a backend in tandem.notify.sms.
# Printed to the console unless an operator names another; tests keep messages in memory.
TANDEM_SMS_BACKEND = os.environ.get(
    "TANDEM_SMS_BACKEND",
    "tandem.notify.sms.LocmemSmsBackend" if TESTING else "tandem.notify.sms.ConsoleSmsBackend",
)
TANDEM_SMS_FILE_PATH = Path(os.environ.get("TANDEM_SMS_FILE_PATH", BASE_DIR / "var" / "sms"))

# Background work (django.tasks): a queue in the database, run by `tandem worker`, so SQLite
# and PostgreSQL need nothing else. Tests run each task at once, after the commit that
# enqueued it, unless a test overrides TASKS.
TASKS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.DatabaseBackend",
    }
}
# The daily job core.task_results_prune deletes the results of tasks that finished longer
# ago than this.
TANDEM_TASK_RESULTS_KEEP_DAYS = int(os.environ.get("TANDEM_TASK_RESULTS_KEEP_DAYS", "14"))

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TANDEM_LOG_LEVEL", "WARNING")},
    "loggers": {"axes": {"level": "WARNING"}},
}
CSRF_FAILURE_VIEW = "tandem.core.views.csrf_failure"

SILENCED_SYSTEM_CHECKS = [
    # Lockout is per account, as CJIS asks; failures per address are limited by allauth's
    # own rate limits, so that one office behind a NAT is not locked out by one user.
    "axes.W006",
]
