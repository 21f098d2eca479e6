/**
 * Facts about a spec read straight from its text with jsonc-parser (not through VGNet's own code), so that the
 * suite's expectations do not come from the implementation under test.
 */
import { getNodeValue, parseTree, visit, type Node, type ParseError } from 'jsonc-parser';

export interface SpecLayer {
  /** JSON Pointer, as VGNet names layers: /layers/3. */
  pointer: string;
  /** 1-based line of the layer object's opening brace. */
  line: number;
  /** 1-based line of its closing brace. */
  lastLine: number;
  value: Record<string, unknown>;
}

export interface SpecFacts {
  name: string;
  layers: SpecLayer[];
  /** Every comment, in order, as written. */
  comments: string[];
  /** Top-level keys other than "layers", as parsed values. */
  rest: Record<string, unknown>;
}

export function readSpec(text: string): SpecFacts {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true });
  if (!root || errors.length > 0) throw new Error(`not a valid JSONC spec (${errors.length} parse errors)`);
  const value = getNodeValue(root) as Record<string, unknown>;
  const layersNode = root.children?.find((p) => p.children?.[0]?.value === 'layers')?.children?.[1];
  const layers = (layersNode?.children ?? []).map((node: Node, i: number): SpecLayer => ({
    pointer: `/layers/${i}`,
    line: lineOf(text, node.offset),
    lastLine: lineOf(text, node.offset + node.length - 1),
    value: getNodeValue(node) as Record<string, unknown>,
  }));
  const { layers: _layers, ...rest } = value;
  return { name: String(value.name), layers, comments: commentsOf(text), rest };
}

export function commentsOf(text: string): string[] {
  const comments: string[] = [];
  visit(text, { onComment: (offset, length) => comments.push(text.slice(offset, offset + length)) });
  return comments;
}

export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

/** 1-based line and column of the first occurrence of `needle` (column of its first character). */
export function positionOf(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`"${needle}" not found`);
  return { line: lineOf(text, offset), column: offset - text.lastIndexOf('\n', offset - 1) };
}
