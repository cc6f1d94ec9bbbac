// The live session runner: notes, the record, clashes, the one table of keyboard shortcuts
// and the page's wiring. Hand-written ES modules, no build step: the save queue and offline
// store are in runner/queue.js, the clock in runner/clock.js, commitments in
// runner/commitments.js and the key handling in runner/keys.js.

import { currentSegment, renderSegments, running, tick, timing } from "./runner/clock.js";
import {
  adjustmentsToCommitments,
  clearCommitmentForm,
  commitmentTyped,
  deleteCommitment,
  editCommitment,
  editingCommitment,
  finishCommitment,
  renderCommitments,
  upsertCommitment,
} from "./runner/commitments.js";
import { clashItems, clashOvertaken, describe, settleClash } from "./runner/clashes.js";
import { markPart, measureBar, movePart, showPart } from "./runner/parts.js";
import { buildShortcutList, labelControls, toggleShortcuts, typing, useShortcuts } from "./runner/keys.js";
import { $, CLIENT, MARKER_LABELS, rowButton, STAGE_LABELS, STAGES, state } from "./runner/page.js";
import {
  clashes,
  completeWhenSaved,
  enqueue,
  flush,
  hooks,
  keepStage,
  later,
  leave,
  newer,
  notOvertaken,
  overtakenBy,
  persist,
  queue,
  SAVE_DELAY,
  savePending,
  showStatus,
  stage,
  versions,
} from "./runner/queue.js";

// --- conflicts ---------------------------------------------------------------------------------

// Shows one clash with both versions and a button for each; choosing settles it. An older
// clash of the same item that this one overtakes entirely (the coach typed on) goes, so the
// coach is never asked to choose a version that is no longer theirs.
function showConflict(clash) {
  const { op, data } = clash;
  for (const older of [...clashes]) {
    if (older === clash || older.op.key !== op.key) continue;
    const rest = overtakenBy(older.op.payload, op.payload);
    if (!rest) settleClash(older);
    else older.op.payload = rest; // keeping it sends only what was not typed over since
  }
  const settle = () => settleClash(clash);
  const box = $("conflicts");
  box.hidden = false;
  const item = document.createElement("div");
  item.className = "conflict";
  const heading = document.createElement("p");
  heading.textContent = data.error || "This was changed elsewhere.";
  const theirs = document.createElement("pre");
  const mine = document.createElement("pre");
  theirs.textContent = `Saved version: ${describe(op, data.stored || {})}`;
  mine.textContent = `Your version: ${describe(op, data.yours || {})}`;
  const keepMine = document.createElement("button");
  keepMine.type = "button";
  keepMine.className = "button keep-mine";
  keepMine.textContent = "Keep mine";
  keepMine.addEventListener("click", () => {
    settle();
    // Typing still in its pause joins the queue first, so it counts as newer than this side.
    savePending();
    if (data.version == null) delete versions[op.key];
    else versions[op.key] = Math.max(versions[op.key] ?? 0, data.version);
    item.remove();
    box.hidden = !box.children.length;
    const rest = notOvertaken(op.key, op.payload);
    if (rest) enqueue(op.kind, op.key, rest);
    showStatus();
  });
  const keepTheirs = document.createElement("button");
  keepTheirs.type = "button";
  keepTheirs.className = "button keep-saved";
  keepTheirs.textContent = "Keep the saved one";
  keepTheirs.addEventListener("click", () => {
    settle();
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
    // The fields show the kept content, so the page never differs from what is stored.
    if (op.kind === "record" && data.stored) showRecord(data.stored, Object.keys(op.payload.fields || {}));
    if (op.kind === "purpose" && data.stored) $("purpose-input").value = data.stored.text || "";
    item.remove();
    box.hidden = !box.children.length;
    persist();
    renderNotes();
    renderCommitments();
    showStatus();
  });
  item.append(heading, theirs, mine, keepMine, keepTheirs);
  box.append(item);
  clashItems.set(clash, item);
  labelControls(item);
}

// --- notes -------------------------------------------------------------------------------------

