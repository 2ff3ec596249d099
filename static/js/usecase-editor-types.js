// Structured editors for the v1.33 use-case types (managed_call, secure_proxy), registered for
// usecase-editor.js, which calls them with its model and helpers. Every input carries the data-path of
// the configuration element it edits, so validation issues are shown at the field.
(function () {
  "use strict";
  var editors = window.UseCaseStructuredEditors = window.UseCaseStructuredEditors || {};

  function labelled(ctx, text, control, hint) {
    return ctx.el("label", { class: "field" }, [ctx.el("span", { class: "label", text: text }), control,
      hint ? ctx.el("span", { class: "help muted small", text: hint }) : null]);
  }

  function textInput(ctx, path, value, label, onchange, extra) {
    return ctx.el("input", Object.assign({
      type: "text", class: "code", value: value || "", "data-path": path, "aria-label": label,
      disabled: ctx.readOnly || null, oninput: function (event) { onchange(event.target.value); ctx.writeJson(); }
    }, extra || {}));
  }

  function textArea(ctx, path, value, label, onchange, rows) {
    var area = ctx.el("textarea", {
      class: "code", rows: rows || "3", spellcheck: "false", "data-path": path, "aria-label": label,
      disabled: ctx.readOnly || null, oninput: function (event) { onchange(event.target.value); ctx.writeJson(); }
    });
    area.value = value || "";
    return area;
  }

  // "Name: value" lines <-> {Name: value}
  function pairsText(object) {
    return Object.keys(object || {}).map(function (key) { return key + ": " + object[key]; }).join("\n");
  }
  function pairsValue(text) {
    var result = {};
    text.split("\n").forEach(function (line) {
      var at = line.indexOf(":");
      if (at > 0) { result[line.slice(0, at).trim()] = line.slice(at + 1).trim(); }
    });
    return result;
  }
  function setOrDelete(object, key, value) {
    if (value === "" || value === undefined || (typeof value === "object" && !Object.keys(value).length)) {
      delete object[key];
    } else {
      object[key] = value;
    }
  }

  editors.managed_call = function (ctx) {
    var model = ctx.model;
    model.operation = model.operation || { method: "GET", path: "/" };
    var operation = model.operation;
    var method = ctx.el("select", {
      "aria-label": "HTTP method", "data-path": "configuration.operation.method", disabled: ctx.readOnly || null,
      onchange: function (event) { operation.method = event.target.value; ctx.writeJson(); }
    }, ["GET", "POST", "PUT", "PATCH", "DELETE"].map(function (value) {
      return ctx.el("option", { value: value, selected: operation.method === value || null, text: value });
    }));
    ctx.structured.appendChild(ctx.el("div", { class: "entity-head" }, [
      labelled(ctx, "Method", method),
      labelled(ctx, "Path (after the connector's base URL)",
        textInput(ctx, "configuration.operation.path", operation.path, "Path", function (v) { operation.path = v; },
          { placeholder: "/customers/{{customer_id}}" }), "{{var}} is filled from the call's payload.")
    ]));
    ctx.structured.appendChild(ctx.el("div", { class: "grid-2" }, [
      labelled(ctx, "Headers (one 'Name: value' per line)",
        textArea(ctx, "configuration.operation.headers", pairsText(operation.headers), "Headers",
          function (v) { setOrDelete(operation, "headers", pairsValue(v)); })),
      labelled(ctx, "Query parameters (one 'name: value' per line)",
        textArea(ctx, "configuration.operation.query_params", pairsText(operation.query_params), "Query parameters",
          function (v) { setOrDelete(operation, "query_params", pairsValue(v)); }))
    ]));
    ctx.structured.appendChild(ctx.el("div", { class: "grid-2" }, [
      labelled(ctx, "Request mapping (JSONata over the payload, optional)",
        textArea(ctx, "configuration.request_mapping", model.request_mapping, "Request mapping",
          function (v) { setOrDelete(model, "request_mapping", v); }, "4")),
      labelled(ctx, "Response mapping (JSONata over the answer, optional)",
        textArea(ctx, "configuration.response_mapping", model.response_mapping, "Response mapping",
          function (v) { setOrDelete(model, "response_mapping", v); }, "4"))
    ]));
    ctx.structured.appendChild(labelled(ctx, "Inbound use case for the response (slug, optional)",
      textInput(ctx, "configuration.inbound_use_case_slug", model.inbound_use_case_slug, "Inbound use case slug",
        function (v) { setOrDelete(model, "inbound_use_case_slug", v); }, { placeholder: "order-sync" })));
  };

  editors.secure_proxy = function (ctx) {
    var model = ctx.model;
    var fixed = ctx.el("dl", { class: "facts", "data-path": "configuration.vpc_mode" }, [
      ctx.el("dt", { text: "Routing mode" }),
      ctx.el("dd", {}, [ctx.el("code", { text: model.vpc_mode || "not set" })]),
      ctx.el("dt", { text: "Allowed domains" }),
      ctx.el("dd", { "data-path": "configuration.allowed_domains", text: (model.allowed_domains || []).join(", ") || "none" }),
      ctx.el("dt", { text: "Allowed IP ranges" }),
      ctx.el("dd", { "data-path": "configuration.allowed_ips", text: (model.allowed_ips || []).join(", ") || "none" })
    ]);
    ctx.structured.appendChild(fixed);
    ctx.structured.appendChild(ctx.el("p", { class: "muted small",
      text: "The routing mode is chosen when the use case is created; the allow-lists change only through the " +
            "secure-proxy whitelist. A save keeps all three as they are." }));
  };
})();
