"""Which addresses ``scraper serve`` may connect to: public ones, and the networks opened on
purpose (``serve.allow_networks``).

``Guard.check(url)`` resolves the URL's host once (``getaddrinfo`` in a thread, or the
resolver given) and returns the addresses, all of them checked: one address that is not
public refuses the URL, so that a name answering with a public and a private address cannot
slip through. The fetch then connects to a checked address and to nothing else
(``scraper.serve.fetching``): no second lookup a rebinding DNS server could answer
differently. A host written as a number in any spelling the C library accepts (``2130706433``,
``0177.0.0.1``, ``0x7f.1``) is read as the address it is. IPv4 addresses carried inside IPv6
ones (IPv4-mapped, 6to4, Teredo, NAT64) are judged by the IPv4 address they carry.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import anyio.to_thread
import httpx

from scraper.errors import FetchError, InputError, RefusedError

__all__ = ["Address", "Checked", "Guard", "Resolver", "refusal", "system_resolver"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# host, port → the addresses the host has (as strings, as getaddrinfo gives them)
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class Checked:
    """A URL whose host may be connected to: at ``address`` (the first of ``addresses``)."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[Address, ...]

    @property
    def address(self) -> Address:
        return self.addresses[0]


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """The host's addresses from the system's resolver, looked up in a worker thread."""
    infos = await anyio.to_thread.run_sync(
        lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    )
    return [str(info[4][0]) for info in infos]


class Guard:
    """Checks URLs against the public address space and ``allow``."""

    def __init__(self, allow: Sequence[Network] = (), *, resolver: Resolver | None = None):
        self._allow = tuple(allow)
        self._resolve = resolver or system_resolver

    async def check(self, url: str) -> Checked:
        """``url`` checked, with its host's addresses; ``RefusedError`` naming the reason,
        ``InputError`` for a URL that is not one, ``FetchError`` for a host not found."""
        try:
            parts = urlsplit(url)
            port = parts.port
            host = parts.hostname
        except ValueError as exc:
            raise InputError(f"{url}: not a valid URL ({exc})", url=url) from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            shown = f"{scheme}://" if scheme else "no scheme"
            raise RefusedError(
                f"{url}: refused: only http and https URLs are fetched ({shown})",
                url=url,
                reason="scheme",
            )
        if not host:
            raise InputError(f"{url}: URL has no host", url=url)
        port = port or (443 if scheme == "https" else 80)
        try:
            literal = _literal_address(host)
        except ValueError:
            raise RefusedError(
                f"{url}: refused: {host} is a numeric host that is not an IPv4 address",
                url=url,
                reason="a numeric host that is not an IPv4 address",
            ) from None
        if literal is not None:
            addresses: tuple[Address, ...] = (literal,)
        else:
            try:  # the host as it goes on the wire: lower-cased, IDNA-encoded
                host = httpx.URL(url).host
            except httpx.InvalidURL as exc:
                raise InputError(f"{url}: not a valid URL ({exc})", url=url) from None
            addresses = await self._lookup(url, host, port)
        for address in addresses:
            why = refusal(address, self._allow)
            if why is not None:
                spelled = "" if literal is not None and str(literal) == host else f"{host} is "
                raise RefusedError(
                    f"{url}: refused: {spelled}{address}, {why}",
                    url=url,
                    reason=why.split(" (", 1)[0],  # the kind alone: a label, not an address
                )
        return Checked(url=url, scheme=scheme, host=host, port=port, addresses=addresses)

    async def _lookup(self, url: str, host: str, port: int) -> tuple[Address, ...]:
        try:
            found = await self._resolve(host.rstrip("."), port)
        except (OSError, UnicodeError):
            found = []
        addresses: list[Address] = []
        for text in found:
            try:
                address = ipaddress.ip_address(text.split("%", 1)[0])  # fe80::1%eth0
            except ValueError:
                continue
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise FetchError(f"{url}: host not found ({host})", url=url)
        return tuple(addresses)


def refusal(address: Address, allow: Sequence[Network] = ()) -> str | None:
    """Why ``address`` may not be connected to, in a few words; None when it may."""
    if any(address.version == net.version and address in net for net in allow):
        return None
    if isinstance(address, ipaddress.IPv6Address):
        carried = _carried_ipv4(address)
        if carried is not None:
            kind, inner = carried
            why = refusal(inner, allow)
            return f"{why} ({kind} {inner})" if why is not None else None
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (cloud metadata lives at 169.254.169.254)"
    if isinstance(address, ipaddress.IPv6Address) and address in _UNIQUE_LOCAL:
        return "a unique-local IPv6 address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private network address"
    if not address.is_global:
        return "not a public address"
    return None


_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")


def _carried_ipv4(address: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address an IPv6 one carries, and how: these reach the IPv4 host."""
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", address.ipv4_mapped
    if address.sixtofour is not None:
        return "6to4 of", address.sixtofour
    if address.teredo is not None:
        return "Teredo to", address.teredo[1]
    if address in _NAT64:
        return "NAT64 of", ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _literal_address(host: str) -> Address | None:
    """The address a host names by itself: ``[::1]``, ``127.0.0.1``, and the legacy IPv4
    spellings ``inet_aton`` reads (``2130706433``, ``0177.0.0.1``, ``0x7f.1``). None for a
    name. A host of numbers only that is no address raises ``ValueError``: it is never
    looked up, as a resolver might read it some other way."""
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        pass
    labels = host.lower().removesuffix(".").split(".")
    if not all(_NUMERIC_LABEL.match(label) for label in labels):
        return None
    parsed = _inet_aton(labels)
    if parsed is None:
        raise ValueError(host)
    return parsed


def _inet_aton(labels: list[str]) -> ipaddress.IPv4Address | None:
    """``a``, ``a.b``, ``a.b.c`` or ``a.b.c.d`` with each part decimal, octal (leading 0) or
    hex (0x): the last part fills the bytes left, as ``inet_aton`` does."""
    if not 1 <= len(labels) <= 4:
        return None
    numbers: list[int] = []
    for label in labels:
        try:
            if label.startswith("0x"):
                numbers.append(int(label[2:] or "0", 16))
            elif len(label) > 1 and label.startswith("0"):
                numbers.append(int(label, 8))
            else:
                numbers.append(int(label))
        except ValueError:
            return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        return None
    value = 0
    for n in head:
        value = value * 256 + n
    value = value * 256 ** (4 - len(head)) + last
    return ipaddress.IPv4Address(value)
