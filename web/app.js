// The operator console: one session over /api/runtime/agent, rendered once per offset.
// It keeps the session id and the last offset in localStorage; after a drop it
// reconnects with `after`, after a reload it replays the session from the start.

const $ = (id) => document.getElementById(id);
const store = window.localStorage;
const sentTexts = JSON.parse(store.getItem("sentTexts") || "{}");

let sessionId = store.getItem("sessionId");
let token = store.getItem("token") || "";
let lastOffset = 0; // a fresh page rebuilds its view from the replay
let socket = null;
let backoff = 500;
let attached = [];
const cards = new Map();

mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

function wsUrl() {
  const url = new URL("/api/runtime/agent", window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  if (sessionId) url.searchParams.set("session_id", sessionId);
  if (lastOffset) url.searchParams.set("after", String(lastOffset));
  if (token) url.searchParams.set("access_token", token);
  return url;
}

function connect() {
  setStatus("connecting…");
  socket = new WebSocket(wsUrl());
  socket.onopen = () => { backoff = 500; setStatus("connected"); };
  socket.onmessage = (message) => receive(JSON.parse(message.data));
  socket.onclose = (event) => {
    setStatus(`disconnected (${event.code}); reconnecting`);
    if (event.code === 1008 && /session/.test(event.reason)) newSession(false);
    setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 5000);
  };
}
window.__consoleSocket = () => socket; // lets browser tests drop the connection

function setStatus(text) { $("status").textContent = text; }

function send(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  else line("system", "Not connected yet: try again in a moment.");
}

function receive(frame) {
  if (frame.type === "session.ready") {
    sessionId = frame.session_id;
    store.setItem("sessionId", sessionId);
    $("session").textContent = sessionId;
    return;
  }
  if (frame.type === "error") return line("error", `Error (${frame.code}): ${frame.message}`);
  if (frame.type === "pong" || frame.offset === undefined || frame.offset <= lastOffset) return;
  lastOffset = frame.offset;
  render(frame);
}

function render(e) {
  const item = { "message.accepted": accepted, "agent.analysis": analysis,
    "agent.message": agentMessage, "intent.pending_approval": pending,
    "intent.rejected": (x) => line("system", `Intent rejected: ${x.reason}`),
    "intent.created": created, "execution.started": started,
    "execution.progress": progress, "execution.completed": completed,
    "execution.failed": failed, "execution.cancelled": cancelled,
    "turn.completed": (x) => line("system", `Turn ${x.status.replace("_", " ")}.`) }[e.type];
  if (item) item(e);
  const li = $("log").lastElementChild;
  if (li && !li.dataset.offset) li.dataset.offset = e.offset;
}

function line(kind, text, who) {
  const li = document.createElement("li");
  li.className = kind;
  if (who) {
    const name = document.createElement("span");
    name.className = "who";
    name.textContent = `${who}:`;
    li.append(name);
  }
  li.append(document.createTextNode(text));
  $("log").append(li);
  li.scrollIntoView({ block: "nearest" });
  return li;
}

function accepted(e) {
  line("you", sentTexts[e.message_id] || `(message ${e.message_id})`, "You").dataset.offset = e.offset;
}

function analysis(e) {
  const pct = Math.round(e.confidence * 100);
  line("system", `Guide routed: ${e.route} · ${e.agents.join(", ")} · ${pct}% confident`).dataset.offset = e.offset;
}

function agentMessage(e) {
  const li = line("agent", e.text, e.agent.replace("_", " "));
  li.dataset.offset = e.offset;
  if (!e.next_steps.length) return;
  const steps = document.createElement("div");
  steps.className = "steps";
  for (const step of e.next_steps) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = step;
    button.onclick = () => { $("text").value = step; $("text").focus(); };
    steps.append(button);
  }
  li.append(steps);
}

function pending(e) {
  const li = line("agent", `${e.reason} (${e.intent.name})`, "Approval needed");
  li.dataset.offset = e.offset;
  for (const [label, type] of [["Approve", "intent.approve"], ["Reject", "intent.reject"]]) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.onclick = () => send({ type, turn_id: e.turn_id });
    li.append(" ", button);
  }
}

function card(id) {
  let c = cards.get(id);
  if (c) return c;
  const el = document.createElement("article");
  el.className = "card";
  el.setAttribute("aria-label", `Execution ${id}`);
  el.innerHTML = `<h3></h3><p>Status: <span class="state">created</span> · attempt <span class="attempt">–</span></p>
    <p class="meta"></p><p class="progress" aria-live="polite"></p><div class="actions"></div><div class="result"></div>`;
  $("cards").prepend(el);
  c = { el, id };
  cards.set(id, c);
  return c;
}

function setState(c, state) {
  c.el.querySelector(".state").textContent = state;
  c.el.dataset.state = state;
  const actions = c.el.querySelector(".actions");
  actions.replaceChildren();
  const button = (label, type) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.onclick = () => send({ type, execution_id: c.id });
    actions.append(b);
  };
  if (state === "running") button("Cancel", "execution.cancel");
  if (state === "failed" || state === "cancelled") button("Retry", "execution.retry");
}

