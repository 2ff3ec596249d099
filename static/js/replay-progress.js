// The replay-all progress bar: polls the job's small JSON status endpoint until it is finished.
(function () {
  "use strict";
  var box = document.querySelector("[data-replay-job]");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var labels = { queued: "Queued", running: "Running", done: "Done", failed: "Failed" };

  function show(job) {
    box.querySelector("[data-progress]").value = job.percent;
    box.querySelector("[data-percent]").textContent = job.percent + " %";
    box.querySelector("[data-counts]").textContent = job.done + " of " + job.total + " events";
    box.querySelector("[data-job-status]").textContent = labels[job.status] || job.status;
    box.querySelector("[data-replayed]").textContent = job.replayed;
    box.querySelector("[data-errors]").textContent = job.errors;
    box.querySelector("[data-outcome]").hidden = !job.finished;
    if (job.finished) { box.setAttribute("data-finished", ""); }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) { show(job); if (!job.finished) { setTimeout(poll, 700); } })
      .catch(function () { setTimeout(poll, 3000); });
  }
  var initial = JSON.parse(document.getElementById("replay-job").textContent);
  show(initial);
  if (!initial.finished) { setTimeout(poll, 300); }
})();
