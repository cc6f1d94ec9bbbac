// The session clock: the timing log kept with the server's rules, so the clock moves at once
// online or not, the segment and session timers with their warnings, and the segment list.

import { $, serverNow, state } from "./page.js";
import { enqueue, newer, queue, showStatus, stage } from "./queue.js";

export const running = () => state.timing.length > 0 && !state.timing.at(-1).ended_at;
export const currentSegment = () => (state.timing.length ? state.timing.at(-1).segment : 0);

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

export function timing(event) {
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

// The server's log as a save confirmed it, when that is newer than the log the page was
// drawn with (a reload racing the save); then queued events not yet on the server on top.
const stamp = (log) => Math.max(0, ...log.flatMap((s) => [Date.parse(s.started_at), s.ended_at ? Date.parse(s.ended_at) : 0]));
for (const entry of newer) if (entry.kind === "timing" && entry.timing && stamp(entry.timing) > stamp(state.timing)) state.timing = entry.timing;
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

export function tick() {
  const index = currentSegment();
  const seg = state.segments[index] || { min: 0, max: 0, name: "" };
  const segSeconds = secondsIn(index);
  const allSeconds = secondsIn();
  $("segment-clock").textContent = clock(segSeconds);
  $("session-clock").textContent = clock(allSeconds);
  $("segment-plan").textContent = state.completed
    ? "Session complete"
    : `${seg.name}: planned ${seg.min === seg.max ? seg.max : `${seg.min}–${seg.max}`} min`;
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

export function renderSegments() {
  const index = currentSegment();
  document.querySelectorAll("#segment-list li").forEach((li) => {
    // A completed session has no current segment: its clock has stopped.
    if (Number(li.dataset.index) === index && state.timing.length && !state.completed) li.setAttribute("aria-current", "step");
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