function created(e) {
  const c = card(e.execution_id);
  c.el.querySelector("h3").textContent = `${e.intent.name} · ${e.intent.realm || "runtime"}`;
  const meta = c.el.querySelector(".meta");
  const link = document.createElement("a");
  link.href = e.temporal_ui_url;
  link.target = "_blank";
  link.rel = "noopener";
  link.textContent = "Open in the Temporal UI";
  meta.append(link);
  if (e.retry_of) meta.append(` · retry of ${e.retry_of.slice(0, 8)}`);
  setState(c, "created");
  line("system", `Intent ${e.intent.name} sent to the Runtime.`).dataset.offset = e.offset;
}

function started(e) {
  const c = card(e.execution_id);
  c.el.querySelector(".attempt").textContent = String(e.attempt);
  setState(c, "running");
}

function progress(e) {
  const pct = e.percent === null ? "" : ` (${Math.round(e.percent)}%)`;
  card(e.execution_id).el.querySelector(".progress").textContent = `${e.message}${pct}`;
}

function completed(e) {
  const c = card(e.execution_id);
  setState(c, "completed");
  c.el.querySelector(".progress").textContent = "";
  renderResult(c.el.querySelector(".result"), e.result);
}

function failed(e) {
  const c = card(e.execution_id);
  setState(c, "failed");
  c.el.querySelector(".progress").textContent =
    `${e.error.type}: ${e.error.message} (after ${e.attempts} attempt${e.attempts === 1 ? "" : "s"})`;
}

function cancelled(e) {
  const c = card(e.execution_id);
  setState(c, "cancelled");
  c.el.querySelector(".progress").textContent = "Cancelled: nothing from it was kept.";
}

function table(headers, rows, caption) {
  const t = document.createElement("table");
  const cap = document.createElement("caption");
  cap.textContent = caption;
  const head = document.createElement("tr");
  for (const h of headers) { const th = document.createElement("th"); th.textContent = h; head.append(th); }
  t.append(cap, head);
  for (const row of rows) {
    const tr = document.createElement("tr");
    for (const cell of row) { const td = document.createElement("td"); td.textContent = cell ?? ""; tr.append(td); }
    t.append(tr);
  }
  return t;
}

const fmt = (v) => (typeof v === "number" ? String(Math.round(v * 1000) / 1000) : v);

function renderResult(box, result) {
  box.replaceChildren();
  if (result.summary) { const p = document.createElement("p"); p.textContent = result.summary; box.append(p); }
  if (result.answer !== undefined && result.columns) renderAnswer(box, result);
  for (const profile of result.profiles || []) {
    box.append(table(["column", "type", "null rate", "distinct", "min", "mean", "max", "outliers"],
      profile.column_profiles.map((c) => [c.name, c.type, fmt(c.null_rate), c.distinct, fmt(c.min), fmt(c.mean), fmt(c.max), c.outliers]),
      `Profile of ${profile.name}: quality ${profile.quality_score}/100`));
  }
  if (result.measures) {
    box.append(table(["measure", ...result.files, "best"],
      result.measures.map((m) => [m.name, ...result.files.map((f) => fmt(m.values[f])), m.best ?? "tie"]),
      "Data quality side by side"));
  }
  if (result.mermaid) journeyResult(box, result);
}

// The Journey card: the flowchart, the steps with who does them, what the reader skipped,
// and the BPMN 2.0 file to download (Camunda Modeler, bpmn.io and Signavio open it).
function journeyResult(box, result) {
  const figure = document.createElement("figure");
  figure.setAttribute("aria-label", "Workflow flowchart");
  box.append(figure);
  mermaid.render(`m${Math.random().toString(36).slice(2)}`, result.mermaid)
    .then(({ svg }) => { figure.innerHTML = svg; })
    .catch(() => { const pre = document.createElement("pre"); pre.textContent = result.mermaid; figure.append(pre); });
  const steps = document.createElement("ol");
  steps.className = "journey-steps";
  for (const s of result.nodes.filter((n) => n.kind === "task")) {
    const li = document.createElement("li");
    li.textContent = `${s.actor ? s.actor + ": " : ""}${s.label}`;
    steps.append(li);
  }
  box.append(steps);
  for (const warning of result.warnings || []) {
    const p = document.createElement("p");
    p.className = "warning";
    p.textContent = `Note: ${warning.message}${warning.examples?.length ? ` (${warning.examples.join("; ")})` : ""}`;
    box.append(p);
  }
  if (result.bpmn) {
    const link = document.createElement("a");
    link.className = "bpmn-download";
    link.textContent = "Download BPMN";
    link.download = `${(result.title || "workflow").replace(/[^\w.-]+/g, "_")}.bpmn`;
    link.href = URL.createObjectURL(new Blob([result.bpmn], { type: "application/xml" }));
    box.append(link);
  }
}

