// The managed-call "try it" console: posts the payload, shows the request sent, the response and the result.
(function () {
  "use strict";
  var root = document.querySelector("[data-try-console]");
  if (!root) return;
  var button = root.querySelector("[data-try-run]");
  if (!button) return;
  var status = root.querySelector("[data-try-status]");
  var output = root.querySelector("[data-try-output]");
  var errorBox = root.querySelector("[data-try-error]");

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function show(selector, value) {
    root.querySelector(selector).textContent = value === undefined ? "—" : JSON.stringify(value, null, 2);
  }

  button.addEventListener("click", function () {
    var payload;
    try {
      payload = JSON.parse(root.querySelector("#try-payload").value || "{}");
    } catch (e) {
      status.textContent = "The payload is not valid JSON: " + e.message;
      return;
    }
    status.textContent = "Running…";
    button.disabled = true;
    fetch(root.getAttribute("data-try-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ payload: payload }),
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        output.hidden = false;
        show("[data-try-request]", data.request);
        show("[data-try-response]", data.response);
        show("[data-try-result]", data.result);
        errorBox.hidden = !data.error;
        errorBox.textContent = data.error ? data.error.code + ": " + data.error.message : "";
        status.textContent = (data.ok ? "Succeeded" : "Failed") + (data.duration_ms !== undefined ? " in " + data.duration_ms + " ms" : "");
      })
      .catch(function (e) { status.textContent = "Request failed: " + e.message; })
      .then(function () { button.disabled = false; });
  });
})();
