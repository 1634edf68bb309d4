"""Token verification with each kind of key, without a server: HS256, RS256, JWKS."""

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from types import SimpleNamespace

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import HTTPException
from pydantic import ValidationError
from starlette.requests import HTTPConnection

from api.auth import (
    Authenticator,
    AuthError,
    Credentials,
    Identity,
    caller_of,
    credentials,
    user_id_of,
)
from settings import Settings

SECRET = "x" * 40


def _claims(**extra: object) -> dict[str, object]:
    return {"sub": "ann", "exp": int(time.time()) + 60, **extra}


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_hs256_with_tenant() -> None:
    auth = Authenticator(Settings(auth_mode="token", jwt_secret=SECRET))
    identity = auth.identify(jwt.encode(_claims(tenant="acme"), SECRET, algorithm="HS256"))
    assert identity.user_id == "acme/ann"
    assert identity.expires_at is not None


def test_rs256_with_a_public_key_file(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "key.pem").write_bytes(pem)
    auth = Authenticator(Settings(auth_mode="token", jwt_public_key_file=tmp_path / "key.pem"))
    assert auth.identify(jwt.encode(_claims(), rsa_key, algorithm="RS256")).user_id == "ann"
    with pytest.raises(AuthError):
        auth.identify(jwt.encode(_claims(), SECRET, algorithm="HS256"))


def test_rs256_with_a_jwks_file(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    jwk["kid"] = "k1"
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [jwk]}))
    auth = Authenticator(Settings(auth_mode="token", jwks_file=tmp_path / "jwks.json"))
    token = jwt.encode(_claims(), rsa_key, algorithm="RS256", headers={"kid": "k1"})
    assert auth.identify(token).user_id == "ann"


@pytest.mark.parametrize(
    "claims", [{"exp": int(time.time()) + 60}, {"sub": "ann"}, _claims(exp=int(time.time()) - 5)]
)
def test_tokens_without_sub_or_exp_or_expired_are_refused(claims: dict[str, object]) -> None:
    auth = Authenticator(Settings(auth_mode="token", jwt_secret=SECRET))
    with pytest.raises(AuthError):
        auth.identify(jwt.encode(claims, SECRET, algorithm="HS256"))


@pytest.mark.parametrize("secret", [None, "secret", "short"])
def test_token_mode_refuses_to_start_without_a_real_key(secret: str | None) -> None:
    with pytest.raises(ValidationError):
        Settings(auth_mode="token", jwt_secret=secret)


def hs256_signed_with(secret: bytes, claims: dict[str, object]) -> str:
    """An HS256 token made by hand: PyJWT itself refuses a PEM key as an HMAC secret."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = json.dumps({"alg": "HS256", "typ": "JWT"}).encode()
    signed = f"{part(header)}.{part(json.dumps(claims).encode())}"
    return f"{signed}.{part(hmac.new(secret, signed.encode(), hashlib.sha256).digest())}"


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_an_hs256_token_signed_with_the_jwks_public_key_is_refused(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    """The classic key confusion: the RSA public key used as an HMAC secret (was a 500)."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [jwk]}))
    auth = Authenticator(Settings(auth_mode="token", jwks_file=tmp_path / "jwks.json"))
    with pytest.raises(AuthError):
        auth.identify(hs256_signed_with(public_pem(rsa_key), _claims()))


@pytest.mark.parametrize(
    ("sub", "tenant", "user_id"),
    [
        ("ann", None, "ann"),
        ("ann", "acme", "acme/ann"),
        ("acme/ann", None, "acme%2Fann"),
        ("ann", "acme/x", "acme%2Fx/ann"),
        ("acme%2Fann", None, "acme%252Fann"),
        ("Zoë Smith", None, "Zo%C3%AB%20Smith"),
    ],
)
def test_identities_are_escaped_so_they_cannot_collide(
    sub: str, tenant: str | None, user_id: str
) -> None:
    assert user_id_of(sub, tenant) == user_id


@pytest.mark.parametrize(
    ("sub", "tenant"),
    [
        ("", None),
        ("   ", None),
        (" ann", None),
        ("ann\n", None),
        (42, None),
        (None, None),
        ("x" * 257, None),
        ("ann", ""),
        ("ann", 7),
        ("a\x00b", None),
    ],
)
def test_empty_or_malformed_subjects_and_tenants_are_refused(sub: object, tenant: object) -> None:
    with pytest.raises(AuthError):
        user_id_of(sub, tenant)


