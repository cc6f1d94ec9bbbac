// The live session runner: clock from the server's timing log, keyboard shortcuts, and
// autosave with an offline queue kept in localStorage so nothing typed is ever lost.
// Hand-written, no build step. Every change becomes an operation with a browser-made id;
// operations are sent one at a time so each save is based on the version the last one
// returned, and they stay on this device until the server has answered.

const root = document.getElementById("runner");
const state = JSON.parse(document.getElementById("runner-state").textContent);
const STORE = `flowcoach-runner-${state.session}`;
const SAVE_DELAY = 700;
const STAGES = ["find_out", "learn_about", "own", "work_it"];
const STAGE_LABELS = { find_out: "Find out", learn_about: "Learn about", own: "Own", work_it: "Work it" };
const MARKER_LABELS = { energy: "Energy", aha: "Aha" };
const urls = {
  note: root.dataset.notesUrl,
  record: root.dataset.recordUrl,
  timing: root.dataset.timingUrl,
  commitment: root.dataset.commitmentsUrl,
};
const $ = (id) => document.getElementById(id);
const csrf = (() => {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  } catch {
    return "";
  }
})();

// The server's clock, so a wrong clock on this device does not bend the timer.
const offset = new Date(state.now).getTime() - Date.now();
const serverNow = () => Date.now() + offset;

// --- local store -------------------------------------------------------------------------------

function load() {
  try {
    return JSON.parse(localStorage.getItem(STORE)) || {};
  } catch {
    return {};
  }
}
const local = load();
let queue = local.queue || []; // [{key, kind, payload}]
const versions = {}; // key -> version known to the server
let stage = local.stage || "";
for (const note of state.notes) versions[`note:${note.uuid}`] = note.version;
for (const c of state.commitments) versions[`commitment:${c.uuid}`] = c.version;
versions.record = state.record.version;
Object.assign(versions, local.versions || {});
// What was sent without an answer (the network dropped or the server restarted mid-request):
// it may have been saved, so a refusal that shows exactly this content is our own save.
const unconfirmed = local.unconfirmed || {};

function persist() {
  try {
    localStorage.setItem(STORE, JSON.stringify({ queue, versions, stage, unconfirmed }));
  } catch {
    /* storage full or blocked: the queue still lives in memory */
  }
}

// --- status ------------------------------------------------------------------------------------

let offline = !navigator.onLine;
// Edits waiting for the typing pause count as unsaved too.
const typingPending = () => Object.keys(pending).length > 0 || noteTimer !== null;
let sending = false;
function showStatus(error) {
  const status = $("save-status");
  if (error) {
    status.textContent = error;
    status.dataset.state = "error";
  } else if (offline && queue.length) {
    status.textContent = `Offline: ${queue.length} change${queue.length === 1 ? "" : "s"} kept on this device`;
    status.dataset.state = "offline";
  } else if (queue.length || sending || typingPending()) {
    status.textContent = "Saving…";
    status.dataset.state = "saving";
  } else {
    status.textContent = "Saved";
    status.dataset.state = "saved";
  }
}

// --- queue -------------------------------------------------------------------------------------

function enqueue(kind, key, payload, { merge = true } = {}) {
  const existing = merge ? queue.find((op) => op.key === key && !op.sent) : null;
  if (existing) {
    existing.payload = { ...existing.payload, ...payload };
    if (payload.fields) existing.payload.fields = { ...(existing.payload.fields || {}), ...payload.fields };
  } else {
    queue.push({ kind, key, payload });
  }
  persist();
  showStatus();
  flush();
}

