"""Fetch Eurostat datasets from the dissemination API into Zaragoza's long table.

The Python ``eurostat`` package (requests-based, one request per combination of filter
values, flags as ``_value``/``_flag`` column pairs, no offline mode) and ``sdmx1`` (a
full SDMX information model over a requests session, with neither a JSON-stat reader nor
a split of too-large extractions) do not fit: neither accepts a mock transport, so tests
would need patched sessions, and both would still need our own cache and row-limit
handling. This module is therefore a small ``httpx`` client (tested through
``httpx.MockTransport`` on answers Eurostat really gave, see
``tests/data/eurostat_api/README.md``) with a parser of the JSON-stat 2.0
``value``/``status`` arrays that keeps Eurostat's flags exactly as published.

Two services are used:

* the statistics API (JSON-stat 2.0), :meth:`EurostatClient.fetch`::

      {base_url}/statistics/1.0/data/{dataset}?format=JSON&lang=EN&{dim}={code}…
      &sinceTimePeriod={since}

* the SDMX 2.1 API (SDMX-CSV), :meth:`EurostatClient.fetch_sdmx_csv`::

      {base_url}/sdmx/2.1/data/{dataset}/{key}?format=SDMX-CSV&startPeriod={since}

Both return the layout of :mod:`zaragoza.sources.eurostat_files`: ``dataset``, the
dimension codes in lower case, ``time`` (int), ``value`` (float, NaN when missing),
``flag`` (the published observation flags, ``""`` when none) and ``conf_status`` (the
confidentiality status, ``""`` when none). Eurostat's JSON-stat ``status`` holds both,
as ``flags|conf_status`` when a cell has a confidentiality status (``"|C"``, labelled
``"|confidential"`` in ``extension.status.label``), else the flags alone (``"bu"``).

Every data answer (and every too-big refusal, see below) is kept in ``cache_dir`` as one
JSON file per request, named by the SHA-256 of the full URL, with the URL, the retrieval
time and the body: Eurostat does not version its datasets, so the cache is also the
record of what was read and when. With ``offline=True`` only the cache is used.

What Eurostat answers besides data, and what the client does:

* an error body ``{"error": [{"status": 400, "id": 150, "label": "INVALID_QUERY_…"}]}``
  (an array, as recorded from the live API; the object form ``{"error": {…}}`` of
  Eurostat's guide is read too) or an SDMX ``<S:Fault>``: an
  :class:`~zaragoza.errors.InputError` naming the dataset, the URL, the HTTP status,
  Eurostat's fault code and its label; not retried, not cached.
* ``ASYNCHRONOUS_RESPONSE``, as HTTP 413 with an error body or as HTTP 200 with
  ``{"warning": {"status": 413, …}}``: Eurostat is preparing a large extraction. The
  request is asked again after ``async_wait`` seconds, doubling, ``retries`` times;
  then the error says Eurostat is still preparing it and to try later. Such answers
  are never cached. (Eurostat's asynchronous API, which hands out a key to poll, is
  not used.)
* ``EXTRACTION_TOO_BIG`` (HTTP 413, or an error label speaking of a size limit):
  the request is split along ``geo``, halving the list of geo codes until every part
  is accepted, and the parts are concatenated. The split needs the caller's ``geo``
  filter; without one, the error says to give it (a metadata call would cost one more
  request for every fetch and could itself be too large). Refusals are cached, so an
  offline replay splits the same way.
* HTTP 200 with a dimension that lacks codes the request asked for: Eurostat leaves
  out of its answer the codes a dataset does not have (``geo=XX`` gives ``"value": {}``
  and ``geo`` of size 0), so a code asked for and absent is an error naming the
  dimension, the codes and those the answer has. An answer without observations whose
  codes are all there (a ``since`` after the last year) is an empty table.
* HTTP 429 or 5xx, a time-out or a connection error: retried with doubling waits from
  ``backoff`` (:func:`download`).
"""

from __future__ import annotations

import hashlib
import html
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
import pandas as pd

from zaragoza.errors import InputError
from zaragoza.sources.eurostat_files import read_sdmx_csv, read_sdmx_csv_1
from zaragoza.sources.jsonstat import Periods, categories, parse_jsonstat

__all__ = [
    "DEFAULT_BASE_URL",
    "Downloader",
    "EurostatClient",
    "EurostatFault",
    "download",
    "eurostat_fault",
    "parse_jsonstat",
]

DEFAULT_BASE_URL = "https://ec.europa.eu/eurostat/api/dissemination"

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_TOO_BIG = re.compile(
    r"too[\s_]*(big|large)|max(imum)? authori[sz]ed|size limit|exceeds? .*limit", re.IGNORECASE
)
_CACHE_VERSION = 1
# Eurostat's error and warning bodies are a few hundred characters: longer answers are
# data, and are not parsed twice looking for one.
_FAULT_MAX_CHARS = 20_000
_SOAP_FAULT = re.compile(
    r"<faultcode>\s*([^<]*?)\s*</faultcode>.*?<faultstring>\s*([^<]*?)\s*</faultstring>",
    re.DOTALL,
)


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


