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
      if (result.data.deleted) delete versions[op.key];
      if (op.kind === "note" && typeof result.data.html === "string") noteRendered(op, result.data.html);
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
  const describe = (side) => (side.deleted ? "deleted" : side.body ?? side.text ?? JSON.stringify(side));
  theirs.textContent = `Saved version: ${describe(data.stored || {})}`;
  mine.textContent = `Your version: ${describe(data.yours || {})}`;
  const keepMine = document.createElement("button");
  keepMine.type = "button";
  keepMine.className = "button keep-mine";
  keepMine.textContent = "Keep mine";
  keepMine.addEventListener("click", () => {
    versions[op.key] = data.version;
    item.remove();
    box.hidden = !box.children.length;
    enqueue(op.kind, op.key, op.payload);
  });
  const keepTheirs = document.createElement("button");
  keepTheirs.type = "button";
  keepTheirs.className = "button keep-saved";
  keepTheirs.textContent = "Keep the saved one";
  keepTheirs.addEventListener("click", () => {
    versions[op.key] = data.version;
    if (data.version == null) delete versions[op.key];
    if (op.kind === "note" && data.stored) {
      upsertNote(data.stored);
      // The field being typed in shows the kept text, so typing on cannot undo the choice.
      if (draft && draft.uuid === data.stored.uuid) $("note-input").value = data.stored.body || "";
    }
    if (op.kind === "commitment" && data.stored) {
      upsertCommitment(data.stored);
      if (editingCommitment === data.stored.uuid) clearCommitmentForm();
    }
    item.remove();
    box.hidden = !box.children.length;
    persist();
    renderNotes();
    renderCommitments();
  });
  item.append(heading, theirs, mine, keepMine, keepTheirs);
  box.append(item);
  labelControls(item);
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
  } else if (state.session_min && allSeconds >= state.session_min * 60) {
    allLevel = "near";
    warnings.push(`The session has reached its planned minimum of ${state.session_min} minutes.`);
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
  $("pause-button").firstChild.textContent = running() ? "Pause" : "Resume";
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
// The server's rendering of a note, kept with the text it was made from: while the coach
// types on, the note shows as plain text until the next answer (never as unsafe HTML).
for (const note of notes.values()) note.htmlBody = note.html === undefined ? undefined : note.body;
function noteRendered(op, html) {
  const note = notes.get(op.key.slice(5));
  if (!note || op.payload.deleted) return;
  note.html = html;
  note.htmlBody = op.payload.body ?? note.body ?? "";
  renderNotes();
}
function noteContent(note, tag = "div") {
  const el = document.createElement(tag);
  el.className = "note-text";
  const body = note.body || "";
  if (body && typeof note.html === "string" && note.htmlBody === body) {
    el.classList.add("rendered");
    el.innerHTML = note.html; // made safe on the server (markdown-it without HTML, then nh3)
  } else {
    el.textContent = noteWords(note);
  }
  return el;
}

// A note's words, or the moment it marks when it has none yet.
function noteWords(note) {
  return note.body || (note.marker ? `${MARKER_LABELS[note.marker]} moment` : "");
}

// The small Edit and Delete buttons of a note or commitment row.
function rowButton(text, className, label, onClick) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = `linklike-dark ${className}`;
  button.textContent = text;
  button.setAttribute("aria-label", label);
  button.addEventListener("click", onClick);
  return button;
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
    if (note.readonly) tags.push("by the previous coach");
    meta.textContent = tags.filter(Boolean).join(" · ");
    const body = noteContent(note);
    const words = noteWords(note).slice(0, 40);
    li.append(meta, body);
    // The previous coach's notes are theirs: the server refuses changes, so offer none.
    if (note.readonly) li.dataset.readonly = "true";
    else {
      li.append(
        rowButton("Edit", "note-edit", `Edit note: ${words}`, () => editNote(note.uuid)),
        rowButton("Delete", "note-delete", `Delete note: ${words}`, () => deleteNote(note.uuid)),
      );
    }
    list.append(li);
    if (note.marker) {
      const m = document.createElement("li");
      const label = document.createElement("span");
      label.className = "note-meta";
      label.textContent = `${MARKER_LABELS[note.marker]}${note.flow_stage ? ` in ${STAGE_LABELS[note.flow_stage]}` : ""}`;
      m.append(label, note.body ? noteContent(note) : "no words yet");
      moments.append(m);
    }
  }
  $("moments-again").hidden = !(stage === "work_it" && moments.children.length);
  labelControls(list);
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