def test_a_subject_of_256_characters_is_the_longest_accepted() -> None:
    assert user_id_of("x" * 256) == "x" * 256


def test_a_token_with_an_empty_subject_is_refused() -> None:
    auth = Authenticator(Settings(auth_mode="token", jwt_secret=SECRET))
    with pytest.raises(AuthError):
        auth.identify(jwt.encode(_claims(sub=""), SECRET, algorithm="HS256"))


def _connection(
    headers: dict[str, str], query: bytes = b"", settings: Settings | None = None
) -> HTTPConnection:
    """A request or handshake as the app sees it."""
    authenticator = Authenticator(settings or Settings(auth_mode="token", jwt_secret=SECRET))
    return HTTPConnection(
        {
            "type": "http",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "query_string": query,
            "app": SimpleNamespace(state=SimpleNamespace(authenticator=authenticator)),
        }
    )


@pytest.mark.parametrize(
    ("headers", "query", "token", "subprotocol"),
    [
        ({"authorization": "Bearer abc"}, b"", "abc", None),
        ({"authorization": "bearer  abc "}, b"", "abc", None),
        ({"authorization": "Bearer abc"}, b"access_token=q", "abc", None),
        ({"authorization": "Basic abc"}, b"access_token=q", "q", None),
        ({"sec-websocket-protocol": "bearer, abc"}, b"", "abc", "bearer"),
        ({"sec-websocket-protocol": " bearer ,abc "}, b"", "abc", "bearer"),
        ({"sec-websocket-protocol": "chat, abc"}, b"", None, None),
        ({"sec-websocket-protocol": "bearer, abc, x"}, b"", None, None),
        ({"sec-websocket-protocol": "bearer"}, b"access_token=q", "q", None),
        ({}, b"access_token=q", "q", None),
        ({}, b"", None, None),
    ],
)
def test_where_the_token_is_read_from(
    headers: dict[str, str], query: bytes, token: str | None, subprotocol: str | None
) -> None:
    assert credentials(_connection(headers, query)) == Credentials(token, subprotocol)


def test_a_request_without_a_valid_token_is_401_with_a_bearer_challenge() -> None:
    with pytest.raises(HTTPException) as caught:
        caller_of(_connection({}))
    assert caught.value.status_code == 401
    assert caught.value.detail == "a bearer token is required"
    assert caught.value.headers == {"WWW-Authenticate": "Bearer"}
    token = jwt.encode(_claims(), SECRET, algorithm="HS256")
    assert caller_of(_connection({"authorization": f"Bearer {token}"})) == "ann"


def test_local_mode_is_the_local_user_whatever_is_sent() -> None:
    auth = Authenticator(Settings(auth_mode="local", local_user_id="me"))
    assert auth.identify(None) == Identity("me")
    assert auth.identify("forged") == Identity("me")


def test_an_identity_expires_when_its_token_does() -> None:
    auth = Authenticator(Settings(auth_mode="token", jwt_secret=SECRET))
    exp = int(time.time()) + 60
    identity = auth.identify(jwt.encode(_claims(exp=exp), SECRET, algorithm="HS256"))
    assert identity == Identity("ann", float(exp))
    with pytest.raises(AuthError, match="a bearer token is required"):
        auth.identify("")


def test_audience_issuer_and_tenant_claim_are_checked_as_configured() -> None:
    settings = Settings(
        auth_mode="token",
        jwt_secret=SECRET,
        jwt_audience="api",
        jwt_issuer="idp",
        tenant_claim="org",
    )
    auth = Authenticator(settings)
    good = _claims(aud="api", iss="idp", org="acme", tenant="other")
    assert auth.identify(jwt.encode(good, SECRET, algorithm="HS256")).user_id == "acme/ann"
    for wrong in ({"aud": "web"}, {"iss": "evil"}):
        with pytest.raises(AuthError, match="invalid token"):
            auth.identify(jwt.encode(good | wrong, SECRET, algorithm="HS256"))


def _jwks(tmp_path: Path, *entries: dict[str, object]) -> Authenticator:
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": list(entries)}))
    return Authenticator(Settings(auth_mode="token", jwks_file=tmp_path / "jwks.json"))


