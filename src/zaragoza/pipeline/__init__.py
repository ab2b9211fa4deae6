"""The library call behind ``zaragoza estimate``: a request in, observations out.

* :func:`estimate` takes an :class:`~zaragoza.estimate.request.EstimationRequest` (and
  its :class:`~zaragoza.estimate.design.SurveyDesign`) for any survey and returns an
  :class:`EstimateRun`; :func:`estimate_files` builds the request from plain values.
* ``engines``: which indicators and options each survey's estimation takes;
  ``lfs``, ``silc``: the two engines; ``spark``: Spark sessions and Spark-side reading;
  ``default``: the embedded default warehouse; ``result``: the run and its loading.
"""

from __future__ import annotations

from zaragoza.pipeline.default import build_default_warehouse
from zaragoza.pipeline.result import EstimateRun, store_run
from zaragoza.pipeline.run import estimate, estimate_files, survey_of

__all__ = [
    "EstimateRun",
    "build_default_warehouse",
    "estimate",
    "estimate_files",
    "store_run",
    "survey_of",
]
