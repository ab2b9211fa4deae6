"""Fetch Eurostat datasets from the dissemination API into Zaragoza's long table.

The Python ``eurostat`` package (requests-based, one request per combination of filter
values, flags as ``_value``/``_flag`` column pairs, no offline mode) and ``sdmx1`` (a
full SDMX information model over a requests session, with neither a JSON-stat reader nor
a split of too-large extractions) do not fit: neither accepts a mock transport, so tests
would need patched sessions, and both would still need our own cache and row-limit
handling. This module is therefore a small ``httpx`` client (tested through
``httpx.MockTransport``) with a parser of the JSON-stat 2.0 ``value``/``status`` arrays
that keeps Eurostat's flag letters exactly as published.

Two services are used:

* the statistics API (JSON-stat 2.0), :meth:`EurostatClient.fetch`::

      {base_url}/statistics/1.0/data/{dataset}?format=JSON&lang=EN&{dim}={code}…
      &sinceTimePeriod={since}

* the SDMX 2.1 API (SDMX-CSV 2.0), :meth:`EurostatClient.fetch_sdmx_csv`::

      {base_url}/sdmx/2.1/data/{dataset}/{key}?format=SDMX-CSV&formatVersion=2.0
      &startPeriod={since}

Both return the layout of :mod:`zaragoza.sources.eurostat_files`: ``dataset``, the
dimension codes in lower case, ``time`` (int), ``value`` (float, NaN when missing) and
``flag`` (the published letters, ``""`` when none); SDMX-CSV adds ``conf_status``.

Every answer is kept in ``cache_dir`` as one JSON file per request, named by the SHA-256
of the full URL, with the URL, the retrieval time and the body: Eurostat does not
version its datasets, so the cache is also the record of what was read and when. With
``offline=True`` only the cache is used.

Too-large extractions (HTTP 413, or an error whose label speaks of ``EXTRACTION_TOO_BIG``
or a limit) are split along ``geo``: the list of geo codes is halved until every part is
accepted, and the parts are concatenated. The split needs the caller's ``geo`` filter;
without one, the error says to give it (a metadata call would cost one more request for
every fetch and could itself be too large). Eurostat's asynchronous extraction is not
used.

Errors raise :class:`zaragoza.errors.InputError` naming the dataset, the URL, the HTTP
status and Eurostat's own error message.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import time as _time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd

from zaragoza.errors import InputError
from zaragoza.sources.eurostat_files import read_sdmx_csv

__all__ = [
    "DEFAULT_BASE_URL",
    "Downloader",
    "EurostatClient",
    "download",
    "parse_jsonstat",
]

DEFAULT_BASE_URL = "https://ec.europa.eu/eurostat/api/dissemination"

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_TOO_BIG = re.compile(
    r"too[\s_]*(big|large)|max(imum)? authori[sz]ed|size limit|exceeds? .*limit", re.IGNORECASE
)
_CACHE_VERSION = 1


@dataclass(frozen=True)
class _Answer:
    """One HTTP answer as kept in the cache: status, body text and the URL asked."""

    url: str
    status: int
    text: str


def download(
    url: str,
    *,
    what: str,
    retries: int = 3,
    backoff: float = 0.5,
    timeout: float = 30,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = _time.sleep,
) -> _Answer:
    """GET ``url``, retrying with doubling waits after a connection error, a time-out,
    or HTTP 429 or 5xx; return the last answer (whatever its status).

    ``what`` names the thing asked for in the error (``"dataset lfsa_ergan"``). Shared
    by the Eurostat client and :mod:`zaragoza.sources.gisco`.

    Raises
    ------
    InputError
        Every try failed to connect or timed out.
    """
    wait = backoff
    with httpx.Client(transport=transport, timeout=timeout) as client:
        for attempt in range(retries + 1):
            last = attempt == retries
            try:
                response = client.get(url)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if last:
                    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
                    raise InputError(
                        f"request for {what} {kind} after {retries + 1} tries: {exc}",
                        file=url,
                        hint="check the network, or use the cache with offline=True",
                    ) from exc
            else:
                answer = _Answer(url, response.status_code, response.text)
                if response.status_code not in _RETRY_STATUS or last:
                    return answer
            sleep(wait)
            wait *= 2
    raise AssertionError("unreachable")  # pragma: no cover


def _eurostat_message(text: str) -> str | None:
    """Return Eurostat's error label from a JSON error body, or None."""
    try:
        body = json.loads(text)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, list) and error:
        error = error[0]
    if isinstance(error, dict):
        label = error.get("label")
        return None if label is None else str(label)
    if body.get("class") == "error" and "label" in body:
        return str(body["label"])
    return None


