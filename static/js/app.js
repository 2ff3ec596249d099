// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Organisation switcher: submit on change (a <noscript> button covers the no-JS case).
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Dismissable flash messages.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (button) { button.parentElement.remove(); }
  });

  // Copy buttons: <button data-copy="#input-id">.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (!source) { return; }
      var text = source.value !== undefined ? source.value : source.textContent;
      var done = function () {
        var label = button.textContent;
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = label; }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done);
      } else {
        source.select && source.select();
        document.execCommand("copy");
        done();
      }
    });
  });

  // Confirmation for destructive buttons: <button data-confirm="Really?">.
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });

  // Charts wider than the window open scrolled to the newest bucket (today's data is on the right).
  document.querySelectorAll(".chart-scroll").forEach(function (box) { box.scrollLeft = box.scrollWidth; });

  // Narrow windows: the side navigation becomes a drawer.
  var toggle = document.querySelector("[data-nav-toggle]");
  var nav = document.getElementById("sidenav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Close the user menu on Escape or a click elsewhere.
  var menu = document.querySelector(".user-menu");
  if (menu) {
    document.addEventListener("click", function (event) {
      if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { menu.removeAttribute("open"); }
    });
  }
})();

// Django formsets: "+ Add row" clones the empty form and bumps TOTAL_FORMS.
(function () {
  "use strict";
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var section = button.closest("section") || document;
    var body = section.querySelector("[data-formset-body]");
    var template = section.querySelector("template[data-formset-empty]");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    if (!body || !template || !total) { return; }
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = body.lastElementChild.querySelector("input, select");
      if (first) { first.focus(); }
    });
  });
})();

// "Select all" checkboxes: <input type="checkbox" data-select-all="name">.
document.querySelectorAll("[data-select-all]").forEach(function (master) {
  master.addEventListener("change", function () {
    var form = master.form || document;
    form.querySelectorAll("input[type=checkbox][name='" + master.getAttribute("data-select-all") + "']").forEach(function (box) {
      box.checked = master.checked;
    });
  });
});