async function send(op) {
  const body = { ...op.payload };
  if (op.kind === "note" || op.kind === "commitment" || op.kind === "record") {
    body.base_version = versions[op.key] ?? null;
  }
  const response = await fetch(urls[op.kind], {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  if (response.redirected) return { status: 401, data: {} }; // sent to the sign-in page
  let data = {};
  try {
    data = await response.json();
  } catch {
    return { status: response.status === 200 ? 502 : response.status, data };
  }
  return { status: response.status, data };
}

function ownSave(key, stored) {
  const prior = unconfirmed[key];
  if (!prior || !stored) return false;
  const fields = { ...prior, ...(prior.fields || {}) };
  delete fields.fields;
  delete fields.uuid;
  delete fields.purpose;
  return Object.entries(fields).every(([name, value]) => JSON.stringify(stored[name] ?? "") === JSON.stringify(value ?? ""));
}

let retryTimer = null;
let completeWanted = false;
async function flush() {
  if (sending || !queue.length) return;
  sending = true;
  showStatus();
  let error = "";
  while (queue.length) {
    const op = queue[0];
    op.sent = true;
    let result;
    try {
      result = await send(op);
    } catch {
      // No network: keep everything and try again when it comes back.
      unconfirmed[op.key] = op.payload;
      op.sent = false;
      offline = true;
      break;
    }
    offline = false;
    if (result.status === 409 && ownSave(op.key, result.data.stored)) {
      versions[op.key] = result.data.version;
      delete unconfirmed[op.key];
      op.sent = false;
      continue;
    }
    if (result.status === 200) {
      delete unconfirmed[op.key];
      if (result.data.version != null) versions[op.key] = result.data.version;
      if (op.kind === "timing" && result.data.timing && !queue.slice(1).some((o) => o.kind === "timing")) {
        state.timing = result.data.timing;
      }
      queue.shift();
    } else if (result.status === 409) {
      queue.shift();
      showConflict(op, result.data);
      error = "Not saved: changed elsewhere. See both versions below.";
    } else if (result.status === 400) {
      queue.shift();
      error = `Not saved: ${result.data.error || "the server refused this change."}`;
    } else if (result.status === 401 || result.status === 403 || result.status === 404) {
      op.sent = false;
      error = "Your sign-in may have ended. Changes are kept on this device; sign in again in another tab.";
      break;
    } else {
      // The server is restarting or busy: keep it and retry shortly.
      unconfirmed[op.key] = op.payload;
      op.sent = false;
      error = "";
      offline = true;
      break;
    }
    persist();
  }
  sending = false;
  persist();
  showStatus(error);
  if (completeWanted && !queue.length && !error) {
    completeWanted = false;
    $("complete-form").submit();
  }
  if (queue.length && !retryTimer) {
    retryTimer = setTimeout(() => {
      retryTimer = null;
      flush();
    }, 3000);
  }
}

window.addEventListener("online", () => {
  offline = false;
  flush();
});
window.addEventListener("offline", () => {
  offline = true;
  showStatus();
});

// --- conflicts ---------------------------------------------------------------------------------

function showConflict(op, data) {
  const box = $("conflicts");
  box.hidden = false;
  const item = document.createElement("div");
  item.className = "conflict";
  const heading = document.createElement("p");
  heading.textContent = data.error || "This was changed elsewhere.";
  const theirs = document.createElement("pre");
  const mine = document.createElement("pre");
  const describe = (side) => side.body ?? side.text ?? JSON.stringify(side);
  theirs.textContent = `Saved version: ${describe(data.stored || {})}`;
  mine.textContent = `Your version: ${describe(data.yours || {})}`;
  const keepMine = document.createElement("button");
  keepMine.type = "button";
  keepMine.className = "button";
  keepMine.textContent = "Keep mine";
  keepMine.addEventListener("click", () => {
    versions[op.key] = data.version;
    item.remove();
    box.hidden = !box.children.length;
    enqueue(op.kind, op.key, op.payload);
  });
  const keepTheirs = document.createElement("button");
  keepTheirs.type = "button";
  keepTheirs.className = "button";
  keepTheirs.textContent = "Keep the saved one";
  keepTheirs.addEventListener("click", () => {
    versions[op.key] = data.version;
    if (op.kind === "note" && data.stored) upsertNote(data.stored);
    item.remove();
    box.hidden = !box.children.length;
    persist();
    renderNotes();
  });
  item.append(heading, theirs, mine, keepMine, keepTheirs);
  box.append(item);
}

// --- timing ------------------------------------------------------------------------------------

const running = () => state.timing.length > 0 && !state.timing.at(-1).ended_at;
const currentSegment = () => (state.timing.length ? state.timing.at(-1).segment : 0);

function applyTiming(event, at, segment) {
  // The same rules as the server, so the clock moves at once, online or not.
  const t = state.timing;
  const close = () => {
    if (running()) t[t.length - 1] = { ...t.at(-1), ended_at: at };
  };
  if (event === "start" && !t.length) t.push({ segment: 0, started_at: at, ended_at: null });
  else if (!t.length) return false;
  else if (event === "next" && segment !== currentSegment()) {
    close();
    t.push({ segment, started_at: at, ended_at: null });
  } else if (event === "pause") close();
  else if (event === "resume" && !running()) t.push({ segment: currentSegment(), started_at: at, ended_at: null });
  return true;
}

function timing(event) {
  if (state.completed) return;
  const at = new Date(serverNow()).toISOString();
  let segment = null;
  if (event === "next") {
    if (!state.timing.length) return timing("start");
    segment = currentSegment() + 1;
    if (segment >= state.segments.length) {
      showStatus("This is the last segment. Complete the session when you are ready.");
      return;
    }
  }
  if (!applyTiming(event, at, segment)) return;
  enqueue("timing", `timing:${crypto.randomUUID()}`, { event, at, segment }, { merge: false });
  renderSegments();
  tick();
}

// Queued timing events not yet on the server are replayed on top of the server's log.
for (const op of queue) if (op.kind === "timing") applyTiming(op.payload.event, op.payload.at, op.payload.segment);

function secondsIn(segment) {
  let total = 0;
  for (const s of state.timing) {
    if (segment !== undefined && s.segment !== segment) continue;
    const end = s.ended_at ? new Date(s.ended_at).getTime() : serverNow();
    total += Math.max(0, (end - new Date(s.started_at).getTime()) / 1000);
  }
  return Math.floor(total);
}

const clock = (seconds) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;

function tick() {
  const index = currentSegment();
  const seg = state.segments[index] || { min: 0, max: 0, name: "" };
  const segSeconds = secondsIn(index);
  const allSeconds = secondsIn();
  $("segment-clock").textContent = clock(segSeconds);
  $("session-clock").textContent = clock(allSeconds);
  $("segment-plan").textContent = `${seg.name}: planned ${seg.min === seg.max ? seg.max : `${seg.min}–${seg.max}`} min`;
  const warnings = [];
  let segLevel = "ok";
  if (seg.max && segSeconds > seg.max * 60) {
    segLevel = "over";
    warnings.push(`Over time: this segment has passed its ${seg.max} planned minutes.`);
  } else if (seg.min && segSeconds >= seg.min * 60) {
    segLevel = "near";
    warnings.push("This segment has reached its planned minimum.");
  }
  let allLevel = "ok";
  const planned = state.planned_minutes * 60;
  if (planned && allSeconds > planned) {
    allLevel = "over";
    warnings.push(`Over time: the session has passed its ${state.planned_minutes} planned minutes.`);
  } else if (planned && allSeconds >= planned * 0.9) {
    allLevel = "near";
  }
  $("segment-clock-box").dataset.level = segLevel;
  $("session-clock-box").dataset.level = allLevel;
  const text = warnings.join(" ");
  if ($("clock-warning").textContent !== text) $("clock-warning").textContent = text;
  document.querySelectorAll("#segment-list li").forEach((li) => {
    const actual = li.querySelector(".segment-actual");
    const value = `${clock(secondsIn(Number(li.dataset.index)))}`;
    if (actual.textContent !== value) actual.textContent = value;
  });
}

function renderSegments() {
  const index = currentSegment();
  document.querySelectorAll("#segment-list li").forEach((li) => {
    if (Number(li.dataset.index) === index && state.timing.length) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
  });
  document.querySelectorAll(".segment-detail").forEach((el) => {
    el.hidden = Number(el.dataset.segment) !== index;
  });
  const started = state.timing.length > 0;
  $("start-button").hidden = started || state.completed;
  $("pause-button").hidden = !started || state.completed;
  $("next-button").hidden = !started || state.completed;
  $("pause-button").firstChild.textContent = running() ? "Pause " : "Resume ";
  const flow = (state.segments[index] || {}).kind === "flow";
  document.querySelectorAll(".flow-stage-prompts").forEach((el) => {
    el.classList.toggle("current", flow && el.dataset.stage === stage);
  });
}

// --- notes -------------------------------------------------------------------------------------

const notes = new Map(state.notes.map((n) => [n.uuid, n]));
for (const op of queue) {
  // Changes still waiting on this device show after a reload as if saved.
  if (op.kind === "note") {
    const uuid = op.key.slice(5);
    notes.set(uuid, { ...(notes.get(uuid) || {}), uuid, ...op.payload });
  }
}
let draft = null; // the note being typed: {uuid, fresh}
const timers = {};
const pending = {};

function upsertNote(note) {
  notes.set(note.uuid, { ...(notes.get(note.uuid) || {}), ...note });
}

const NOTE_FIELDS = ["body", "segment", "flow_stage", "topic", "reflection", "marker", "visibility"];
function notePayload(uuid) {
  // The whole note each time: the server changes only what differs, and a create that was
  // lost still arrives complete.
  const note = notes.get(uuid) || {};
  const payload = { uuid };
  for (const name of NOTE_FIELDS) if (note[name] !== undefined) payload[name] = note[name];
  return payload;
}

function saveNote(uuid, fields) {
  upsertNote({ uuid, ...fields, deleted: false });
  enqueue("note", `note:${uuid}`, notePayload(uuid));
  renderNotes();
}

function newNoteFields() {
  return {
    segment: currentSegment(),
    flow_stage: stage,
    topic: $("note-topic").value,
    reflection: $("note-reflection").value,
    visibility: $("note-shared").checked ? "shared_with_client" : "coach_only",
  };
}

let noteTimer = null;
function noteTyped() {
  if (!draft) draft = { uuid: crypto.randomUUID(), fresh: true };
  const uuid = draft.uuid;
  const fields = draft.fresh && !notes.has(uuid) ? newNoteFields() : {};
  upsertNote({ uuid, body: $("note-input").value, ...fields });
  clearTimeout(noteTimer);
  noteTimer = setTimeout(() => {
    noteTimer = null;
    saveNote(uuid, {});
  }, SAVE_DELAY);
  renderNotes();
  showStatus();
}

function finishNote() {
  if (noteTimer && draft) {
    clearTimeout(noteTimer);
    noteTimer = null;
    const note = notes.get(draft.uuid);
    if (note) saveNote(draft.uuid, {});
  }
  draft = null;
  $("note-input").value = "";
  $("note-topic").value = "";
  $("note-reflection").value = "";
  $("note-shared").checked = false;
}

function tagChanged() {
  if (!draft || !notes.has(draft.uuid)) return;
  saveNote(draft.uuid, {
    topic: $("note-topic").value,
    reflection: $("note-reflection").value,
    visibility: $("note-shared").checked ? "shared_with_client" : "coach_only",
  });
}

function mark(marker) {
  if (draft && notes.has(draft.uuid)) {
    saveNote(draft.uuid, { marker });
  } else {
    saveNote(crypto.randomUUID(), { body: "", marker, segment: currentSegment(), flow_stage: stage, visibility: "coach_only" });
  }
  showStatus();
}

function setStage(value) {
  stage = value;
  persist();
  document.querySelectorAll(".stage-button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.stage === stage)));
  $("stage-current").textContent = stage ? `Current stage: ${STAGE_LABELS[stage]}` : "No stage chosen yet.";
  if (draft && draft.fresh && notes.has(draft.uuid)) saveNote(draft.uuid, { flow_stage: stage });
  renderSegments();
  renderNotes();
}

function editNote(uuid) {
  finishNote();
  const note = notes.get(uuid);
  draft = { uuid, fresh: false };
  $("note-input").value = note.body || "";
  $("note-topic").value = note.topic || "";
  $("note-reflection").value = note.reflection || "";
  $("note-shared").checked = note.visibility === "shared_with_client";
  $("note-input").focus();
}

function deleteNote(uuid) {
  if (draft && draft.uuid === uuid) finishNote();
  upsertNote({ uuid, deleted: true });
  enqueue("note", `note:${uuid}`, { uuid, deleted: true });
  renderNotes();
}

function renderNotes() {
  const list = $("note-list");
  const moments = $("moments-list");
  list.replaceChildren();
  moments.replaceChildren();
  for (const note of notes.values()) {
    if (note.deleted) continue;
    const li = document.createElement("li");
    li.className = "note";
    li.dataset.uuid = note.uuid;
    const meta = document.createElement("span");
    meta.className = "note-meta";
    const segName = (state.segments[note.segment] || {}).name || "";
    const tags = [segName, STAGE_LABELS[note.flow_stage], MARKER_LABELS[note.marker], note.visibility === "shared_with_client" ? "shared" : ""];
    meta.textContent = tags.filter(Boolean).join(" · ");
    const body = document.createElement("span");
    body.className = "note-text";
    body.textContent = note.body || (note.marker ? `${MARKER_LABELS[note.marker]} moment` : "");
    const edit = document.createElement("button");
    edit.type = "button";
    edit.className = "linklike-dark";
    edit.textContent = "Edit";
    edit.setAttribute("aria-label", `Edit note: ${body.textContent.slice(0, 40)}`);
    edit.addEventListener("click", () => editNote(note.uuid));
    const del = document.createElement("button");
    del.type = "button";
    del.className = "linklike-dark";
    del.textContent = "Delete";
    del.setAttribute("aria-label", `Delete note: ${body.textContent.slice(0, 40)}`);
    del.addEventListener("click", () => deleteNote(note.uuid));
    li.append(meta, body, edit, del);
    list.append(li);
    if (note.marker) {
      const m = document.createElement("li");
      m.textContent = `${MARKER_LABELS[note.marker]}${note.flow_stage ? ` in ${STAGE_LABELS[note.flow_stage]}` : ""}: ${note.body || "no words yet"}`;
      moments.append(m);
    }
  }
  $("moments-again").hidden = !(stage === "work_it" && moments.children.length);
}

// --- record, purpose, commitments ----------------------------------------------------------------

function later(key, fn) {
  clearTimeout(timers[key]);
  pending[key] = fn;
  timers[key] = setTimeout(() => {
    delete pending[key];
    fn();
  }, SAVE_DELAY);
  showStatus();
}

// Runs every edit still waiting for its typing pause, so it joins the queue now.
function savePending() {
  for (const [key, fn] of Object.entries(pending)) {
    clearTimeout(timers[key]);
    delete pending[key];
    fn();
  }
}

function recordField(el) {
  const name = el.dataset.recordField;
  const value = "list" in el.dataset ? el.value.split("\n").map((s) => s.trim()).filter(Boolean) : el.value;
  later(`record:${name}`, () => enqueue("record", "record", { fields: { [name]: value } }));
}

function outcomes() {
  return state.record.outcomes.map((o, i) => {
    const select = document.querySelector(`[data-outcome-index="${i}"]`);
    return { text: o.text, mark: select ? select.value : o.mark };
  });
}

function addCommitment() {
  const text = $("commitment-text").value.trim();
  if (!text) {
    showStatus("Write what will be done first.");
    $("commitment-text").focus();
    return;
  }
  const uuid = crypto.randomUUID();
  const payload = { uuid, text, owner: $("commitment-owner").value, due_date: $("commitment-due").value };
  enqueue("commitment", `commitment:${uuid}`, payload);
  const li = document.createElement("li");
  li.className = "commitment";
  li.dataset.uuid = uuid;
  li.textContent = `${payload.owner === "coach" ? "You" : "The client"}: ${text}${payload.due_date ? ` (by ${payload.due_date})` : ""}`;
  $("commitment-list").append(li);
  $("commitment-text").value = "";
  $("commitment-due").value = "";
}

// Restore fields whose changes were still waiting on this device.
for (const op of queue) {
  if (op.kind === "record" && op.payload.fields) {
    for (const [name, value] of Object.entries(op.payload.fields)) {
      const el = document.querySelector(`[data-record-field="${name}"]`);
      if (el) el.value = Array.isArray(value) ? value.join("\n") : value;
    }
  }
  if (op.kind === "record" && "purpose" in op.payload) $("purpose-input").value = op.payload.purpose;
}

// --- wiring ------------------------------------------------------------------------------------

$("note-input").addEventListener("input", noteTyped);
$("note-input").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    finishNote();
  }
});
["note-topic", "note-reflection", "note-shared"].forEach((id) => $(id).addEventListener("change", tagChanged));
$("new-note").addEventListener("click", () => {
  finishNote();
  $("note-input").focus();
});
document.querySelectorAll("[data-marker]").forEach((b) => b.addEventListener("click", () => mark(b.dataset.marker)));
document.querySelectorAll(".stage-button").forEach((b) => b.addEventListener("click", () => setStage(b.dataset.stage)));
$("start-button").addEventListener("click", () => timing("start"));
$("pause-button").addEventListener("click", () => timing(running() ? "pause" : "resume"));
$("next-button").addEventListener("click", () => timing("next"));
$("shortcuts-button").addEventListener("click", toggleShortcuts);
document.querySelectorAll("[data-record-field]").forEach((el) => el.addEventListener("input", () => recordField(el)));
document.querySelectorAll("[data-outcome-index]").forEach((el) =>
  el.addEventListener("change", () => enqueue("record", "record", { fields: { outcomes: outcomes() } })),
);
$("purpose-input").addEventListener("input", () => later("purpose", () => enqueue("record", "purpose", { purpose: $("purpose-input").value })));
document.querySelectorAll("[data-commitment-state]").forEach((el) =>
  el.addEventListener("change", () => {
    const uuid = el.dataset.commitmentState;
    enqueue("commitment", `commitment:${uuid}`, { uuid, state: el.value });
  }),
);
$("add-commitment").addEventListener("click", addCommitment);
$("adjustment-to-commitment").addEventListener("click", () => {
  // One adjustment becomes one action: the coach reads it back and words it as a step.
  const first = $("ws-adjustments").value.split("\n").map((s) => s.trim()).find(Boolean);
  if (!first) {
    showStatus("Write an adjustment first.");
    $("ws-adjustments").focus();
    return;
  }
  $("commitment-text").value = first;
  $("commitment-owner").value = "client";
  $("commitment-text").focus();
});
$("complete-form").addEventListener("submit", (e) => {
  finishNote();
  savePending();
  if (queue.length) {
    // Complete once everything typed is on the server; the form goes on its own then.
    e.preventDefault();
    completeWanted = true;
    showStatus(`Waiting for ${queue.length} change${queue.length === 1 ? "" : "s"} to be saved before completing.`);
    flush();
  }
});

