"""Static files collected once and compressed (gzip and brotli), for WhiteNoise to serve.

WhiteNoise serves a compressed file only when its ``.gz`` or ``.br`` twin lies beside it;
it never compresses on the fly. The site's files and plotly.js (4.8 MB, from the
installed ``plotly`` wheel, never copied into the repository) are therefore copied from
Django's static finders into a folder of the cache and compressed there with WhiteNoise's
own :class:`~whitenoise.compress.Compressor`, the first time ``zaragoza serve`` starts
with those files; later starts find the folder and reuse it. The folder's name is a hash
of the files' names, sizes and modification times and of the package version, so a new
plotly or a changed stylesheet gets a new folder.

Brotli is written at quality 6 rather than the library's default 11: on plotly.js,
quality 11 takes about a minute of CPU for 1.11 MB, quality 6 half a second for 1.27 MB
(gzip level 9: 1.47 MB); 6 is also the level web servers use when they compress on the
fly.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import brotli
from whitenoise.compress import Compressor

from zaragoza import __version__

__all__ = ["BROTLI_QUALITY", "collect_static", "use_collected"]

#: Brotli quality of the ``.br`` files (0-11); see the module docstring.
BROTLI_QUALITY = 6
_COMPLETE = ".complete"


class _Compressor(Compressor):  # type: ignore[misc]
    """WhiteNoise's compressor with brotli at :data:`BROTLI_QUALITY`."""

    @staticmethod
    def compress_brotli(data: bytes) -> bytes:
        return bytes(brotli.compress(data, quality=BROTLI_QUALITY))


def _found() -> Iterator[tuple[str, Path]]:
    """Every static file the finders list: (URL path under ``STATIC_URL``, file); the
    first finder's file wins, as in ``collectstatic`` and WhiteNoise."""
    from django.contrib.staticfiles import finders

    seen: set[str] = set()
    for finder in finders.get_finders():
        for path, storage in finder.list(None):
            prefix = (getattr(storage, "prefix", None) or "").strip("/")
            name = "/".join(p for p in (prefix, path.replace(os.sep, "/")) if p)
            if name not in seen:
                seen.add(name)
                yield name, Path(storage.path(path))


def collect_static(cache: Path, *, progress: Callable[[str], Any] | None = None) -> Path:
    """Return a folder holding every static file with its ``.gz`` and ``.br`` twins.

    The folder is ``cache/<hash>``; an existing complete one is reused as it is. A new
    one is written under a temporary name and renamed when complete, so a server never
    sees half a folder. Needs Django's settings (the static finders).
    """
    files = sorted(_found())
    digest = hashlib.sha256(__version__.encode())
    for name, path in files:
        st = path.stat()
        digest.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    target = cache / digest.hexdigest()[:16]
    if (target / _COMPLETE).exists():
        return target
    say = progress or (lambda _msg: None)
    say(f"compressing {len(files)} static files (gzip, brotli) into {target}")
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".collect-", dir=cache))
    try:
        compressor = _Compressor(quiet=True)
        for name, path in files:
            dest = work / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
            if compressor.should_compress(name):
                compressor.compress(str(dest))
        (work / _COMPLETE).write_text(f"zaragoza {__version__}\n")
        try:
            work.rename(target)
        except OSError:
            # another server finished the same folder first: use that one
            if not (target / _COMPLETE).exists():
                raise
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return target


def use_collected(root: Path) -> None:
    """Serve static files from ``root`` (with their compressed twins), not the finders.

    Call before the WSGI application is made: WhiteNoise reads these settings when its
    middleware starts. (With the finders on, their uncompressed files would replace the
    collected ones.)
    """
    from django.conf import settings

    settings.STATIC_ROOT = str(root)
    settings.WHITENOISE_USE_FINDERS = False
