// Imports each BPMN file named on the command line with bpmn-moddle and prints, as JSON,
// what it found: the import warnings (unresolved references, unknown elements or
// attributes) and how many elements of each BPMN type the process holds.
import { readFile } from "node:fs/promises";
import { BpmnModdle } from "bpmn-moddle";

const moddle = new BpmnModdle();
const results = [];
for (const path of process.argv.slice(2)) {
  const xml = await readFile(path, "utf8");
  try {
    const { rootElement, warnings } = await moddle.fromXML(xml);
    const counts = {};
    let lanes = 0;
    let diagramElements = 0;
    for (const root of rootElement.rootElements) {
      if (root.$type !== "bpmn:Process") continue;
      for (const element of root.flowElements || []) counts[element.$type] = (counts[element.$type] || 0) + 1;
      for (const set of root.laneSets || []) lanes += set.lanes.length;
    }
    for (const diagram of rootElement.diagrams || []) diagramElements += diagram.plane.planeElement.length;
    results.push({ path, warnings: warnings.map((w) => w.message), counts, lanes, diagramElements });
  } catch (error) {
    results.push({ path, error: String(error) });
  }
}
process.stdout.write(JSON.stringify(results));
