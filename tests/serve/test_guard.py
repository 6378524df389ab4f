"""The address guard alone: what is public, what a host resolves to, how it is spelled."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Sequence

import pytest

from scraper.errors import FetchError, RefusedError
from scraper.serve.guard import Guard, refusal


def _guard(names: dict[str, list[str]], allow: Sequence[str] = ()) -> tuple[Guard, list[str]]:
    asked: list[str] = []

    async def resolver(host: str, port: int) -> Sequence[str]:
        asked.append(host)
        return names.get(host, [])

    networks = [ipaddress.ip_network(n) for n in allow]
    return Guard(networks, resolver=resolver), asked


def check(guard: Guard, url: str):
    return asyncio.run(guard.check(url))


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fd12:3456::1", "unique-local"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not a public address"),  # carrier-grade NAT
        ("::ffff:127.0.0.1", "loopback address (IPv4-mapped 127.0.0.1)"),
        ("::ffff:10.0.0.1", "private network address (IPv4-mapped"),
        ("2002:c0a8:101::", "private network address (6to4 of 192.168.1.1)"),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo to 10.0.0.1"),
        (
            "64:ff9b::a9fe:a9fe",
            "link-local address (cloud metadata lives at 169.254.169.254) (NAT64",
        ),
    ],
)
def test_non_public_addresses_are_refused(address: str, why: str) -> None:
    found = refusal(ipaddress.ip_address(address))
    assert found is not None and why in found


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "1.1.1.1"]
)
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_allowed_networks_open_what_they_name_and_nothing_else() -> None:
    allow = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1/32")]
    assert refusal(ipaddress.ip_address("10.9.8.7"), allow) is None
    assert refusal(ipaddress.ip_address("127.0.0.1"), allow) is None
    assert refusal(ipaddress.ip_address("::ffff:127.0.0.1"), allow) is None  # the same host
    assert refusal(ipaddress.ip_address("127.0.0.2"), allow) is not None
    assert refusal(ipaddress.ip_address("::1"), allow) is not None


def test_localhost_is_refused_when_only_127_0_0_1_is_allowed() -> None:
    # localhost is ::1 too: every address a name has must be allowed, not just one of them
    guard, _ = _guard({"localhost": ["127.0.0.1", "::1"]}, allow=["127.0.0.1/32"])
    with pytest.raises(RefusedError, match=r"localhost is ::1, a loopback address"):
        check(guard, "http://localhost:8080/")
    both, _ = _guard({"localhost": ["127.0.0.1", "::1"]}, allow=["127.0.0.1/32", "::1/128"])
    checked = check(both, "http://localhost:8080/")
    assert [str(a) for a in checked.addresses] == ["127.0.0.1", "::1"]


def test_a_name_with_one_private_address_among_public_ones_is_refused() -> None:
    guard, _ = _guard({"mixed.example": ["93.184.216.34", "192.168.0.10"]})
    with pytest.raises(RefusedError) as refused:
        check(guard, "https://mixed.example/page")
    assert refused.value.reason == "a private network address"
    assert "mixed.example is 192.168.0.10" in str(refused.value)


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://2130706433/", "127.0.0.1"),
        ("http://0177.0.0.1/", "127.0.0.1"),
        ("http://0x7f.1/", "127.0.0.1"),
        ("http://0x7f000001/", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1"),
        ("http://017700000001/", "127.0.0.1"),
        ("http://0xa9.0xfe.0xa9.0xfe/", "169.254.169.254"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"),
        ("http://[::ffff:7f00:1]/", "::ffff:7f00:1"),
        ("http://127.0.0.1./", "127.0.0.1"),
    ],
)
def test_every_spelling_of_an_address_is_read_as_that_address(url: str, address: str) -> None:
    guard, asked = _guard({})
    with pytest.raises(RefusedError) as refused:
        check(guard, url)
    assert f", {address}" in str(refused.value) or f" {address}," in str(refused.value)
    assert asked == []  # an address is never looked up as a name


def test_a_numeric_host_that_is_no_address_is_refused_not_looked_up() -> None:
    guard, asked = _guard({})
    with pytest.raises(RefusedError, match="numeric host"):
        check(guard, "http://1.2.3.4.5/")
    with pytest.raises(RefusedError, match="numeric host"):
        check(guard, "http://0x1ffffffff/")
    assert asked == []


def test_only_http_and_https() -> None:
    guard, _ = _guard({})
    for url in ("ftp://example.com/", "file:///etc/passwd", "gopher://example.com/", "example.com"):
        with pytest.raises(RefusedError, match="only http and https"):
            check(guard, url)


def test_a_public_name_passes_with_its_addresses_and_port() -> None:
    guard, asked = _guard({"example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]})
    checked = check(guard, "https://Example.COM/a?b")
    assert (checked.host, checked.port, str(checked.address)) == (
        "example.com",
        443,
        "93.184.216.34",
    )
    assert asked == ["example.com"]


def test_a_name_that_does_not_resolve_is_a_fetch_error() -> None:
    guard, _ = _guard({})
    with pytest.raises(FetchError, match="host not found"):
        check(guard, "http://nowhere.example/")
