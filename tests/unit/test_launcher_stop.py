"""The launcher's stop signals: the handler only notes the signal; the launcher stops at
its next checkpoint. An exception raised from the handler itself could land inside
`Popen.poll` with its waitpid lock held, and the stop then hung (see `launcher`)."""

import signal
from collections.abc import Iterator

import pytest

import launcher


@pytest.fixture(autouse=True)
def no_requests() -> Iterator[None]:
    launcher._stop_requests.clear()
    yield
    launcher._stop_requests.clear()


def test_the_handler_returns_and_the_next_checkpoint_stops() -> None:
    launcher.checkpoint()
    launcher._request_stop(signal.SIGTERM, None)
    launcher._request_stop(signal.SIGINT, None)
    with pytest.raises(launcher.Stopped, match=r"^SIGTERM$"):
        launcher.checkpoint()


def test_every_wait_of_the_launcher_stops_at_once() -> None:
    launcher._request_stop(signal.SIGHUP, None)
    with pytest.raises(launcher.Stopped):
        launcher.wait_ready("http://127.0.0.1:9", timeout=30)
