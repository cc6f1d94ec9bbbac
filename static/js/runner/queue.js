// The save queue: every change becomes an operation with a browser-made id; operations are
// sent one at a time so each save is based on the version the last one returned, and they
// stay on this device (in localStorage) until the server has answered, so nothing typed is
// ever lost, offline or not. Also the save status line and the typing pause before a save.

import { $, csrf, state, urls } from "./page.js";

export const STORE = `flowcoach-runner-${state.session}`;
export const SAVE_DELAY = 700;

// What the queue needs from the rest of the page, set by runner.js: whether a note is
// waiting for its typing pause, the server's rendering of a saved note, and a clash to show.
export const hooks = { noteWaiting: () => false, noteRendered: () => {}, conflict: () => {}, saved: () => {} };

// --- local store -------------------------------------------------------------------------------
// Each tab keeps its queue under its own key (the tab's id lives in sessionStorage, so a
// reload finds it again): two tabs of one session never write over each other's changes.
// A tab refreshes its `alive` time while open; a queue whose tab has been gone a while (closed
// with changes unsent) is taken over by the next runner tab of the session, and sent.

const TAB_KEY = "flowcoach-runner-tab";
const tab = (() => {
  try {
    const id = sessionStorage.getItem(TAB_KEY) || crypto.randomUUID();
    sessionStorage.setItem(TAB_KEY, id);
    return id;
  } catch {
    return crypto.randomUUID();
  }
})();
const OWN = `${STORE}:${tab}`;
const GONE_AFTER = 60_000; // ms without a sign of life: that tab is closed

function read(key) {
  try {
    return JSON.parse(localStorage.getItem(key)) || {};
  } catch {
    return {};
  }
}
export const local = read(OWN);
export const queue = local.queue || []; // [{key, kind, payload}]
export const versions = {}; // key -> version known to the server
export let stage = local.stage || "";
// What was sent without an answer (the network dropped or the server restarted mid-request):
// it may have been saved, so a refusal that shows exactly this content is our own save.
export const unconfirmed = local.unconfirmed || {};
// Clashes not yet settled ({op, data}): kept with the queue, so a reload still shows both
// versions and the coach's own is never lost with the page.
export const clashes = local.clashes || [];
// Saves the server confirmed in the last two minutes ({kind, key, payload, version, timing}).
// A reload can race a save: the page may be drawn from the server before the save landed,
// while the answer already took it off the queue. Whatever is newer here than on the page
// is shown from this list (the server has it; nothing is sent again).
const DONE_FOR = 120_000;
export const done = (local.done || []).filter((entry) => Date.now() - entry.at < DONE_FOR);
for (const note of state.notes) versions[`note:${note.uuid}`] = note.version;
for (const c of state.commitments) versions[`commitment:${c.uuid}`] = c.version;
versions.record = state.record.version;
versions.purpose = state.purpose_version;
// A version kept on the device counts only for a change still waiting: that change was made
// on it. Every other field shows the server's current content, so it goes with its version.
for (const op of queue) if (local.versions && op.key in local.versions) versions[op.key] = local.versions[op.key];
// The confirmed saves the page does not show yet (see `done`), oldest first.
// (Timing has no version: clock.js compares the logs' times instead.)
export const newer = done.filter((entry) => {
  if (entry.kind === "timing") return true;
  if (entry.payload.deleted && entry.version == null) return entry.key in versions;
  return entry.version != null && entry.version > (versions[entry.key] ?? -1);
});
for (const entry of newer) {
  if (entry.kind === "timing") continue;
  if (entry.version == null) delete versions[entry.key];
  else versions[entry.key] = entry.version;
}

// Takes over the queues of this session's closed tabs (and one kept by an older runner
// under the plain key): their changes join this queue, each on the version it was made on.
function adopt() {
  const now = Date.now();
  for (let i = localStorage.length - 1; i >= 0; i -= 1) {
    const key = localStorage.key(i);
    if (key === OWN || !(key === STORE || (key && key.startsWith(`${STORE}:`)))) continue;
    const other = read(key);
    if (key !== STORE && now - (other.alive || 0) < GONE_AFTER) continue;
    const seen = new Set();
    for (const op of other.queue || []) {
      // The first of a key goes on the version that tab had; its next ones follow it.
      const base = seen.has(op.key) ? undefined : (other.versions || {})[op.key] ?? null;
      seen.add(op.key);
      queue.push({ ...op, sent: false, ...(base === undefined || op.kind === "timing" ? {} : { base }) });
      if (other.unconfirmed && other.unconfirmed[op.key]) unconfirmed[op.key] = other.unconfirmed[op.key];
    }
    for (const clash of other.clashes || []) {
      clashes.push(clash);
      hooks.conflict(clash);
    }
    localStorage.removeItem(key);
  }
}
try {
  adopt();
} catch {
  /* storage blocked: this tab's own queue still works in memory */
}

// The chosen F.L.O.W. stage is kept with the queue, so a reload comes back to it.
export function keepStage(value) {
  stage = value;
}

