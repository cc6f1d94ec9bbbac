// Commitments made in the session, and the review of last session's: the form, the list,
// and turning the worksheet's adjustments into commitments. Saved through the queue.

import { labelControls } from "./keys.js";
import { $, CLIENT, rowButton, state } from "./page.js";
import { enqueue, later, newer, pending, queue, timers } from "./queue.js";

// This session's commitments (`here`) and last session's, under review. Edits autosave like
// notes: one operation per commitment id, based on the version the server last answered.
const commitments = new Map(state.commitments.map((c) => [c.uuid, c]));
for (const op of [...newer, ...queue]) {
  if (op.kind === "commitment") {
    const uuid = op.key.slice(11);
    commitments.set(uuid, { here: true, ...(commitments.get(uuid) || {}), ...op.payload });
  }
}
// Last session's commitments marked while offline show their mark again after a reload.
for (const select of document.querySelectorAll("[data-commitment-state]")) {
  const c = commitments.get(select.dataset.commitmentState);
  if (c && c.state) select.value = c.state;
}
export let editingCommitment = null;

export function upsertCommitment(commitment) {
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

export function clearCommitmentForm() {
  editingCommitment = null;
  $("commitment-text").value = "";
  $("commitment-due").value = "";
  $("commitment-owner").value = "client";
  $("add-commitment").firstChild.textContent = "Add the commitment";
  $("commitment-editing").hidden = true;
  renderCommitments();
}

export function finishCommitment() {
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

export function commitmentTyped() {
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

export function editCommitment(uuid) {
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

export function deleteCommitment(uuid) {
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

export function renderCommitments() {
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
export function adjustmentsToCommitments() {
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