def _is_too_big(answer: _Answer) -> str | None:
    """Return the reason when ``answer`` refuses a too-large extraction, else None."""
    message = _eurostat_message(answer.text) if answer.status != 200 else None
    if answer.status == 413:
        return message or "HTTP 413: the extraction is too big"
    if answer.status != 429 and message is not None and _TOO_BIG.search(message):
        return message
    return None


def parse_jsonstat(body: Mapping[str, Any], dataset: str, *, source: str = "") -> pd.DataFrame:
    """Return the observations of a JSON-stat 2.0 dataset in the long Eurostat layout.

    Parameters
    ----------
    body
        The decoded JSON-stat 2.0 dataset (``id``, ``size``, ``dimension``, ``value``
        and optional ``status``, each a list or a dict keyed by the flat index).
    dataset
        The Eurostat dataset code, written in lower case into ``dataset``.
    source
        Where the body came from (a URL or file), for error messages.

    Returns
    -------
    pandas.DataFrame
        ``dataset``, one column per dimension other than ``time`` (its id in lower
        case, Eurostat codes), ``time`` (int), ``value`` (float, NaN when missing),
        ``flag`` (str, ``""`` when none). One row per position that has a value or a
        status; positions with neither are not published and are left out.

    Raises
    ------
    InputError
        The body is not a JSON-stat 2.0 dataset, or a time code is not a year.

    Notes
    -----
    JSON-stat 2.0 (https://json-stat.org/format/): the flat index is row-major over
    ``id`` in the order of ``size``, the last dimension varying fastest; a category's
    position is ``dimension[d].category.index`` (a dict code -> position, or a list of
    codes). Eurostat puts the observation flags in ``status``.
    """
    where = source or dataset
    try:
        ids = [str(d) for d in body["id"]]
        sizes = [int(s) for s in body["size"]]
        dims = body["dimension"]
        values = body.get("value", {})
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"not a JSON-stat 2.0 dataset for {dataset}: missing or bad {exc}",
            file=where,
            hint="Eurostat's statistics API answers JSON-stat 2.0 with format=JSON",
        ) from exc
    if len(ids) != len(sizes):
        raise InputError(f"JSON-stat 'id' and 'size' differ in length for {dataset}", file=where)
    codes: list[list[str]] = []
    for d, n in zip(ids, sizes, strict=True):
        index = dims[d]["category"].get("index")
        if index is None:  # a single category may be given by its label only
            ordered = list(dims[d]["category"]["label"])
        elif isinstance(index, list):
            ordered = [str(c) for c in index]
        else:
            ordered = [""] * len(index)
            for code, pos in index.items():
                ordered[int(pos)] = str(code)
        if len(ordered) != n:
            raise InputError(
                f"dimension {d} has {len(ordered)} categories but size says {n}",
                file=where,
                column=d,
            )
        codes.append(ordered)

    def sparse(items: Any) -> dict[int, Any]:
        if isinstance(items, list):
            return {i: v for i, v in enumerate(items) if v is not None}
        return {int(k): v for k, v in dict(items).items() if v is not None}

    value_at = sparse(values)
    status = body.get("status", {})
    if isinstance(status, str):  # JSON-stat allows one status for every value
        status_at = dict.fromkeys(range(int(np.prod(sizes))), status)
    else:
        status_at = {k: v for k, v in sparse(status).items() if v}
    flat = np.array(sorted(set(value_at) | set(status_at)), dtype=np.int64)
    positions = np.unravel_index(flat, sizes) if sizes else ()
    data: dict[str, Any] = {"dataset": np.full(len(flat), dataset.lower(), dtype=object)}
    time_col: np.ndarray[Any, Any] | None = None
    for d, cats, pos in zip(ids, codes, positions, strict=True):
        column = np.asarray(cats, dtype=object)[pos]
        if d.lower() in ("time", "time_period"):
            try:
                time_col = np.array([int(c) for c in column], dtype=np.int64)
            except ValueError as exc:
                raise InputError(
                    f"time code is not a year in {dataset}: {exc}",
                    file=where,
                    column=d,
                    hint="only annual data are read",
                ) from exc
        else:
            data[d.lower()] = column
    if time_col is None:
        raise InputError(f"no time dimension in {dataset}", file=where, value=ids)
    data["time"] = time_col
    data["value"] = np.array([float(value_at.get(i, np.nan)) for i in flat], dtype=np.float64)
    data["flag"] = np.array([str(status_at.get(i, "")) for i in flat], dtype=object)
    return pd.DataFrame(data)


