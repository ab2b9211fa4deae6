"""Settings of the exchange half (accounts, the knowledge base), applied to the portal's
settings module by :func:`configure`, so that they stay in one place.

Environment
-----------
ZARAGOZA_LOGIN_FAILURES
    Failed logins (per user name and address) before logins from there are refused for
    15 minutes (default 5; django-axes).
ZARAGOZA_PROFILE_KEYS
    Comma-separated Fernet keys sealing the skills profiles, newest first (without it, a
    random key kept beside the database, ``<warehouse>-profiles.key``, owner-only).
ZARAGOZA_TOOLBOX
    A toolbox folder or file to serve instead of the bundled one (``zaragoza toolbox
    validate`` checks it first).
ZARAGOZA_UPLOADS
    Folder of uploaded documents (default: beside Django's SQLite database,
    ``<warehouse>-uploads``); never inside the static tree.
DJANGO_EMAIL_BACKEND
    Django's mail backend (default: the console; ``django.core.mail.backends.smtp.EmailBackend``
    in production, with ``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``,
    ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS`` from the environment).
ZARAGOZA_EMAIL_FILE_PATH
    A folder: notifications are written there as files (the file backend) instead.
DJANGO_DEFAULT_FROM_EMAIL
    The sender of notifications.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

__all__ = ["MAX_UPLOAD_BYTES", "configure"]

#: The largest document a user may upload.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def configure(ns: dict[str, Any]) -> None:
    """Add the exchange half's apps, middleware and settings to a settings namespace."""
    apps: list[str] = list(ns["INSTALLED_APPS"])
    # modeltranslation patches the admin: it must come before django.contrib.admin.
    apps.insert(apps.index("django.contrib.admin"), "modeltranslation")
    apps += [
        "axes",
        "zaragoza.portal.accounts",
        "zaragoza.portal.knowledge",
        "zaragoza.portal.toolbox",
        "zaragoza.portal.skills",
        "zaragoza.portal.benchmarks",
    ]
    ns["INSTALLED_APPS"] = apps
    # django-axes: login throttling; its middleware must be the last one.
    ns["MIDDLEWARE"] = [*ns["MIDDLEWARE"], "axes.middleware.AxesMiddleware"]
    ns["AUTHENTICATION_BACKENDS"] = [
        "zaragoza.portal.accounts.backends.ThrottledBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    ns["AXES_FAILURE_LIMIT"] = int(os.environ.get("ZARAGOZA_LOGIN_FAILURES", "5"))
    ns["AXES_COOLOFF_TIME"] = dt.timedelta(minutes=15)
    ns["AXES_LOCKOUT_PARAMETERS"] = [["username", "ip_address"]]
    ns["AXES_RESET_ON_SUCCESS"] = True
    ns["AXES_LOCKOUT_TEMPLATE"] = "accounts/locked.html"
    ns["AXES_VERBOSE"] = False
    # the address behind a TLS proxy is the proxy's own unless it passes the client's on
    ns["AXES_IPWARE_META_PRECEDENCE_ORDER"] = (
        ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if ns.get("TLS") else ["REMOTE_ADDR"]
    )
    ns["LOGIN_URL"] = "accounts:login"
    ns["LOGIN_REDIRECT_URL"] = "knowledge:work"
    ns["LOGOUT_REDIRECT_URL"] = "knowledge:practices"

    ns["MODELTRANSLATION_DEFAULT_LANGUAGE"] = "en"
    ns["MODELTRANSLATION_LANGUAGES"] = tuple(code for code, _ in ns["LANGUAGES"])
    ns["MODELTRANSLATION_FALLBACK_LANGUAGES"] = ("en",)
    ns["LOCALE_PATHS"] = [
        *ns["LOCALE_PATHS"],
        Path(__file__).parent.parent / "knowledge" / "locale",
        Path(__file__).parent.parent / "toolbox" / "locale",
        Path(__file__).parent.parent / "skills" / "locale",
        Path(__file__).parent.parent / "benchmarks" / "locale",
        Path(__file__).parent / "locale",
    ]

    # skills profiles: Fernet keys, newest first (zaragoza.portal.skills.crypto)
    ns["ZARAGOZA_PROFILE_KEYS"] = os.environ.get("ZARAGOZA_PROFILE_KEYS", "").split(",")
    ns["ZARAGOZA_PROFILE_KEY_FILE"] = ns["ZARAGOZA_WAREHOUSE"].with_name(
        ns["ZARAGOZA_WAREHOUSE"].stem + "-profiles.key"
    )
    ns["ZARAGOZA_TOOLBOX"] = os.environ.get("ZARAGOZA_TOOLBOX", "").strip() or None
    sqlite: Path = ns["ZARAGOZA_WAREHOUSE"].with_name(ns["ZARAGOZA_WAREHOUSE"].stem + "-uploads")
    ns["MEDIA_ROOT"] = Path(os.environ.get("ZARAGOZA_UPLOADS", str(sqlite))).absolute()
    ns["MEDIA_URL"] = "/documents/"  # never served as files: a view checks and streams them
    ns["FILE_UPLOAD_MAX_MEMORY_SIZE"] = 2 * 1024 * 1024
    ns["DATA_UPLOAD_MAX_MEMORY_SIZE"] = 2 * 1024 * 1024
    ns["FILE_UPLOAD_PERMISSIONS"] = 0o640

    folder = os.environ.get("ZARAGOZA_EMAIL_FILE_PATH", "").strip()
    if folder:
        ns["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
        ns["EMAIL_FILE_PATH"] = folder
    else:
        ns["EMAIL_BACKEND"] = os.environ.get(
            "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
        )
    for name in ("EMAIL_HOST", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"):
        if os.environ.get(name):
            ns[name] = os.environ[name]
    if os.environ.get("EMAIL_PORT"):
        ns["EMAIL_PORT"] = int(os.environ["EMAIL_PORT"])
    ns["EMAIL_USE_TLS"] = os.environ.get("EMAIL_USE_TLS", "") == "1"
    ns["DEFAULT_FROM_EMAIL"] = os.environ.get(
        "DJANGO_DEFAULT_FROM_EMAIL", "Zaragoza knowledge base <noreply@localhost>"
    )
