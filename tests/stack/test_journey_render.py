"""Every benchmark SOP's drawings, checked by the tools that read them.

The BPMN of each is imported with the npm package bpmn-moddle (installed by
scripts/bootstrap into tests/js) and must import with no warning and hold the graph's
elements; the Mermaid of each is rendered in Debian's Chromium by the console's own
vendored Mermaid and must draw every node.
"""

import json
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from activities.realms.journey import WorkflowDefinition, parse_sop
from activities.realms.sop.graph import NodeKind
from bench.journey.run import CORPORA, load
from tests.stack import test_console

browser = test_console.browser
"""The console tests' Chromium (Debian's, driven by Playwright)."""
ROOT = Path(__file__).resolve().parents[2]
CHECK_BPMN = ROOT / "tests" / "js" / "check_bpmn.mjs"
MERMAID = ROOT / "web" / "vendor" / "mermaid.min.js"
HOSTILE = (
    '# Labels with "quotes" & [brackets]\n'
    '1. Say "hello" | wave {twice} at <b>desk</b> #1 & `tick` (it)\n'
    "2. If the total is > 100 [EUR], the manager signs #2.\n"
    '3. Otherwise, the clerk\'s "fast" path ends.\n'
)


@pytest.fixture(scope="module")
def flows() -> dict[str, WorkflowDefinition]:
    read = {
        f"{corpus}/{doc['name']}": parse_sop(doc["text"])
        for corpus in CORPORA
        for docs in load(corpus).values()
        for doc in docs
    }
    read["hostile"] = parse_sop(HOSTILE)
    return read


def _moddle(paths: list[Path]) -> list[dict[str, object]]:
    run = subprocess.run(
        ["node", str(CHECK_BPMN), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: list[dict[str, object]] = json.loads(run.stdout)
    return result


def test_every_bpmn_imports_with_no_warning(
    flows: dict[str, WorkflowDefinition], tmp_path: Path
) -> None:
    paths = []
    for name, flow in flows.items():
        path = tmp_path / f"{name.replace('/', '-')}.bpmn"
        path.write_text(flow.bpmn)
        paths.append(path)
    for (name, flow), found in zip(flows.items(), _moddle(paths), strict=True):
        counts = found["counts"]
        assert isinstance(counts, dict)
        assert found.get("error") is None and found["warnings"] == [], name
        assert counts.get("bpmn:Task", 0) == flow.steps, name
        assert counts.get("bpmn:ExclusiveGateway", 0) == flow.decisions, name
        parallel = sum(1 for n in flow.nodes if n.kind in (NodeKind.PARALLEL, NodeKind.JOIN))
        assert counts.get("bpmn:ParallelGateway", 0) == parallel, name
        assert counts["bpmn:SequenceFlow"] == len(flow.edges), name
        lanes = len({n.actor for n in flow.nodes if n.actor})
        assert found["lanes"] == lanes, name
        assert found["diagramElements"] == len(flow.nodes) + len(flow.edges) + lanes + 1, name


def test_the_checker_sees_a_broken_reference(
    flows: dict[str, WorkflowDefinition], tmp_path: Path
) -> None:
    """The rule above is only as good as its checker: a flow to a missing node must warn."""
    flow = flows["corpus/refund-request"]
    broken = tmp_path / "broken.bpmn"
    broken.write_text(
        flow.bpmn.replace(f'targetRef="{flow.edges[0].target}"', 'targetRef="nowhere"', 1)
    )
    (found,) = _moddle([broken])
    assert found["warnings"]


RENDER = """async (charts) => {
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  const out = [];
  for (const [name, chart] of charts) {
    try {
      const { svg } = await mermaid.render("m" + out.length, chart);
      const box = document.createElement("div");
      box.innerHTML = svg;
      out.push({ name, nodes: box.querySelectorAll("g.node").length, text: box.textContent });
    } catch (error) {
      out.push({ name, error: String(error) });
    }
  }
  return out;
}"""


def test_every_mermaid_renders_in_chromium(
    flows: dict[str, WorkflowDefinition], browser: Browser
) -> None:
    page = browser.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(MERMAID))
    drawn = page.evaluate(RENDER, [[name, flow.mermaid] for name, flow in flows.items()])
    page.close()
    for found, (name, flow) in zip(drawn, flows.items(), strict=True):
        assert "error" not in found, (name, found.get("error"))
        assert found["nodes"] == len(flow.nodes), name
    hostile = drawn[-1]["text"]
    for written in (
        'Say "hello" | wave {twice} at <b>desk</b> #1 & `tick` (it)',
        "> 100 [EUR]",
    ):
        assert written in hostile
