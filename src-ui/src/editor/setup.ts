// The editor's configuration: Markdown shown the way writing apps show it (headings
// sized, emphasis styled, syntax marks quiet, code in monospace with highlighting), the
// formatting keys, find and replace, and Enter that continues lists and quotes and stops
// them on an empty line.

import { Prec, type Extension } from "@codemirror/state";
import { EditorView, keymap, drawSelection, highlightActiveLine } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { markdown, markdownLanguage } from "@codemirror/lang-markdown";
import { languages } from "@codemirror/language-data";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { search, searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { tags as t } from "@lezer/highlight";

import { codeBlockLines } from "./code-lines";
import { enterInCode, endQuoteOnEmptyLine, insertLink, setHeading, toggleLines, toggleWrap } from "./commands";

/** The formatting keys, also listed in the app's shortcut help. */
export const formattingKeys = [
  { key: "Mod-b", run: toggleWrap("**"), label: "Bold" },
  { key: "Mod-i", run: toggleWrap("*"), label: "Italic" },
  { key: "Mod-e", run: toggleWrap("`"), label: "Inline code" },
  { key: "Mod-k", run: insertLink, label: "Link" },
  { key: "Mod-Alt-0", run: setHeading(0), label: "Paragraph" },
  { key: "Mod-Alt-1", run: setHeading(1), label: "Heading 1" },
  { key: "Mod-Alt-2", run: setHeading(2), label: "Heading 2" },
  { key: "Mod-Alt-3", run: setHeading(3), label: "Heading 3" },
  { key: "Mod-Shift-8", run: toggleLines("bullet"), label: "Bulleted list" },
  { key: "Mod-Shift-7", run: toggleLines("numbered"), label: "Numbered list" },
  { key: "Mod-Shift-9", run: toggleLines("task"), label: "Task list" },
  { key: "Mod-Shift-.", run: toggleLines("quote"), label: "Quote" },
] as const;

/** Markdown as a writer reads it: the marks quiet, the text styled. */
const writerStyle = HighlightStyle.define([
  { tag: t.heading1, fontSize: "1.6em", fontWeight: "700", lineHeight: "1.3" },
  { tag: t.heading2, fontSize: "1.35em", fontWeight: "700", lineHeight: "1.3" },
  { tag: t.heading3, fontSize: "1.15em", fontWeight: "700" },
  { tag: [t.heading4, t.heading5, t.heading6], fontWeight: "700" },
  { tag: t.strong, fontWeight: "700" },
  { tag: t.emphasis, fontStyle: "italic" },
  { tag: t.strikethrough, textDecoration: "line-through" },
  { tag: t.link, class: "md-link" },
  { tag: t.url, class: "md-url" },
  { tag: t.quote, class: "md-quote" },
  { tag: t.monospace, class: "md-code" },
  { tag: [t.processingInstruction, t.contentSeparator, t.labelName], class: "md-mark" },
  { tag: t.meta, class: "md-mark" },
  // Code inside fences, highlighted by the language's own parser.
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword], class: "code-keyword" },
  { tag: [t.string, t.special(t.string), t.regexp], class: "code-string" },
  { tag: [t.comment, t.lineComment, t.blockComment], class: "code-comment" },
  { tag: [t.number, t.bool, t.null, t.atom], class: "code-literal" },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], class: "code-function" },
  { tag: [t.typeName, t.className, t.tagName], class: "code-type" },
  { tag: [t.propertyName, t.attributeName], class: "code-property" },
]);

/** Everything the editor needs besides the document and Pint's own listeners. */
export function editorSetup(): Extension[] {
  return [
    history(),
    drawSelection(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    search({ top: true }),
    // Ours before Markdown's Enter (which continues quotes forever and indents code).
    Prec.highest(
      keymap.of([
        { key: "Enter", run: enterInCode },
        { key: "Enter", run: endQuoteOnEmptyLine },
        ...formattingKeys.map(({ key, run }) => ({ key, run, preventDefault: true })),
      ]),
    ),
    keymap.of([...searchKeymap, ...historyKeymap, indentWithTab, ...defaultKeymap]),
    markdown({ base: markdownLanguage, codeLanguages: languages }),
    syntaxHighlighting(writerStyle),
    codeBlockLines,
    EditorView.lineWrapping,
  ];
}