class Downloader:
    """What a client of a web service shares: where it asks, whether it may, and how it
    retries (see :func:`download`); subclassed by the Eurostat and GISCO clients."""

    def __init__(
        self,
        base_url: str,
        offline: bool,
        retries: int,
        backoff: float,
        timeout: float,
        transport: httpx.BaseTransport | None,
        sleep: Callable[[float], None],
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.offline = offline
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.transport = transport
        self.sleep = sleep

    def get(self, url: str, what: str) -> _Answer:
        """GET ``url`` with this client's retries (:func:`download`)."""
        return download(
            url,
            what=what,
            retries=self.retries,
            backoff=self.backoff,
            timeout=self.timeout,
            transport=self.transport,
            sleep=self.sleep,
        )


class EurostatClient(Downloader):
    """A client of Eurostat's dissemination API with a cache, retries and row-limit splits.

    Parameters
    ----------
    base_url
        The root of the dissemination API.
    cache_dir
        Where answers are kept, one JSON file per request; None keeps nothing.
    offline
        Serve only from ``cache_dir``; a request not there raises ``InputError``.
    retries
        How many times a request is retried after a connection error, a time-out, or
        HTTP 429 or 5xx. Other 4xx answers are not retried.
    backoff
        The first wait in seconds; it doubles after every failed try.
    timeout
        Seconds to wait for Eurostat's answer.
    transport
        An ``httpx`` transport (``httpx.MockTransport`` in tests).
    sleep
        Called with the seconds to wait between tries (tests record it).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        cache_dir: str | Path | None = None,
        offline: bool = False,
        retries: int = 3,
        backoff: float = 0.5,
        timeout: float = 30,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = _time.sleep,
    ) -> None:
        super().__init__(base_url, offline, retries, backoff, timeout, transport, sleep)
        self.cache_dir = None if cache_dir is None else Path(cache_dir)

    # -- public API ---------------------------------------------------------------

    def fetch(
        self,
        dataset: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        since: int | None = None,
    ) -> pd.DataFrame:
        """Return a dataset from the statistics API (JSON-stat 2.0) as a long table.

        Parameters
        ----------
        dataset
            The Eurostat dataset code (``lfsa_ergan``).
        filters
            Dimension id -> codes to keep (``{"geo": ["DE", "FR"], "sex": ["T"]}``).
        since
            First year to fetch (``sinceTimePeriod``).

        Returns
        -------
        pandas.DataFrame
            The layout of :func:`parse_jsonstat`. When the request was split along
            ``geo``, the parts are concatenated in the order of the geo filter.

        Raises
        ------
        InputError
            Eurostat answered with an error, the request failed after every retry, it
            is too large and cannot be split, or ``offline`` and it is not cached.
        """
        code = dataset.lower()
        given = {k.lower(): list(v) for k, v in (filters or {}).items()}
        frames = self._fetch_parts(code, given, since)
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

    def fetch_sdmx_csv(
        self, dataset: str, key: str = "all", since: int | None = None
    ) -> pd.DataFrame:
        """Return a dataset from the SDMX 2.1 API (SDMX-CSV 2.0) as a long table.

        Parameters
        ----------
        dataset
            The Eurostat dataset code.
        key
            The SDMX series key, codes in the order of the dataset's dimensions joined by
            dots, ``+`` between alternatives (``A.PC.T.Y20-64.NAT.DE+FR``); ``all``
            for everything.
        since
            First year to fetch (``startPeriod``).

        Returns
        -------
        pandas.DataFrame
            The layout of :func:`zaragoza.sources.eurostat_files.read_sdmx_csv`.

        Raises
        ------
        InputError
            As :meth:`fetch`; a too-large extraction is not split here.
        """
        params = [("format", "SDMX-CSV"), ("formatVersion", "2.0")]
        if since is not None:
            params.append(("startPeriod", str(since)))
        url = self._url(f"sdmx/2.1/data/{dataset.upper()}/{key}", params)
        answer = self._get(dataset.lower(), url)
        if _is_too_big(answer) is not None:
            raise self._error(
                dataset,
                answer,
                "the extraction is too big for Eurostat's API",
                hint="narrow the key",
            )
        if answer.status != 200:
            raise self._error(dataset, answer, "Eurostat answered with an error")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{dataset.lower()}.sdmx.csv"
            path.write_text(answer.text, encoding="utf-8")
            try:
                return read_sdmx_csv(path)
            except InputError as exc:
                raise InputError(
                    exc.what,
                    file=url,
                    column=exc.column,
                    row=exc.row,
                    value=exc.value,
                    hint=exc.hint,
                ) from exc

    # -- requests -----------------------------------------------------------------

    def _fetch_parts(
        self, dataset: str, filters: dict[str, list[str]], since: int | None
    ) -> list[pd.DataFrame]:
        url = self._statistics_url(dataset, filters, since)
        answer = self._get(dataset, url)
        too_big = _is_too_big(answer)
        if too_big is not None:
            geos = filters.get("geo", [])
            if len(geos) < 2:
                raise self._error(
                    dataset,
                    answer,
                    "the extraction is too big for Eurostat's API",
                    hint="give a list of geo codes to split the request along (filters "
                    "{'geo': [...]}), or more filters"
                    if not geos
                    else "one geo is still too big; add filters or a later 'since'",
                )
            half = len(geos) // 2
            return [
                *self._fetch_parts(dataset, {**filters, "geo": geos[:half]}, since),
                *self._fetch_parts(dataset, {**filters, "geo": geos[half:]}, since),
            ]
        if answer.status != 200:
            raise self._error(dataset, answer, "Eurostat answered with an error")
        try:
            body = json.loads(answer.text)
        except ValueError as exc:
            raise self._error(dataset, answer, f"the answer is not JSON ({exc})") from exc
        if isinstance(body, dict) and "value" not in body and "warning" in body:
            raise self._error(
                dataset,
                answer,
                "Eurostat queued the extraction for asynchronous processing",
                hint="retry later, or split the request with more filters",
            )
        if isinstance(body, dict) and "error" in body:
            raise self._error(dataset, answer, "Eurostat answered with an error")
        return [parse_jsonstat(body, dataset, source=url)]

    def _statistics_url(
        self, dataset: str, filters: Mapping[str, Sequence[str]], since: int | None
    ) -> str:
        params = [("format", "JSON"), ("lang", "EN")]
        for dim in sorted(filters):
            params.extend((dim, c) for c in filters[dim])
        if since is not None:
            params.append(("sinceTimePeriod", str(since)))
        return self._url(f"statistics/1.0/data/{dataset}", params)

    def _url(self, path: str, params: Sequence[tuple[str, str]]) -> str:
        return str(httpx.URL(f"{self.base_url}/{path}", params=list(params)))

    def _cache_file(self, dataset: str, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]
        return self.cache_dir / f"{dataset}-{digest}.json"

    def _get(self, dataset: str, url: str) -> _Answer:
        """Return the answer to ``url`` from the cache or from Eurostat (then cached)."""
        path = self._cache_file(dataset, url)
        if path is not None and path.exists():
            try:
                kept = json.loads(path.read_text(encoding="utf-8"))
                if kept.get("url") == url:
                    return _Answer(url, int(kept["status"]), str(kept["text"]))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise InputError(
                    f"the cached answer for dataset {dataset} cannot be read ({exc})",
                    file=str(path),
                    hint="delete the file to fetch the request again",
                ) from exc
        if self.offline:
            raise InputError(
                f"offline and no cached answer for dataset {dataset}",
                file=url,
                hint=f"fetch it once online with the same request (cache: {self.cache_dir})"
                if self.cache_dir is not None
                else "offline needs a cache_dir",
            )
        answer = self._download(dataset, url)
        # Successes and too-big refusals are kept, so an offline replay splits the same way.
        if path is not None and (answer.status == 200 or _is_too_big(answer)):
            path.parent.mkdir(parents=True, exist_ok=True)
            record = {
                "cache_version": _CACHE_VERSION,
                "url": url,
                "retrieved": datetime.now(UTC).isoformat(timespec="seconds"),
                "status": answer.status,
                "text": answer.text,
            }
            tmp = path.with_suffix(".json.tmp")
            tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)
        return answer

    def _download(self, dataset: str, url: str) -> _Answer:
        return self.get(url, f"dataset {dataset}")

    def _error(
        self, dataset: str, answer: _Answer, what: str, *, hint: str | None = None
    ) -> InputError:
        message = _eurostat_message(answer.text)
        text = f"{what} for dataset {dataset} (HTTP {answer.status})"
        if message:
            text += f": {message}"
        return InputError(text, file=answer.url, hint=hint)
