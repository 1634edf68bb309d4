"""Unit tests of the log redaction (no server): every record of every logger, any shape.

`tests/stack/test_session_security.py` proves it end to end against a real uvicorn.
"""

import io
import logging
from collections.abc import Iterator

import pytest
from uvicorn.logging import AccessFormatter

from api.redaction import install, redact

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJl"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield logger, stream
    logger.removeHandler(handler)


@pytest.mark.parametrize(
    "text",
    [
        f"/api/runtime/agent?session_id=1&access_token={JWT}",
        "/api/runtime/agent?ACCESS_TOKEN=opaque-token-123",
        f"authorization: Bearer {JWT}",
        f"[(b'sec-websocket-protocol', b'bearer, {JWT}')]",
        f"a token in passing: {JWT}.",
    ],
)
def test_every_shape_of_credential_is_redacted(text: str) -> None:
    clean = redact(text)
    assert "<redacted>" in clean
    assert JWT not in clean and "opaque-token-123" not in clean


def test_messages_arguments_and_tracebacks_are_redacted(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    logger.info('%s - "WebSocket %s" [accepted]', "127.0.0.1:5", f"/x?access_token={JWT}")
    logger.warning("headers %r", {"authorization": f"Bearer {JWT}"})
    try:
        raise ValueError(f"could not use {JWT}")
    except ValueError:
        logger.exception("failed")
    text = stream.getvalue()
    assert JWT not in text
    assert "access_token=<redacted>" in text
    assert "Traceback" in text and "ValueError: could not use <redacted>" in text


def test_uvicorns_access_formatter_still_gets_its_five_arguments(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    logger.handlers[-1].setFormatter(AccessFormatter("%(request_line)s %(status_code)s"))
    logger.info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", f"/api?access_token={JWT}", "1.1", 200
    )
    assert stream.getvalue().strip() == "GET /api?access_token=<redacted> HTTP/1.1 200 OK"
