"""Which ``Host`` header values the server answers to (the DNS-rebinding defence).

Only the name is compared, never the port: a request for ``127.0.0.1:8123`` matches
``127.0.0.1``. Names compare case-insensitively and without a trailing dot, and an IPv6
literal is written without brackets (``::1``).
"""

from __future__ import annotations

import ipaddress

from workbench.core.errors import ServingError
from workbench.serving.options import ANY_HOST


def host_name(header: str) -> str:
    """The name part of a Host header: port, brackets, case and trailing dot removed."""
    value = header.strip().lower()
    if value.startswith("["):  # [::1]:8000
        end = value.find("]")
        name = value[1:end] if end > 0 else value[1:]
    elif value.count(":") == 1:  # name:port
        name = value.split(":", 1)[0]
    else:  # a bare name, or a bare IPv6 literal (no port possible)
        name = value
    return name.rstrip(".")


def host_allowed(header: str | None, allowed: tuple[str, ...]) -> bool:
    """Whether a request with this Host header (None when absent) may be answered."""
    if ANY_HOST in allowed:
        return True
    if not header:
        return False
    return host_name(header) in allowed


def allowed_for_bind(allowed: tuple[str, ...], bind_host: str) -> tuple[str, ...]:
    """The allowlist plus the address the server listens on, when that is one host.

    A server bound to ``127.0.0.2`` or to one LAN address is called by that address, so
    it must answer to it; a wildcard bind (``0.0.0.0``, ``::``) adds nothing, and names
    must then be listed explicitly.
    """
    name = host_name(bind_host)
    if ANY_HOST in allowed or name in ("", "0.0.0.0", "::") or name in allowed:
        return allowed
    return (*allowed, name)


def check_host(host: str, *, allow_remote: bool) -> None:
    """Refuse to listen beyond this machine unless the caller asked for it.

    The scoring endpoint has no authentication, so by default it binds loopback only.

    Raises:
        ServingError: ``host`` is not ``localhost`` or a loopback address and
            ``allow_remote`` is false.
    """
    if allow_remote or host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ServingError(
            f"refusing to serve on {host!r}: the scoring endpoint has no authentication, "
            "so it listens on 127.0.0.1 only; pass allow_remote=True (--allow-remote) "
            "to expose it on other interfaces"
        )