@dataclass(frozen=True)
class EurostatFault:
    """Eurostat's own account of a request it refused or deferred.

    Attributes
    ----------
    label
        Eurostat's text, ``"INVALID_QUERY_DIMENSION: …"``, ``"ERR_NOT_FOUND_4: …"``,
        ``"EXTRACTION_TOO_BIG: …"``, ``"ASYNCHRONOUS_RESPONSE. …"`` (several errors are
        joined by ``"; "``).
    status
        The HTTP status the body states (413 in the HTTP-200 asynchronous warning).
    fault
        Eurostat's fault code, when given: 100 no results, 140 syntax error, 150
        semantic error, 413 (Eurostat's API guide, "Error messages returned in case of
        invalid queries"); an SDMX fault's ``faultcode``.
    warning
        The body is a ``warning``, not an ``error``.
    """

    label: str
    status: int | None = None
    fault: int | None = None
    warning: bool = False

    @property
    def asynchronous(self) -> bool:
        """Eurostat is preparing the extraction and asks to try again later."""
        return self.label.lstrip().upper().startswith("ASYNCHRONOUS_RESPONSE")


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _json_fault(entry: Any, *, warning: bool) -> EurostatFault | None:
    """The fault of an ``error``/``warning`` member: an array of objects (what the live
    API answers) or one object (the form of Eurostat's guide)."""
    entries = [e for e in (entry if isinstance(entry, list) else [entry]) if isinstance(e, dict)]
    if not entries:
        return None
    labels = [str(e["label"]) for e in entries if e.get("label") is not None]
    first = entries[0]
    return EurostatFault(
        label="; ".join(labels),
        status=_as_int(first.get("status")),
        fault=_as_int(first.get("id")),
        warning=warning,
    )


def eurostat_fault(text: str) -> EurostatFault | None:
    """Return what an answer's body says as an error or warning, or None for data.

    Reads ``{"error": [{"status", "id", "label"}, …]}``, ``{"error": {…}}``,
    ``{"warning": {"status", "label"}}`` (without ``value``: a warning next to data is
    data), a JSON-stat ``{"class": "error", "label": …}`` and the SDMX API's SOAP
    ``<S:Fault><faultcode>…</faultcode><faultstring>…</faultstring></S:Fault>``.
    """
    if len(text) > _FAULT_MAX_CHARS:
        return None
    if text.lstrip().startswith("<"):
        match = _SOAP_FAULT.search(text)
        if match is None:
            return None
        return EurostatFault(html.unescape(match.group(2)), fault=_as_int(match.group(1)))
    try:
        body = json.loads(text)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    if "error" in body:
        return _json_fault(body["error"], warning=False)
    if "warning" in body and "value" not in body:
        return _json_fault(body["warning"], warning=True)
    if body.get("class") == "error" and "label" in body:
        return EurostatFault(str(body["label"]), status=_as_int(body.get("status")))
    return None


def _is_asynchronous(answer: _Answer) -> bool:
    """Eurostat deferred the request (HTTP 413 error or HTTP 200 warning)."""
    fault = eurostat_fault(answer.text)
    return fault is not None and fault.asynchronous


def _is_too_big(answer: _Answer) -> str | None:
    """Return the reason when ``answer`` refuses a too-large extraction, else None.

    Eurostat uses HTTP 413 for two things: ``EXTRACTION_TOO_BIG`` (permanent, the
    request must be narrowed) and ``ASYNCHRONOUS_RESPONSE`` (transient); only the first
    is a refusal.
    """
    if answer.status == 200:
        return None
    fault = eurostat_fault(answer.text)
    if fault is not None and fault.asynchronous:
        return None
    if answer.status == 413:
        return fault.label if fault is not None else "HTTP 413: the extraction is too big"
    if answer.status != 429 and fault is not None and _TOO_BIG.search(fault.label):
        return fault.label
    return None


def _keep_in_cache(answer: _Answer) -> bool:
    """Data and too-big refusals are kept (an offline replay then splits the same way);
    errors and deferred answers are not."""
    if answer.status == 200:
        return not _is_asynchronous(answer)
    return _is_too_big(answer) is not None


