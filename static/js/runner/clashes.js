// Clashes: two versions of one item, shown until the coach chooses. What is kept about them
// on the page (their boxes), their words, and settling one that newer saves replaced. The
// box with its buttons is drawn by runner.js, which owns the notes and fields they change.

import { $ } from "./page.js";
import { clashes, overtakenBy } from "./queue.js";

export const clashItems = new Map(); // clash -> its box on the page

// Removes a clash from the list kept on the device and from the page.
export function settleClash(clash) {
  const at = clashes.indexOf(clash);
  if (at >= 0) clashes.splice(at, 1);
  const item = clashItems.get(clash);
  clashItems.delete(clash);
  if (item) item.remove();
  $("conflicts").hidden = !clashes.length;
}

const FIELD_LABELS = {
  challenge: "Challenge",
  learned: "What the stories and the flow taught",
  shadow_tendency: "Shadow-side tendency",
  growth_need: "Growth need",
  adjustments: "Adjustments",
  most_helpful: "Most helpful",
  coach_summary: "Summary",
  outcomes: "Outcomes",
  topic_candidates: "Topics for open sessions",
};

// One side of a clash in words: a note's or statement's text, a commitment's, or for the
// record only the fields this change was about.
export function describe(op, side) {
  if (side.deleted) return "deleted";
  if (op.kind === "record") {
    return Object.keys(op.payload.fields || {})
      .map((name) => {
        const value = side[name];
        const text = name === "outcomes" ? (value || []).map((o) => `${o.text}: ${o.mark || "not marked"}`).join("; ") : Array.isArray(value) ? value.join("; ") : value || "(empty)";
        return `${FIELD_LABELS[name] || name}: ${text}`;
      })
      .join("\n");
  }
  return side.body ?? side.text ?? JSON.stringify(side);
}

// A save of an item with a clash still open replaces that side of it: what it saved is no
// longer the coach's to choose.
export function clashOvertaken(op) {
  for (const clash of [...clashes]) {
    if (clash.op.key !== op.key) continue;
    const rest = overtakenBy(clash.op.payload, op.payload);
    if (!rest) settleClash(clash);
    else clash.op.payload = rest;
  }
}
