"""Fetch one HTML page over HTTP(S): retries, size cap, content checks, one-line errors.

``Fetcher.fetch`` returns a ``FetchResult`` or raises ``FetchError`` (network or HTTP failure),
``ContentError`` (a response we refuse) or ``InputError`` (a URL we will not request). Every
message is one line that starts with the URL. A 429/503 whose Retry-After is beyond
``retry_after_cap`` fails at once (``server asks to retry after N s (cap C s)``); a timeout
after retries says how many attempts and how long in all.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from types import TracebackType

import httpx

from scraper.config import FetchSettings
from scraper.errors import ContentError, FetchError, InputError
from scraper.fetch.retry import RetryPolicy, RetryWait, beyond_cap_message
from scraper.page.encoding import decode_html, looks_binary

__all__ = ["FetchResult", "Fetcher", "read_capped", "transport_error"]

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
# Signatures for naming what a server sent without a Content-Type.
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
)
_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|title|meta|div|p|article|!--)[\s>/]", re.IGNORECASE
)
# Lower-cased, IDNA-encoded host names and IP addresses (IPv6 without brackets).
_HOST = re.compile(r"^[a-z0-9_.:-]+$")
_DNS_FAILURE = (
    "name or service not known",
    "nodename nor servname",
    "getaddrinfo",
    "temporary failure in name resolution",
    "no address associated with hostname",
    "name resolution",
)
_TLS_FAILURE = ("[ssl", "certificate")


@dataclass(frozen=True)
class FetchResult:
    """One fetched page. ``headers`` has lower-cased names; ``elapsed`` spans every attempt."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes = field(repr=False)
    fetched_at: datetime
    elapsed: float

    @property
    def content_type(self) -> str:
        """The MIME type alone, lower-cased; ``""`` when the server sent none."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for param in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip("\"'") or None
        return None

    def text(self) -> str:
        return decode_html(self.body, self.charset)


class Fetcher:
    """Fetches pages with one shared ``httpx.Client``; safe to call from several threads."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_wait: Callable[[RetryWait], None] | None = None,
        trust_env: bool = True,
    ) -> None:
        """``sleep`` and ``clock`` are the waits between attempts and the time they are
        counted by (seams for tests); ``on_wait`` hears of each wait before it starts.
        ``trust_env=False`` ignores proxy settings of the environment (``scraper serve``
        connects only to the address it checked)."""
        self._settings = settings
        self._sleep = sleep
        self._clock = clock
        self._on_wait = on_wait
        self._policy = RetryPolicy.from_settings(settings)
        self._client = httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept": _ACCEPT},
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            follow_redirects=True,
            max_redirects=settings.max_redirects,
            transport=transport,
            trust_env=trust_env,
        )

    def fetch(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        retry: bool = True,
        follow_redirects: bool = True,
    ) -> FetchResult:
        """GET ``url``; ``retry=False`` makes a single attempt (the caller schedules retries).

        ``follow_redirects=False`` returns a 3xx as it is (empty body, ``location`` header), so
        that a crawler can take each hop through its own robots.txt and politeness checks.
        """
        _check_url(url)
        started = time.monotonic()
        began = self._clock()
        # A new Retrying per call: it holds the attempt state, and the Fetcher is shared.
        attempts = self._policy.retries + 1 if retry else 1
        retrying = self._policy.retrying(
            attempts=attempts, sleep=self._sleep, on_wait=self._on_wait
        )
        tries = _Tries()
        try:
            return retrying(self._attempt, url, headers, started, follow_redirects, tries)
        except FetchError:
            if tries.count > 1 and tries.timeout is not None:
                raise self._timed_out(url, tries, self._clock() - began) from None
            raise

    def _timed_out(self, url: str, tries: _Tries, seconds: float) -> FetchError:
        """The last of several attempts timed out: how many, over how long in all."""
        what, limit = "timed out", self._settings.timeout
        if isinstance(tries.timeout, httpx.ConnectTimeout):
            what, limit = "connection timed out", self._settings.connect_timeout
        message = (
            f"{url}: {what} after {tries.count} attempts over {seconds:.0f} s"
            f" (each attempt capped at {limit:g} s)"
        )
        return FetchError(message, url=url, retryable=True, timed_out=True)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _attempt(
        self,
        url: str,
        headers: Mapping[str, str] | None,
        started: float,
        follow: bool,
        tries: _Tries,
    ) -> FetchResult:
        # ``timeout`` bounds the whole attempt, not each read: a body trickling in a byte at a
        # time would otherwise never time out.
        deadline = time.monotonic() + self._settings.timeout
        tries.count += 1
        tries.timeout = None
        try:
            with self._client.stream(
                "GET", url, headers=headers, follow_redirects=follow
            ) as response:
                if not follow and response.has_redirect_location:
                    return _result(url, response, b"", started)
                return self._read(url, response, started, deadline)
        except FetchError:
            raise
        except httpx.HTTPError as exc:
            if isinstance(exc, httpx.TimeoutException):
                tries.timeout = exc
            raise transport_error(url, exc, self._settings) from None

    def _read(
        self, url: str, response: httpx.Response, started: float, deadline: float
    ) -> FetchResult:
        status = response.status_code
        if status == 304:
            # The caller sent If-None-Match / If-Modified-Since: "unchanged" is an answer.
            return _result(url, response, b"", started)
        if not 200 <= status < 300:
            raise _status_error(url, response, self._settings.retry_after_cap)

        mime = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if mime and mime not in _HTML_TYPES:
            # Refuse before downloading: no point reading a 50 MB PDF.
            raise ContentError(f"{url}: not an HTML page ({mime})", url=url, status=status)

        limit = self._settings.max_bytes
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise _too_large(url, status, limit)
        body, cut = read_capped(response, limit, deadline=deadline, timeout=self._settings.timeout)
        if cut:
            raise _too_large(url, status, limit)

        if not body:
            raise ContentError(f"{url}: empty response body", url=url, status=status)
        if not mime:
            sniffed = _sniff(body)
            if sniffed is not None:
                raise ContentError(f"{url}: not an HTML page ({sniffed})", url=url, status=status)
        if looks_binary(body):
            raise ContentError(f"{url}: binary content, not an HTML page", url=url, status=status)
        return _result(url, response, body, started)


