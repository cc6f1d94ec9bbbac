// Key handling for the runner's one table of shortcuts (the table itself is in runner.js,
// next to the actions it runs): matching a key press, the `?` list, and the key hints and
// aria-keyshortcuts on the controls, all made from that table so they cannot drift apart.

import { $ } from "./page.js";

let SHORTCUTS = [];

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
export function labelControls(root = document) {
  for (const shortcut of SHORTCUTS) {
    if (!shortcut.target) continue;
    for (const el of root.querySelectorAll(shortcut.target)) {
      const keys = new Set((el.getAttribute("aria-keyshortcuts") || "").split(" ").filter(Boolean));
      for (const key of shortcut.keys) keys.add(key);
      el.setAttribute("aria-keyshortcuts", [...keys].join(" "));
      const small = el.classList.contains("linklike-dark") || el.classList.contains("part-link");
      if (el.tagName === "BUTTON" && !el.querySelector(".key-hint") && !small) {
        const hint = kbd(shortcut.keys[0]);
        hint.className = "key-hint";
        hint.setAttribute("aria-hidden", "true");
        el.append(hint);
      }
    }
  }
}

export function buildShortcutList() {
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

// The list opens as a dialog over the page; closing it returns focus to where it was.
export function toggleShortcuts() {
  const box = $("shortcuts");
  if (box.open) box.close();
  else box.showModal();
}

export const typing = (el) =>
  el &&
  (el.isContentEditable ||
    el.tagName === "TEXTAREA" ||
    el.tagName === "SELECT" ||
    (el.tagName === "INPUT" && !["checkbox", "radio", "button", "submit"].includes(el.type)));

// Takes the table and starts listening for its keys.
export function useShortcuts(table) {
  SHORTCUTS = table;
  document.addEventListener("keydown", (e) => {
    if (e.repeat || e.isComposing) return;
    const found = SHORTCUTS.filter((shortcut) => matches(shortcut, e));
    if (!found.length) return;
    const here = document.activeElement;
    const shortcut = found.find((s) => s.scope && here && here.closest(s.scope)) || found.find((s) => !s.scope);
    if (!shortcut) return;
    // While the list is open over the page, its own keys (close it) are the only ones.
    if (document.querySelector("dialog[open]") && !["help", "escape"].includes(shortcut.id)) return;
    if (typing(e.target) && !shortcut.anywhere && !e.altKey) return; // the key is typed, as usual
    e.preventDefault();
    shortcut.run();
  });
}
