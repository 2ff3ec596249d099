// Imports pages: drag-and-drop upload, and a progress bar that follows a running phase.
(function () {
  'use strict';

  function setupDropzone(form) {
    var target = form.querySelector('[data-dropzone-target]');
    var input = form.querySelector('input[type=file]');
    var error = form.querySelector('[data-dropzone-error]');
    ['dragenter', 'dragover'].forEach(function (name) {
      target.addEventListener(name, function (event) { event.preventDefault(); target.classList.add('is-over'); });
    });
    ['dragleave', 'drop'].forEach(function (name) {
      target.addEventListener(name, function () { target.classList.remove('is-over'); });
    });
    target.addEventListener('drop', function (event) {
      event.preventDefault();
      if (event.dataTransfer.files.length) { input.files = event.dataTransfer.files; form.requestSubmit(); }
    });
    form.addEventListener('submit', function (event) {
      if (!window.fetch || !input.files.length) { return; }
      event.preventDefault();
      error.hidden = true;
      var button = form.querySelector('[data-dropzone-submit]');
      button.disabled = true;
      button.textContent = 'Uploading…';
      fetch(form.action, { method: 'POST', body: new FormData(form), headers: { Accept: 'application/json' } })
        .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
        .then(function (result) {
          if (result[0]) { window.location = result[1].url; return; }
          error.textContent = result[1].message; error.hidden = false;
          button.disabled = false; button.textContent = 'Upload and preview';
        })
        .catch(function () {
          error.textContent = 'The upload failed: check your connection and try again.'; error.hidden = false;
          button.disabled = false; button.textContent = 'Upload and preview';
        });
    });
  }

  function followProgress(card) {
    var bar = card.querySelector('[data-progress-bar]');
    var fill = bar.querySelector('.progress-fill');
    var text = card.querySelector('[data-progress-text]');
    var badge = card.querySelector('[data-import-badge]');
    function poll() {
      fetch(card.dataset.statusUrl, { headers: { Accept: 'application/json' } })
        .then(function (response) { return response.json(); })
        .then(function (s) {
          badge.textContent = s.status;
          badge.className = 'badge badge-' + s.badge;
          if (s.percent === null) {
            fill.classList.add('is-indeterminate'); fill.style.width = '100%'; bar.removeAttribute('aria-valuenow');
          } else {
            fill.classList.remove('is-indeterminate'); fill.style.width = s.percent + '%';
            bar.setAttribute('aria-valuenow', s.percent);
          }
          if (s.processed_rows !== null) {
            text.textContent = s.processed_rows + ' rows' + (s.total_rows ? ' of ' + s.total_rows : '') + ' processed' +
              (s.percent !== null ? ' (' + s.percent + ' %)' : '');
          }
          if (s.working) { window.setTimeout(poll, 700); } else { window.location.reload(); }
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    }
    window.setTimeout(poll, 500);
  }

  document.querySelectorAll('[data-dropzone]').forEach(setupDropzone);
  document.querySelectorAll('[data-import-progress]').forEach(function (card) {
    if (card.dataset.working === 'true') { followProgress(card); }
  });
}());
