"""Token verification with each kind of key, without a server: HS256, RS256, JWKS."""

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from api.auth import Authenticator, AuthError, user_id_of
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
