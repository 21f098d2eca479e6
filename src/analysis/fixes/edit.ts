/**
 * Text edits that keep the user's formatting and comments: changes go through jsonc-parser's modify(), and a fix is
 * reported as the smallest single replacement between the original and the edited text.
 */
import { applyEdits, findNodeAtLocation, modify, parseTree, type Node } from 'jsonc-parser';
import { pointerToPath } from '../../spec';
import { Memo } from '../memo';

export interface TextEdit {
  /** Offset and length in the ORIGINAL text, and the replacement. */
  offset: number;
  length: number;
  content: string;
}

/** The file's line ending (its first one), so inserted lines match the lines around them. */
export function eolOf(text: string): '\n' | '\r\n' {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

/** Sets the value at a JSON Pointer (creating missing objects), keeping everything else as written. */
export function setValue(text: string, pointer: string, value: unknown): string {
  const format = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: eolOf(text) } };
  return applyEdits(text, modify(text, pointerToPath(pointer), value, format));
}

/**
 * Gives the object at `pointer` these members and removes `drop`, editing member by member: comments inside the
 * object stay where they are (replacing the whole object would lose them).
 */
export function setMembers(text: string, pointer: string, members: Record<string, unknown>, drop: string[]): string {
  let out = text;
  for (const key of drop) if (nodeAt(out, `${pointer}/${key}`)) out = setValue(out, `${pointer}/${key}`, undefined);
  for (const [key, value] of Object.entries(members)) out = setValue(out, `${pointer}/${key}`, value);
  return out;
}

/**
 * Inserts values into an array right after the element at `pointer`, in the element's own style: one element per
 * line at the same indentation when the element sits on its own line (trailing comments stay with their element),
 * inline otherwise. Values are written compactly (`{ "type": "batchnorm" }`), as hand-written specs usually are.
 */
export function insertAfterElement(text: string, pointer: string, values: unknown[]): string {
  const node = nodeAt(text, pointer);
  if (!node || values.length === 0) return text;
  const end = node.offset + node.length;
  const lineStart = text.lastIndexOf('\n', node.offset - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const ownLine = text.slice(lineStart, node.offset).trim() === '';
  const items = values.map(compactJson);
  const nl = eolOf(text);
  const comma = /^[ \t]*,/.exec(text.slice(end));
  if (!ownLine) return text.slice(0, end) + items.map((v) => `, ${v}`).join('') + text.slice(end);
  if (comma) {
    // `elem, // note⏎` → keep the comma and the note on elem's line, add the new elements on lines below it.
    const eol = lineEnd(text, end + comma[0].length);
    return text.slice(0, eol) + items.map((v) => `${nl}${indent}${v},`).join('') + text.slice(eol);
  }
  return text.slice(0, end) + items.map((v) => `,${nl}${indent}${v}`).join('') + text.slice(end);
}

/** End of the line containing `from`, after any trailing `//` comment (not past a `/*` that continues). */
function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  const end = nl < 0 ? text.length : nl;
  return text[end - 1] === '\r' ? end - 1 : end;
}

/** JSON with a space after colons and commas and inside braces: `{ "type": "activation", "activation": "relu" }`. */
export function compactJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compactJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${JSON.stringify(k)}: ${compactJson(v)}`,
    );
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return JSON.stringify(value);
}

/** The node at a JSON Pointer in `text`, or undefined. */
export function nodeAt(text: string, pointer: string): Node | undefined {
  const root = treeOf(text);
  return root ? findNodeAtLocation(root, pointerToPath(pointer)) : undefined;
}

/** Wraps the node at `pointer` textually: prefix + original node text + suffix (inner formatting kept verbatim). */
export function wrapNode(text: string, pointer: string, prefix: string, suffix: string): string {
  const node = nodeAt(text, pointer);
  if (!node) return text;
  const end = node.offset + node.length;
  return text.slice(0, node.offset) + prefix + text.slice(node.offset, end) + suffix + text.slice(end);
}

/** The single smallest edit that turns `before` into `after` (common prefix and suffix left untouched). */
export function diffEdit(before: string, after: string): TextEdit | null {
  if (before === after) return null;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  return { offset: start, length: endBefore - start, content: after.slice(start, endAfter) };
}

/** Applies non-overlapping edits (any order) to text. */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) {
    out = out.slice(0, e.offset) + e.content + out.slice(e.offset + e.length);
  }
  return out;
}

/**
 * Orders layer pointers from the end of the document to its start: an edit at a later offset never shifts the
 * pointers of nodes before it, so applying edits in this order keeps every remaining pointer valid.
 */
export function lastFirst(text: string, pointers: string[]): string[] {
  const root = treeOf(text);
  const offset = (p: string): number => (root ? (findNodeAtLocation(root, pointerToPath(p))?.offset ?? -1) : -1);
  return [...pointers]
    .map((p) => ({ p, at: offset(p) }))
    .filter((x) => x.at >= 0)
    .sort((a, b) => b.at - a.at)
    .map((x) => x.p);
}

/**
 * The text's parse tree, kept for the last few texts: a fix reads one node per layer of the same text (its init, its
 * activation, where to insert), and parsing a 30-layer spec for each took most of the time of building its fixes.
 * The trees are shared: callers read them and never change them.
 */
function treeOf(text: string): Node | undefined {
  return TREES.get(text, (t) => parseTree(t));
}

const TREES = new Memo<string, Node | undefined>(4);
