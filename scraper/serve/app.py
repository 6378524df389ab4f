"""The ``scraper serve`` application: the HTTP endpoints, and what each failure answers.

- ``POST /v1/clean``: JSON ``{"url": ...}`` or ``{"html": ..., "url": optional}`` with
  ``format`` (``json``, the default, or ``text``, ``markdown``, ``html``), ``links`` and
  ``comments``; answers the page's batch record (``scraper.batch.records``: the line
  ``scraper clean --format json`` writes for it), plus ``content``, the rendering, when the
  format is not json.
- ``GET /v1/clean?url=...&format=...``: the same for a browser or curl; a format other than
  json answers the rendering itself.
- ``GET /healthz``, ``GET /metrics`` (Prometheus), ``GET /`` (a page to try it),
  ``GET /openapi.json`` and ``/docs``.

A failure answers the batch record's error shape, ``{"source": ..., "error": ...}``:
401 no or a wrong token (when ``serve.tokens`` names some), 403 a refused URL (a non-public
address, a scheme, robots.txt), 413 a request body over ``fetch.max_bytes``, 422 bad JSON or a
bad field (named) or a page with nothing to clean, 429 past the rate limit (``Retry-After``),
500 the cleaner failed, 502 the upstream failed, 503 more requests in flight than
``serve.queue``, 504 a timeout (fetching or cleaning).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, ValidationError

from scraper.batch.inputs import check_url
from scraper.batch.records import error_record, to_json_line
from scraper.config import Config
from scraper.document import Format
from scraper.errors import ContentError, FetchError, InputError, RefusedError
from scraper.serve.access import RateLimiter, Tokens
from scraper.serve.fetching import SafeFetcher
from scraper.serve.guard import Guard, Resolver
from scraper.serve.metrics import CONTENT_TYPE, Metrics
from scraper.serve.workers import Cleaned, CleanPool, Task

__all__ = ["CleanRequest", "create_app"]

_JSON = "application/json"
_MEDIA = {
    "text": "text/plain; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
# A cleaned fragment comes from someone else's page: shown, never run.
_FRAGMENT_HEADERS = {"Content-Security-Policy": "sandbox; default-src 'none'"}
_HTML_SOURCE = "<html>"  # the record's source for a page given without its URL
# the status of each kind of cleaning failure (``Cleaned.kind``)
_CLEAN_STATUS = {"timeout": 504, "died": 500, "CleaningError": 500}


class CleanRequest(BaseModel):
    """A page to clean: fetched from ``url``, or given as ``html`` (``url`` its address)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str | None = None
    html: str | None = None
    format: Literal["json", "text", "markdown", "html"] = "json"
    links: bool = False
    comments: bool = False