// query_data: the answer, a small chart where one reads better (bars for groups, a line
// for trends), the table behind it and the SQL that ran. Plain SVG, no library.
function renderAnswer(box, result) {
  const p = document.createElement("p");
  p.className = "answer";
  p.textContent = result.answer;
  box.append(p);
  if (result.chart === "bar" || result.chart === "line") box.append(chart(result));
  const shown = result.truncated ? ` (first ${result.rows.length} shown)` : "";
  box.append(table(result.columns, result.rows.map((r) => r.map(fmt)), `${result.row_count} rows${shown}`));
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "SQL";
  const pre = document.createElement("pre");
  pre.textContent = result.sql;
  details.append(summary, pre);
  box.append(details);
}

const SVG = "http://www.w3.org/2000/svg";

function svgEl(name, attrs, text) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

function chart(result) {
  const width = 420, height = 180, left = 48, bottom = 36, top = 8;
  const rows = result.rows.slice(0, 40).filter((r) => typeof r[r.length - 1] === "number");
  const values = rows.map((r) => r[r.length - 1]);
  const keys = result.columns[0] === "bin_from" ? 2 : result.columns.length - 1;
  const labels = rows.map((r) => r.slice(0, keys).map(fmt).join(keys === 2 && result.columns[0] === "bin_from" ? "–" : " / "));
  const low = Math.min(0, ...values), high = Math.max(...values, 0) || 1;
  const y = (v) => top + (height - top - bottom) * (1 - (v - low) / (high - low));
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, class: `chart ${result.chart}`, role: "img",
    "aria-label": `${result.chart === "line" ? "Line" : "Bar"} chart of ${result.columns[result.columns.length - 1]}` });
  svg.append(svgEl("line", { x1: left, x2: width, y1: y(low), y2: y(low), class: "axis" }));
  svg.append(svgEl("text", { x: left - 4, y: y(high) + 4, "text-anchor": "end" }, fmt(high)));
  svg.append(svgEl("text", { x: left - 4, y: y(low), "text-anchor": "end" }, fmt(low)));
  const step = (width - left) / Math.max(1, rows.length);
  if (result.chart === "line") {
    const points = values.map((v, i) => `${left + step * (i + 0.5)},${y(v)}`).join(" ");
    svg.append(svgEl("polyline", { points, class: "series" }));
  } else {
    values.forEach((v, i) => {
      const bar = svgEl("rect", { x: left + step * i + 2, width: Math.max(1, step - 4), y: Math.min(y(v), y(0)),
        height: Math.abs(y(0) - y(v)), class: "series" });
      bar.append(svgEl("title", {}, `${labels[i]}: ${fmt(v)}`));
      svg.append(bar);
    });
  }
  const every = Math.ceil(rows.length / 8);
  labels.forEach((label, i) => {
    if (i % every === 0) svg.append(svgEl("text", { x: left + step * (i + 0.5), y: height - bottom + 14, "text-anchor": "middle" }, String(label).slice(0, 12)));
  });
  return svg;
}

async function upload(files) {
  for (const file of files) {
    const body = new FormData();
    body.append("file", file);
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const response = await fetch("/api/files", { method: "POST", body, headers });
    const json = await response.json();
    if (!response.ok) { line("error", `Upload of ${file.name} failed: ${json.detail}`); continue; }
    attached.push(json);
  }
  showAttached();
}

function showAttached() {
  $("attached").replaceChildren(...attached.map((f) => {
    const li = document.createElement("li");
    li.textContent = `${f.name} (${f.size} bytes)`;
    return li;
  }));
}

function newSession(reconnect = true) {
  store.removeItem("sessionId");
  sessionId = null;
  lastOffset = 0;
  $("log").replaceChildren();
  $("cards").replaceChildren();
  cards.clear();
  if (reconnect && socket) socket.close();
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  if (!text) return;
  const messageId = crypto.randomUUID().replaceAll("-", "");
  sentTexts[messageId] = text;
  store.setItem("sentTexts", JSON.stringify(sentTexts));
  const frame = { type: "user.message", message_id: messageId, text };
  if (attached.length) frame.file_ids = attached.map((f) => f.file_id);
  send(frame);
  attached = [];
  showAttached();
  $("text").value = "";
});
$("text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("composer").requestSubmit(); }
});
$("file").addEventListener("change", (event) => upload(event.target.files));
const drop = $("drop");
drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => { event.preventDefault(); drop.classList.remove("over"); upload(event.dataTransfer.files); });
drop.addEventListener("keydown", (event) => { if (event.key === "Enter") $("file").click(); });
$("new-session").addEventListener("click", () => newSession());
$("token").value = token;
$("save-token").addEventListener("click", () => {
  token = $("token").value.trim();
  store.setItem("token", token);
  if (socket) socket.close();
});

connect();
