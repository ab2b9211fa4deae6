"""Pages. Views are thin: they read the warehouse through the library and render."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zaragoza.warehouse.reader import reader_for


def home(request: HttpRequest) -> HttpResponse:
    """The EU picture in a few headline gaps."""
    reader = reader_for(settings.ZARAGOZA_WAREHOUSE)
    return render(request, "monitoring/home.html", {"coverage": reader.coverage()})
