// Maps tab: add/remove maps and rows; on save, the tables are written into the JSON field the server reads.
(function () {
  "use strict";
  var form = document.querySelector("[data-maps-form]");
  if (!form || form.hasAttribute("data-readonly")) { return; }
  var list = form.querySelector("[data-maps]");
  var mapTemplate = form.querySelector("template[data-map-template]");
  var rowTemplate = form.querySelector("template[data-row-template]");
  var json = form.querySelector("textarea[name=maps]");
  var jsonView = form.querySelector("[data-json-view]");
  var tablesTouched = false;

  function addRow(card) {
    var row = rowTemplate.content.firstElementChild.cloneNode(true);
    card.querySelector("[data-rows]").appendChild(row);
    row.querySelector("[data-row-key]").focus();
  }

  form.addEventListener("input", function (event) {
    if (event.target !== json) { tablesTouched = true; }
  });
  form.addEventListener("change", function (event) {
    if (event.target !== json) { tablesTouched = true; }
  });

  form.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("[data-add-map]")) {
      var empty = list.querySelector("[data-no-maps]");
      if (empty) { empty.remove(); }
      var card = mapTemplate.content.firstElementChild.cloneNode(true);
      list.appendChild(card);
      addRow(card);
      card.querySelector("[data-map-key]").focus();
      tablesTouched = true;
    } else if (target.closest("[data-add-row]")) {
      addRow(target.closest("[data-map]"));
      tablesTouched = true;
    } else if (target.closest("[data-remove-row]")) {
      target.closest("[data-row]").remove();
      tablesTouched = true;
    } else if (target.closest("[data-remove-map]")) {
      target.closest("[data-map]").remove();
      tablesTouched = true;
    }
  });

  function typed(text, kind) {
    if (kind === "null") { return null; }
    if (kind === "boolean") { return text.trim().toLowerCase() === "true"; }
    if (kind === "number") {
      var number = Number(text.trim());
      return text.trim() === "" || isNaN(number) ? text : number;  // the server names a wrong value
    }
    return text;
  }

  function collect() {
    return Array.prototype.map.call(list.querySelectorAll("[data-map]"), function (card) {
      var value = {};
      card.querySelectorAll("[data-row]").forEach(function (row) {
        var key = row.querySelector("[data-row-key]").value;
        if (key === "" && row.querySelector("[data-row-value]").value === "") { return; }
        value[key] = typed(row.querySelector("[data-row-value]").value, row.querySelector("[data-row-type]").value);
      });
      var map = {
        key: card.querySelector("[data-map-key]").value.trim(),
        label: card.querySelector("[data-map-label]").value,
        value: value
      };
      var description = card.querySelector("[data-map-description]").value;
      if (description) { map.description = description; }
      return map;
    });
  }

  form.addEventListener("submit", function () {
    // the JSON view wins only when it is open and the tables were not touched since the page loaded
    if (tablesTouched || !(jsonView && jsonView.open)) {
      json.value = JSON.stringify(collect(), null, 2);
    }
  });

  // Mark the inputs the server's issues name (maps[1].value.Herr, maps[0].key ...).
  document.querySelectorAll("[data-issue-path]").forEach(function (item) {
    var match = /^maps\[(\d+)\]\.?([a-z_]*)/.exec(item.getAttribute("data-issue-path"));
    if (!match) { return; }
    var card = list.querySelectorAll("[data-map]")[Number(match[1])];
    if (!card) { return; }
    var field = { key: "[data-map-key]", label: "[data-map-label]", description: "[data-map-description]" }[match[2]];
    var input = field ? card.querySelector(field) : null;
    (input || card).classList.add("is-invalid");
  });
})();