class _Failed(Exception):
    """An answer other than 200: its status, one-line message and the source it names."""

    def __init__(
        self, status: int, source: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.source = source
        self.headers = dict(headers or {})


@dataclass
class _Service:
    """What every request shares: built once per application."""

    config: Config
    guard: Guard
    fetcher: SafeFetcher
    pool: CleanPool
    tokens: Tokens
    limiter: RateLimiter
    metrics: Metrics
    in_flight: int = 0


def create_app(
    config: Config,
    *,
    workers: int | None = None,
    resolver: Resolver | None = None,
    env: Mapping[str, str] | None = None,
) -> FastAPI:
    """The application. ``workers`` cleaning processes (default ``serve.workers``; 0: one
    per core); ``resolver`` looks host names up (default: the system's, in a thread);
    ``env`` holds the tokens ``serve.tokens`` names (default: the environment)."""
    settings = config.serve
    guard = Guard(settings.allow_networks, resolver=resolver)
    service = _Service(
        config=config,
        guard=guard,
        fetcher=SafeFetcher(config, guard),
        pool=CleanPool(config, workers=settings.workers if workers is None else workers),
        tokens=Tokens.from_env(settings, env),
        limiter=RateLimiter(settings.rate_limit, settings.burst),
        metrics=Metrics(),
    )
    page = files("scraper.serve").joinpath("page.html").read_text(encoding="utf-8")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            service.pool.close()  # after uvicorn let the requests in flight finish

    app = FastAPI(
        title="scraper serve",
        summary="Clean web pages on demand: article text, metadata and the document model.",
        version="1",
        lifespan=lifespan,
    )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return _count(service, "/v1/clean", _error(422, _source(request), _field_error(exc)))

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> Response:
        # a bug of ours: the error shape and its type, never a traceback to the caller
        message = f"internal error: {type(exc).__name__}"
        return _count(service, request.url.path, _error(500, _source(request), message))

    @app.post(
        "/v1/clean",
        summary="Clean a page: fetched from its URL, or given as HTML",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {_JSON: {"schema": CleanRequest.model_json_schema()}},
            }
        },
        responses=_RESPONSES,
    )
    async def clean_post(request: Request) -> Response:
        return await _guarded(service, request, lambda: _read_request(service, request))

    @app.get("/v1/clean", summary="Clean the page at a URL", responses=_RESPONSES)
    async def clean_get(
        request: Request,
        url: Annotated[str, Query(description="the page to fetch and clean")],
        format: Annotated[
            Format, Query(description="json (the record), text, markdown, html")
        ] = "json",
        links: Annotated[bool, Query(description="keep inline links (markdown)")] = False,
        comments: Annotated[bool, Query(description="render reader comments")] = False,
    ) -> Response:
        async def wanted() -> CleanRequest:
            return CleanRequest(url=url, format=format, links=links, comments=comments)

        return await _guarded(service, request, wanted, raw=True)

    @app.get("/healthz", summary="Whether the server is up")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "workers": service.pool.workers, "in_flight": service.in_flight}

    @app.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics(request: Request) -> Response:
        try:
            _authorize(service, request)
        except _Failed as failed:
            return _error(failed.status, failed.source, str(failed), failed.headers)
        return Response(service.metrics.exposition(), media_type=CONTENT_TYPE)

    @app.get("/", include_in_schema=False)
    async def index() -> HTMLResponse:
        return HTMLResponse(page)

    return app


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The page's record (JSON), or its rendering (GET, other formats)"},
    401: {"description": "A token is required (serve.tokens), and none or a wrong one came"},
    403: {"description": "Refused: a non-public address, not http(s), or robots.txt"},
    413: {"description": "The request body is larger than fetch.max_bytes"},
    422: {"description": "Bad JSON or a bad field (named), or no article in the page"},
    429: {"description": "Past the client's rate limit; Retry-After says when to come back"},
    502: {"description": "The upstream failed: an error status, unreachable, not HTML"},
    503: {"description": "More requests in flight than serve.queue"},
    504: {"description": "Fetching or cleaning took too long"},
}


async def _guarded(
    service: _Service,
    request: Request,
    read: Callable[[], Awaitable[CleanRequest]],
    *,
    raw: bool = False,
) -> Response:
    """Authorize, limit and bound the request, then clean the page ``read()`` names."""
    source = _source(request)
    try:
        client = _authorize(service, request)
        wait = service.limiter.wait(client)
        if wait > 0:
            raise _Failed(
                429,
                source,
                f"rate limit: {service.config.serve.rate_limit:g} requests a minute; "
                f"retry after {RateLimiter.retry_after(wait)} s",
                {"Retry-After": RateLimiter.retry_after(wait)},
            )
        if service.in_flight >= service.config.serve.queue:
            raise _Failed(
                503,
                source,
                f"busy: {service.in_flight} requests in flight (serve.queue); try again",
                {"Retry-After": "1"},
            )
        service.in_flight += 1
        service.metrics.in_flight.inc()
        try:
            wanted: CleanRequest = await read()
            response = await _clean(service, wanted, raw=raw)
        finally:
            service.in_flight -= 1
            service.metrics.in_flight.dec()
    except _Failed as failed:
        response = _error(failed.status, failed.source, str(failed), failed.headers)
    return _count(service, "/v1/clean", response)


def _authorize(service: _Service, request: Request) -> str:
    """The client's name (its token's variable, else its address); 401 without a token."""
    address = request.client.host if request.client is not None else "unknown"
    if not service.tokens.required:
        return address
    name = service.tokens.client(request.headers.get("authorization"))
    if name is None:
        given = "a wrong token" if request.headers.get("authorization") else "no token"
        raise _Failed(
            401,
            _source(request),
            f"{given}: send Authorization: Bearer <token> (serve.tokens)",
            {"WWW-Authenticate": "Bearer"},
        )
    return name


