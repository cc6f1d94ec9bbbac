// The parts of the runner page and the bar above them.

import { $ } from "./page.js";

// Notes; purpose and worksheet; commitments; wrap. On a wide screen one is in view at a time
// (they sit side by side); keys and the bar's links move between them, and a shortcut that
// goes to a field brings its part into view on the way.

const PARTS = ["part-notes", "part-worksheet", "part-commitments", "part-wrap"];

function partInView() {
  const box = $("runner-parts");
  if (box.scrollWidth <= box.clientWidth) {
    // One column (a narrow screen): the part nearest the top of the window.
    const below = PARTS.map((id) => $(id).getBoundingClientRect().bottom);
    const bar = $("runner-bar").getBoundingClientRect().bottom;
    const at = below.findIndex((bottom) => bottom > bar + 40);
    return PARTS[at < 0 ? PARTS.length - 1 : at];
  }
  return PARTS[Math.round(box.scrollLeft / box.clientWidth)] || PARTS[0];
}

export function markPart() {
  const current = partInView();
  document.querySelectorAll(".part-link").forEach((b) => b.setAttribute("aria-current", String(b.dataset.part === current)));
}

export function showPart(id) {
  const part = $(id);
  part.scrollIntoView({ block: "nearest", inline: "start" });
  // Focus goes to the part's first heading, so keys and the screen reader start there.
  const heading = part.querySelector("h2");
  heading.tabIndex = -1;
  heading.focus({ preventScroll: true });
  markPart();
}

export function movePart(step) {
  return () => {
    const at = PARTS.indexOf(partInView());
    showPart(PARTS[(at + step + PARTS.length) % PARTS.length]);
  };
}

// The bar's height, so the parts and the side column fit in the window below it.
export function measureBar() {
  document.documentElement.style.setProperty("--bar-height", `${$("runner-bar").offsetHeight}px`);
}
new ResizeObserver(measureBar).observe($("runner-bar"));
