"""WSGI entry point (``zaragoza.portal.wsgi:application``) for gunicorn or any WSGI server."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zaragoza.portal.settings")
application = get_wsgi_application()
