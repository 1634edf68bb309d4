"""Who is calling: the one local user, or the subject of a verified JWT.

Tokens come from `Authorization: Bearer`, `?access_token=`, or the
`Sec-WebSocket-Protocol` header as `bearer, <token>` (browsers cannot set headers on a
WebSocket; the server then answers with the `bearer` subprotocol). Tokens are never
logged.
"""

import json
import time
from dataclasses import dataclass
from typing import Any

import jwt
from fastapi import HTTPException
from starlette.requests import HTTPConnection

from settings import Settings

BEARER_SUBPROTOCOL = "bearer"


class AuthError(Exception):
    """Missing, malformed, forged or expired credentials."""


@dataclass(frozen=True)
class Identity:
    """A caller: the user id that owns sessions, files and executions."""

    user_id: str
    expires_at: float | None = None


@dataclass(frozen=True)
class Credentials:
    token: str | None
    subprotocol: str | None


class Authenticator:
    """Verifies tokens with the configured key; in local mode everyone is the local user."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._keys = _keys(settings) if settings.auth_mode == "token" else {}

    def identify(self, token: str | None) -> Identity:
        """The caller, or `AuthError`."""
        settings = self._settings
        if settings.auth_mode == "local":
            return Identity(settings.local_user_id)
        if not token:
            raise AuthError("a bearer token is required")
        try:
            header = jwt.get_unverified_header(token)
            key = self._keys.get(header.get("kid")) or self._keys.get(None)
            if key is None:
                raise AuthError("the token's key is not known")
            claims = jwt.decode(
                token,
                key=key,
                algorithms=["HS256", "RS256"],
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                options={"require": ["sub", "exp"]},
            )
        except jwt.PyJWTError as err:
            raise AuthError(f"invalid token: {type(err).__name__}") from err
        tenant = claims.get(settings.tenant_claim)
        user = f"{tenant}/{claims['sub']}" if tenant else str(claims["sub"])
        return Identity(user_id=user, expires_at=float(claims["exp"]))


def credentials(connection: HTTPConnection) -> Credentials:
    """Where a browser or a client put its token."""
    header = connection.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return Credentials(header[7:].strip(), None)
    offered = [p.strip() for p in connection.headers.get("sec-websocket-protocol", "").split(",")]
    if len(offered) == 2 and offered[0] == BEARER_SUBPROTOCOL:
        return Credentials(offered[1], BEARER_SUBPROTOCOL)
    return Credentials(connection.query_params.get("access_token"), None)


def caller_of(connection: HTTPConnection) -> str:
    """The caller's user id for an HTTP request (401 without valid credentials)."""
    authenticator: Authenticator = connection.app.state.authenticator
    try:
        return authenticator.identify(credentials(connection).token).user_id
    except AuthError as err:
        raise HTTPException(
            status_code=401, detail=str(err), headers={"WWW-Authenticate": "Bearer"}
        ) from err


def expired(identity: Identity) -> bool:
    return identity.expires_at is not None and identity.expires_at <= time.time()


def _keys(settings: Settings) -> dict[str | None, Any]:
    """Verification keys by `kid` (None: the key for tokens without one)."""
    keys: dict[str | None, Any] = {}
    if settings.jwt_secret is not None:
        keys[None] = settings.jwt_secret.get_secret_value()
    if settings.jwt_public_key_file is not None:
        keys[None] = settings.jwt_public_key_file.read_text()
    if settings.jwks_file is not None:
        for entry in json.loads(settings.jwks_file.read_text())["keys"]:
            key = jwt.PyJWK(entry).key
            keys[entry.get("kid")] = key
            keys.setdefault(None, key)
    return keys
