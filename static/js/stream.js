// Stream page: DLQ payloads are fetched only when asked for (listings carry none).
(function () {
  "use strict";
  document.querySelectorAll("[data-payload-url]").forEach(function (button) {
    button.addEventListener("click", function () {
      var id = button.closest("tr").getAttribute("data-dlq-row");
      var row = document.querySelector("[data-payload-row='" + id + "']");
      if (!row.hidden) { row.hidden = true; button.setAttribute("aria-expanded", "false"); button.textContent = "Show payload"; return; }
      fetch(button.getAttribute("data-payload-url"), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          row.querySelector("code").textContent = JSON.stringify(body.payload !== undefined ? body.payload : body, null, 2);
          row.hidden = false; button.setAttribute("aria-expanded", "true"); button.textContent = "Hide payload";
        });
    });
  });
})();
