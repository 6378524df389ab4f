"""The snapshot corpus: stored pages, their manifest, and their expected clean text.

Layout, relative to a repository root::

    tests/pages/pages.yaml              manifest: "<host>/<slug>" → url, must_(not_)contain
    tests/pages/<host>/<slug>.html      the page as it was fetched
    snapshots/<host>/<slug>.txt         render(doc, "text"): body text, LF, one trailing newline
    snapshots/<host>/<slug>.md          render(doc, "markdown"): the same body with its
                                        structure (headings, lists, code, tables, quotes)
    snapshots/<host>/<slug>.meta.yaml   title, author, date, site: one key per line

The metadata lives in a sidecar so that the ``.txt`` stays byte-identical to
``scraper clean PAGE --url URL`` and a metadata change shows as its own one-line hunk.

This module reads and writes the corpus (the manifest is YAML, like the config, but it is
data, not settings); it never prints. Cleaning failures, whatever the cleaner raised
(``scraper.batch.failure``), are returned, not raised, so that one broken page does not hide
the diffs of the others.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from scraper.batch.failure import guarded
from scraper.cleaner import clean
from scraper.config import Config, describe_yaml_error
from scraper.document import Document
from scraper.errors import InputError, ScraperError, SnapshotError
from scraper.page.encoding import decode_html
from scraper.render import render
from scraper.review.textdiff import FileDiff, unified

__all__ = [
    "MANIFEST",
    "PAGES_DIR",
    "SNAPSHOTS_DIR",
    "Check",
    "Corpus",
    "Page",
    "Snapshot",
    "page_bytes",
    "slug_for",
    "snapshot_of",
]

PAGES_DIR = Path("tests/pages")
MANIFEST = PAGES_DIR / "pages.yaml"
SNAPSHOTS_DIR = Path("snapshots")

_MANIFEST_HEADER = """\
# The snapshot corpus: one entry per stored page, keyed "<host>/<slug>".
# The page is tests/pages/<host>/<slug>.html; its expected clean text is snapshots/<host>/<slug>.txt
# (metadata in <slug>.meta.yaml). Add pages with `scraper snapshot add URL`.
#   url:               the page's address (it picks the site rule)
#   must_contain:      strings the clean text must contain (optional)
#   must_not_contain:  strings it must not contain (optional)
"""
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_HOST = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
_TRACKING = re.compile(r"^(utm_.*|srsltid|fbclid|gclid|mc_[ce]id)$")
_EXTENSION = re.compile(r"\.(s?html?|php\d?|aspx?|jsp|cgi)$", re.IGNORECASE)
_META_KEYS = ("title", "author", "date", "site")


# --- pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One manifest entry: ``key`` is ``"<host>/<slug>"``."""

    key: str
    url: str
    must_contain: tuple[str, ...] = ()
    must_not_contain: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        return self.key.split("/", 1)[0]

    @property
    def slug(self) -> str:
        return self.key.split("/", 1)[1]

    def string_problems(self, text: str) -> list[str]:
        """Which ``must_contain`` strings are missing and which ``must_not_contain`` are present."""
        problems = [f"missing {s!r}" for s in self.must_contain if s not in text]
        problems += [f"contains {s!r}" for s in self.must_not_contain if s in text]
        return problems


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    must_contain: list[str] = []
    must_not_contain: list[str] = []