def _absent_codes(
    body: Mapping[str, Any], filters: Mapping[str, Sequence[str]]
) -> dict[str, tuple[list[str], list[str]]]:
    """Filtered dimension -> (codes asked for and absent from the answer, codes present).

    Eurostat matches codes case-insensitively (``geo=de`` gives ``DE``); a dimension the
    answer does not have is left to Eurostat, which refuses it (``INVALID_QUERY_…``).
    """
    dims = {str(k).lower(): v for k, v in dict(body.get("dimension") or {}).items()}
    out = {}
    for dim, asked in filters.items():
        try:
            present = categories(dims[dim.lower()])
        except (KeyError, TypeError, AttributeError, ValueError):
            continue  # not there, or malformed: parse_jsonstat reports a bad body
        upper = {c.upper() for c in present}
        missing = [c for c in asked if c.upper() not in upper]
        if missing:
            out[dim] = (missing, present)
    return out


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
        HTTP 429 or 5xx; and, separately, after Eurostat's ``ASYNCHRONOUS_RESPONSE``.
        Other 4xx answers are not retried.
    backoff
        The first wait in seconds after a failed try; it doubles after each.
    timeout
        Seconds to wait for Eurostat's answer.
    transport
        An ``httpx`` transport (``httpx.MockTransport`` in tests).
    sleep
        Called with the seconds to wait between tries (tests record it).
    async_wait
        The first wait in seconds after ``ASYNCHRONOUS_RESPONSE``; it doubles after
        each. Longer than ``backoff``: Eurostat prepares a large extraction in minutes,
        not in the second a busy server needs.
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
        async_wait: float = 10.0,
    ) -> None:
        super().__init__(base_url, offline, retries, backoff, timeout, transport, sleep)
        self.cache_dir = None if cache_dir is None else Path(cache_dir)
        self.async_wait = async_wait

    # -- public API ---------------------------------------------------------------

    def fetch(
        self,
        dataset: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        since: int | None = None,
        *,
        periods: Periods = "annual",
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
        periods
            ``"annual"`` (years as int; other periods are an error) or ``"any"``
            (period codes as published, as text): see :func:`parse_jsonstat`.

        Returns
        -------
        pandas.DataFrame
            The layout of :func:`parse_jsonstat`. When the request was split along
            ``geo``, the parts are concatenated in the order of the geo filter. An
            answer without observations whose codes are all there is an empty table.

        Raises
        ------
        InputError
            Eurostat answered with an error; it is still preparing the extraction
            after every retry; the answer lacks a code the filters asked for (Eurostat
            leaves out codes a dataset does not have); the request failed after every
            retry, is too large and cannot be split, or ``offline`` and not cached.
        """
        code = dataset.lower()
        given = {k.lower(): list(v) for k, v in (filters or {}).items()}
        frames = self._fetch_parts(code, given, since, periods)
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

    def fetch_sdmx_csv(
        self, dataset: str, key: str = "all", since: int | None = None
    ) -> pd.DataFrame:
        """Return a dataset from the SDMX 2.1 API (SDMX-CSV) as a long table.

        Parameters
        ----------
        dataset
            The Eurostat dataset code.
        key
            The SDMX series key, codes in the order of the dataset's dimensions joined by
            dots, ``+`` between alternatives (``A.PC+THS_PER.TOTAL.T.IT`` for
            ``ilc_peps01n``: freq, unit, age, sex, geo); ``all`` for everything. The
            order is the dataset's data structure definition's
            (``{base_url}/sdmx/2.1/datastructure/ESTAT/{DATASET}``); a key in another
            order asks for other codes. :meth:`fetch` needs no order.
        since
            First year to fetch (``startPeriod``).

        Returns
        -------
        pandas.DataFrame
            The layout of :func:`zaragoza.sources.eurostat_files.read_sdmx_csv_1`
            (SDMX-CSV 1.0, what Eurostat answers ``format=SDMX-CSV``); an SDMX-CSV 2.0
            answer (``STRUCTURE,STRUCTURE_ID,…``) is read too.

        Raises
        ------
        InputError
            As :meth:`fetch`; a too-large extraction is not split here, and the error
            quotes the SDMX fault's text.
        """
        params = [("format", "SDMX-CSV")]
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
        self._raise_unless_data(dataset, answer)
        return _read_sdmx_csv_answer(dataset, answer)

    # -- requests -----------------------------------------------------------------

    def _fetch_parts(
        self, dataset: str, filters: dict[str, list[str]], since: int | None, periods: Periods
    ) -> list[pd.DataFrame]:
        url = self._statistics_url(dataset, filters, since)
        answer = self._get(dataset, url)
        if _is_too_big(answer) is not None:
            return self._split_along_geo(dataset, filters, since, periods, answer)
        self._raise_unless_data(dataset, answer)
        try:
            body = json.loads(answer.text)
        except ValueError as exc:
            raise self._error(dataset, answer, f"the answer is not JSON ({exc})") from exc
        if not isinstance(body, dict):
            raise self._error(dataset, answer, "the answer is not a JSON-stat dataset")
        self._raise_for_absent_codes(dataset, body, filters, url)
        return [parse_jsonstat(body, dataset, source=url, periods=periods)]

    def _split_along_geo(
        self,
        dataset: str,
        filters: dict[str, list[str]],
        since: int | None,
        periods: Periods,
        answer: _Answer,
    ) -> list[pd.DataFrame]:
        """Ask for each half of the geo codes, halving again while Eurostat refuses."""
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
            *self._fetch_parts(dataset, {**filters, "geo": geos[:half]}, since, periods),
            *self._fetch_parts(dataset, {**filters, "geo": geos[half:]}, since, periods),
        ]

    def _raise_unless_data(self, dataset: str, answer: _Answer) -> None:
        """Raise for a deferred extraction and for an error answer."""
        if _is_asynchronous(answer):
            raise self._error(
                dataset,
                answer,
                "Eurostat is still preparing this extraction (it answered "
                f"ASYNCHRONOUS_RESPONSE to {self.retries + 1} tries)",
                hint="try again later: Eurostat prepares large extractions asynchronously "
                "and serves them when ready; a narrower request (fewer geo codes, a later "
                "since) is answered at once",
            )
        # A fault in an HTTP-200 answer stands instead of the data (eurostat_fault
        # ignores a warning next to a value).
        if answer.status != 200 or eurostat_fault(answer.text) is not None:
            raise self._error(
                dataset, answer, "Eurostat answered with an error", hint=_error_hint(answer)
            )

    def _raise_for_absent_codes(
        self,
        dataset: str,
        body: Mapping[str, Any],
        filters: Mapping[str, Sequence[str]],
        url: str,
    ) -> None:
        """Raise when the answer lacks a code the filters asked for."""
        absent = _absent_codes(body, filters)
        if not absent:
            return
        dim, (missing, present) = next(iter(absent.items()))
        has = ", ".join(present[:30]) + (" …" if len(present) > 30 else "") or "none"
        raise InputError(
            f"Eurostat's answer for dataset {dataset} has no {dim} "
            + ", ".join(missing)
            + " (HTTP 200: Eurostat leaves out of its answer the codes a dataset does not "
            "have)",
            file=url,
            column=dim,
            value=missing if len(missing) > 1 else missing[0],
            hint=f"the answer's {dim} codes: {has}. Check the code in Eurostat's data "
            "browser (Greece is EL, the EU EU27_2020)",
        )

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
                answer = _Answer(url, int(kept["status"]), str(kept["text"]))
                # An answer kept by an older version that would no longer be kept (a
                # deferred extraction) is asked again.
                if kept.get("url") == url and _keep_in_cache(answer):
                    return answer
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
        if path is not None and _keep_in_cache(answer):
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
        """GET ``url``; ask again while Eurostat answers ``ASYNCHRONOUS_RESPONSE``."""
        wait = self.async_wait
        for attempt in range(self.retries + 1):
            answer = self.get(url, f"dataset {dataset}")
            if attempt == self.retries or not _is_asynchronous(answer):
                return answer
            self.sleep(wait)
            wait *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(
        self, dataset: str, answer: _Answer, what: str, *, hint: str | None = None
    ) -> InputError:
        fault = eurostat_fault(answer.text)
        text = f"{what} for dataset {dataset} (HTTP {answer.status}"
        if fault is not None and fault.fault is not None:
            text += f", Eurostat fault {fault.fault}"
        text += ")"
        if fault is not None and fault.label:
            text += f": {fault.label}"
        return InputError(text, file=answer.url, hint=hint)


def _error_hint(answer: _Answer) -> str | None:
    """What to do about an error answer, from its HTTP status."""
    if answer.status == 404:
        return "check the dataset code (Eurostat's data browser lists them)"
    if answer.status == 400:
        return "check the filters: every dimension and code must be the dataset's"
    return None


def _read_sdmx_csv_answer(dataset: str, answer: _Answer) -> pd.DataFrame:
    """Read an SDMX-CSV answer: 1.0 (``DATAFLOW,…``, codes) or 2.0 (``STRUCTURE,…``)."""
    first = answer.text.split(",", 1)[0].lstrip("\ufeff")
    readers = {"DATAFLOW": read_sdmx_csv_1, "STRUCTURE": read_sdmx_csv}
    if first not in readers:
        raise InputError(
            f"the answer for dataset {dataset} is not SDMX-CSV",
            file=answer.url,
            value=answer.text[:80],
            hint="SDMX-CSV starts with DATAFLOW (1.0) or STRUCTURE (2.0)",
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{dataset.lower()}.sdmx.csv"
        path.write_text(answer.text, encoding="utf-8")
        try:
            return readers[first](path)
        except InputError as exc:
            raise InputError(
                exc.what,
                file=answer.url,
                column=exc.column,
                row=exc.row,
                value=exc.value,
                hint=exc.hint,
            ) from exc
