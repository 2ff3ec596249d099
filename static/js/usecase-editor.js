// Use-case editor: the raw JSON textarea is the source of truth (and what the form submits);
// the structured inbound editor and the live simulation are built on top of it.
(function () {
  "use strict";

  var root = document.querySelector("[data-usecase-editor]");
  if (!root) { return; }

  var textarea = root.querySelector("#id_configuration");
  var structured = root.querySelector("[data-structured]");
  var jsonStatus = root.querySelector("[data-json-status]");
  var readOnly = root.hasAttribute("data-readonly");
  var model = null;

  // ---- helpers ------------------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; }
      else if (key.slice(0, 2) === "on") { node.addEventListener(key.slice(2), attrs[key]); }
      else if (attrs[key] !== null && attrs[key] !== undefined && attrs[key] !== false) { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, wait);
    };
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function parse() {
    var text = textarea.value.trim();
    if (!text) { return { ok: true, value: null }; }
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (error) {
      return { ok: false, error: error.message };
    }
  }

  function writeJson() {
    textarea.value = JSON.stringify(model, null, 2);
    textarea.dispatchEvent(new CustomEvent("configuration-changed"));
  }

  // ---- structured inbound editor -------------------------------------------------------------------
  var SOURCES = [["field", "Field"], ["jsonataExpression", "JSONata"], ["constant", "Constant"],
                 ["env_var_ref", "Environment variable"], ["portal_ref", "Portal"]];
  var PORTAL_ORIGINS = ["END_CUSTOMER_PORTAL", "INSTALLER_PORTAL", "B2B_PORTAL", "ADDITIONAL_PORTAL"];
  var REFERENCES = ["env_var_ref", "portal_ref"];

  // env_var_ref / portal_ref: the key or the portal origin here; default, select and jsonata in the JSON view.
  function referenceInput(field, source, path) {
    if (source === "env_var_ref") {
      field.env_var_ref = field.env_var_ref && typeof field.env_var_ref === "object" ? field.env_var_ref : { key: "" };
      return el("input", {
        type: "text", class: "code", value: field.env_var_ref.key || "", "data-path": path + ".env_var_ref.key",
        "aria-label": "Environment variable of " + (field.attribute || "field"), placeholder: "erp.base_url",
        disabled: readOnly || null,
        oninput: function (event) { field.env_var_ref.key = event.target.value; writeJson(); }
      });
    }
    field.portal_ref = field.portal_ref && typeof field.portal_ref === "object" ? field.portal_ref : {};
    var filter = field.portal_ref.filter || {};
    var origin = typeof filter.origin === "string" ? filter.origin : "";
    return el("select", {
      "aria-label": "Portal origin of " + (field.attribute || "field"), "data-path": path + ".portal_ref.filter.origin",
      disabled: readOnly || null,
      onchange: function (event) {
        field.portal_ref.filter = field.portal_ref.filter || {};
        if (event.target.value) { field.portal_ref.filter.origin = event.target.value; } else { delete field.portal_ref.filter.origin; }
        writeJson();
      }
    }, [""].concat(PORTAL_ORIGINS).map(function (value) {
      return el("option", { value: value, selected: value === origin || null, text: value || "any origin" });
    }));
  }
  var MODES = ["upsert", "delete", "purge", "upsert-prune-scope-purge", "upsert-prune-scope-delete"];

  function sourceOf(field) {
    if (Object.prototype.hasOwnProperty.call(field, "constant")) { return "constant"; }
    if (Object.prototype.hasOwnProperty.call(field, "jsonataExpression")) { return "jsonataExpression"; }
    if (Object.prototype.hasOwnProperty.call(field, "field")) { return "field"; }
    if (field.relations) { return "relations"; }
    if (field.relation_refs) { return "relation_refs"; }
    if (field.file_proxy_url) { return "file_proxy_url"; }
    if (field.env_var_ref) { return "env_var_ref"; }
    if (field.portal_ref) { return "portal_ref"; }
    return "field";
  }

  function constantText(value) {
    return typeof value === "string" ? value : JSON.stringify(value);
  }

  function constantValue(text, previous) {
    if (typeof previous === "string" || previous === undefined) { return text; }
    try { return JSON.parse(text); } catch (error) { return text; }
  }

  function fieldRow(entity, fields, index, basePath) {
    var field = fields[index];
    var path = basePath + ".fields[" + index + "]";
    var source = sourceOf(field);
    var special = ["relations", "relation_refs", "file_proxy_url"].indexOf(source) >= 0;

    var attribute = el("input", {
      type: "text", class: "code", value: field.attribute || "", "aria-label": "Attribute",
      "data-path": path + ".attribute", placeholder: "attribute", disabled: readOnly || null,
      oninput: function (event) { field.attribute = event.target.value; writeJson(); }
    });
    var valueInput;
    var sourceSelect;
    if (special) {
      sourceSelect = el("span", { class: "badge badge-info", text: source });
      valueInput = el("span", { class: "muted small", text: "edit in the JSON view" });
    } else {
      sourceSelect = el("select", {
        "aria-label": "Source of " + (field.attribute || "field"), disabled: readOnly || null,
        onchange: function (event) {
          var current = source === "constant" ? constantText(field.constant) : REFERENCES.indexOf(source) >= 0 ? "" : (field[source] || "");
          delete field.field; delete field.jsonataExpression; delete field.constant;
          delete field.env_var_ref; delete field.portal_ref;
          if (event.target.value === "env_var_ref") { field.env_var_ref = { key: current }; }
          else if (event.target.value === "portal_ref") { field.portal_ref = {}; }
          else { field[event.target.value] = current; }
          writeJson(); render();
        }
      }, SOURCES.map(function (pair) {
        return el("option", { value: pair[0], selected: pair[0] === source || null, text: pair[1] });
      }));
      var current = source === "constant" ? constantText(field.constant) : (field[source] || "");
      valueInput = REFERENCES.indexOf(source) >= 0 ? referenceInput(field, source, path) : el("input", {
        type: "text", class: "code", value: current, "data-path": path + "." + source,
        "aria-label": (source === "jsonataExpression" ? "JSONata expression" : source === "constant" ? "Constant" : "Payload field") + " of " + (field.attribute || "field"),
        placeholder: source === "jsonataExpression" ? "$uppercase(firstName)" : source === "constant" ? "value" : "customerId",
        disabled: readOnly || null,
        oninput: function (event) {
          field[source] = source === "constant" ? constantValue(event.target.value, field.constant) : event.target.value;
          writeJson();
        }
      });
    }
    var typeSelect = el("select", {
      "aria-label": "Type of " + (field.attribute || "field"), disabled: readOnly || special || null,
      onchange: function (event) {
        if (event.target.value) { field._type = event.target.value; } else { delete field._type; }
        writeJson();
      }
    }, ["", "email", "phone"].map(function (value) {
      return el("option", { value: value, selected: (field._type || "") === value || null, text: value || "—" });
    }));

    function move(delta) {
      return function () {
        var target = index + delta;
        if (target < 0 || target >= fields.length) { return; }
        var item = fields.splice(index, 1)[0];
        fields.splice(target, 0, item);
        writeJson(); render();
      };
    }
    var actions = readOnly ? el("td") : el("td", { class: "actions" }, [
      el("button", { type: "button", class: "btn btn-small", title: "Move up", "aria-label": "Move up", onclick: move(-1), disabled: index === 0 || null, text: "↑" }),
      el("button", { type: "button", class: "btn btn-small", title: "Move down", "aria-label": "Move down", onclick: move(1), disabled: index === fields.length - 1 || null, text: "↓" }),
      el("button", {
        type: "button", class: "btn btn-small btn-danger", "aria-label": "Remove field " + (field.attribute || ""), text: "×",
        onclick: function () { fields.splice(index, 1); writeJson(); render(); }
      })
    ]);
    return el("tr", { "data-path": path }, [
      el("td", {}, [attribute]),
      el("td", {}, [sourceSelect]),
      el("td", { class: "value-cell" }, [valueInput]),
      el("td", {}, [typeSelect]),
      actions
    ]);
  }

  function entityCard(entities, index) {
    var entity = entities[index];
    var path = "configuration.entities[" + index + "]";
    entity.fields = entity.fields || [];
    var uniqueIds = el("input", {
      type: "text", class: "code", value: (entity.unique_ids || []).join(", "), "data-path": path + ".unique_ids",
      "aria-label": "Unique ids of entity " + (index + 1), disabled: readOnly || null,
      oninput: function (event) {
        entity.unique_ids = event.target.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
        writeJson();
      }
    });
    var schema = el("input", {
      type: "text", class: "code", value: entity.entity_schema || "", "data-path": path + ".entity_schema",
      "aria-label": "Entity schema of entity " + (index + 1), disabled: readOnly || null,
      oninput: function (event) { entity.entity_schema = event.target.value; writeJson(); }
    });
    var mode = el("select", {
      "aria-label": "Mode of entity " + (index + 1), "data-path": path + ".mode", disabled: readOnly || null,
      onchange: function (event) {
        if (event.target.value === "upsert") { delete entity.mode; } else { entity.mode = event.target.value; }
        writeJson();
      }
    }, MODES.map(function (value) {
      return el("option", { value: value, selected: (entity.mode || "upsert") === value || null, text: value });
    }));
    var rows = entity.fields.map(function (_, fieldIndex) { return fieldRow(entity, entity.fields, fieldIndex, path); });
    var table = el("table", { class: "table fields-table" }, [
      el("thead", {}, [el("tr", {}, ["Attribute", "Source", "Value", "Type", ""].map(function (h) { return el("th", { text: h }); }))]),
      el("tbody", {}, rows)
    ]);
    var items = el("input", {
      type: "text", class: "code", value: entity.jsonataExpression || "", "data-path": path + ".jsonataExpression",
      "aria-label": "Items expression of entity " + (index + 1), placeholder: "whole payload (e.g. meters[type='power'])",
      disabled: readOnly || null,
      oninput: function (event) {
        if (event.target.value) { entity.jsonataExpression = event.target.value; } else { delete entity.jsonataExpression; }
        writeJson();
      }
    });
    var header = el("div", { class: "entity-head" }, [
      el("label", { class: "field" }, [el("span", { class: "label", text: "Entity schema" }), schema]),
      el("label", { class: "field" }, [el("span", { class: "label", text: "Unique ids" }), uniqueIds]),
      el("label", { class: "field" }, [el("span", { class: "label", text: "Mode" }), mode]),
      el("label", { class: "field entity-items" }, [el("span", { class: "label", text: "Items (JSONata, optional)" }), items])
    ]);
    var footer = readOnly ? null : el("div", { class: "row" }, [
      el("button", {
        type: "button", class: "btn btn-small", text: "+ Add field",
        onclick: function () { entity.fields.push({ attribute: "", field: "" }); writeJson(); render(); focusLast(path); }
      }),
      el("button", {
        type: "button", class: "btn btn-small btn-danger", text: "Remove entity",
        onclick: function () { if (window.confirm("Remove this entity mapping?")) { entities.splice(index, 1); writeJson(); render(); } }
      })
    ]);
    var extras = [];
    if (entity.enabled !== undefined && entity.enabled !== true) { extras.push("enabled: " + JSON.stringify(entity.enabled)); }
    if (entity.scope) { extras.push("scope set"); }
    return el("section", { class: "entity-card", "data-path": path }, [
      el("h3", { text: "Entity " + (index + 1) + (entity.entity_schema ? ": " + entity.entity_schema : "") }),
      extras.length ? el("p", { class: "muted small", text: extras.join(" · ") + " (edit in the JSON view)" }) : null,
      header,
      el("div", { class: "table-wrap" }, [table]),
      footer
    ]);
  }

  // ---- structured outbound editor ------------------------------------------------------------------
  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (Math.random() * 16) >> (c / 4)).toString(16);
    });
  }

  function outboundMapping(mappings, index) {
    var mapping = mappings[index];
    var path = "configuration.mappings[" + index + "]";
    mapping.delivery = mapping.delivery || { type: "webhook", webhook_id: "" };
    function input(label, key, value, onchange, extra) {
      var attrs = Object.assign({
        type: "text", value: value || "", "data-path": path + "." + key, "aria-label": label + " of mapping " + (index + 1),
        disabled: readOnly || null, oninput: function (event) { onchange(event.target.value); writeJson(); }
      }, extra || {});
      return el("label", { class: "field" }, [el("span", { class: "label", text: label }), el("input", attrs)]);
    }
    var expression = el("textarea", {
      class: "code", rows: "4", "data-path": path + ".jsonata_expression", spellcheck: "false",
      "aria-label": "JSONata expression of mapping " + (index + 1), disabled: readOnly || null,
      oninput: function (event) { mapping.jsonata_expression = event.target.value; writeJson(); }
    });
    expression.value = mapping.jsonata_expression || "";
    var enabled = el("input", {
      type: "checkbox", checked: mapping.enabled !== false || null, disabled: readOnly || null,
      "aria-label": "Mapping " + (index + 1) + " enabled",
      onchange: function (event) { mapping.enabled = event.target.checked; writeJson(); }
    });
    var deliveryType = mapping.delivery.type || "webhook";
    var isPoll = deliveryType === "poll";
    var knownTypes = [["webhook", "Webhook"], ["file_proxy", "File proxy upload"], ["poll", "Poll (the ERP pulls)"]];
    var typeSelect = el("select", {
      "aria-label": "Delivery of mapping " + (index + 1), "data-path": path + ".delivery.type", disabled: readOnly || null,
      onchange: function (event) {
        if (event.target.value === "file_proxy") {
          mapping.delivery = { type: "file_proxy", use_case_slug: "" };
          delete mapping.jsonata_expression;  // a file_proxy delivery takes no expression
        } else if (event.target.value === "poll") {
          mapping.delivery = { type: "poll" };  // the expression is an optional enqueue-time transform
          if (!mapping.jsonata_expression) { delete mapping.jsonata_expression; }
        } else {
          mapping.delivery = { type: event.target.value, webhook_id: "" };
          mapping.jsonata_expression = mapping.jsonata_expression || "";
        }
        writeJson(); render();
      }
    }, (knownTypes.some(function (pair) { return pair[0] === deliveryType; }) ? knownTypes
        : knownTypes.concat([[deliveryType, deliveryType]])).map(function (pair) {
      return el("option", { value: pair[0], selected: deliveryType === pair[0] || null, text: pair[1] });
    }));
    var target = deliveryType === "file_proxy"
      ? input("Upload use case (slug)", "delivery.use_case_slug", mapping.delivery.use_case_slug, function (v) { mapping.delivery.use_case_slug = v; },
          { class: "code", placeholder: "dms-upload" })
      : deliveryType === "webhook"
        ? input("Webhook id", "delivery.webhook_id", mapping.delivery.webhook_id, function (v) { mapping.delivery.webhook_id = v; },
            { class: "code", list: document.getElementById("webhook-options") ? "webhook-options" : null, placeholder: "pick or paste a webhook id" })
        : isPoll ? null : el("span", { class: "muted small", text: "edit this delivery in the JSON view" });
    return el("section", { class: "entity-card", "data-path": path }, [
      el("h3", { text: "Mapping " + (index + 1) + (mapping.name ? ": " + mapping.name : "") }),
      el("div", { class: "entity-head" }, [
        input("Name", "name", mapping.name, function (v) { mapping.name = v; }),
        el("label", { class: "field" }, [el("span", { class: "label", text: "Delivery" }), typeSelect]),
        target,
        el("label", { class: "checkbox", style: "align-self:end;margin-bottom:14px" }, [enabled, document.createTextNode(" Enabled")])
      ]),
      isPoll ? pollDeliveryFields(mapping, index, path) : null,
      deliveryType === "file_proxy" ? null
        : el("label", { class: "field" }, [el("span", { class: "label", text: isPoll
          ? "JSONata transform (optional: applied when the event is queued; empty = the raw event)"
          : "JSONata expression (the webhook body)" }), expression]),
      readOnly ? null : el("button", {
        type: "button", class: "btn btn-small btn-danger", text: "Remove mapping",
        onclick: function () { mappings.splice(index, 1); writeJson(); render(); }
      })
    ]);
  }

  // Poll delivery: the ERP pulls the integration's stream instead of receiving a webhook.
  function pollDeliveryFields(mapping, index, path) {
    var delivery = mapping.delivery;
    function number(label, key, placeholder, min, max) {
      return el("label", { class: "field" }, [el("span", { class: "label", text: label }), el("input", {
        type: "number", min: String(min), max: String(max), value: delivery[key] === undefined ? "" : delivery[key],
        placeholder: placeholder, "data-path": path + ".delivery." + key, disabled: readOnly || null,
        "aria-label": label + " of mapping " + (index + 1),
        oninput: function (event) {
          var value = event.target.value.trim();
          if (value === "") { delete delivery[key]; } else { delivery[key] = Number(value); }
          writeJson();
        }
      })]);
    }
    var policy = el("select", {
      "data-path": path + ".delivery.poison_policy", "aria-label": "Poison policy of mapping " + (index + 1),
      disabled: readOnly || null,
      onchange: function (event) { delivery.poison_policy = event.target.value; writeJson(); }
    }, [["dead_letter", "Dead-letter it, keep the stream flowing"], ["block", "Block the stream until unblocked"]].map(function (o) {
      return el("option", { value: o[0], text: o[1], selected: (delivery.poison_policy || "dead_letter") === o[0] || null });
    }));
    return el("div", { class: "entity-head" }, [
      number("Retention days", "retention_days", "30", 1, 90),
      number("Max delivery attempts", "max_delivery_attempts", "5", 1, 100),
      el("label", { class: "field" }, [el("span", { class: "label", text: "When attempts run out" }), policy])
    ]);
  }

  function renderOutbound() {
    var event = el("input", {
      type: "text", class: "code", value: model.event_catalog_event || "", "data-path": "configuration.event_catalog_event",
      "aria-label": "Catalog event", placeholder: "contract.created", disabled: readOnly || null,
      oninput: function (e) { model.event_catalog_event = e.target.value; writeJson(); }
    });
    structured.appendChild(el("label", { class: "field" }, [el("span", { class: "label", text: "Catalog event" }), event]));
    var filter = el("input", {
      type: "text", class: "code", value: model.event_filter || "", "data-path": "configuration.event_filter",
      "aria-label": "Event filter", placeholder: "contract.status = 'active' (empty: every event)", disabled: readOnly || null,
      oninput: function (e) { if (e.target.value) { model.event_filter = e.target.value; } else { delete model.event_filter; } writeJson(); }
    });
    var ack = el("select", {
      "aria-label": "ACK tracking", "data-path": "configuration.ack_tracking", disabled: readOnly || null,
      onchange: function (e) { if (e.target.value === "on") { delete model.ack_tracking; } else { model.ack_tracking = e.target.value; } writeJson(); }
    }, [["on", "on: receivers acknowledge with _ack_id"], ["off", "off: no acknowledgement tracked"]].map(function (pair) {
      return el("option", { value: pair[0], selected: (model.ack_tracking || "on") === pair[0] || null, text: pair[1] });
    }));
    structured.appendChild(el("div", { class: "grid-2" }, [
      el("label", { class: "field" }, [el("span", { class: "label", text: "Event filter (JSONata, optional)" }), filter]),
      el("label", { class: "field" }, [el("span", { class: "label", text: "ACK tracking" }), ack])
    ]));
    model.mappings = model.mappings || [];
    model.mappings.forEach(function (_, index) { structured.appendChild(outboundMapping(model.mappings, index)); });
    if (!readOnly) {
      structured.appendChild(el("button", {
        type: "button", class: "btn", text: "+ Add mapping",
        onclick: function () {
          model.mappings.push({ id: newId(), name: "", jsonata_expression: "", enabled: true, delivery: { type: "webhook", webhook_id: "" } });
          writeJson(); render();
        }
      }));
    }
  }

  function focusLast(path) {
    var inputs = structured.querySelectorAll("[data-path^='" + path + ".fields'] input[aria-label=Attribute]");
    if (inputs.length) { inputs[inputs.length - 1].focus(); }
  }

  function render() {
    if (!structured) { return; }
    structured.innerHTML = "";
    if (!model || typeof model !== "object" || Array.isArray(model)) {
      model = model || {};
    }
    var type = root.getAttribute("data-type");
    if (type === "outbound") { renderOutbound(); enhanceExpressions(); markIssues(lastIssues); return; }
    var custom = (window.UseCaseStructuredEditors || {})[type];  // usecase-editor-types.js
    if (custom) {
      custom({ model: model, structured: structured, el: el, writeJson: writeJson, render: render, readOnly: readOnly });
      enhanceExpressions();
      markIssues(lastIssues);
      return;
    }
    model.entities = model.entities || [];
    model.entities.forEach(function (_, index) { structured.appendChild(entityCard(model.entities, index)); });
    var readings = (model.meter_readings || []).length;
    if (readings) {
      structured.appendChild(el("p", { class: "muted small", text: readings + " meter reading mapping(s): edit them in the JSON view." }));
    }
    if (!readOnly) {
      structured.appendChild(el("button", {
        type: "button", class: "btn", text: "+ Add entity",
        onclick: function () {
          model.entities.push({ entity_schema: "", unique_ids: [], fields: [{ attribute: "", field: "" }] });
          writeJson(); render();
        }
      }));
    }
    enhanceExpressions();
    markIssues(lastIssues);
  }

  // ---- code editors (static/js/code-editor.js; plain fields when the bundle is absent) ---------------
  var codeEditors = window.CodeEditor && window.CodeEditor.available ? window.CodeEditor : null;

  // Keys of the sample payload (JSON keys at any depth, or XML element and attribute names), offered
  // by the JSONata editors' completion.
  function payloadKeys() {
    var box = document.querySelector("#sim-payload");
    var text = box ? box.value : "";
    var keys = {};
    try {
      (function walk(value, depth) {
        if (depth > 20 || value === null || typeof value !== "object") { return; }
        if (Array.isArray(value)) { value.forEach(function (item) { walk(item, depth + 1); }); return; }
        Object.keys(value).forEach(function (key) { keys[key] = true; walk(value[key], depth + 1); });
      })(JSON.parse(text), 0);
    } catch (error) {
      var pattern = /<(?:[\w.-]+:)?([A-Za-z_][\w.-]*)|\s([A-Za-z_][\w.-]*)=["']/g;
      var match;
      while ((match = pattern.exec(text)) !== null) { keys[match[1] || match[2]] = true; }
    }
    return Object.keys(keys).slice(0, 500);
  }

  function enhanceExpressions() {
    if (!codeEditors || !structured) { return; }
    codeEditors.prune();
    var selector = "input[data-path$='.jsonataExpression'], textarea[data-path$='.jsonata_expression'], " +
      "textarea[data-path='configuration.request_mapping'], textarea[data-path='configuration.response_mapping']";
    structured.querySelectorAll(selector).forEach(function (field) {
      codeEditors.attach(field, { mode: "jsonata", keys: payloadKeys });
    });
  }

  // The JSON view's range of the string at an issue's path (the expression it names), or null.
  function jsonRangeOf(issue, doc) {
    var steps = issue.path.replace(/^configuration\.?/, "").match(/[^.[\]]+/g) || [];
    var value = model;
    steps.forEach(function (step) { value = value === undefined || value === null ? undefined : value[/^\d+$/.test(step) ? Number(step) : step]; });
    if (typeof value !== "string") { return null; }
    var text = doc.toString();
    var needle = JSON.stringify(value);
    var key = steps.length ? JSON.stringify(steps[steps.length - 1]) : null;
    var index = key ? text.indexOf(key + ": " + needle) : -1;
    index = index >= 0 ? index + key.length + 2 : text.indexOf(needle);
    if (index < 0) { return null; }
    if (typeof issue.position === "number") {
      var at = index + JSON.stringify(value.slice(0, issue.position)).length - 1;
      return { from: Math.max(index + 1, at - 1), to: Math.max(index + 2, at) };
    }
    return { from: index, to: index + needle.length };
  }

  function lintEditors(issues) {
    if (!codeEditors) { return; }
    var jsonEditor = textarea.codeEditor;
    var jsonErrors = [];
    var byEditor = new Map();
    root.querySelectorAll(".code-editor").forEach(function (wrapper) {
      if (wrapper.codeEditor && wrapper.codeEditor !== jsonEditor) { byEditor.set(wrapper.codeEditor, []); }
    });
    issues.forEach(function (issue) {
      var target = root.querySelector(".code-editor[data-path='" + issue.path + "']");
      if (target && target.codeEditor && byEditor.has(target.codeEditor)) {
        byEditor.get(target.codeEditor).push({ position: typeof issue.position === "number" ? issue.position : target.codeEditor.view.state.doc.length, message: issue.message });
      }
      if (jsonEditor) {
        var range = jsonRangeOf(issue, jsonEditor.view.state.doc);
        if (range) { jsonErrors.push({ from: range.from, to: range.to, message: issue.path + ": " + issue.message }); }
      }
    });
    byEditor.forEach(function (errors, editor) { editor.setErrors(errors); });
    if (jsonEditor) { jsonEditor.setErrors(jsonErrors); }
  }

  // ---- validation issues next to their fields ------------------------------------------------------
  var lastIssues = [];
  function markIssues(issues) {
    lastIssues = issues || [];
    lintEditors(lastIssues);
    root.querySelectorAll(".issue-message").forEach(function (node) { node.remove(); });
    root.querySelectorAll(".is-invalid").forEach(function (node) { node.classList.remove("is-invalid"); });
    var unplaced = [];
    lastIssues.forEach(function (issue) {
      var target = null;
      var best = -1;
      root.querySelectorAll("[data-path]").forEach(function (node) {
        var path = node.getAttribute("data-path");
        var matches = issue.path === path || issue.path.indexOf(path + ".") === 0 || issue.path.indexOf(path + "[") === 0;
        if (matches && path.length > best) { best = path.length; target = node; }
      });
      if (!target) { unplaced.push(issue); return; }
      target.classList.add("is-invalid");
      var where = target.getAttribute("data-path");
      var text = issue.path === where ? issue.message : issue.path.replace(where, "").replace(/^\./, "") + ": " + issue.message;
      var message = el("div", { class: "issue-message", role: "alert", text: text });
      var row = target.tagName === "TR" ? target : target.closest("tr");
      if (row) {
        // A message row under the field keeps the columns readable.
        var messageRow = el("tr", { class: "issue-message issue-row" }, [el("td", { colspan: "5" }, [message])]);
        message.className = "";
        row.insertAdjacentElement("afterend", messageRow);
      } else if (target.tagName === "SECTION") {
        target.insertBefore(message, target.children[1] || null);
      } else {
        target.insertAdjacentElement("afterend", message);
      }
    });
    var box = root.querySelector("[data-unplaced-issues]");
    if (box) {
      box.innerHTML = "";
      unplaced.forEach(function (issue) {
        box.appendChild(el("li", {}, [el("code", { text: issue.path }), document.createTextNode(" " + issue.message)]));
      });
    }
  }
  var initial = document.getElementById("initial-issues");
  if (initial) { lastIssues = JSON.parse(initial.textContent); }

  // ---- JSON view -----------------------------------------------------------------------------------
  function syncFromJson() {
    var result = parse();
    if (!result.ok) {
      textarea.classList.add("is-invalid");
      if (jsonStatus) { jsonStatus.textContent = "JSON syntax error: " + result.error; jsonStatus.className = "error"; }
      return false;
    }
    textarea.classList.remove("is-invalid");
    if (jsonStatus) { jsonStatus.textContent = "Valid JSON"; jsonStatus.className = "muted small"; }
    model = result.value;
    return true;
  }

  textarea.addEventListener("input", function () {
    if (syncFromJson()) { render(); }
    textarea.dispatchEvent(new CustomEvent("configuration-changed"));
  });
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.altKey) {
      // Indent inside the JSON editor; Escape then Tab leaves it (keyboard users are not trapped).
      if (textarea.dataset.escaped === "1") { textarea.dataset.escaped = ""; return; }
      event.preventDefault();
      var start = textarea.selectionStart;
      textarea.setRangeText("  ", start, textarea.selectionEnd, "end");
    } else if (event.key === "Escape") {
      textarea.dataset.escaped = "1";
    }
  });

  // Ctrl/Cmd+S saves; without a change description it asks for one first.
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s" && !readOnly) {
      event.preventDefault();
      var description = root.querySelector("#id_change_description");
      if (description && !description.value.trim()) {
        description.focus();
        description.setAttribute("placeholder", "Describe this change, then press Ctrl+S again");
        return;
      }
      root.requestSubmit ? root.requestSubmit() : root.submit();
    }
  });

  var formatButton = root.querySelector("[data-format-json]");
  if (formatButton) {
    formatButton.addEventListener("click", function () {
      if (syncFromJson()) {
        textarea.value = JSON.stringify(model, null, 2);
        if (textarea.codeEditor) { textarea.codeEditor.setValue(textarea.value); }
      }
    });
  }

  // Tabs: structured vs JSON.
  root.querySelectorAll("[role=tab]").forEach(function (tab) {
    tab.addEventListener("click", function () {
      root.querySelectorAll("[role=tab]").forEach(function (other) {
        var selected = other === tab;
        other.setAttribute("aria-selected", selected ? "true" : "false");
        document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
      });
      if (textarea.codeEditor) { textarea.codeEditor.view.requestMeasure(); }
    });
  });

  if (codeEditors) {
    codeEditors.attach(textarea, { mode: "json" });
    textarea.addEventListener("configuration-changed", function () {
      if (textarea.codeEditor) { textarea.codeEditor.setValue(textarea.value); }
    });
  }
  if (syncFromJson()) { render(); } else { markIssues(lastIssues); }

  // ---- live simulation ------------------------------------------------------------------------------
  var sim = document.querySelector("[data-simulation]");
  if (!sim) { root.setAttribute("data-ready", ""); return; }
  var payload = sim.querySelector("#sim-payload");
  var format = sim.querySelector("#sim-format");
  var output = sim.querySelector("[data-sim-output]");
  var status = sim.querySelector("[data-sim-status]");
  var picker = sim.querySelector("#sim-event");
  var upload = sim.querySelector("#sim-upload");
  var sequence = 0;

  function simulate() {
    if (!payload.value.trim()) {
      status.textContent = "Paste a sample payload to see the result.";
      return;
    }
    var mine = ++sequence;
    status.textContent = "Simulating…";
    status.classList.add("busy");
    fetch(sim.getAttribute("data-simulate-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ configuration: textarea.value, payload: payload.value, format: format.value })
    }).then(function (response) {
      if (!response.ok && response.headers.get("Content-Type").indexOf("json") < 0) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    }).then(function (body) {
      if (mine !== sequence) { return; }  // a newer request is on its way
      output.innerHTML = body.html;
      markIssues(body.issues || []);
      status.classList.remove("busy");
      status.textContent = body.ok ? "Up to date" : "Needs attention";
    }).catch(function (error) {
      if (mine !== sequence) { return; }
      status.classList.remove("busy");
      status.textContent = "Simulation unavailable: " + error.message;
    });
  }
  var simulateSoon = debounce(simulate, 350);
  textarea.addEventListener("configuration-changed", simulateSoon);
  payload.addEventListener("input", simulateSoon);
  format.addEventListener("change", simulate);

  if (upload) {
    upload.addEventListener("change", function () {
      var file = upload.files[0];
      if (!file) { return; }
      file.text().then(function (text) {
        payload.value = text;
        format.value = /^\s*</.test(text) ? "xml" : "json";
        simulate();
      });
    });
  }
  if (picker) {
    picker.addEventListener("change", function () {
      if (!picker.value) { return; }
      fetch(picker.value, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          payload.value = body.payload;
          format.value = body.format;
          simulate();
        });
    });
  }
  // Saved, named sample payloads of this use case.
  var samplesBox = sim.querySelector("[data-samples]");
  if (samplesBox) {
    var samples = JSON.parse(document.getElementById("sample-payloads").textContent);
    var sampleSelect = samplesBox.querySelector("[data-sample-select]");
    var sampleName = samplesBox.querySelector("[data-sample-name]");
    var sampleStatus = samplesBox.querySelector("[data-sample-status]");
    var saveSample = samplesBox.querySelector("[data-sample-save]");
    var deleteSample = samplesBox.querySelector("[data-sample-delete]");
    var fillSamples = function (list, selected) {
      samples = list;
      sampleSelect.innerHTML = "";
      sampleSelect.appendChild(el("option", { value: "", text: "Saved samples (" + list.length + ")…" }));
      list.forEach(function (sample) {
        sampleSelect.appendChild(el("option", { value: sample.id, text: sample.name, selected: sample.id === selected || null }));
      });
      if (deleteSample) { deleteSample.disabled = !sampleSelect.value; }
    };
    var post = function (url, body) {
      return fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(body || {})
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) { throw new Error(data.message || ("HTTP " + response.status)); }
          return data;
        });
      });
    };
    sampleSelect.addEventListener("change", function () {
      var sample = samples.filter(function (s) { return s.id === sampleSelect.value; })[0];
      if (deleteSample) { deleteSample.disabled = !sample; }
      if (!sample) { return; }
      payload.value = sample.payload;
      format.value = sample.format;
      if (sampleName) { sampleName.value = sample.name; }
      sampleStatus.textContent = "Loaded “" + sample.name + "”.";
      simulate();
    });
    if (saveSample) {
      saveSample.addEventListener("click", function () {
        var name = sampleName.value.trim();
        if (!name) { sampleName.focus(); sampleStatus.textContent = "Name the sample first."; return; }
        post(samplesBox.getAttribute("data-save-url"), { name: name, format: format.value, payload: payload.value })
          .then(function (data) {
            fillSamples(data.samples, data.sample.id);
            sampleStatus.textContent = "Saved “" + data.sample.name + "” with this use case.";
          })
          .catch(function (error) { sampleStatus.textContent = "Not saved: " + error.message; });
      });
    }
    if (deleteSample) {
      deleteSample.addEventListener("click", function () {
        var id = sampleSelect.value;
        if (!id) { return; }
        var url = samplesBox.getAttribute("data-delete-url").replace("00000000-0000-0000-0000-000000000000", id);
        post(url).then(function (data) {
          fillSamples(data.samples, "");
          sampleStatus.textContent = "Sample deleted.";
        }).catch(function (error) { sampleStatus.textContent = "Not deleted: " + error.message; });
      });
    }
  }

  root.setAttribute("data-ready", "");  // listeners attached (tests wait for this)
  simulate();
})();