// This session's commitments (`here`) and last session's, under review. Edits autosave like
// notes: one operation per commitment id, based on the version the server last answered.
const commitments = new Map(state.commitments.map((c) => [c.uuid, c]));
for (const op of queue) {
  if (op.kind === "commitment") {
    const uuid = op.key.slice(11);
    commitments.set(uuid, { here: true, ...(commitments.get(uuid) || {}), ...op.payload });
  }
}
let editingCommitment = null;

function upsertCommitment(commitment) {
  commitments.set(commitment.uuid, { here: true, ...(commitments.get(commitment.uuid) || {}), ...commitment });
}

function say(text) {
  $("commitment-message").textContent = text;
}

function commitmentForm() {
  return { text: $("commitment-text").value.trim(), owner: $("commitment-owner").value, due_date: $("commitment-due").value };
}

function saveCommitment(uuid, fields) {
  upsertCommitment({ uuid, ...fields, deleted: false });
  const { here, deleted, version, ...sent } = commitments.get(uuid);
  enqueue("commitment", `commitment:${uuid}`, { ...sent, uuid });
  renderCommitments();
}

function addCommitment() {
  const fields = commitmentForm();
  if (!fields.text) {
    say("Write what will be done first.");
    $("commitment-text").focus();
    return;
  }
  saveCommitment(crypto.randomUUID(), fields);
  say(`Added: ${fields.text}`);
  clearCommitmentForm();
}

function clearCommitmentForm() {
  editingCommitment = null;
  $("commitment-text").value = "";
  $("commitment-due").value = "";
  $("commitment-owner").value = "client";
  $("add-commitment").firstChild.textContent = "Add the commitment";
  $("commitment-editing").hidden = true;
  renderCommitments();
}

function finishCommitment() {
  const uuid = editingCommitment;
  if (!uuid) return addCommitment();
  const key = `commitment:${uuid}`;
  if (pending[key]) {
    clearTimeout(timers[key]);
    const fn = pending[key];
    delete pending[key];
    fn();
  }
  clearCommitmentForm();
  say("Commitment saved.");
  $("commitment-text").focus();
}

function commitmentTyped() {
  const uuid = editingCommitment;
  if (!uuid) return;
  const fields = commitmentForm();
  if (!fields.text) {
    say("A commitment needs a few words saying what will be done.");
    return;
  }
  say("");
  later(`commitment:${uuid}`, () => saveCommitment(uuid, fields));
}

function editCommitment(uuid) {
  if (editingCommitment && editingCommitment !== uuid) finishCommitment();
  const c = commitments.get(uuid);
  if (!c) return;
  editingCommitment = uuid;
  $("commitment-text").value = c.text || "";
  $("commitment-owner").value = c.owner || "client";
  $("commitment-due").value = c.due_date || "";
  $("add-commitment").firstChild.textContent = "Done editing";
  $("commitment-editing").hidden = false;
  renderCommitments();
  $("commitment-text").focus();
}

function deleteCommitment(uuid) {
  const c = commitments.get(uuid);
  if (!c || !c.here) return;
  const key = `commitment:${uuid}`;
  clearTimeout(timers[key]);
  delete pending[key];
  if (editingCommitment === uuid) clearCommitmentForm();
  commitments.set(uuid, { ...c, deleted: true });
  enqueue("commitment", key, { uuid, deleted: true });
  say(`Deleted: ${c.text}`);
  renderCommitments();
}

