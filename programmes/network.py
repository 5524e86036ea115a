"""The address a request came from, honouring only the proxies this installation trusts.

Used by the login throttle, the public forms' throttle and the signatures' recorded address:
one definition, so that a signature and a refused login name the same person's address.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str:
    """The address of the person asking.

    ``TRUSTED_PROXIES`` (addresses or networks) names the proxies whose X-Forwarded-For is
    believed: when the socket's peer is one of them, the header is read from the right, each
    trusted hop is skipped, and the first address that is not a trusted proxy is the client's
    (anything left of it was written by the client and can be made up). A request that did not
    come through a trusted proxy is judged by its socket's address, whatever its headers say.
    ``BEHIND_PROXY`` without a list trusts the one peer in front (the Caddy of
    docker-compose.yml, the only way in): the last forwarded address is the client's.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    entries = tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ())
    if entries:
        networks = _networks(entries)
        if not _trusted(_address(remote), networks):
            return remote
        for hop in reversed(forwarded):
            address = _address(hop)
            if address is None:
                return remote  # a garbled header: believe the socket, not the text
            if not _trusted(address, networks):
                return address.compressed
        return remote
    if settings.BEHIND_PROXY and forwarded:
        return forwarded[-1]
    return remote
