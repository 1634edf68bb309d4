"""The console page in a real browser (Debian's Chromium driven by Playwright)."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

import launcher
from tests.client import Api

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT = 20_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Screenshots of each step: test artifacts, never committed."""
    folder = Path(os.environ.get("SYMPHAINY_TEST_ARTIFACTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser: Browser, stack: launcher.Stack) -> Iterator[Page]:
    context = browser.new_context()
    opened = context.new_page()
    opened.goto(stack.api_url() + "/")
    expect(opened.locator("#status")).to_have_text("connected", timeout=WAIT)
    yield opened
    context.close()


def _say(page: Page, text: str) -> None:
    page.fill("#text", text)
    page.keyboard.press("Enter")


def _session(page: Page) -> str:
    expect(page.locator("#session")).not_to_have_text("\u2013", timeout=WAIT)
    return page.locator("#session").inner_text()


def test_the_guide_answers_an_upload_without_a_file(page: Page, shots: Path) -> None:
    _say(page, "Upload a file")
    expect(page.locator("#log")).to_contain_text("Guide routed: direct", timeout=WAIT)
    expect(page.locator("#log")).to_contain_text("attach the file", timeout=WAIT)
    expect(page.locator("#log")).to_contain_text("Turn needs input", timeout=WAIT)
    page.screenshot(path=shots / "01-upload-without-file.png")


def test_an_uploaded_csv_is_ingested_and_profiled(page: Page, shots: Path, tmp_path: Path) -> None:
    csv = tmp_path / "sales.csv"
    csv.write_text("region,amount\nnorth,10\nsouth,20\nnorth,\neast,400\n")
    page.set_input_files("#file", str(csv))
    expect(page.locator("#attached")).to_contain_text("sales.csv", timeout=WAIT)
    _say(page, "Upload a file")
    card = page.locator(".card", has_text="ingest_file")
    expect(card.locator(".state")).to_have_text("completed", timeout=WAIT)
    expect(card.locator("a")).to_have_attribute("href", re.compile(r"/workflows/exec-"))
    page.screenshot(path=shots / "02-ingested.png")
    _say(page, "What insights can I get from my data?")
    profile = page.locator(".card", has_text="profile_data")
    expect(profile.locator("table")).to_contain_text("amount", timeout=WAIT)
    page.screenshot(path=shots / "03-profile.png")


def test_a_question_shows_its_answer_table_and_chart(
    page: Page, shots: Path, tmp_path: Path
) -> None:
    csv = tmp_path / "sales.csv"
    csv.write_text("region,amount\nnorth,10\nsouth,20\nnorth,30\neast,400\n")
    page.set_input_files("#file", str(csv))
    expect(page.locator("#attached")).to_contain_text("sales.csv", timeout=WAIT)
    _say(page, "Upload a file")
    expect(page.locator(".card", has_text="ingest_file").locator(".state")).to_have_text(
        "completed", timeout=WAIT
    )
    _say(page, "total amount by region?")
    card = page.locator(".card", has_text="query_data")
    expect(card.locator(".answer")).to_have_text(
        "Total amount by region: east 400, north 40, south 20.", timeout=WAIT
    )
    expect(card.locator("table")).to_contain_text("sum_amount")
    expect(card.locator("svg.chart.bar rect")).to_have_count(3)
    page.screenshot(path=shots / "07-answer-chart.png")


def test_cancel_and_retry_from_the_cards(
    page: Page, stack: launcher.Stack, shots: Path, tmp_path: Path
) -> None:
    api = Api(stack.api_url())
    _say(page, "Upload a file")
    expect(page.locator("#log")).to_contain_text("Turn needs input", timeout=WAIT)
    session_id = _session(page)
    api.start("test_slow", {"seconds": 60, "output": str(tmp_path / "out")}, session_id)
    slow = page.locator(".card", has_text="test_slow")
    slow.get_by_role("button", name="Cancel").click(timeout=WAIT)
    expect(slow.locator(".state")).to_have_text("cancelled", timeout=WAIT)
    page.screenshot(path=shots / "04-cancelled.png")
    control = tmp_path / "control"
    control.write_text("1")
    api.start("test_flaky", {"control": str(control), "permanent": True}, session_id)
    flaky = page.locator(".card", has_text="test_flaky").first
    flaky.get_by_role("button", name="Retry").click(timeout=WAIT)
    retried = page.locator(".card", has_text="retry of")
    expect(retried.locator(".state")).to_have_text("completed", timeout=WAIT)
    page.screenshot(path=shots / "05-retried.png")


def test_a_dropped_socket_resumes_without_duplicates(page: Page, shots: Path) -> None:
    _say(page, "Upload a file")
    expect(page.locator("#log")).to_contain_text("Turn needs input", timeout=WAIT)
    dropped = page.evaluate_handle("window.__consoleSocket()")
    page.evaluate("socket => socket.close()", dropped)
    page.wait_for_function(
        "dropped => window.__consoleSocket() !== dropped"
        " && window.__consoleSocket().readyState === WebSocket.OPEN",
        arg=dropped,
        timeout=WAIT,
    )
    expect(page.locator("#status")).to_have_text("connected", timeout=WAIT)
    _say(page, "hello")
    expect(page.locator("#log li[data-offset]").last).to_contain_text("Turn", timeout=WAIT)
    turns_done = page.locator("#log li", has_text="Turn needs input")
    expect(turns_done).to_have_count(2, timeout=WAIT)
    page.reload()
    expect(page.locator("#status")).to_have_text("connected", timeout=WAIT)
    expect(page.locator("#log li.you")).to_have_count(2, timeout=WAIT)
    offsets = page.eval_on_selector_all(
        "#log li[data-offset]", "items => items.map(i => Number(i.dataset.offset))"
    )
    assert offsets == sorted(set(offsets))
    page.screenshot(path=shots / "06-resumed.png")
