"""Where the server may post a push: known push services only, over HTTPS on 443, never inside the network.

A push endpoint comes from a browser, so from anyone signed in: without these rules a student could make
the worker connect to any address and port it can reach (a blind port scan, or a request to a metadata
service). Three layers, each enough on its own for what it covers:
1. `endpoint_problem`: at subscription and again before every send, the URL must be https, port 443, and
   its host a known push service (KRIJT_PUSH_SERVICE_HOSTS); no address literals, no user info.
2. `GuardedSession`: the worker resolves the host itself, refuses every address that is not global unicast
   (loopback, private, link-local, carrier-grade NAT, metadata, multicast, reserved), and connects to the
   address it checked, so a name cannot resolve to a public address for the check and a private one for
   the connection. No proxy from the environment, no redirects followed, short time-outs.
3. The sender catches every failure per device, so one unusable subscription never stops the others.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

MAX_ENDPOINT_LENGTH = 1000
# (connect, read) seconds: a push service answers in well under a second.
TIMEOUT = (3.05, 5)


def push_service_hosts() -> list[str]:
    return list(settings.KRIJT_PUSH_SERVICE_HOSTS)


def host_allowed(host: str) -> bool:
    """`host` is on the allow-list: an exact name, or a sub-domain of an entry written as "*.domain"."""
    host = host.lower()
    for pattern in (entry.lower() for entry in push_service_hosts()):
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def endpoint_problem(endpoint: str) -> str | None:
    """Why the server must not post to `endpoint`, or None when it is a known push service's URL."""
    if not endpoint or len(endpoint) > MAX_ENDPOINT_LENGTH or any(c.isspace() or ord(c) < 32 for c in endpoint):
        return "malformed"
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return "malformed"
    if parts.scheme != "https":
        return "not https"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "user info"
    if port not in (None, 443):
        return "port"
    host = parts.hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return "address literal"
    if host.endswith(".") or not host_allowed(host):
        return "not a known push service"
    return None


def address_allowed(address: str) -> bool:
    """Only global unicast addresses: never loopback, private, link-local, shared, reserved or multicast."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class AddressRefused(NewConnectionError):
    pass


def resolve_public(host: str, port: int) -> list[tuple[Any, ...]]:
    """The host's addresses, all of them allowed; raises OSError when any is not (no mixed answers)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    if not infos:
        raise OSError(f"{host} has no address")
    refused = [info[4][0] for info in infos if not address_allowed(str(info[4][0]))]
    if refused:
        raise OSError(f"{host} resolves to an address that is not public")
    return infos


class _GuardedConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        try:
            infos = resolve_public(self._dns_host, self.port)
        except OSError as exc:
            raise AddressRefused(self, f"Refused: {exc}") from exc
        last: OSError | None = None
        for family, kind, proto, _name, address in infos:
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(self.timeout if isinstance(self.timeout, (int, float)) else None)
                sock.connect(address)
                peer = sock.getpeername()[0]
                if not address_allowed(peer):
                    raise OSError("connected address is not public")
                return sock
            except OSError as exc:
                sock.close()
                last = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {last}")


class _GuardedPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"https": _GuardedPool}
        self.poolmanager.key_fn_by_scheme = {"https": self.poolmanager.key_fn_by_scheme["https"]}


class GuardedSession(requests.Session):
    """A requests session that posts only to vetted endpoints, never follows a redirect, ignores proxies."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False  # no proxy from the environment: the worker itself connects, and checks
        self.adapters.clear()
        self.mount("https://", _GuardedAdapter())

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        problem = endpoint_problem(url if isinstance(url, str) else url.decode())
        if problem is not None:
            raise requests.exceptions.InvalidURL(f"refused push endpoint: {problem}")
        kwargs["allow_redirects"] = False
        kwargs["timeout"] = TIMEOUT
        return super().request(method, url, *args, **kwargs)  # type: ignore[arg-type]
