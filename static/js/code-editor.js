// Code editors on top of plain form fields (progressive enhancement): when the vendored CodeMirror bundle
// (static/vendor/codemirror/codemirror.js, global `CM`) is loaded, `CodeEditor.attach(field, options)`
// hides the textarea or input and shows an editor that writes every change back into it (firing
// `input`), so forms, listeners and the JSON source of truth keep working. Without the bundle it returns
// null and the plain field stays.
(function () {
  "use strict";

  var CM = window.CM;
  var live = [];

  var FUNCTIONS = [
    "sum", "count", "max", "min", "average", "string", "substring", "substringBefore", "substringAfter",
    "lowercase", "uppercase", "length", "trim", "pad", "contains", "split", "join", "match", "replace",
    "now", "millis", "fromMillis", "toMillis", "formatNumber", "formatBase", "formatInteger", "parseInteger",
    "number", "abs", "floor", "ceil", "round", "power", "sqrt", "random", "boolean", "not", "exists",
    "map", "filter", "single", "reduce", "sift", "keys", "lookup", "append", "sort", "reverse", "shuffle",
    "distinct", "zip", "merge", "each", "error", "assert", "type", "spread", "base64encode", "base64decode",
    "encodeUrlComponent", "encodeUrl", "decodeUrlComponent", "decodeUrl", "eval"
  ];

  // Engines report the position just after the offending token: mark the character before it.
  function diagnosticAt(doc, position, message) {
    var length = doc.length;
    var to = Math.max(0, Math.min(position, length));
    var from = Math.max(0, to - 1);
    if (from === to && to < length) { to += 1; }
    return { from: from, to: to, severity: "error", message: message, source: "engine" };
  }

  // "Unexpected token } in JSON at position 12" or "... (line 2 column 5)": where JSON.parse stopped.
  function jsonSyntaxDiagnostics(doc) {
    var text = doc.toString();
    if (!text.trim()) { return []; }
    try { JSON.parse(text); return []; } catch (error) {
      var position = text.length;
      var match = /at position (\d+)/.exec(error.message);
      var lineMatch = /line (\d+) column (\d+)/.exec(error.message);
      if (match) { position = Number(match[1]) + 1; }
      else if (lineMatch) {
        var line = doc.line(Math.min(Number(lineMatch[1]), doc.lines));
        position = Math.min(line.from + Number(lineMatch[2]), line.to);
      }
      return [diagnosticAt(doc, position, "JSON: " + error.message)];
    }
  }

  function completionSource(keys) {
    return function (context) {
      var word = context.matchBefore(/\$?[\w]*/);
      if (!word || (word.from === word.to && !context.explicit)) { return null; }
      if (word.text.charAt(0) === "$") {
        return {
          from: word.from,
          options: FUNCTIONS.map(function (name) { return { label: "$" + name, type: "function", apply: "$" + name + "(" }; }),
          validFor: /^\$\w*$/
        };
      }
      var names = keys ? keys() : [];
      if (!names.length) { return null; }
      return {
        from: word.from,
        options: names.map(function (name) { return { label: name, type: "property", detail: "payload" }; }),
        validFor: /^\w*$/
      };
    };
  }

  function attach(field, options) {
    if (!CM || !field || field.getAttribute("data-code-editor") !== null) { return null; }
    options = options || {};
    var multiline = field.tagName === "TEXTAREA";
    var labelNode = field.id ? document.querySelector("label[for='" + field.id + "']") : null;
    var label = field.getAttribute("aria-label") || (labelNode ? labelNode.textContent.trim() : "");
    var external = [];
    var applying = false;
    var wrapper = document.createElement("div");
    wrapper.className = "code-editor" + (multiline ? " code-editor-multiline" : " code-editor-line");
    ["data-path", "data-testid"].forEach(function (name) {
      if (field.hasAttribute(name)) { wrapper.setAttribute(name, field.getAttribute(name)); field.removeAttribute(name); }
    });

    var extensions = [
      CM.history(), CM.drawSelection(), CM.bracketMatching(), CM.closeBrackets(), CM.indentOnInput(),
      CM.syntaxHighlighting(CM.defaultHighlightStyle, { fallback: true }),
      CM.keymap.of([].concat(CM.closeBracketsKeymap, CM.completionKeymap, CM.defaultKeymap, CM.historyKeymap)),
      options.mode === "json" ? CM.json() : CM.jsonata(),
      CM.EditorView.contentAttributes.of({ "aria-label": label, "aria-multiline": multiline ? "true" : "false" }),
      CM.EditorView.lineWrapping,
      CM.EditorView.updateListener.of(function (update) {
        if (!update.docChanged || applying) { return; }
        field.value = update.state.doc.toString();
        external = [];  // the engine's positions refer to the old text; the next simulation brings new ones
        // Listeners may touch this editor again: notify them once this update is over.
        Promise.resolve().then(function () {
          field.dispatchEvent(new Event("input", { bubbles: true }));
          refresh();
        });
      })
    ];
    if (multiline) { extensions.push(CM.lineNumbers(), CM.lintGutter(), CM.highlightActiveLine(), CM.highlightActiveLineGutter()); }
    if (options.mode === "jsonata") { extensions.push(CM.autocompletion({ override: [completionSource(options.keys)] })); }
    if (field.placeholder) { extensions.push(CM.placeholder(field.placeholder)); }
    if (field.disabled || field.readOnly) { extensions.push(CM.EditorState.readOnly.of(true), CM.EditorView.editable.of(false)); }
    if (multiline) { extensions.push(CM.keymap.of([CM.indentWithTab])); }

    var view = new CM.EditorView({ state: CM.EditorState.create({ doc: field.value, extensions: extensions }) });
    wrapper.appendChild(view.dom);
    field.insertAdjacentElement("afterend", wrapper);
    var wrappingLabel = field.closest("label");
    if (wrappingLabel) {  // the hidden field leaves the label: the label's text now names only the editor
      wrappingLabel.insertAdjacentElement("afterend", field);
    }
    field.hidden = true;
    field.setAttribute("data-code-editor", "");
    field.removeAttribute("aria-label");
    if (labelNode) {  // the label now names the editor (aria-label), and clicking it focuses the editor
      labelNode.removeAttribute("for");
      labelNode.addEventListener("click", function () { view.focus(); });
    }

    var shown = "[]";
    function refresh() {
      var diagnostics = (options.mode === "json" ? jsonSyntaxDiagnostics(view.state.doc) : []).concat(external);
      var key = JSON.stringify(diagnostics);
      if (key === shown) { return; }  // no transaction when nothing changes (it would reset a DOM selection in flight)
      shown = key;
      view.dispatch(CM.setDiagnostics(view.state, diagnostics));
      wrapper.classList.toggle("has-lint", diagnostics.length > 0);
    }

    var editor = {
      view: view,
      field: field,
      wrapper: wrapper,
      // Replace the text from outside (e.g. the structured editor rewrote the JSON) without echoing it.
      setValue: function (text) {
        if (text === view.state.doc.toString()) { return; }
        applying = true;
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
        applying = false;
        external = [];
        refresh();
      },
      // [{position, message}] or [{from, to, message}]: the engine's errors drawn as lint markers.
      setErrors: function (errors) {
        var doc = view.state.doc;
        external = (errors || []).map(function (error) {
          if (typeof error.from === "number") {
            return { from: Math.min(error.from, doc.length), to: Math.min(error.to, doc.length), severity: "error", message: error.message, source: "engine" };
          }
          return diagnosticAt(doc, typeof error.position === "number" ? error.position : doc.length, error.message);
        });
        refresh();
      },
      destroy: function () { view.destroy(); }
    };
    wrapper.codeEditor = editor;
    field.codeEditor = editor;
    live.push(editor);
    refresh();
    return editor;
  }

  // Editors whose fields left the page (the structured editor re-renders) are destroyed.
  function prune() {
    live = live.filter(function (editor) {
      if (document.body.contains(editor.wrapper)) { return true; }
      editor.destroy();
      return false;
    });
  }

  window.CodeEditor = { attach: attach, prune: prune, available: !!CM, diagnosticAt: diagnosticAt };
})();