def read_capped(
    response: httpx.Response,
    limit: int,
    *,
    deadline: float | None = None,
    timeout: float = 0.0,
) -> tuple[bytes, bool]:
    """The body, up to ``limit`` bytes, and whether it was cut there.

    Decoded bytes are counted: a small gzip body can inflate past the cap. Reading stops
    at the cap, so an endless body costs no more than ``limit`` bytes. Past ``deadline``
    (``time.monotonic()``) it raises ``httpx.ReadTimeout``: the body must be whole by then.
    """
    chunks: list[bytes] = []
    room = limit
    for chunk in response.iter_bytes():
        if deadline is not None and time.monotonic() > deadline:
            raise httpx.ReadTimeout(
                f"the whole response took longer than {timeout:g}s", request=response.request
            )
        if len(chunk) > room:
            chunks.append(chunk[:room])
            return b"".join(chunks), True
        room -= len(chunk)
        chunks.append(chunk)
    return b"".join(chunks), False


def _check_url(url: str) -> None:
    shown = url if isinstance(url, str) and url.isprintable() else repr(url)
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise InputError(f"{shown}: not a valid URL ({_first_line(exc)})") from None
    if parsed.scheme not in ("http", "https"):
        scheme = f"{parsed.scheme}://" if parsed.scheme else "no scheme"
        raise InputError(f"{shown}: not an http(s) URL ({scheme})")
    if not parsed.host:
        raise InputError(f"{shown}: URL has no host")
    # httpx percent-encodes a space in a host and accepts any port; neither can be fetched.
    if not _HOST.match(parsed.host) or ".." in parsed.host:
        raise InputError(f"{shown}: not a valid host name ({parsed.host})")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise InputError(f"{shown}: port out of range ({parsed.port})")