async def _read_request(service: _Service, request: Request) -> CleanRequest:
    """The POST body, read up to ``fetch.max_bytes`` (413 past it), as a ``CleanRequest``."""
    limit = service.config.fetch.max_bytes
    too_large = f"request body larger than fetch.max_bytes ({limit} bytes)"
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise _Failed(413, "<request>", too_large)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _Failed(413, "<request>", too_large)
        chunks.append(chunk)
    try:
        data = json.loads(b"".join(chunks))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _Failed(422, "<request>", f"body: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise _Failed(422, "<request>", 'body: expected a JSON object, as {"url": ...}')
    given = data.get("url")
    source = given if isinstance(given, str) else "<request>"
    try:
        wanted = CleanRequest.model_validate(data)
    except ValidationError as exc:
        raise _Failed(422, source, _field_error(exc, where="body")) from None
    if wanted.url is None and wanted.html is None:
        raise _Failed(422, source, "body: give url (a page to fetch) or html (a page)")
    return wanted


async def _clean(service: _Service, wanted: CleanRequest, *, raw: bool) -> Response:
    """Fetch (unless given) and clean the page; 200 with its record or rendering."""
    metrics = service.metrics
    source = wanted.url or _HTML_SOURCE
    fmt: Format = wanted.format
    if wanted.html is not None:
        if wanted.url is not None:
            try:
                check_url(wanted.url)
            except InputError as exc:
                raise _Failed(422, source, f"body.url: {exc}") from None
        task = Task(
            source=source,
            body=wanted.html,
            url=wanted.url,
            fmt=fmt,
            links=wanted.links,
            comments=wanted.comments,
        )
    else:
        assert wanted.url is not None
        try:  # the guard first: a refused address is refused however it is spelled
            result = await service.fetcher.fetch(wanted.url)
        except RefusedError as exc:
            metrics.fetches.labels("refused").inc()
            metrics.refusals.labels(exc.reason or "refused").inc()
            raise _Failed(403, source, str(exc)) from None
        except InputError as exc:
            raise _Failed(422, source, f"url: {exc}") from None
        except FetchError as exc:
            timed_out = exc.timed_out and not isinstance(exc, ContentError)
            metrics.fetches.labels("timeout" if timed_out else "failed").inc()
            raise _Failed(504 if timed_out else 502, source, str(exc)) from None
        metrics.fetches.labels("ok").inc()
        task = Task(
            source=source,
            body=result.body,
            url=result.final_url,
            charset=result.charset,
            fmt=fmt,
            links=wanted.links,
            comments=wanted.comments,
        )
    cleaned = await service.pool.run(task)
    return _cleaned(service, source, fmt, cleaned, raw=raw)


def _cleaned(
    service: _Service, source: str, fmt: Format, cleaned: Cleaned, *, raw: bool
) -> Response:
    if cleaned.seconds:
        service.metrics.clean_seconds.observe(cleaned.seconds)
    if cleaned.error is not None:
        status = _CLEAN_STATUS.get(cleaned.kind or "", 422)
        raise _Failed(status, source, cleaned.error)
    if raw and fmt != "json" and cleaned.content is not None:
        headers = _FRAGMENT_HEADERS if fmt == "html" else None
        return Response(cleaned.content, media_type=_MEDIA[fmt], headers=headers)
    return Response(cleaned.record, media_type=_JSON)


def _error(
    status: int, source: str, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    body = to_json_line(error_record(source, message))
    return Response(body, status_code=status, media_type=_JSON, headers=dict(headers or {}))


def _count(service: _Service, endpoint: str, response: Response) -> Response:
    service.metrics.requests.labels(endpoint, str(response.status_code)).inc()
    return response


def _source(request: Request) -> str:
    return request.query_params.get("url") or "<request>"


def _field_error(exc: ValidationError | RequestValidationError, *, where: str = "") -> str:
    """``body.format: Input should be 'json', 'text', 'markdown' or 'html'`` (and how many
    more problems): the first problem, naming its field."""
    errors = list(exc.errors())
    first = errors[0]
    path = ".".join(str(p) for p in (where, *first["loc"]) if p != "")
    message = str(first["msg"])
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    elif first["type"] == "missing":
        message = "required"
    more = len(errors) - 1
    tail = f" (and {more} more problem{'s' * (more > 1)})" if more else ""
    return f"{path or where}: {message}{tail}"
