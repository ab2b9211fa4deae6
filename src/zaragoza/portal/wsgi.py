"""WSGI entry point (``zaragoza.portal.wsgi:application``) for gunicorn or any WSGI server.

Django's application behind the front layer (:mod:`zaragoza.portal.front`), which
answers anonymous readers' kept knowledge-base pages before Django's middleware.
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zaragoza.portal.settings")
_django = get_wsgi_application()

from zaragoza.portal.front import FrontCache  # noqa: E402  (Django is set up above)
from zaragoza.portal.knowledge.pagecache import page_key  # noqa: E402

application = FrontCache(_django, page_key)
