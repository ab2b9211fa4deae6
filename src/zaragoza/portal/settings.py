"""Django settings for the portal, read from the environment; no secret in the repository.

Environment
-----------
ZARAGOZA_WAREHOUSE
    The DuckDB warehouse to read (default ``zaragoza.duckdb`` in the current folder).
DATABASE_URL
    Django's own database (accounts, sessions, admin), e.g.
    ``postgres://user:pass@host:5432/db``; default an SQLite file beside the warehouse.
DJANGO_SECRET_KEY
    The signing key. Without it a random key is made once and kept in a file readable
    only by its owner, beside the SQLite database (``<warehouse>.secret``).
DJANGO_ALLOWED_HOSTS
    Comma-separated host names (default ``localhost,127.0.0.1,[::1]``).
ZARAGOZA_TLS
    ``1`` when the site is served over HTTPS (behind a TLS proxy): secure cookies, HSTS and
    the redirect to HTTPS are turned on.
ZARAGOZA_DEBUG
    ``1`` for Django's debug pages (never in production).
ZARAGOZA_CACHE_MB
    Memory each worker may keep rendered pages and API answers in (default 128).
ZARAGOZA_PAGE_CACHE
    The folder of the page cache the workers share (the knowledge base's pages for
    readers not signed in), default ``<warehouse>-pages`` beside the warehouse; ``off``
    for none (each worker then keeps only its own pages in memory).
ZARAGOZA_PAGE_CACHE_MB
    Megabytes the shared cache holds at most (default 1024); past that the entries
    stored longest ago are removed.
ZARAGOZA_LOGIN_FAILURES
    Failed logins (per user name and address) before logins are refused for 15 minutes
    (default 5).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
import plotly

from zaragoza.portal.monitoring.languages import LANGUAGES as _LANGUAGES


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(beside: Path) -> str:
    """``DJANGO_SECRET_KEY``, or a random key kept in a file only its owner can read."""
    key = os.environ.get("DJANGO_SECRET_KEY", "").strip()
    if key:
        return key
    path = beside.with_name(beside.name + ".secret")
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


def owner_only(path: Path) -> Path:
    """Create ``path`` (if absent) readable and writable by its owner alone, or make it so.

    The portal's SQLite file holds sessions and password hashes: never world-readable.
    SQLite gives its journal files the database file's permissions.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    path.chmod(0o600)
    return path


ZARAGOZA_WAREHOUSE = Path(os.environ.get("ZARAGOZA_WAREHOUSE", "zaragoza.duckdb")).absolute()
_SQLITE = ZARAGOZA_WAREHOUSE.with_name(ZARAGOZA_WAREHOUSE.stem + "-portal.sqlite3")

DEBUG = _flag("ZARAGOZA_DEBUG")
TLS = _flag("ZARAGOZA_TLS")
SECRET_KEY = _secret_key(_SQLITE)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # the API docs' Swagger UI from the installed package, not a CDN
    "zaragoza.portal.monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zaragoza.portal.monitoring.middleware.ContentSecurityPolicy",
    "zaragoza.portal.monitoring.middleware.ApiMethods",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "zaragoza.portal.urls"
WSGI_APPLICATION = "zaragoza.portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{_SQLITE}", conn_max_age=600, conn_health_checks=True
    )
}
if DATABASES["default"].get("ENGINE", "").endswith("sqlite3"):
    owner_only(Path(str(DATABASES["default"]["NAME"])))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's own cache (django-axes, sessions are in the database). Rendered pages and API
# answers have their own byte-bounded memory (``monitoring/caching.py``).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 2000, "CULL_FREQUENCY": 4},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = _LANGUAGES
LOCALE_PATHS = [Path(__file__).parent / "monitoring" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# Static files: the app's own, and plotly.js from the installed plotly wheel (no CDN,
# nothing copied into the repository), served by WhiteNoise straight from the finders.
STATIC_URL = "/static/"
STATICFILES_DIRS = [("vendor/plotly", Path(plotly.__file__).parent / "package_data")]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_MAX_AGE = 3600
WHITENOISE_MIMETYPES = {".geojson": "application/geo+json"}

# Security: a read-only public site; the admin behind login.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = TLS
CSRF_COOKIE_SECURE = TLS
SECURE_SSL_REDIRECT = TLS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TLS else None
SECURE_HSTS_SECONDS = 31_536_000 if TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = TLS
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line": {"()": "zaragoza.portal.logs.OneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "one_line": {"class": "logging.StreamHandler", "filters": ["one_line"]},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # a request for a host not in ALLOWED_HOSTS is the client's error: one line each
        "django.security": {"handlers": ["one_line"], "level": "WARNING", "propagate": False},
        # the skills profiles' retention purge: how many were erased (never who)
        "zaragoza.skills.retention": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
        },
    },
}

NINJA_PAGINATION_PER_PAGE = 1000
ZARAGOZA_CACHE_MB = float(os.environ.get("ZARAGOZA_CACHE_MB", "128"))


def _page_cache() -> Path | None:
    value = os.environ.get("ZARAGOZA_PAGE_CACHE", "").strip()
    if value.lower() == "off":
        return None
    if value:
        return Path(value).absolute()
    return ZARAGOZA_WAREHOUSE.with_name(ZARAGOZA_WAREHOUSE.stem + "-pages")


def _positive(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip() or str(default)
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


ZARAGOZA_PAGE_CACHE = _page_cache()
if "ZARAGOZA_PAGE_CACHE_ENTRIES" in os.environ:  # refused, not ignored
    raise ValueError(
        "ZARAGOZA_PAGE_CACHE_ENTRIES is no longer read: the shared page cache is bounded "
        "in megabytes, ZARAGOZA_PAGE_CACHE_MB (a whole number, default 1024)"
    )
ZARAGOZA_PAGE_CACHE_MB = _positive("ZARAGOZA_PAGE_CACHE_MB", 1024)

# The exchange half (accounts and roles, the knowledge base): its apps, login throttling
# (django-axes), translations of records, uploads and mail, kept in its own module.
from zaragoza.portal.accounts.conf import configure as _configure_exchange  # noqa: E402

_configure_exchange(globals())
