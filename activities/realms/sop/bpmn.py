"""BPMN 2.0 XML of the graph: a pool, a lane per actor, tasks, gateways, events, flows.

The diagram interchange (BPMNDI) lays the process out left to right: a node's column is
its longest path from the start (back edges of loops left out), its row is its actor's
lane, so tools such as Camunda Modeler or bpmn.io open it drawn, not just parsed.
Without it the XML still imports; it is left out, with a warning, when the whole file
would not fit in a result.
"""

from collections import defaultdict, deque
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from activities.realms.sop.graph import Graph, Node, NodeKind

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
for _prefix, _uri in (("bpmn", BPMN), ("bpmndi", BPMNDI), ("dc", DC), ("di", DI)):
    ET.register_namespace(_prefix, _uri)

_TAGS = {
    NodeKind.START: "startEvent",
    NodeKind.TASK: "task",
    NodeKind.DECISION: "exclusiveGateway",
    NodeKind.PARALLEL: "parallelGateway",
    NodeKind.JOIN: "parallelGateway",
    NodeKind.END: "endEvent",
}
_SIZES = {
    NodeKind.START: (36, 36),
    NodeKind.END: (36, 36),
    NodeKind.TASK: (100, 80),
    NodeKind.DECISION: (50, 50),
    NodeKind.PARALLEL: (50, 50),
    NodeKind.JOIN: (50, 50),
}
COLUMN, ROW, LANE_X, POOL_X, TOP = 160, 110, 160, 100, 80


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


@dataclass
class _Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


def to_bpmn(graph: Graph, title: str, *, diagram: bool = True) -> str:
    """The process as BPMN 2.0 XML (with its diagram unless `diagram` is False)."""
    lanes = _lanes(graph)
    flows = {id(edge): f"Flow_{index}" for index, edge in enumerate(graph.edges, 1)}
    root = ET.Element(
        _q(BPMN, "definitions"),
        {
            "id": "Definitions_1",
            "targetNamespace": "urn:symphainy:journey",
            "exporter": "Symphainy",
        },
    )
    collaboration = ET.SubElement(root, _q(BPMN, "collaboration"), id="Collaboration_1")
    ET.SubElement(
        collaboration,
        _q(BPMN, "participant"),
        id="Participant_1",
        name=title,
        processRef="Process_1",
    )
    process = ET.SubElement(
        root, _q(BPMN, "process"), id="Process_1", name=title, isExecutable="false"
    )
    if lanes:
        lane_set = ET.SubElement(process, _q(BPMN, "laneSet"), id="LaneSet_1")
        for index, (actor, members) in enumerate(lanes.items(), 1):
            lane = ET.SubElement(lane_set, _q(BPMN, "lane"), id=f"Lane_{index}", name=actor)
            for member in members:
                ET.SubElement(lane, _q(BPMN, "flowNodeRef")).text = member
    incoming: dict[str, list[str]] = defaultdict(list)
    outgoing: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        outgoing[edge.source].append(flows[id(edge)])
        incoming[edge.target].append(flows[id(edge)])
    for node in graph.nodes:
        element = ET.SubElement(process, _q(BPMN, _TAGS[node.kind]), _attributes(node))
        for flow in incoming[node.id]:
            ET.SubElement(element, _q(BPMN, "incoming")).text = flow
        for flow in outgoing[node.id]:
            ET.SubElement(element, _q(BPMN, "outgoing")).text = flow
    for edge in graph.edges:
        attributes = {"id": flows[id(edge)], "sourceRef": edge.source, "targetRef": edge.target}
        if edge.label:
            attributes["name"] = edge.label
        ET.SubElement(process, _q(BPMN, "sequenceFlow"), attributes)
    if diagram:
        _diagram(root, graph, lanes, flows)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _attributes(node: Node) -> dict[str, str]:
    attributes = {"id": node.id, "name": node.label}
    if node.kind in (NodeKind.DECISION, NodeKind.PARALLEL):
        attributes["gatewayDirection"] = "Diverging"
    elif node.kind == NodeKind.JOIN:
        attributes["gatewayDirection"] = "Converging"
    return attributes


def _lanes(graph: Graph) -> dict[str, list[str]]:
    """Actor → its nodes; gateways and events join the lane of the node before them."""
    if not any(node.actor for node in graph.nodes):
        return {}
    lane_of: dict[str, str | None] = {node.id: node.actor for node in graph.nodes if node.actor}
    before: dict[str, list[str]] = defaultdict(list)
    after: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        before[edge.target].append(edge.source)
        after[edge.source].append(edge.target)
    for node in graph.nodes:
        if node.id not in lane_of:
            lane_of[node.id] = _nearest(node.id, lane_of, before, after)
    lanes: dict[str, list[str]] = {}
    for node in graph.nodes:
        lanes.setdefault(lane_of[node.id] or "", []).append(node.id)
    if "" in lanes:
        unassigned = lanes.pop("")
        lanes[next(iter(lanes))].extend(unassigned)
    return lanes


