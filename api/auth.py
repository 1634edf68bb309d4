"""Who is calling: the one local user, or the subject of a verified JWT.

Tokens come from `Authorization: Bearer`, `?access_token=`, or the
`Sec-WebSocket-Protocol` header as `bearer, <token>` (browsers cannot set headers on a
WebSocket; the server then answers with the `bearer` subprotocol). Tokens are never
logged.
"""

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jwt
from fastapi import HTTPException
from starlette.requests import HTTPConnection

from settings import Settings

BEARER_SUBPROTOCOL = "bearer"
_NAME = re.compile(r"[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]{0,254}[^\s\x00-\x1f\x7f])?")
"""A subject or tenant: 1-256 characters, no control characters, no surrounding blanks."""
_ASYMMETRIC = {"RSA": ["RS256", "RS384", "RS512"], "EC": ["ES256", "ES384", "ES512"]}
"""What each key type may verify; a token whose header names anything else is refused."""


class AuthError(Exception):
    """Missing, malformed, forged or expired credentials."""


@dataclass(frozen=True)
class Identity:
    """A caller: the user id that owns sessions, files and executions."""

    user_id: str
    expires_at: float | None = None


@dataclass(frozen=True)
class VerificationKey:
    """A key and the algorithms it may verify: an RSA key never checks an HS256 MAC."""

    key: Any
    algorithms: list[str]


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
            kid = header.get("kid")
            verification = self._keys.get(kid if isinstance(kid, str) else None)
            verification = verification or self._keys.get(None)
            if verification is None:
                raise AuthError("the token's key is not known")
            claims = jwt.decode(
                token,
                key=verification.key,
                algorithms=verification.algorithms,
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                options={"require": ["sub", "exp"]},
            )
        except jwt.PyJWTError as err:
            raise AuthError(f"invalid token: {type(err).__name__}") from err
        user = user_id_of(claims.get("sub"), claims.get(settings.tenant_claim))
        return Identity(user_id=user, expires_at=float(claims["exp"]))


def user_id_of(subject: object, tenant: object = None) -> str:
    """`sub`, or `tenant/sub`, each percent-escaped so that no two identities collide.

    Escaping leaves no `/` inside either part: `sub: "acme/ann"` is `acme%2Fann`, never
    tenant acme's ann. An empty, blank or malformed subject (or tenant) is refused, so no
    two callers can share one by sending nothing.
    """
    if not isinstance(subject, str) or not _NAME.fullmatch(subject):
        raise AuthError("the token's subject (sub) is empty or malformed")
    if tenant is None:
        return quote(subject, safe="")
    if not isinstance(tenant, str) or not _NAME.fullmatch(tenant):
        raise AuthError("the token's tenant is empty or malformed")
    return f"{quote(tenant, safe='')}/{quote(subject, safe='')}"


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


def _keys(settings: Settings) -> dict[str | None, VerificationKey]:
    """Verification keys by `kid` (None: the key for tokens without one)."""
    keys: dict[str | None, VerificationKey] = {}
    if settings.jwt_secret is not None:
        keys[None] = VerificationKey(settings.jwt_secret.get_secret_value(), ["HS256"])
    if settings.jwt_public_key_file is not None:
        keys[None] = VerificationKey(settings.jwt_public_key_file.read_text(), _ASYMMETRIC["RSA"])
    if settings.jwks_file is not None:
        for entry in json.loads(settings.jwks_file.read_text())["keys"]:
            jwk = jwt.PyJWK(entry)
            algorithms = [entry["alg"]] if "alg" in entry else _ASYMMETRIC.get(entry.get("kty"), [])
            keys[entry.get("kid")] = VerificationKey(jwk.key, algorithms)
            keys.setdefault(None, keys[entry.get("kid")])
    return keys
