"""The Host allowlist, for REST and WebSocket alike (DNS rebinding).

A page on `evil.example` whose name is rebound to 127.0.0.1 reaches the API from the
victim's browser with `Host: evil.example`, and its Origin equals that Host. So the Host
is checked first, against names a rebinding attacker cannot control: `localhost`, the
address the request arrived on, and `SYMPHAINY_ALLOWED_HOSTS`. Only then may the Origin
check trust an Origin equal to the Host.
"""

from urllib.parse import urlsplit

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

ALWAYS = frozenset(("localhost",))


class HostGuard:
    """Answers 400 (REST) or 403 before the handshake (WebSocket) to a Host not allowed."""

    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self._app = app
        self._allowed = frozenset(host.lower() for host in allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not host_allowed(scope, self._allowed):
            refusal = PlainTextResponse(
                "host not allowed: add it to SYMPHAINY_ALLOWED_HOSTS",
                status_code=400 if scope["type"] == "http" else 403,
            )
            await refusal(scope, receive, send)
            return
        await self._app(scope, receive, send)


def host_allowed(scope: Scope, allowed: frozenset[str]) -> bool:
    """`localhost`, the local address the connection arrived on, or an allowed name
    ("*" allows any). A missing or malformed Host is refused."""
    name = hostname(_header(scope, b"host"))
    if name is None:
        return False
    server = scope.get("server")
    bound = server[0].lower() if server else None
    return "*" in allowed or name in allowed or name in ALWAYS or name == bound


def hostname(host: str | None) -> str | None:
    """`Host`'s name without port or IPv6 brackets, lowercased; None when malformed."""
    if not host:
        return None
    try:
        return urlsplit(f"//{host}").hostname
    except ValueError:
        return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None
