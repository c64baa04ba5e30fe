"""A small, bounded HTTP client for the Fingertips API, with an on-disk cache.

Why not fingertips_py for the network calls: it sets no timeout on any request (a
firewall that drops packets makes it hang for ever) and, after an SSL error, it retries
the same request with ``verify=False``. Neither can be switched off from outside, so
equitylab calls the same plain GET endpoints itself:

- the connection must open within :data:`FIRST_BYTE_TIMEOUT` seconds and the server must
  start answering within :data:`FIRST_BYTE_TIMEOUT` seconds of being asked;
- once data flows, a pause longer than :data:`INACTIVITY_TIMEOUT` seconds stops the download;
- the whole call, from connecting to the last byte, ends within :data:`DEADLINE` seconds, so
  a server that trickles a byte at a time cannot hold it (each read waits only for what has
  arrived, and never past the deadline);
- an answer larger than :data:`MAX_BYTES` is refused, so an endless body cannot fill memory;
- TLS certificates are always checked. ``requests`` honours ``HTTPS_PROXY`` and
  ``REQUESTS_CA_BUNDLE`` (``trust_env``), which is how an NHS inspection proxy is trusted;
- answers are cached by URL in :func:`equitylab._paths.cache_dir`, written atomically.

Tests shrink the limits by setting the module constants (or pass ``deadline=`` and
``max_bytes=`` to :func:`get`).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

import requests
import urllib3
from tqdm.auto import tqdm

from equitylab import _paths


DEFAULT_BASE_URL = "https://fingertips.phe.org.uk/api/"
FIRST_BYTE_TIMEOUT = 10.0
INACTIVITY_TIMEOUT = 30.0
DEADLINE = 30.0               # seconds for a whole call, first byte to last
MAX_BYTES = 100 * 2**20       # the largest answer read (a whole indicator is a few MB)
PROGRESS_MIN_BYTES = 2_000_000
CHUNK_BYTES = 64 * 1024
USER_AGENT = "equitylab (https://github.com/equitylab/equitylab)"


class FetchFailed(Exception):
    """A live request did not give a usable answer; ``reason`` says why in plain words."""

    def __init__(self, reason: str, url: str):
        self.reason = reason
        self.url = url
        super().__init__(f"{reason} ({url})")


def base_url() -> str:
    """The Fingertips API root: ``EQUITYLAB_FINGERTIPS_URL`` or the public address."""
    url = os.environ.get("EQUITYLAB_FINGERTIPS_URL") or DEFAULT_BASE_URL
    return url if url.endswith("/") else url + "/"


def build_url(endpoint: str, params: dict | None = None) -> str:
    """The full URL for ``endpoint`` (relative to :func:`base_url`) with query ``params``."""
    request = requests.Request("GET", base_url() + endpoint.lstrip("/"), params=params or {})
    return request.prepare().url


def _set_read_timeout(response, seconds: float) -> None:
    # The socket timeout set for the first byte still applies while streaming; lengthen it
    # to the inactivity limit now that the server has started answering.
    try:
        conn = response.raw.connection
        sock = getattr(conn, "sock", None)
        if sock is not None:
            sock.settimeout(seconds)
    except Exception:  # a stricter (shorter) limit is a safe fallback
        pass


def get(url: str, *, desc: str | None = None, session: requests.Session | None = None,
        deadline: float | None = None, max_bytes: int | None = None) -> bytes:
    """Download ``url`` and return the body, or raise :class:`FetchFailed`.

    Parameters
    ----------
    url : str
        Full URL (see :func:`build_url`).
    desc : str, optional
        Label for the progress bar shown on large downloads.
    deadline : float, optional
        Seconds for the whole call (default :data:`DEADLINE`).
    max_bytes : int, optional
        The largest answer accepted (default :data:`MAX_BYTES`).
    """
    deadline = DEADLINE if deadline is None else deadline
    limits = (time.monotonic() + deadline, deadline, MAX_BYTES if max_bytes is None else max_bytes)
    first = min(FIRST_BYTE_TIMEOUT, deadline)
    own = session is None
    session = session or requests.Session()
    try:
        try:
            response = session.get(
                url,
                stream=True,
                timeout=(first, first),
                verify=True,
                headers={"User-Agent": USER_AGENT},
            )
        except requests.exceptions.SSLError as exc:
            raise FetchFailed(
                "the secure connection failed its certificate check (SSL failure: "
                f"{_short(exc)}); equitylab never turns certificate checks off. If your organisation "
                "uses an inspection proxy, set REQUESTS_CA_BUNDLE to its certificate file", url) from exc
        except requests.exceptions.Timeout as exc:
            raise FetchFailed(f"no answer within {first:g} seconds (timeout)", url) from exc
        except requests.exceptions.RequestException as exc:
            raise FetchFailed(f"could not connect ({_root_cause(exc)})", url) from exc
        with response:
            if response.status_code >= 400:
                raise FetchFailed(f"the server answered HTTP {response.status_code}", url)
            return _read_body(response, url, desc, limits)
    finally:
        if own:
            session.close()


def _read_body(response, url: str, desc: str | None, limits) -> bytes:
    end, deadline, max_bytes = limits
    total = response.headers.get("Content-Length")
    total = int(total) if total and total.isdigit() else None
    limit = f"{max_bytes / 2**20:g} MB" if max_bytes >= 2**20 else f"{max_bytes:,} bytes"
    too_large = FetchFailed(f"the answer is larger than {limit} (too large)", url)
    if total is not None and total > max_bytes:
        raise too_large
    bar = None
    if total is None or total >= PROGRESS_MIN_BYTES:
        # shown only when the download turns out to be long (mininterval) or is known to be large
        bar = tqdm(total=total, unit="B", unit_scale=True, desc=desc or "Fingertips", leave=False,
                   delay=0 if total else 2.0)
    chunks, size = [], 0
    slow = FetchFailed(f"no complete answer within {deadline:g} seconds (timeout: the server "
                       "sent its answer too slowly)", url)
    try:
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise slow
            _set_read_timeout(response, min(INACTIVITY_TIMEOUT, left))
            # read1: what has arrived (up to a chunk), not a whole chunk, so a trickle is seen
            chunk = response.raw.read1(CHUNK_BYTES, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise too_large
            chunks.append(chunk)
            if bar is not None:
                bar.update(len(chunk))
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        if end - time.monotonic() <= 0:
            raise slow from exc
        text = str(exc).lower()
        if "timed out" in text or "timeout" in text:
            raise FetchFailed(
                f"the server stopped sending data for {INACTIVITY_TIMEOUT:g} seconds (timeout)", url) from exc
        raise FetchFailed(f"the download broke off ({_short(exc)})", url) from exc
    finally:
        if bar is not None:
            bar.close()
    return b"".join(chunks)


def _root_cause(exc: BaseException) -> str:
    """The innermost error's text, without the long urllib3 wrapper (e.g. 'Connection refused')."""
    seen = exc
    while True:
        inner = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        inner = inner or getattr(seen, "reason", None) or seen.__cause__ or seen.__context__
        if not isinstance(inner, BaseException) or inner is seen:
            break
        seen = inner
    text = str(seen)
    if "]" in text and text.startswith("<"):
        text = text.split(": ", 1)[-1]
    text = text.split("] ", 1)[-1] if text.startswith("[Errno") else text
    return _short(type(seen)(text)) if text else type(seen).__name__


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) < 160 else text[:157] + "..."


def _cache_root(folder: Path | None = None) -> Path:
    if folder is not None:
        return Path(folder)
    return Path(_paths.cache_dir()) / "fingertips"


def _key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:40]


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def cache_put(url: str, body: bytes, folder: Path | None = None) -> dict:
    """Store a live answer for ``url``; returns its metadata (url, retrieved, bytes)."""
    root = _cache_root(folder)
    key = _key(url)
    meta = {"url": url, "retrieved": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "bytes": len(body)}
    _atomic_write(root / f"{key}.body", body)
    # metadata last: an entry counts only once its body is complete
    _atomic_write(root / f"{key}.json", json.dumps(meta).encode("utf-8"))
    return meta


def cache_get(url: str, folder: Path | None = None) -> tuple[bytes, dict] | None:
    """The cached answer for ``url`` as ``(body, metadata)``, or None."""
    root = _cache_root(folder)
    key = _key(url)
    try:
        meta = json.loads((root / f"{key}.json").read_text(encoding="utf-8"))
        body = (root / f"{key}.body").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("url") != url or meta.get("bytes") != len(body):
        return None
    return body, meta
