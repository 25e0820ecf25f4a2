"""Where a webhook may be sent: the rules on an endpoint's URL and on the addresses its host resolves to.

Outside development and tests (MEMBERDIR_WEBHOOK_ALLOW_LOOPBACK), only https://
URLs, and only to global addresses: a host that resolves to a loopback,
private, link-local, multicast, reserved or unspecified address is refused,
at registration and again at each delivery (a name can be pointed elsewhere
after it was registered)."""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

MAX_URL = 2000


def url_problem(url: str, allow_loopback: bool) -> str | None:
    """What is wrong with an endpoint's URL as written; None if nothing."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a port that is not a number raises)
    except ValueError:
        return "is not a URL"
    if len(url) > MAX_URL:
        return f"must be at most {MAX_URL} characters"
    if parts.scheme not in (("https", "http") if allow_loopback else ("https",)):
        return "must be an http:// or https:// URL" if allow_loopback else "must be an https:// URL"
    if not parts.hostname:
        return "must name a host"
    if parts.username or parts.password:
        return "must not carry a user name or password"
    if parts.fragment:
        return "must not have a #fragment"
    return None


def address_problem(address: str) -> str | None:
    """Why a delivery may not go to this address (None: a global one)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for test, what in ((ip.is_loopback, "loopback"), (ip.is_private, "private"), (ip.is_link_local, "link-local"),
                       (ip.is_multicast, "multicast"), (ip.is_unspecified, "unspecified"),
                       (ip.is_reserved, "reserved"), (not ip.is_global, "non-global")):
        if test:
            return f"{address} is a {what} address"
    return None


class Unreachable(Exception):
    """The host does not resolve (a temporary failure, perhaps)."""


async def addresses(host: str, port: int) -> list[str]:
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as failed:
        raise Unreachable(f"{host} does not resolve ({failed.strerror})") from None
    return list(dict.fromkeys(info[4][0] for info in found))


def refused(found: list[str], allow_loopback: bool) -> str | None:
    """Why these addresses of a host may not be sent to (any one refused refuses them all)."""
    if allow_loopback:
        return None
    return next((problem for address in found if (problem := address_problem(address))), None)
