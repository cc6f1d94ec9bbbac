// Preparation checklists (the coach's on the preparation view, the client's in the portal).
// Without this script each list is a plain form saved with its button. With it, every box
// saves the moment it changes, and a box the server did not take is put back as it was.
(function () {
  "use strict";
  document.querySelectorAll("form[data-checklist]").forEach(function (form) {
    var status = form.querySelector("[data-checklist-status]");
    var button = form.querySelector("[data-checklist-save]");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    // Buttons carry their own display rule, which would beat the hidden attribute.
    if (button) button.style.display = "none";
    form.addEventListener("change", function (event) {
      var box = event.target;
      if (!box || box.type !== "checkbox") return;
      var body = new FormData();
      body.append("csrfmiddlewaretoken", token ? token.value : "");
      body.append("item", box.value);
      body.append("checked", box.checked ? "true" : "false");
      if (status) status.textContent = "Saving…";
      fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (data) {
            if (!response.ok || !data.ok) throw new Error(data.error || "");
            if (status) status.textContent = data.progress + " · saved";
          });
        })
        .catch(function (error) {
          box.checked = !box.checked;
          if (status) {
            status.textContent =
              (error && error.message) || "Not saved: check your connection and try again.";
          }
        });
    });
  });
})();
