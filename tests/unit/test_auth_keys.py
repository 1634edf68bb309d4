"""Token verification with each kind of key, without a server: HS256, RS256, JWKS."""

import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from api.auth import Authenticator, AuthError
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