function renderCommitments() {
  const list = $("commitment-list");
  list.replaceChildren();
  for (const c of commitments.values()) {
    if (!c.here || c.deleted) continue;
    const li = document.createElement("li");
    li.className = "commitment";
    li.dataset.uuid = c.uuid;
    const text = document.createElement("span");
    text.className = "commitment-text";
    text.textContent = `${c.owner === "coach" ? "You" : CLIENT}: ${c.text}${c.due_date ? ` (by ${c.due_date})` : ""}${editingCommitment === c.uuid ? " (editing)" : ""}`;
    const actions = document.createElement("span");
    const words = c.text.slice(0, 40);
    actions.append(
      rowButton("Edit", "commitment-edit", `Edit commitment: ${words}`, () => editCommitment(c.uuid)),
      rowButton("Delete", "commitment-delete", `Delete commitment: ${words}`, () => deleteCommitment(c.uuid)),
    );
    li.append(text, actions);
    list.append(li);
  }
  labelControls(list);
}

// One action turns the worksheet's adjustments into the client's commitments: each line once,
// so pressing again after adding a line adds only that line.
function adjustmentsToCommitments() {
  const lines = $("ws-adjustments")
    .value.split("\n")
    .map((line) => line.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, "").trim())
    .filter(Boolean);
  if (!lines.length) {
    say("Write an adjustment in the worksheet first.");
    $("ws-adjustments").focus();
    return;
  }
  const known = new Set([...commitments.values()].filter((c) => c.here && !c.deleted).map((c) => (c.text || "").toLowerCase()));
  const fresh = [...new Set(lines)].filter((line) => !known.has(line.toLowerCase()));
  for (const text of fresh) saveCommitment(crypto.randomUUID(), { text, owner: "client", due_date: "" });
  say(
    fresh.length
      ? `Added ${fresh.length} commitment${fresh.length === 1 ? "" : "s"} from the adjustments.`
      : "Each adjustment is already a commitment.",
  );
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
["note-topic", "note-reflection", "note-shared"].forEach((id) => $(id).addEventListener("change", tagChanged));
$("new-note").addEventListener("click", newNote);
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
$("add-commitment").addEventListener("click", finishCommitment);
["commitment-text", "commitment-owner", "commitment-due"].forEach((id) => {
  $(id).addEventListener("input", commitmentTyped);
  $(id).addEventListener("change", commitmentTyped);
});
$("adjustment-to-commitment").addEventListener("click", adjustmentsToCommitments);
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

// --- keyboard ----------------------------------------------------------------------------------
// The one table of shortcuts. The key handler, the `?` list, the key hints on buttons and
// every control's aria-keyshortcuts are all made from it, so they cannot drift apart.
// `target`: the controls the shortcut stands for; `scope`: it applies only while focus is
// inside that part of the page (it wins over the unscoped one with the same keys);
// `anywhere`: it works while typing too (the others need Esc first, or Alt held).

function newNote() {
  finishNote();
  $("note-input").focus();
}

function focusOn(id) {
  return () => {
    const el = $(id);
    el.scrollIntoView({ block: "center" });
    el.focus();
  };
}

function cycle(id) {
  return () => {
    const select = $(id);
    select.selectedIndex = (select.selectedIndex + 1) % select.options.length;
    select.dispatchEvent(new Event("change"));
  };
}

function toggleShare() {
  $("note-shared").checked = !$("note-shared").checked;
  $("note-shared").dispatchEvent(new Event("change"));
}

// The item whose row has focus, or else the last one in the list.
function chosen(listId) {
  const row = document.activeElement && document.activeElement.closest(`#${listId} > li:not([data-readonly])`);
  const rows = $(listId).querySelectorAll(":scope > li:not([data-readonly])");
  return (row || rows[rows.length - 1] || {}).dataset?.uuid;
}