const notes = new Map(state.notes.map((n) => [n.uuid, n]));
// Saves confirmed after the server drew this page, then changes still waiting, show as saved.
for (const op of [...newer, ...queue]) {
  // Changes still waiting on this device show after a reload as if saved.
  if (op.kind === "note") {
    const uuid = op.key.slice(5);
    notes.set(uuid, { ...(notes.get(uuid) || {}), uuid, ...op.payload });
  }
}
let draft = null; // the note being typed: {uuid, fresh}

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
    // A moment marked before any words: the words typed next are that moment's note, so
    // the summary shows what the moment was, not an empty mark.
    const uuid = crypto.randomUUID();
    saveNote(uuid, { body: "", marker, segment: currentSegment(), flow_stage: stage, visibility: "coach_only" });
    draft = { uuid, fresh: true };
    $("note-input").value = "";
  }
  showStatus();
}

function setStage(value) {
  keepStage(value);
  persist();
  document.querySelectorAll(".stage-button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.stage === stage)));
  $("stage-current").textContent = stage ? `Current stage: ${STAGE_LABELS[stage]}` : "No stage chosen yet.";
  $("bar-stage").textContent = stage ? `Stage: ${STAGE_LABELS[stage]}` : "No stage chosen yet";
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

// --- record and purpose -------------------------------------------------------------------------

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

// Puts record values into their fields (all of them, or only those `names`).
function showRecord(values, names = Object.keys(values)) {
  for (const name of names) {
    if (!(name in values)) continue;
    const value = values[name];
    if (name === "outcomes") {
      (value || []).forEach((o, i) => {
        const select = document.querySelector(`[data-outcome-index="${i}"]`);
        if (select) select.value = o.mark || "";
      });
      continue;
    }
    const el = document.querySelector(`[data-record-field="${name}"]`);
    if (el) el.value = Array.isArray(value) ? value.join("\n") : value ?? "";
  }
}

// Restore fields whose changes were confirmed after the page was drawn, or still wait.
for (const op of [...newer, ...queue]) {
  if (op.kind === "record" && op.payload.fields) showRecord(op.payload.fields);
  if (op.key === "purpose" && "purpose" in op.payload) $("purpose-input").value = op.payload.purpose;
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
$("shortcuts-close").addEventListener("click", toggleShortcuts);
document.querySelectorAll(".part-link").forEach((b) => b.addEventListener("click", () => showPart(b.dataset.part)));
$("runner-parts").addEventListener("scroll", markPart, { passive: true });
document.addEventListener("focusin", markPart);
document.querySelectorAll("[data-record-field]").forEach((el) => el.addEventListener("input", () => recordField(el)));
document.querySelectorAll("[data-outcome-index]").forEach((el) =>
  el.addEventListener("change", () => enqueue("record", "record", { fields: { outcomes: outcomes() } })),
);
$("purpose-input").addEventListener("input", () => later("purpose", () => enqueue("purpose", "purpose", { purpose: $("purpose-input").value })));
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
  if (clashes.length) {
    // Completing now would leave the coach's side of a clash behind.
    e.preventDefault();
    showStatus("Choose a version for each clash before completing.");
    $("conflicts").scrollIntoView({ block: "center" });
    return;
  }
  if (queue.length) {
    // Complete once everything typed is on the server; the form goes on its own then.
    e.preventDefault();
    completeWhenSaved();
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
  } else if ($("shortcuts").open) {
    toggleShortcuts();
    $("shortcuts-button").focus();
  }
}

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
  { id: "next-part", group: "Parts of the page", keys: ["]"], label: "Next part: notes, purpose and worksheet, commitments, wrap", target: ".part-link", run: movePart(1) },
  { id: "previous-part", group: "Parts of the page", keys: ["["], label: "Previous part", target: ".part-link", run: movePart(-1) },
  { id: "help", group: "Help", keys: ["?"], label: "Show or hide this list", target: "#shortcuts-button", run: () => toggleShortcuts() },
  { id: "escape", group: "Help", keys: ["Escape"], anywhere: true, label: "Step out of a text field so keys work again; close this list", target: "#shortcuts-close", run: leaveField },
];
useShortcuts(SHORTCUTS);

// What the save queue needs from the notes and the clash box.
hooks.noteWaiting = () => noteTimer !== null;
hooks.noteRendered = noteRendered;
hooks.conflict = showConflict;
hooks.saved = clashOvertaken;

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
  leave();
});

for (const op of queue) op.sent = false;
buildShortcutList();
for (const clash of clashes) showConflict(clash);
setStage(stage);
renderSegments();
renderNotes();
renderCommitments();
labelControls();
measureBar();
markPart();
tick();
setInterval(tick, 1000);
showStatus();
flush();