def slug_for(url: str) -> str:
    """A file name for ``url``: its last path segment (plus its query, minus tracking), as
    lower-case ASCII words joined by ``-``; a short hash when nothing readable is left."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    base = _EXTENSION.sub("", unquote(segments[-1])) if segments else ""
    if len(segments) > 1 and not re.search(r"[^\W\d_]", base):
        base = f"{unquote(segments[-2])}-{base}"  # /articles/318674 → articles-318674
    query = [(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)]
    if query:
        base = f"{base}-{urlencode(query)}"
    words = re.findall(r"[a-z0-9]+", base.lower())
    slug = "-".join(words)
    while len(slug) > 80:
        slug = slug.rsplit("-", 1)[0] if "-" in slug[:81] else slug[:80]
    if not slug:
        slug = "page-" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]
    return slug


def _site_name(config: Config | None, host: str) -> str | None:
    match = config.site_for(host) if config is not None else None
    return match[0] if match else None


def _host_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").rstrip(".")
    if not _HOST.match(host):
        raise InputError(f"{url}: URL has no usable host")
    return host


# --- snapshots ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """The three files of one snapshot, as text."""

    text: str
    meta: str
    markdown: str = ""


def snapshot_of(doc: Document) -> Snapshot:
    """``render(doc, "text")`` and its metadata as ``key: value`` lines (YAML, stable order)."""
    data = {key: getattr(doc, key) for key in _META_KEYS}
    meta = yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1_000_000
    )
    return Snapshot(text=render(doc, "text"), meta=meta, markdown=render(doc, "markdown"))


def page_bytes(body: bytes, charset: str | None) -> bytes:
    """The bytes to store for a fetched page: as served, unless its HTTP charset is needed to
    read it (the header is not stored), then its text as UTF-8 with a byte-order mark."""
    text = decode_html(body, charset)
    if decode_html(body) == text:
        return body
    return b"\xef\xbb\xbf" + text.encode("utf-8")


# --- checks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """A page re-cleaned against its snapshot. ``old`` is None when there is no snapshot,
    ``new`` is None (and ``error`` set) when cleaning failed."""

    page: Page
    old: Snapshot | None
    new: Snapshot | None
    error: ScraperError | None = None
    new_label: str | None = None

    @property
    def changed(self) -> bool:
        return self.new is not None and self.old != self.new

    def diffs(self) -> list[FileDiff]:
        """The ``.txt``, ``.md`` and ``.meta.yaml`` diffs, named like ``git diff``."""
        if self.new is None:
            return []
        out = []
        for suffix, old, new in (
            (".txt", self.old.text if self.old else None, self.new.text),
            (".md", self.old.markdown if self.old else None, self.new.markdown),
            (".meta.yaml", self.old.meta if self.old else None, self.new.meta),
        ):
            name = f"{SNAPSHOTS_DIR.as_posix()}/{self.page.key}{suffix}"
            new_name = f"b/{name}" if self.new_label is None else f"{self.new_label} ({suffix})"
            text = unified(old, new, old_name=f"a/{name}", new_name=new_name)
            out.append(FileDiff(name=name, text=text))
        return out


# --- the corpus --------------------------------------------------------------------------


class Corpus:
    """The pages, manifest and snapshots under ``root``."""

    def __init__(self, root: Path, pages: Sequence[Page]) -> None:
        self.root = root
        self.pages: tuple[Page, ...] = tuple(pages)

    @classmethod
    def load(cls, root: str | Path = ".", *, missing_ok: bool = False) -> Corpus:
        """Read ``tests/pages/pages.yaml`` under ``root``; ``missing_ok`` allows an empty corpus."""
        root = Path(root)
        path = root / MANIFEST
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            if missing_ok:
                return cls(root, [])
            raise SnapshotError(f"{path}: no snapshot manifest here (is --root right?)") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SnapshotError(f"{path}: cannot read the manifest: {exc}") from None
        return cls(root, _parse_manifest(raw, str(path)))

    # paths

    def page_file(self, page: Page) -> Path:
        return self.root / PAGES_DIR / f"{page.key}.html"

    def text_file(self, page: Page) -> Path:
        return self.root / SNAPSHOTS_DIR / f"{page.key}.txt"

    def markdown_file(self, page: Page) -> Path:
        return self.root / SNAPSHOTS_DIR / f"{page.key}.md"

    def meta_file(self, page: Page) -> Path:
        return self.root / SNAPSHOTS_DIR / f"{page.key}.meta.yaml"

    def relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    # selection

    def find_url(self, url: str) -> Page | None:
        wanted = url.rstrip("/")
        for page in self.pages:
            if page.url.rstrip("/") == wanted:
                return page
        return None

    def select(
        self, paths: Sequence[str] = (), *, site: str | None = None, config: Config | None = None
    ) -> list[Page]:
        """Pages named by ``paths`` (a page, snapshot or host folder, or ``host/slug``) and by
        ``site`` (a site rule's name in ``config``, or a host); every page when neither is given."""
        chosen = list(self.pages)
        if site is not None:
            chosen = [p for p in chosen if p.host == site or _site_name(config, p.host) == site]
            if not chosen:
                raise InputError(f"--site {site}: no page in the corpus belongs to this site")
        if paths:
            keys: dict[str, None] = {}
            for path in paths:
                for page in self._match(path, chosen):
                    keys[page.key] = None
            chosen = [p for p in chosen if p.key in keys]
        return chosen

    def _match(self, path: str, pages: Sequence[Page]) -> list[Page]:
        name = self._corpus_name(path)
        exact = [p for p in pages if p.key == name]
        if exact:
            return exact
        hosts = [p for p in pages if p.host == name.rstrip("/")]
        if hosts:
            return hosts
        if not name:  # the pages or snapshots folder itself
            return list(pages)
        raise InputError(f"{path}: no page in the corpus matches this path")

    def _corpus_name(self, path: str) -> str:
        """``tests/pages/h/s.html``, ``snapshots/h/s.txt``, ``h/s`` → ``h/s``."""
        candidate = Path(path)
        if candidate.is_absolute() or candidate.exists():
            with contextlib.suppress(ValueError):
                candidate = candidate.resolve().relative_to(self.root.resolve())
        name = candidate.as_posix().strip("/")
        for prefix in (PAGES_DIR.as_posix(), SNAPSHOTS_DIR.as_posix()):
            if name == prefix:
                return ""
            if name.startswith(prefix + "/"):
                name = name[len(prefix) + 1 :]
                break
        for suffix in (".meta.yaml", ".txt", ".md", ".html"):
            if name.endswith(suffix):
                return name[: -len(suffix)]
        return name

    # consistency

    def problems(self) -> list[str]:
        """Files without a manifest entry, and manifest entries without a page.

        A page without a snapshot is not listed: it is a diff (a new file), not an error.
        """
        known = {p.key for p in self.pages}
        found = []
        for page in self.pages:
            if not self.page_file(page).is_file():
                missing = self.relative(self.page_file(page))
                found.append(f"{MANIFEST.as_posix()}: {page.key}: no page file {missing}")
        pages_root = self.root / PAGES_DIR
        if pages_root.is_dir():
            for html in sorted(pages_root.glob("*/*.html")):
                key = html.relative_to(pages_root).with_suffix("").as_posix()
                if key not in known:
                    found.append(
                        f"{self.relative(html)}: page not in {MANIFEST.as_posix()} "
                        "(add an entry for it, or delete it)"
                    )
        snaps_root = self.root / SNAPSHOTS_DIR
        if snaps_root.is_dir():
            for snap in sorted(snaps_root.glob("*/*")):
                name = snap.relative_to(snaps_root).as_posix()
                key = name.removesuffix(".meta.yaml").removesuffix(".txt").removesuffix(".md")
                if key == name or key not in known:
                    found.append(
                        f"{self.relative(snap)}: snapshot with no page in {MANIFEST.as_posix()} "
                        "(delete it, or add its page)"
                    )
        return found

    # reading, cleaning, writing

    def read_snapshot(self, page: Page) -> Snapshot | None:
        text_path, meta_path = self.text_file(page), self.meta_file(page)
        md_path = self.markdown_file(page)
        if not text_path.exists():
            return None
        try:
            text = text_path.read_bytes().decode("utf-8")
            meta = meta_path.read_bytes().decode("utf-8") if meta_path.exists() else ""
            markdown = md_path.read_bytes().decode("utf-8") if md_path.exists() else ""
        except (OSError, UnicodeDecodeError) as exc:
            raise SnapshotError(
                f"{self.relative(text_path)}: cannot read snapshot: {exc}"
            ) from None
        return Snapshot(text=text, meta=meta, markdown=markdown)

    def clean(self, page: Page, config: Config) -> Document:
        """Clean the stored page as ``scraper clean PAGE --url URL`` would."""
        path = self.page_file(page)
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise SnapshotError(
                f"{self.relative(path)}: cannot read page: {exc.strerror}"
            ) from None
        return clean(body, page.url, config=config)

    def check(self, page: Page, config: Config) -> Check:
        """Re-clean ``page`` and pair the result with its stored snapshot."""
        old = self.read_snapshot(page)
        source = self.relative(self.page_file(page))
        try:
            new = guarded(source, lambda: snapshot_of(self.clean(page, config)))
        except ScraperError as exc:
            return Check(page, old, None, exc)
        return Check(page, old, new)

    def check_all(self, pages: Iterable[Page], config: Config) -> list[Check]:
        return [self.check(page, config) for page in pages]

    def write_snapshot(self, page: Page, snapshot: Snapshot) -> bool:
        """Write the three files (LF, UTF-8); False when they already hold exactly this."""
        if self.read_snapshot(page) == snapshot:
            return False
        self.text_file(page).parent.mkdir(parents=True, exist_ok=True)
        self.text_file(page).write_bytes(snapshot.text.encode("utf-8"))
        self.markdown_file(page).write_bytes(snapshot.markdown.encode("utf-8"))
        self.meta_file(page).write_bytes(snapshot.meta.encode("utf-8"))
        return True

    def add_page(self, url: str, body: bytes, *, slug: str | None = None) -> Page:
        """Store ``body`` as a new page for ``url`` and append its manifest entry."""
        host = _host_of(url)
        slug = slug or slug_for(url)
        if not _SLUG.match(slug):
            raise InputError(f"--name {slug}: use lower-case letters, digits, '.', '-' and '_'")
        existing = self.find_url(url)
        if existing is not None:
            raise InputError(f"{url}: already in the corpus as {existing.key}")
        page = Page(key=f"{host}/{slug}", url=url)
        if page.key in {p.key for p in self.pages} or self.page_file(page).exists():
            raise InputError(f"{page.key}: a page with this name exists (choose another --name)")
        self.page_file(page).parent.mkdir(parents=True, exist_ok=True)
        self.page_file(page).write_bytes(body)
        manifest = self.root / MANIFEST
        current = manifest.read_text(encoding="utf-8") if manifest.exists() else _MANIFEST_HEADER
        if current and not current.endswith("\n"):
            current += "\n"
        entry = yaml.safe_dump(
            {page.key: {"url": url}}, sort_keys=False, allow_unicode=True, width=1_000_000
        )
        manifest.write_bytes((current + "\n" + entry).encode("utf-8"))
        self.pages = (*self.pages, page)
        return page


def _parse_manifest(raw: str, source: str) -> list[Page]:
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise SnapshotError(f"{source}: {describe_yaml_error(exc)}") from None
    if data is None:
        return []
    if not isinstance(data, dict):
        raise SnapshotError(f"{source}: top level must map '<host>/<slug>' to an entry")
    pages = []
    for key, value in data.items():
        if not isinstance(key, str) or key.count("/") != 1:
            raise SnapshotError(f"{source}: {key}: key must be '<host>/<slug>'")
        host, slug = key.split("/")
        if not _HOST.match(host) or not _SLUG.match(slug):
            raise SnapshotError(f"{source}: {key}: key must be '<host>/<slug>' in lower case")
        try:
            entry = _Entry.model_validate(value)
        except ValidationError as exc:
            err = exc.errors()[0]
            path = ".".join(str(p) for p in (key, *err["loc"]))
            msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
            raise SnapshotError(f"{source}: {path}: {msg}") from None
        if urlsplit(entry.url).hostname != host:
            raise SnapshotError(f"{source}: {key}.url: host of {entry.url} is not {host}")
        pages.append(
            Page(
                key=key,
                url=entry.url,
                must_contain=tuple(entry.must_contain),
                must_not_contain=tuple(entry.must_not_contain),
            )
        )
    return pages
