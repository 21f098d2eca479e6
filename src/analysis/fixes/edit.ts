/**
 * Text edits that keep the user's formatting and comments: changes go through jsonc-parser's modify(), and a fix is
 * reported as the smallest single replacement between the original and the edited text.
 */
import { applyEdits, findNodeAtLocation, modify, parseTree, type Node } from 'jsonc-parser';
import { pointerToPath } from '../../spec';

export interface TextEdit {
  /** Offset and length in the ORIGINAL text, and the replacement. */
  offset: number;
  length: number;
  content: string;
}

const FORMAT = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };

/** Sets the value at a JSON Pointer (creating missing objects), keeping everything else as written. */
export function setValue(text: string, pointer: string, value: unknown): string {
  return applyEdits(text, modify(text, pointerToPath(pointer), value, FORMAT));
}

/** Inserts a value into the array at `arrayPointer` before index `index`. */
export function insertIntoArray(text: string, arrayPointer: string, index: number, value: unknown): string {
  const path = [...pointerToPath(arrayPointer), index];
  return applyEdits(text, modify(text, path, value, { ...FORMAT, isArrayInsertion: true }));
}

/** The node at a JSON Pointer in `text`, or undefined. */
export function nodeAt(text: string, pointer: string): Node | undefined {
  const root = parseTree(text);
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

/** Splits "/layers/4/layers/0" into its parent array pointer and index: ["/layers/4/layers", 0]. */
export function splitLayerPointer(pointer: string): [string, number] {
  const cut = pointer.lastIndexOf('/');
  return [pointer.slice(0, cut), Number(pointer.slice(cut + 1))];
}

/**
 * Orders layer pointers from the end of the document to its start: an edit at a later offset never shifts the
 * pointers of nodes before it, so applying edits in this order keeps every remaining pointer valid.
 */
export function lastFirst(text: string, pointers: string[]): string[] {
  const root = parseTree(text);
  const offset = (p: string): number => (root ? findNodeAtLocation(root, pointerToPath(p))?.offset ?? -1 : -1);
  return [...pointers].map((p) => ({ p, at: offset(p) })).filter((x) => x.at >= 0).sort((a, b) => b.at - a.at).map((x) => x.p);
}