// Keeps the coach in the same part of the page after a row disappears.
function stayIn(cardId) {
  const card = $(cardId);
  card.tabIndex = -1;
  card.focus();
}

// Focus moves on to the next select still at its first (unmarked) value, wrapping round.
function nextSelect(selector, unmarked) {
  const all = [...document.querySelectorAll(selector)];
  if (!all.length) return;
  const at = all.indexOf(document.activeElement);
  const order = [...all.slice(at + 1), ...all.slice(0, at + 1)];
  const next = order.find((el) => el.value === unmarked) || order[0];
  next.scrollIntoView({ block: "center" });
  next.focus();
}

function complete() {
  $("complete-form").requestSubmit($("complete-button"));
}

function conflictButton(className) {
  return () => {
    const button = document.querySelector(`#conflicts .${className}`);
    if (button) button.click();
  };
}

function leaveField() {
  const el = document.activeElement;
  if (typing(el)) {
    // Out of the field but still in its part of the page, so scoped keys apply there.
    const part = el.closest("section[id], aside") || $("runner");
    if (!part.id) part.id = "runner-side";
    stayIn(part.id);
  } else if (!$("shortcuts").hidden) {
    toggleShortcuts();
    $("shortcuts-button").focus();
  }
}

const CLIENT = $("note-shared").labels[0].textContent.replace(/^Share with /, "") || "the client";
const SHORTCUTS = [
  { id: "start", group: "Clock", keys: ["S"], label: "Start the session", target: "#start-button", run: () => !state.timing.length && timing("start") },
  { id: "next", group: "Clock", keys: ["N"], label: "Next segment (starts the clock if needed)", target: "#next-button", run: () => timing("next") },
  { id: "pause", group: "Clock", keys: ["P"], label: "Pause or resume the clock", target: "#pause-button", run: () => timing(state.timing.length ? (running() ? "pause" : "resume") : "start") },
  { id: "complete", group: "Clock", keys: ["Shift+C"], label: "Complete the session (once every change is saved)", target: "#complete-button", run: complete },
  ...STAGES.map((value, index) => ({
    id: `stage-${index + 1}`,
    group: "F.L.O.W. stage",
    keys: [String(index + 1)],
    label: `Stage: ${STAGE_LABELS[value]}`,
    target: `.stage-button[data-stage="${value}"]`,
    run: () => setStage(value),
  })),
  { id: "note", group: "Notes", keys: ["/"], label: "Go to the note field", target: "#note-input", run: focusOn("note-input") },
  { id: "save-note", group: "Notes", keys: ["Control+Enter", "Meta+Enter"], anywhere: true, label: "Save the note and start a fresh one", target: "#new-note", run: newNote },
  { id: "energy", group: "Notes", keys: ["E"], label: "Mark an energy moment", target: '[data-marker="energy"]', run: () => mark("energy") },
  { id: "aha", group: "Notes", keys: ["A"], label: "Mark an aha moment", target: '[data-marker="aha"]', run: () => mark("aha") },
  { id: "topic", group: "Notes", keys: ["T"], label: "Tag the note with the next topic", target: "#note-topic", run: cycle("note-topic") },
  { id: "reflection", group: "Notes", keys: ["M"], label: "Tag the note more, better or different (the next one)", target: "#note-reflection", run: cycle("note-reflection") },
  { id: "share", group: "Notes", keys: ["V"], label: `Share the note with ${CLIENT}, or keep it to yourself`, target: "#note-shared", run: toggleShare },
  { id: "edit-note", group: "Notes", keys: ["Shift+E"], label: "Edit the note with focus, or the last note", target: ".note-edit", run: () => chosen("note-list") && editNote(chosen("note-list")) },
  {
    id: "delete-note",
    group: "Notes",
    keys: ["Shift+D"],
    label: "Delete the note with focus, or the last note",
    target: ".note-delete",
    run: () => {
      const uuid = chosen("note-list");
      if (uuid) deleteNote(uuid);
      stayIn("notes-card");
    },
  },
  { id: "review", group: "Commitments", keys: ["Shift+R"], label: "Go to the next of last session's commitments to mark", target: "[data-commitment-state]", run: () => nextSelect("[data-commitment-state]", "open") },
  { id: "commitment", group: "Commitments", keys: ["C"], label: "Write a new commitment", target: "#commitment-text", run: focusOn("commitment-text") },
  { id: "owner", group: "Commitments", keys: ["O"], label: "Switch whose commitment it is: the client's or yours", target: "#commitment-owner", run: cycle("commitment-owner") },
  { id: "due", group: "Commitments", keys: ["D"], label: "Go to the commitment's due date", target: "#commitment-due", run: focusOn("commitment-due") },
  { id: "save-commitment", group: "Commitments", keys: ["Control+Enter", "Meta+Enter"], anywhere: true, scope: "#commitment-form", label: "In the commitment form: add it, or finish editing", target: "#add-commitment", run: finishCommitment },
  { id: "edit-commitment", group: "Commitments", keys: ["Shift+E"], scope: "#commitments-card", label: "In Commitments: edit the one with focus, or the last one", target: ".commitment-edit", run: () => chosen("commitment-list") && editCommitment(chosen("commitment-list")) },
  {
    id: "delete-commitment",
    group: "Commitments",
    keys: ["Shift+D"],
    scope: "#commitments-card",
    label: "In Commitments: delete the one with focus, or the last one",
    target: ".commitment-delete",
    run: () => {
      const uuid = chosen("commitment-list");
      if (uuid) deleteCommitment(uuid);
      stayIn("commitments-card");
    },
  },
  { id: "adjustments", group: "Commitments", keys: ["Shift+A"], label: "Make the worksheet's adjustments commitments", target: "#adjustment-to-commitment", run: adjustmentsToCommitments },
  { id: "purpose", group: "Purpose, worksheet and wrap", keys: ["Shift+P"], label: "Go to the purpose statement", target: "#purpose-input", run: focusOn("purpose-input") },
  { id: "worksheet", group: "Purpose, worksheet and wrap", keys: ["Shift+W"], label: "Go to the F.L.O.W. worksheet", target: "#ws-challenge", run: focusOn("ws-challenge") },
  { id: "outcomes", group: "Purpose, worksheet and wrap", keys: ["Shift+O"], label: "Go to the next outcome to mark", target: "[data-outcome-index]", run: () => nextSelect("[data-outcome-index]", "") },
  { id: "wrap", group: "Purpose, worksheet and wrap", keys: ["Shift+S"], label: `Go to the wrap: what ${CLIENT} found most helpful, your summary`, target: "#wrap-helpful", run: focusOn("wrap-helpful") },
  { id: "keep-mine", group: "When two versions clash", keys: ["Shift+M"], label: "Keep your version (the first clash shown)", target: ".keep-mine", run: conflictButton("keep-mine") },
  { id: "keep-saved", group: "When two versions clash", keys: ["Shift+K"], label: "Keep the saved version (the first clash shown)", target: ".keep-saved", run: conflictButton("keep-saved") },
  { id: "help", group: "Help", keys: ["?"], label: "Show or hide this list", target: "#shortcuts-button", run: () => toggleShortcuts() },
  { id: "escape", group: "Help", keys: ["Escape"], anywhere: true, label: "Step out of a text field so keys work again; close this list", target: null, run: leaveField },
];

