/* A session's segments: drag and drop for the mouse; the Move up / Move down buttons do the
   same by keyboard. A static file, because the Content-Security-Policy allows no inline script. */
(function () {
  var dragged = null;
  function itemOf(target) { return target && target.closest ? target.closest("[data-move-url]") : null; }
  document.addEventListener("dragstart", function (event) {
    var item = itemOf(event.target);
    if (!item) return;
    dragged = item;
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.index);
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
  });
  document.addEventListener("dragover", function (event) {
    if (dragged && itemOf(event.target)) { event.preventDefault(); event.dataTransfer.dropEffect = "move"; }
  });
  document.addEventListener("drop", function (event) {
    var item = itemOf(event.target);
    if (!dragged || !item || item === dragged) return;
    event.preventDefault();
    htmx.ajax("POST", dragged.dataset.moveUrl, {
      source: dragged, target: "#segments", swap: "outerHTML",
      // The CSRF token travels in the X-CSRFToken header set on <body> (hx-headers).
      values: {to: item.dataset.index}
    });
  });
})();
