// The save queue: every change becomes an operation with a browser-made id; operations are
// sent one at a time so each save is based on the version the last one returned, and they
// stay on this device (in localStorage) until the server has answered, so nothing typed is
// ever lost, offline or not. Also the save status line and the typing pause before a save.

import { $, csrf, state, urls } from "./page.js";

export const STORE = `flowcoach-runner-${state.session}`;
export const SAVE_DELAY = 700;

// What the queue needs from the rest of the page, set by runner.js: whether a note is
// waiting for its typing pause, the server's rendering of a saved note, and a clash to show.
export const hooks = { noteWaiting: () => false, noteRendered: () => {}, conflict: () => {} };

// --- local store -------------------------------------------------------------------------------

function load() {
  try {
    return JSON.parse(localStorage.getItem(STORE)) || {};
  } catch {
    return {};
  }
}
export const local = load();
export const queue = local.queue || []; // [{key, kind, payload}]
export const versions = {}; // key -> version known to the server
export let stage = local.stage || "";
for (const note of state.notes) versions[`note:${note.uuid}`] = note.version;
for (const c of state.commitments) versions[`commitment:${c.uuid}`] = c.version;
versions.record = state.record.version;
Object.assign(versions, local.versions || {});
// What was sent without an answer (the network dropped or the server restarted mid-request):
// it may have been saved, so a refusal that shows exactly this content is our own save.
export const unconfirmed = local.unconfirmed || {};

// The chosen F.L.O.W. stage is kept with the queue, so a reload comes back to it.
export function keepStage(value) {
  stage = value;
}

export function persist() {
  try {
    localStorage.setItem(STORE, JSON.stringify({ queue, versions, stage, unconfirmed }));
  } catch {
    /* storage full or blocked: the queue still lives in memory */
  }
}

// --- status ------------------------------------------------------------------------------------

let offline = !navigator.onLine;
// Edits waiting for the typing pause count as unsaved too.
const typingPending = () => Object.keys(pending).length > 0 || hooks.noteWaiting();
let sending = false;
export function showStatus(error) {
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

export function enqueue(kind, key, payload, { merge = true } = {}) {
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
// Completing waits for the queue to empty; the complete form is then submitted from here.
export function completeWhenSaved() {
  completeWanted = true;
}

export async function flush() {
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
      if (op.kind === "note" && typeof result.data.html === "string") hooks.noteRendered(op, result.data.html);
      if (op.kind === "timing" && result.data.timing && !queue.slice(1).some((o) => o.kind === "timing")) {
        state.timing = result.data.timing;
      }
      queue.shift();
    } else if (result.status === 409) {
      queue.shift();
      hooks.conflict(op, result.data);
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

// --- the typing pause --------------------------------------------------------------------------

export const timers = {};
export const pending = {};

export function later(key, fn) {
  clearTimeout(timers[key]);
  pending[key] = fn;
  timers[key] = setTimeout(() => {
    delete pending[key];
    fn();
  }, SAVE_DELAY);
  showStatus();
}

// Runs every edit still waiting for its typing pause, so it joins the queue now.
export function savePending() {
  for (const [key, fn] of Object.entries(pending)) {
    clearTimeout(timers[key]);
    delete pending[key];
    fn();
  }
}