// Once the page is going, it writes no more: a save answered after that must not take its
// change off the list the next page reads (that page will send it again, harmlessly).
let leaving = false;
export function leave() {
  persist();
  leaving = true;
}
window.addEventListener("pageshow", () => {
  leaving = false;
});

export function persist() {
  if (leaving) return;
  try {
    const waiting = {};
    for (const op of queue) if (op.key in versions) waiting[op.key] = versions[op.key];
    localStorage.setItem(OWN, JSON.stringify({ queue, versions: waiting, stage, unconfirmed, clashes, done: recent(), alive: Date.now() }));
  } catch {
    /* storage full or blocked: the queue still lives in memory */
  }
}
function recent() {
  const now = Date.now();
  while (done.length && now - done[0].at >= DONE_FOR) done.shift();
  return done;
}

// A sign of life, and a look for closed tabs' queues to take over.
setInterval(() => {
  persist();
  try {
    const before = queue.length;
    adopt();
    if (queue.length !== before) {
      persist();
      flush();
    }
  } catch {
    /* storage blocked */
  }
}, 5_000);

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
  } else if (clashes.length) {
    status.textContent = `Not saved: changed elsewhere. Choose a version for ${clashes.length === 1 ? "the clash" : `each of ${clashes.length} clashes`} below.`;
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

// A change joins the operation of its key still waiting to go (one in flight is left alone:
// the change follows it). The record's fields are merged one by one, so a field typed while
// another waits is added beside it, never in its place.
export function enqueue(kind, key, payload, { merge = true } = {}) {
  const existing = merge ? queue.find((op) => op.key === key && !op.sent) : null;
  if (existing) {
    const fields = existing.payload.fields || payload.fields ? { ...existing.payload.fields, ...payload.fields } : undefined;
    existing.payload = { ...existing.payload, ...payload };
    if (fields) existing.payload.fields = fields;
  } else {
    queue.push({ kind, key, payload });
  }
  persist();
  showStatus();
  flush();
}

// The token from the cookie when there is one: signing in again (in another tab, after the
// sign-in ended) gives a new token, and the one the page was served with stops working.
function token() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : csrf;
}

async function send(op) {
  const body = { ...op.payload };
  const base = "base" in op ? op.base : versions[op.key] ?? null;
  if (op.kind === "purpose") body.purpose_version = base;
  else if (op.kind === "note" || op.kind === "commitment" || op.kind === "record") body.base_version = base;
  const response = await fetch(urls[op.kind], {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": token() },
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
  if ("purpose" in prior) return (stored.text ?? "") === (prior.purpose ?? "").trim();
  const fields = { ...prior, ...(prior.fields || {}) };
  delete fields.fields;
  delete fields.uuid;
  delete fields.purpose;
  return Object.entries(fields).every(([name, value]) => JSON.stringify(stored[name] ?? "") === JSON.stringify(value ?? ""));
}

let retryTimer = null;
let completeWanted = false;
// What of an older change is not yet overtaken by one waiting or in flight for the same
// key (a clash's side kept after the coach typed on): only that part may still be sent.
export function notOvertaken(key, payload) {
  return queue.filter((op) => op.key === key).reduce((rest, op) => rest && overtakenBy(rest, op.payload), payload);
}

// What of `payload` a later `newer` payload of the same item does not replace, or null.
export function overtakenBy(payload, newer) {
  const rest = { ...payload, fields: payload.fields && { ...payload.fields } };
  if (!rest.fields) delete rest.fields;
  for (const name of Object.keys(newer)) if (name !== "uuid" && name !== "fields") delete rest[name];
  for (const name of Object.keys(newer.fields || {})) if (rest.fields) delete rest.fields[name];
  if (rest.fields && !Object.keys(rest.fields).length) delete rest.fields;
  return Object.keys(rest).some((name) => name !== "uuid") ? rest : null;
}

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
      delete op.base;
      op.sent = false;
      continue;
    }
    if (result.status === 200) {
      delete unconfirmed[op.key];
      const version = op.kind === "purpose" ? result.data.purpose_version : result.data.version;
      if (version != null) versions[op.key] = version;
      if (result.data.deleted) delete versions[op.key];
      if (op.kind === "note" && typeof result.data.html === "string") hooks.noteRendered(op, result.data.html);
      if (op.kind === "timing" && result.data.timing && !queue.slice(1).some((o) => o.kind === "timing")) {
        state.timing = result.data.timing;
      }
      done.push({ kind: op.kind, key: op.key, payload: op.payload, version: version ?? null, timing: result.data.timing, at: Date.now() });
      hooks.saved(op);
      queue.shift();
    } else if (result.status === 409) {
      queue.shift();
      const clash = { op: { kind: op.kind, key: op.key, payload: op.payload }, data: result.data };
      clashes.push(clash);
      hooks.conflict(clash);
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
  if (completeWanted && !queue.length && !error && !clashes.length) {
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
