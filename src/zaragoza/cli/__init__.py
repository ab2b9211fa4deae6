"""The ``zaragoza`` command: thin commands over the library, sharing one set of options.

One module per group of commands (``estimate``, ``warehouse``, ``eurostat``, ``geo``,
``synth``, ``serve``, ``catalog``, ``compare``, ``knowledge``: practices and users,
``toolbox``, ``frameworks``: local policy benchmarks' frameworks, ``benchmarks``: their
rounds, and ``profiles``: skills profiles); ``common`` holds the options, defaults and
error printer they share; ``app`` the command and its groups.
"""

from __future__ import annotations

from zaragoza.cli import (
    benchmarks,
    catalog,
    compare,
    estimate,
    eurostat,
    frameworks,
    geo,
    knowledge,
    profiles,
    serve,
    synth,
    toolbox,
    warehouse,
)
from zaragoza.cli.app import app
from zaragoza.cli.common import example_file

__all__ = ["app", "example_file"]

# the modules register their commands on import
_COMMANDS = (
    benchmarks, catalog, compare, estimate, eurostat, frameworks, geo, knowledge, profiles,
    serve, synth, toolbox, warehouse,
)  # fmt: skip
