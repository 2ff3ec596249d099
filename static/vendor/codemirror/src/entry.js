// One prebuilt bundle for the use-case editor (see README.md beside this file): CodeMirror 6 with JSON,
// a small JSONata mode, line numbers, bracket matching, lint markers and completion. Exposed as the
// global `CM`; static/js/code-editor.js wires it to the page's textareas and inputs.
import { EditorState, Compartment } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection, placeholder
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  bracketMatching, indentOnInput, syntaxHighlighting, defaultHighlightStyle, StreamLanguage, foldGutter
} from "@codemirror/language";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { linter, lintGutter, setDiagnostics, forceLinting } from "@codemirror/lint";
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { jsonata } from "./jsonata-mode.js";

export {
  EditorState, EditorView, Compartment, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, placeholder, defaultKeymap, history, historyKeymap, indentWithTab, bracketMatching,
  indentOnInput, syntaxHighlighting, defaultHighlightStyle, StreamLanguage, foldGutter, json, jsonParseLinter,
  linter, lintGutter, setDiagnostics, forceLinting, autocompletion, closeBrackets, closeBracketsKeymap,
  completionKeymap, jsonata
};