def _result(url: str, response: httpx.Response, body: bytes, started: float) -> FetchResult:
    return FetchResult(
        url=url,
        final_url=str(response.url),
        status=response.status_code,
        headers={name.lower(): value for name, value in response.headers.items()},
        body=body,
        fetched_at=datetime.now(UTC),
        elapsed=time.monotonic() - started,
    )


@dataclass
class _Tries:
    """The attempts of one ``fetch`` so far, and whether the last one timed out."""

    count: int = 0
    timeout: httpx.TimeoutException | None = None


def _status_error(url: str, response: httpx.Response, cap: float) -> FetchError:
    status = response.status_code
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = response.reason_phrase or "unknown status"
    retryable = status == 429 or status >= 500
    retry_after = _retry_after(response.headers.get("retry-after")) if retryable else None
    message = f"{url}: HTTP {status} {reason}"
    if retry_after is not None and retry_after > cap:
        message += f": {beyond_cap_message(retry_after, cap)}"
    elif retry_after is not None:
        message += f" (Retry-After {retry_after:.0f}s)"
    return FetchError(message, url=url, status=status, retryable=retryable, retry_after=retry_after)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date (past dates give 0)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _too_large(url: str, status: int, limit: int) -> ContentError:
    return ContentError(f"{url}: body larger than {limit} bytes", url=url, status=status)


def _sniff(body: bytes) -> str | None:
    """For a response without Content-Type: a MIME name if it is plainly not HTML, else None."""
    for signature, mime in _SIGNATURES:
        if body.startswith(signature):
            return mime
    if looks_binary(body):
        return None  # reported as binary content by the caller
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return None if _HTML_START.search(head) else "no Content-Type, and the body is not HTML"


def transport_error(url: str, exc: httpx.HTTPError, settings: FetchSettings) -> FetchError:
    """One line for a failure without a response: timeout, refused, DNS, TLS, protocol."""
    detail = _first_line(exc)
    if isinstance(exc, httpx.TooManyRedirects):
        return FetchError(
            f"{url}: too many redirects (more than {settings.max_redirects})", url=url
        )
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchError(
            f"{url}: connection timed out after {settings.connect_timeout:g}s",
            url=url,
            retryable=True,
            timed_out=True,
        )
    if isinstance(exc, httpx.PoolTimeout):
        return FetchError(
            f"{url}: timed out after {settings.timeout:g}s waiting for a free connection",
            url=url,
            retryable=True,
            timed_out=True,
        )
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(
            f"{url}: timed out after {settings.timeout:g}s", url=url, retryable=True, timed_out=True
        )
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchError(f"{url}: redirected to an unsupported URL ({detail})", url=url)
    if isinstance(exc, httpx.ConnectError):
        lowered = detail.lower()
        if any(marker in lowered for marker in _DNS_FAILURE):
            host = httpx.URL(url).host
            return FetchError(f"{url}: host not found ({host})", url=url, retryable=True)
        if "refused" in lowered:
            return FetchError(f"{url}: connection refused", url=url, retryable=True)
        if any(marker in lowered for marker in _TLS_FAILURE):
            # A bad certificate will not fix itself in a second; do not hammer the host.
            return FetchError(f"{url}: TLS error ({detail})", url=url)
        return FetchError(f"{url}: cannot connect ({detail})", url=url, retryable=True)
    if isinstance(exc, httpx.RemoteProtocolError):
        return FetchError(
            f"{url}: server closed the connection ({detail})", url=url, retryable=True
        )
    if isinstance(exc, httpx.DecodingError):
        return FetchError(f"{url}: cannot decode the response body ({detail})", url=url)
    if isinstance(exc, httpx.TransportError):
        return FetchError(f"{url}: network error ({detail})", url=url, retryable=True)
    return FetchError(f"{url}: request failed ({detail})", url=url)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
