"""The console's Journey card in a real browser: an uploaded SOP becomes a drawn workflow
whose BPMN downloads as a file bpmn-moddle imports."""

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.stack import test_console
from tests.stack.test_journey_render import _moddle

browser, page = test_console.browser, test_console.page
"""The console tests' fixtures: their Chromium, and a page connected to the stack."""

SOP = """# Expense claims

1. The employee submits the expense form.
2. If the amount is over 500 EUR, the line manager approves the claim.
3. Otherwise, the claim is approved automatically.
4. Finance reimburses the employee.
"""


def test_an_sop_is_drawn_and_its_bpmn_downloads(page: Page, tmp_path: Path) -> None:
    sop = tmp_path / "expenses.md"
    sop.write_text(SOP)
    page.set_input_files("#file", str(sop))
    expect(page.locator("#attached")).to_contain_text("expenses.md", timeout=test_console.WAIT)
    page.fill("#text", "Create a workflow from my SOP")
    page.keyboard.press("Enter")
    card = page.locator(".card", has_text="create_workflow_from_sop")
    expect(card.locator(".state")).to_have_text("completed", timeout=test_console.WAIT)
    expect(card.locator("figure svg g.node")).to_have_count(7, timeout=test_console.WAIT)
    expect(card.locator(".journey-steps li")).to_have_text(
        [
            "Employee: The employee submits the expense form",
            "Line manager: The line manager approves the claim",
            "The claim is approved automatically",
            "Finance: Finance reimburses the employee",
        ]
    )
    with page.expect_download() as download:
        card.get_by_role("link", name="Download BPMN").click()
    assert download.value.suggested_filename == "Expense_claims.bpmn"
    saved = tmp_path / "saved.bpmn"
    download.value.save_as(saved)
    (found,) = _moddle([saved])
    assert found["warnings"] == []
    assert found["counts"] == {
        "bpmn:StartEvent": 1,
        "bpmn:Task": 4,
        "bpmn:ExclusiveGateway": 1,
        "bpmn:EndEvent": 1,
        "bpmn:SequenceFlow": 7,
    }
    assert found["lanes"] == 3
