"""A learned template handed back as a site rule a person can read, review and commit.

The template's container becomes ``content`` and its chrome inside the container ``remove``,
each as the shortest CSS selector that, on every page of the sample, picks exactly the
blocks the template means (an id where there is one, else a tag with one of its classes,
then its parent's step before it; never a position). Chrome with no such selector but with
the same text on most pages becomes a ``drop_lines`` pattern. Each carries its evidence: on
how many pages it matched and how many words it takes out.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.errors import InputError
from scraper.measures import word_count
from scraper.site.fingerprint import Walk, descriptor, squeezed, walk_tree
from scraper.site.learn import page_tree
from scraper.site.template import SiteTemplate, TemplateFit, learn_from_fingerprints

__all__ = ["Proposal", "ProposedRule", "propose_rule"]

# a drop_lines pattern is for a line, not a paragraph
_LINE_WORDS = 12
_MAX_STEPS = 3
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Proposal:
    value: str  # a selector or a pattern
    pages: int  # pages it matched on
    words: int  # words it takes out, over all those pages


@dataclass(frozen=True)
class ProposedRule:
    site: str
    hosts: tuple[str, ...]
    pages: int
    content: Proposal | None
    remove: tuple[Proposal, ...]
    drop_lines: tuple[Proposal, ...]
    template: SiteTemplate

    def to_yaml(self) -> str:
        """The rule as YAML for ``config.yaml``'s ``sites:``, its evidence as comments."""
        n = self.pages
        out = [
            f"# proposed by `scraper rules learn` from {n} pages; review before committing",
            "sites:",
            f"  {self.site}:",
            f"    hosts: [{', '.join(self.hosts)}]",
        ]
        if self.content:
            c = self.content
            out += [
                f"    # the article on {c.pages} of {n} pages "
                f"({_words(c.words // max(c.pages, 1))} a page)",
                f"    content: {_quote(c.value)}",
            ]
        if self.remove:
            out.append("    remove:")
            for r in self.remove:
                each = _words(r.words // max(r.pages, 1))
                out += [
                    f"      # on {r.pages} of {n} pages, {each} a page",
                    f"      - {_quote(r.value)}",
                ]
        if self.drop_lines:
            out.append("    drop_lines:")
            for r in self.drop_lines:
                words = f", {_words(r.words // max(r.pages, 1))} a page" if r.words else ""
                out += [f"      # on {r.pages} of {n} pages{words}", f"      - {_quote(r.value)}"]
        return "\n".join(out) + "\n"


def _words(count: int) -> str:
    return f"{count} word" if count == 1 else f"{count} words"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def propose_rule(
    pages: Iterable[tuple[str | bytes, str | None]], *, site: str, hosts: Sequence[str] = ()
) -> ProposedRule:
    """Learn the site's template from ``pages`` and propose it as a site rule."""
    trees: list[LexborHTMLParser] = []
    walks: list[Walk] = []
    for html, _url in pages:
        tree = page_tree(html)
        if tree is not None:
            trees.append(tree)
            walks.append(walk_tree(tree))
    paths: dict[int, str] = {}
    for walk in walks:
        for element, path in zip(walk.elements, walk.paths, strict=True):
            paths.setdefault(element.path, path)
    template = learn_from_fingerprints([w.fingerprint() for w in walks], paths=paths, site=site)
    if not hosts:
        raise InputError(f"rules learn: no host for site {site}")
    content = _content(template, trees, walks)
    remove, lines = _chrome(template, trees, walks)
    return ProposedRule(
        site, tuple(hosts), len(walks), content, tuple(remove), tuple(lines), template
    )


def _content(
    template: SiteTemplate, trees: list[LexborHTMLParser], walks: list[Walk]
) -> Proposal | None:
    chosen: list[str] = []
    covered: set[int] = set()  # pages a chosen selector already finds the article on
    for box in template.containers:
        holders = {
            p: {w.nodes[i].mem_id for i in box.held(w.elements)} for p, w in enumerate(walks)
        }
        holders = {p: found for p, found in holders.items() if found}
        if not holders or set(holders) <= covered:
            continue  # a container nested in one already chosen, on the same pages

        def exact(page: int, got: set[int], holders: dict[int, set[int]] = holders) -> bool:
            # on the pages the template knows it, exactly its container; elsewhere one
            # element at most (a variant of the template, named alike)
            return got == holders[page] if page in holders else len(got) <= 1

        first = next(iter(holders))
        node = walks[first].nodes[box.held(walks[first].elements)[0]]
        selector = _selector(node, trees, exact)
        if selector is None or any(
            len(trees[p].css(selector)) and p in covered for p in range(len(trees))
        ):
            continue
        chosen.append(selector)
        covered |= {p for p in range(len(trees)) if trees[p].css(selector)}
    if not chosen:
        return None
    return _evidence(", ".join(chosen), trees)


def _evidence(selector: str, trees: list[LexborHTMLParser]) -> Proposal:
    pages = words = 0
    for tree in trees:
        found = tree.css(selector)
        if found:
            pages += 1
            words += sum(word_count(n.text(deep=True, separator=" ")) for n in found)
    return Proposal(selector, pages, words)


def _chrome(
    template: SiteTemplate, trees: list[LexborHTMLParser], walks: list[Walk]
) -> tuple[list[Proposal], list[Proposal]]:
    """Selectors for the template's chrome inside the article's container, and lines for
    chrome text no selector names alone."""
    chrome_ids: list[set[int]] = []  # per page, the nodes that are chrome or inside it
    candidates: dict[int, tuple[int, int]] = {}  # path -> (page, block) of an example
    seen: Counter[int] = Counter()
    texts: dict[str, set[int]] = defaultdict(set)
    fits = [template.fit(walk) for walk in walks]
    for p, (walk, fit) in enumerate(zip(walks, fits, strict=True)):
        if not fit.fits:
            chrome_ids.append(set())
            continue
        mask = _mask(walk, fit.chrome)
        chrome_ids.append({walk.nodes[i].mem_id for i, m in enumerate(mask) if m})
        inside = _within(walk, fit.container) if fit.container else None
        for i in fit.chrome:
            if inside is not None and i not in inside:
                continue  # ``content`` cuts it away already
            path = walk.elements[i].path
            candidates.setdefault(path, (p, i))
            seen[path] += 1
    remove: list[Proposal] = []
    taken: set[int] = set()  # chrome nodes a proposed selector already removes
    for path, (p, i) in sorted(candidates.items(), key=lambda kv: (-seen[kv[0]], kv[0])):
        node = walks[p].nodes[i]
        if node.mem_id in taken:
            continue

        def only_chrome(page: int, got: set[int]) -> bool:
            return got <= chrome_ids[page]

        selector = _selector(node, trees, only_chrome)
        if selector is not None and seen[path] >= 2:
            remove.append(_evidence(selector, trees))
            for tree in trees:
                taken |= {n.mem_id for n in tree.css(selector)}
            continue
        element = walks[p].elements[i]
        if 0 < element.words <= _LINE_WORDS:
            text = " ".join(node.text(deep=True, separator=" ").split())
            for q, walk in enumerate(walks):
                if any(
                    e.words == element.words
                    and " ".join(n.text(deep=True, separator=" ").split()) == text
                    for e, n in zip(walk.elements, walk.nodes, strict=True)
                ):
                    texts[text].add(q)
    lines = []
    majority = len(walks) // 2 + 1
    for text, where in sorted(texts.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if len(where) >= majority and text:
            lines.append(Proposal("^" + re.escape(text) + "$", len(where), 0))
    return remove, lines + _learned_lines(template, trees, walks, fits)


def _learned_lines(
    template: SiteTemplate,
    trees: list[LexborHTMLParser],
    walks: list[Walk],
    fits: list[TemplateFit],
) -> list[Proposal]:
    """The template's lines (a text on most pages, in a block that says more) that the
    article holds, where ``content`` keeps them: as the page spells them, the spaces
    around punctuation left to the cleaner."""
    spelled: dict[int, str] = {}
    where: dict[int, set[int]] = defaultdict(set)
    for p, (walk, fit) in enumerate(zip(walks, fits, strict=True)):
        found = [k for k in walk.lines if k in template.lines]
        if not found or not fit.fits:
            continue
        body = trees[p].body
        boxes = [walk.nodes[i] for i in fit.container] or ([body] if body is not None else [])
        inside = "".join(squeezed(n.text(deep=True, separator=" ")) for n in boxes)
        for k in found:
            if squeezed(walk.lines[k]) in inside:
                spelled.setdefault(k, walk.lines[k])
                where[k].add(p)
    return [
        Proposal(_line_pattern(spelled[k]), len(where[k]), len(where[k]) * word_count(spelled[k]))
        for k in sorted(where, key=lambda k: (-len(where[k]), spelled[k]))
    ]


def _line_pattern(text: str) -> str:
    """A pattern for the whole line ``text``: any number where it has one (a line's key
    counts digits alike: a date line), a space before punctuation optional."""
    out = ""
    for word in text.split():
        if out:
            out += r"\s?" if not word[0].isalnum() else " "
        out += r"\d+".join(re.escape(part) for part in _NUMBER.split(word))
    return "^" + out + "$"


def _mask(walk: Walk, top: tuple[int, ...]) -> list[bool]:
    mask = [False] * len(walk.elements)
    chrome = set(top)
    for i, e in enumerate(walk.elements):
        mask[i] = i in chrome or (e.parent >= 0 and mask[e.parent])
    return mask


def _within(walk: Walk, containers: tuple[int, ...]) -> set[int]:
    inside = set(containers)
    for i, e in enumerate(walk.elements):
        if e.parent in inside:
            inside.add(i)
    return inside


def _selector(
    node: LexborNode,
    trees: list[LexborHTMLParser],
    good: Callable[[int, set[int]], bool],
) -> str | None:
    """The shortest selector from ``node``'s last steps that matches ``node`` on its page
    and whose matches are ``good`` on every page; None when there is none."""
    steps: list[list[str]] = []
    up: LexborNode | None = node
    while up is not None and up.tag not in ("body", "html") and len(steps) < _MAX_STEPS:
        steps.append(_step_options(up))
        up = up.parent
    tried = []
    for order, candidate in enumerate(_candidates(steps)):
        try:
            matches = [{n.mem_id for n in tree.css(candidate)} for tree in trees]
        except Exception:  # a class name that is no CSS identifier: not a selector to propose
            continue
        if any(node.mem_id in m for m in matches) and all(
            good(p, m) for p, m in enumerate(matches)
        ):
            # fewest steps first, then the one that holds on most pages (a class every
            # page has, not this page's category), then the first tried
            tried.append((candidate.count(">"), -sum(1 for m in matches if m), order, candidate))
    return min(tried)[3] if tried else None


def _step_options(node: LexborNode) -> list[str]:
    name = descriptor(node)
    tag = node.tag or ""
    if "#" in name:
        return ["#" + name.split("#", 1)[1]]
    classes = name.split(".")[1:]
    if not classes:
        return [tag]  # only with a named parent before it
    return [f"{tag}.{c}" for c in classes] + (
        [f"{tag}." + ".".join(classes)] if len(classes) > 1 else []
    )


def _candidates(steps: list[list[str]]) -> Iterable[str]:
    """Selectors from one step to ``_MAX_STEPS``, the element's own step last."""
    for first in steps[0]:
        if "#" in first or "." in first:
            yield first
    if len(steps) > 1:
        for parent in steps[1]:
            for first in steps[0]:
                yield f"{parent} > {first}"
    if len(steps) > 2:
        for grand in steps[2]:
            for parent in steps[1]:
                for first in steps[0]:
                    yield f"{grand} > {parent} > {first}"