def _jwk(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, **extra: str) -> dict[str, object]:
    if isinstance(key, rsa.RSAPrivateKey):
        text = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())
    else:
        text = jwt.algorithms.ECAlgorithm.to_jwk(key.public_key())
    return {**json.loads(text), **extra}


def test_each_jwks_key_verifies_the_tokens_that_name_it_and_the_first_is_the_default(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    auth = _jwks(tmp_path, _jwk(rsa_key, kid="k1"), _jwk(other, kid="k2"))

    def token(key: rsa.RSAPrivateKey, kid: str | None) -> str:
        headers = {} if kid is None else {"kid": kid}
        return jwt.encode(_claims(), key, algorithm="RS256", headers=headers)

    assert auth.identify(token(other, "k2")).user_id == "ann"
    assert auth.identify(token(rsa_key, "k1")).user_id == "ann"
    assert auth.identify(token(rsa_key, None)).user_id == "ann"
    assert auth.identify(token(rsa_key, "unknown")).user_id == "ann"
    with pytest.raises(AuthError):
        auth.identify(token(other, None))
    with pytest.raises(AuthError):
        auth.identify(token(other, "k1"))


def test_a_jwks_keys_alg_and_kty_say_which_algorithms_it_verifies(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    auth = _jwks(tmp_path, _jwk(rsa_key, kid="k1", alg="RS384"))
    assert auth.identify(jwt.encode(_claims(), rsa_key, "RS384", {"kid": "k1"})).user_id == "ann"
    with pytest.raises(AuthError):
        auth.identify(jwt.encode(_claims(), rsa_key, "RS256", {"kid": "k1"}))
    curve = ec.generate_private_key(ec.SECP256R1())
    auth = _jwks(tmp_path, _jwk(curve, kid="e1"))
    assert auth.identify(jwt.encode(_claims(), curve, "ES256", {"kid": "e1"})).user_id == "ann"
    with pytest.raises(AuthError):
        auth.identify(jwt.encode(_claims(), rsa_key, "RS256", {"kid": "e1"}))


def test_an_rs256_public_key_file_verifies_every_rsa_algorithm(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    (tmp_path / "key.pem").write_bytes(public_pem(rsa_key))
    auth = Authenticator(Settings(auth_mode="token", jwt_public_key_file=tmp_path / "key.pem"))
    for algorithm in ("RS256", "RS384", "RS512"):
        assert auth.identify(jwt.encode(_claims(), rsa_key, algorithm)).user_id == "ann"


def test_refusals_say_what_was_wrong(tmp_path: Path) -> None:
    """The sentence reaches the client (401 detail, 1008 close reason)."""
    auth = Authenticator(Settings(auth_mode="token", jwt_secret=SECRET))
    with pytest.raises(AuthError, match=r"^invalid token: DecodeError$"):
        auth.identify("not.a.token")
    with pytest.raises(AuthError, match=r"^invalid token: ExpiredSignatureError$"):
        auth.identify(jwt.encode(_claims(exp=int(time.time()) - 5), SECRET, algorithm="HS256"))
    with pytest.raises(AuthError, match=r"^the token's subject \(sub\) is empty or malformed$"):
        user_id_of(" ann")
    with pytest.raises(AuthError, match=r"^the token's tenant is empty or malformed$"):
        user_id_of("ann", "")
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": []}))
    empty = Authenticator(Settings(auth_mode="token", jwks_file=tmp_path / "jwks.json"))
    with pytest.raises(AuthError, match=r"^the token's key is not known$"):
        empty.identify(jwt.encode(_claims(), SECRET, algorithm="HS256"))


def test_a_jwks_key_of_an_unlisted_type_without_alg_verifies_nothing(tmp_path: Path) -> None:
    secret = base64.urlsafe_b64encode(SECRET.encode()).rstrip(b"=").decode()
    auth = _jwks(tmp_path, {"kty": "oct", "k": secret, "kid": "s1"})
    token = jwt.encode(_claims(), SECRET, algorithm="HS256", headers={"kid": "s1"})
    with pytest.raises(AuthError, match=r"^invalid token: DecodeError$"):
        auth.identify(token)


def test_local_mode_reads_no_keys(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    auth = Authenticator(Settings(auth_mode="local", jwks_file=missing))
    assert auth.identify(None) == Identity("local")


def test_a_slash_in_the_subject_is_escaped_under_a_tenant_too() -> None:
    assert user_id_of("a/b", "acme") == "acme/a%2Fb"