function parseKey(text) {
  const parts = text.split("+");
  const key = parts.pop() || "+";
  return { key, shift: parts.includes("Shift"), control: parts.includes("Control"), meta: parts.includes("Meta") };
}

function matches(shortcut, e) {
  return shortcut.keys.some((text) => {
    const want = parseKey(text);
    if (want.control !== e.ctrlKey || want.meta !== e.metaKey) return false;
    // Letters and digits by position, so Alt (Option on a Mac) and other layouts still work.
    if (/^[A-Z]$/.test(want.key)) return e.code === `Key${want.key}` && e.shiftKey === want.shift;
    if (/^[0-9]$/.test(want.key)) return e.code === `Digit${want.key}` && !e.shiftKey;
    return e.key === want.key; // "/", "?", Enter, Escape: whatever the layout needs to type them
  });
}

const KEY_NAMES = { Control: "Ctrl", Meta: "⌘", Escape: "Esc" };
function keyText(text) {
  const parts = text.split("+");
  const key = parts.pop();
  return [...parts.map((part) => KEY_NAMES[part] || part), parts.length ? key : key.toLowerCase().length === 1 ? key.toLowerCase() : KEY_NAMES[key] || key];
}

function kbd(text) {
  const wrap = document.createElement("span");
  keyText(text).forEach((part, index) => {
    if (index) wrap.append("+");
    const k = document.createElement("kbd");
    k.textContent = part;
    wrap.append(k);
  });
  return wrap;
}