function toggleShortcuts() {
  const box = $("shortcuts");
  box.hidden = !box.hidden;
  $("shortcuts-button").setAttribute("aria-expanded", String(!box.hidden));
}

const typing = (el) => el && (el.tagName === "TEXTAREA" || el.tagName === "SELECT" || (el.tagName === "INPUT" && el.type !== "checkbox" && el.type !== "button"));
document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey) return;
  if (typing(e.target) && !e.altKey) return;
  const digit = /^Digit([1-4])$/.exec(e.code);
  let handled = true;
  if (digit) setStage(STAGES[Number(digit[1]) - 1]);
  else if (e.code === "KeyE") mark("energy");
  else if (e.code === "KeyA") mark("aha");
  else if (e.code === "KeyN") timing("next");
  else if (e.code === "KeyP") timing(state.timing.length ? (running() ? "pause" : "resume") : "start");
  else if (e.key === "?" || (e.code === "Slash" && e.shiftKey)) toggleShortcuts();
  else if (e.code === "Slash") $("note-input").focus();
  else handled = false;
  if (handled) e.preventDefault();
});

// Leaving with changes still unsent: they stay on this device and go on the next visit.
window.addEventListener("pagehide", () => {
  if (noteTimer && draft && notes.has(draft.uuid)) {
    {
      const key = `note:${draft.uuid}`;
      const fields = notePayload(draft.uuid);
      const existing = queue.find((op) => op.key === key && !op.sent);
      if (existing) existing.payload = { ...existing.payload, ...fields };
      else queue.push({ kind: "note", key, payload: fields });
    }
  }
  savePending();
  for (const op of queue) op.sent = false;
  persist();
});

for (const op of queue) op.sent = false;
setStage(stage);
renderSegments();
renderNotes();
tick();
setInterval(tick, 1000);
showStatus();
flush();
