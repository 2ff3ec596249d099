// A small JSONata mode for CodeMirror's StreamLanguage: strings, numbers, $variables and functions,
// keywords, operators, comments, paths. Enough for highlighting and bracket matching.
import { StreamLanguage } from "@codemirror/language";

const KEYWORDS = new Set(["and", "or", "in", "true", "false", "null", "function"]);
const OPERATORS = /^(:=|!=|<=|>=|\.\.|~>|\?\?|\?:|[-+*/%&|=<>!?:^#@.,;~])/;

export const jsonataStream = {
  name: "jsonata",
  startState() { return { inComment: false }; },
  token(stream, state) {
    if (state.inComment) {
      if (stream.skipTo("*/")) { stream.match("*/"); state.inComment = false; } else { stream.skipToEnd(); }
      return "comment";
    }
    if (stream.eatSpace()) { return null; }
    if (stream.match("/*")) { state.inComment = true; return "comment"; }
    const ch = stream.peek();
    if (ch === '"' || ch === "'") {
      stream.next();
      let escaped = false;
      for (let next = stream.next(); next != null; next = stream.next()) {
        if (next === ch && !escaped) { break; }
        escaped = !escaped && next === "\\";
      }
      return "string";
    }
    if (ch === "`") { stream.next(); stream.skipTo("`") ? stream.next() : stream.skipToEnd(); return "propertyName"; }
    if (stream.match(/^-?\d+(\.\d+)?([eE][-+]?\d+)?/)) { return "number"; }
    if (stream.match(/^\$\$?[A-Za-z_0-9]*/)) {
      return stream.peek() === "(" ? "function" : "variableName";
    }
    if (stream.match(/^[A-Za-z_][A-Za-z_0-9]*/)) {
      return KEYWORDS.has(stream.current()) ? "keyword" : "propertyName";
    }
    if (stream.match(/^[()[\]{}]/)) { return "bracket"; }
    if (stream.match(OPERATORS)) { return "operator"; }
    stream.next();
    return null;
  },
  languageData: { closeBrackets: { brackets: ["(", "[", "{", "'", '"'] }, commentTokens: { block: { open: "/*", close: "*/" } } }
};

export function jsonata() { return StreamLanguage.define(jsonataStream); }
