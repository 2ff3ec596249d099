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

// File proxy: direction and the v1.33 options in the form; auth, params, steps and the response stay in
// the JSON view (nested templates read better there).
(function () {
  "use strict";
  var editors = window.UseCaseStructuredEditors;

  function field(ctx, text, control, hint) {
    return ctx.el("label", { class: "field" }, [ctx.el("span", { class: "label", text: text }), control,
      hint ? ctx.el("span", { class: "help muted small", text: hint }) : null]);
  }

  function numberInput(ctx, object, key, path, label) {
    return ctx.el("input", {
      type: "number", min: "1", value: object[key] === undefined ? "" : String(object[key]), "data-path": path,
      "aria-label": label, disabled: ctx.readOnly || null,
      oninput: function (event) {
        var text = event.target.value.trim();
        if (text === "") { delete object[key]; } else { object[key] = Number(text); }
        ctx.writeJson();
      }
    });
  }

  editors.file_proxy = function (ctx) {
    var model = ctx.model;
    var upload = model.direction === "upload";
    var direction = ctx.el("select", {
      "aria-label": "Direction", "data-path": "configuration.direction", disabled: ctx.readOnly || null,
      onchange: function (event) {
        if (event.target.value === "upload") {
          model.direction = "upload";
          delete model.response; delete model.params; delete model.allowed_origins;  // download only
        } else {
          delete model.direction; delete model.upload; delete model.fan_out;
        }
        ctx.writeJson(); ctx.render();
      }
    }, [["download", "download: serve a file from the ERP"], ["upload", "upload: send files to the ERP"]].map(function (pair) {
      return ctx.el("option", { value: pair[0], selected: (upload ? "upload" : "download") === pair[0] || null, text: pair[1] });
    }));
    var proxySlug = ctx.el("input", {
      type: "text", class: "code", value: (model.secure_proxy || {}).use_case_slug || "", placeholder: "vpn (optional)",
      "data-path": "configuration.secure_proxy", "aria-label": "Secure proxy use case", disabled: ctx.readOnly || null,
      oninput: function (event) {
        if (event.target.value) { model.secure_proxy = { use_case_slug: event.target.value }; } else { delete model.secure_proxy; }
        ctx.writeJson();
      }
    });
    ctx.structured.appendChild(ctx.el("div", { class: "grid-2" }, [
      field(ctx, "Direction", direction),
      field(ctx, "Route steps through secure proxy (slug)", proxySlug)
    ]));
    if (upload) {
      model.upload = model.upload || {};
      var fanOut = ctx.el("input", {
        type: "checkbox", checked: (model.fan_out || {}).enabled === true || null, disabled: ctx.readOnly || null,
        "aria-label": "Fan out", "data-path": "configuration.fan_out",
        onchange: function (event) {
          if (event.target.checked) { model.fan_out = { enabled: true }; } else { delete model.fan_out; }
          ctx.writeJson();
        }
      });
      ctx.structured.appendChild(ctx.el("div", { class: "entity-head", "data-path": "configuration.upload" }, [
        field(ctx, "Max file bytes", numberInput(ctx, model.upload, "max_file_bytes", "configuration.upload.max_file_bytes", "Max file bytes"), "at most 104857600 (100 MiB)"),
        field(ctx, "Max total bytes", numberInput(ctx, model.upload, "max_total_bytes", "configuration.upload.max_total_bytes", "Max total bytes")),
        field(ctx, "Delivery attempts", numberInput(ctx, model.upload, "max_delivery_attempts", "configuration.upload.max_delivery_attempts", "Delivery attempts"), "1-100, default 8"),
        ctx.el("label", { class: "checkbox", style: "align-self:end;margin-bottom:14px" }, [fanOut, document.createTextNode(" One delivery per file (fan out)")])
      ]));
    } else {
      var origins = ctx.el("input", {
        type: "text", class: "code", value: (model.allowed_origins || []).join(", "), placeholder: "https://portal.example.com",
        "data-path": "configuration.allowed_origins", "aria-label": "Allowed origins", disabled: ctx.readOnly || null,
        oninput: function (event) {
          var list = event.target.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
          if (list.length) { model.allowed_origins = list; } else { delete model.allowed_origins; }
          ctx.writeJson();
        }
      });
      var indirect = ctx.el("input", {
        type: "checkbox", checked: model.prevent_indirect_serving === true || null, disabled: ctx.readOnly || null,
        "aria-label": "Prevent indirect serving", "data-path": "configuration.prevent_indirect_serving",
        onchange: function (event) {
          if (event.target.checked) { model.prevent_indirect_serving = true; } else { delete model.prevent_indirect_serving; }
          ctx.writeJson();
        }
      });
      ctx.structured.appendChild(ctx.el("div", { class: "grid-2" }, [
        field(ctx, "Allowed origins (CORS, comma-separated)", origins),
        ctx.el("label", { class: "checkbox", style: "align-self:end;margin-bottom:14px" }, [indirect, document.createTextNode(" Always stream (prevent indirect serving)")])
      ]));
    }
    // What stays in the JSON view is still listed here with its path, so a problem in it shows up here too.
    var parts = [["configuration.auth", "Authentication", model.auth ? (model.auth.type || "set") : "none"],
                 ["configuration.steps", "Steps", String((model.steps || []).length)]];
    if (!upload) {
      parts.push(["configuration.params", "Parameters", String((model.params || []).length)]);
      parts.push(["configuration.response", "Response", model.response ? "set" : "missing"]);
    }
    ctx.structured.appendChild(ctx.el("dl", { class: "facts" }, parts.reduce(function (items, part) {
      items.push(ctx.el("dt", { text: part[1] }));
      items.push(ctx.el("dd", { "data-path": part[0], text: part[2] + " (edit in the JSON view)" }));
      return items;
    }, [])));
  };
})();
