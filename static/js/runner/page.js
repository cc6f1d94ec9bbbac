// What every part of the runner shares: the page's own data (the server's state, the save
// addresses, the CSRF token), the server's clock, and small DOM helpers. Nothing here changes
// after the page has loaded.

export const root = document.getElementById("runner");
export const state = JSON.parse(document.getElementById("runner-state").textContent);
export const STAGES = ["find_out", "learn_about", "own", "work_it"];
export const STAGE_LABELS = { find_out: "Find out", learn_about: "Learn about", own: "Own", work_it: "Work it" };
export const MARKER_LABELS = { energy: "Energy", aha: "Aha" };
export const urls = {
  note: root.dataset.notesUrl,
  record: root.dataset.recordUrl,
  purpose: root.dataset.recordUrl,
  timing: root.dataset.timingUrl,
  commitment: root.dataset.commitmentsUrl,
};
export const $ = (id) => document.getElementById(id);
export const csrf = (() => {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  } catch {
    return "";
  }
})();

// The server's clock, so a wrong clock on this device does not bend the timer.
const offset = new Date(state.now).getTime() - Date.now();
export const serverNow = () => Date.now() + offset;

// The client's name as the share checkbox words it, for commitments and shortcut labels.
export const CLIENT = $("note-shared").labels[0].textContent.replace(/^Share with /, "") || "the client";

// The small Edit and Delete buttons of a note or commitment row.
export function rowButton(text, className, label, onClick) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = `linklike-dark ${className}`;
  button.textContent = text;
  button.setAttribute("aria-label", label);
  button.addEventListener("click", onClick);
  return button;
}