// aria-keyshortcuts and a visible hint on every control a shortcut stands for; run again
// whenever rows are drawn (notes, commitments, clashes).
// Marks each control inside `root` with its shortcuts. The lists re-render on every keystroke
// in a note, so they label only themselves; the whole page is labelled once, at the start.
function labelControls(root = document) {
  for (const shortcut of SHORTCUTS) {
    if (!shortcut.target) continue;
    for (const el of root.querySelectorAll(shortcut.target)) {
      const keys = new Set((el.getAttribute("aria-keyshortcuts") || "").split(" ").filter(Boolean));
      for (const key of shortcut.keys) keys.add(key);
      el.setAttribute("aria-keyshortcuts", [...keys].join(" "));
      if (el.tagName === "BUTTON" && !el.querySelector(".key-hint") && !el.classList.contains("linklike-dark")) {
        const hint = kbd(shortcut.keys[0]);
        hint.className = "key-hint";
        hint.setAttribute("aria-hidden", "true");
        el.append(hint);
      }
    }
  }
}

function buildShortcutList() {
  const box = $("shortcut-list");
  box.replaceChildren();
  let list = null;
  let group = null;
  for (const shortcut of SHORTCUTS) {
    if (shortcut.group !== group) {
      group = shortcut.group;
      const heading = document.createElement("h4");
      heading.textContent = group;
      list = document.createElement("dl");
      box.append(heading, list);
    }
    const row = document.createElement("div");
    row.dataset.shortcut = shortcut.id;
    row.dataset.keys = shortcut.keys.join(" ");
    const dt = document.createElement("dt");
    shortcut.keys.forEach((key, index) => {
      if (index) dt.append(" or ");
      dt.append(kbd(key));
    });
    const dd = document.createElement("dd");
    dd.textContent = shortcut.label;
    row.append(dt, dd);
    list.append(row);
  }
}

function toggleShortcuts() {
  const box = $("shortcuts");
  box.hidden = !box.hidden;
  $("shortcuts-button").setAttribute("aria-expanded", String(!box.hidden));
}

const typing = (el) =>
  el &&
  (el.isContentEditable ||
    el.tagName === "TEXTAREA" ||
    el.tagName === "SELECT" ||
    (el.tagName === "INPUT" && !["checkbox", "radio", "button", "submit"].includes(el.type)));

document.addEventListener("keydown", (e) => {
  if (e.repeat || e.isComposing) return;
  const found = SHORTCUTS.filter((shortcut) => matches(shortcut, e));
  if (!found.length) return;
  const here = document.activeElement;
  const shortcut = found.find((s) => s.scope && here && here.closest(s.scope)) || found.find((s) => !s.scope);
  if (!shortcut) return;
  if (typing(e.target) && !shortcut.anywhere && !e.altKey) return; // the key is typed, as usual
  e.preventDefault();
  shortcut.run();
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
buildShortcutList();
setStage(stage);
renderSegments();
renderNotes();
renderCommitments();
labelControls();
tick();
setInterval(tick, 1000);
showStatus();
flush();