def _nearest(
    start: str,
    lane_of: dict[str, str | None],
    before: dict[str, list[str]],
    after: dict[str, list[str]],
) -> str | None:
    """The closest node with an actor, looking backwards first, then forwards."""
    for neighbours in (before, after):
        seen, queue = {start}, deque([start])
        while queue:
            current = queue.popleft()
            for other in neighbours[current]:
                if lane_of.get(other):
                    return lane_of[other]
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
    return None


def _columns(graph: Graph) -> dict[str, int]:
    """Longest path from the start over forward edges; nodes in a cycle go after the rest."""
    forward = [edge for edge in graph.edges if not edge.loop]
    indegree = {node.id: 0 for node in graph.nodes}
    after: dict[str, list[str]] = defaultdict(list)
    for edge in forward:
        indegree[edge.target] += 1
        after[edge.source].append(edge.target)
    column = dict.fromkeys(indegree, 0)
    queue = deque(node for node, degree in indegree.items() if degree == 0)
    done = 0
    while queue:
        current = queue.popleft()
        done += 1
        for target in after[current]:
            column[target] = max(column[target], column[current] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                queue.append(target)
    if done < len(column):
        last = max(column.values()) + 1
        for node, degree in indegree.items():
            if degree > 0:
                column[node] = last
                last += 1
    return column


def _layout(graph: Graph, lanes: dict[str, list[str]]) -> tuple[dict[str, _Box], list[_Box], _Box]:
    """Boxes of the nodes, of each lane and of the pool."""
    columns = _columns(graph)
    by_id = {node.id: node for node in graph.nodes}
    groups = lanes or {"": [node.id for node in graph.nodes]}
    width = (max(columns.values(), default=0) + 1) * COLUMN + 60
    boxes: dict[str, _Box] = {}
    lane_boxes: list[_Box] = []
    top = TOP
    for members in groups.values():
        rows: dict[int, int] = defaultdict(int)
        for member in members:
            node = by_id[member]
            row = rows[columns[member]]
            rows[columns[member]] += 1
            w, h = _SIZES[node.kind]
            middle = top + ROW / 2 + row * ROW
            x = LANE_X + 40 + columns[member] * COLUMN + (100 - w) / 2
            boxes[member] = _Box(x, middle - h / 2, w, h)
        height = max(rows.values(), default=1) * ROW
        lane_boxes.append(_Box(LANE_X, top, width, height))
        top += height
    pool = _Box(POOL_X, TOP, width + LANE_X - POOL_X, top - TOP)
    return boxes, lane_boxes, pool


def _diagram(
    root: ET.Element, graph: Graph, lanes: dict[str, list[str]], flows: dict[int, str]
) -> None:
    boxes, lane_boxes, pool = _layout(graph, lanes)
    diagram = ET.SubElement(root, _q(BPMNDI, "BPMNDiagram"), id="Diagram_1")
    plane = ET.SubElement(
        diagram, _q(BPMNDI, "BPMNPlane"), id="Plane_1", bpmnElement="Collaboration_1"
    )
    _shape(plane, "Participant_1", pool, horizontal=True)
    for index, box in enumerate(lane_boxes[: len(lanes)], 1):
        _shape(plane, f"Lane_{index}", box, horizontal=True)
    for node in graph.nodes:
        _shape(plane, node.id, boxes[node.id])
    for edge in graph.edges:
        element = ET.SubElement(
            plane, _q(BPMNDI, "BPMNEdge"), id=f"{flows[id(edge)]}_di", bpmnElement=flows[id(edge)]
        )
        for x, y in _waypoints(boxes[edge.source], boxes[edge.target], back=edge.loop):
            ET.SubElement(element, _q(DI, "waypoint"), x=_n(x), y=_n(y))


def _shape(plane: ET.Element, element: str, box: _Box, *, horizontal: bool = False) -> None:
    attributes = {"id": f"{element}_di", "bpmnElement": element}
    if horizontal:
        attributes["isHorizontal"] = "true"
    shape = ET.SubElement(plane, _q(BPMNDI, "BPMNShape"), attributes)
    ET.SubElement(
        shape,
        _q(DC, "Bounds"),
        x=_n(box.x),
        y=_n(box.y),
        width=_n(box.width),
        height=_n(box.height),
    )


def _waypoints(source: _Box, target: _Box, *, back: bool) -> list[tuple[float, float]]:
    """Right side to left side with one bend; a loop goes under both nodes and back."""
    if back or target.x <= source.x:
        below = max(source.y + source.height, target.y + target.height) + 15
        sx, tx = source.x + source.width / 2, target.x + target.width / 2
        return [
            (sx, source.y + source.height),
            (sx, below),
            (tx, below),
            (tx, target.y + target.height),
        ]
    start = (source.x + source.width, source.middle)
    end = (target.x, target.middle)
    if abs(start[1] - end[1]) < 1:
        return [start, end]
    bend = start[0] + (end[0] - start[0]) / 2
    return [start, (bend, start[1]), (bend, end[1]), end]


def _n(value: float) -> str:
    return str(round(value))
