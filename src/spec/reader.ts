/**
 * Typed reads of JSON nodes with diagnostics: a wrong type or range is reported on the value, an unknown key on the
 * key, a missing key on the object's opening brace. Readers never throw; on a bad value they report it and return
 * the caller's fallback (the config is discarded anyway when any error was reported).
 */
import type { Node } from 'jsonc-parser';
import { grouped, shown } from './diagnostic-text';
import { nearestName } from './nearest';
import { childPointer } from './pointer';
import { startOf, type DiagnosticSink } from './sink';

export interface NumberRule {
  integer?: boolean;
  /** Lower bound, inclusive unless minExclusive. */
  min?: number;
  minExclusive?: boolean;
  /** Upper bound, inclusive unless maxExclusive. */
  max?: number;
  maxExclusive?: boolean;
  /** A size cap: above it the value is reported with code 'limit' rather than 'range'. */
  limit?: number;
  required?: boolean;
}

/** "a positive integer", "a number in [0, 1)", …: the rule in words, for messages. */
export function describeRule(rule: NumberRule): string {
  const noun = rule.integer ? 'integer' : 'number';
  const { min, max } = rule;
  if (min !== undefined && max !== undefined) {
    return `a${rule.integer ? 'n' : ''} ${noun} in ${rule.minExclusive ? '(' : '['}${min}, ${max}${rule.maxExclusive ? ')' : ']'}`;
  }
  if (min === 0 && rule.minExclusive) return `a positive ${noun}`;
  if (min === 1 && rule.integer) return 'a positive integer';
  if (min !== undefined) return `a${rule.integer ? 'n' : ''} ${noun} ${rule.minExclusive ? '>' : '≥'} ${min}`;
  if (max !== undefined) return `a${rule.integer ? 'n' : ''} ${noun} ${rule.maxExclusive ? '<' : '≤'} ${max}`;
  return rule.integer ? 'an integer' : 'a finite number';
}

/** The value as a message shows it: `the string "32"`, `an object`, `null`. */
export function describeValue(node: Node): string {
  switch (node.type) {
    case 'string':
      return `the string ${shown(node.value)}`;
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'null':
      return 'null';
    default:
      return String(node.value);
  }
}

function violates(value: number, rule: NumberRule): boolean {
  if (rule.integer && !Number.isInteger(value)) return true;
  if (rule.min !== undefined && (rule.minExclusive ? value <= rule.min : value < rule.min)) return true;
  return rule.max !== undefined && (rule.maxExclusive ? value >= rule.max : value > rule.max);
}

/** Checks a number node against a rule; returns the number or undefined (after reporting). */
export function readNumber(
  node: Node,
  path: string,
  label: string,
  rule: NumberRule,
  sink: DiagnosticSink,
): number | undefined {
  const expected = describeRule(rule);
  if (node.type !== 'number') {
    sink.error(node, path, 'type', `${label} must be ${expected}, not ${describeValue(node)}`);
    return undefined;
  }
  const value = node.value as number;
  if (!Number.isFinite(value)) {
    sink.error(node, path, 'range', `${label} must be ${expected}; this number is too large to represent`);
    return undefined;
  }
  if (violates(value, rule)) {
    sink.error(node, path, 'range', `${label} must be ${expected}, got ${value}`);
    return undefined;
  }
  if (rule.limit !== undefined && value > rule.limit) {
    sink.error(node, path, 'limit', `${label} is ${grouped(value)}; the limit is ${grouped(rule.limit)}`);
    return undefined;
  }
  return value;
}

/** Says where else a key belongs (e.g. "'units' is a dense layer key"); null when it belongs nowhere. */
export type ElsewhereHint = (key: string) => string | null;

/** One JSON object being read: its members by key (the last of duplicates wins, as in JSON.parse). */
/** Unknown keys of one object that get a "did you mean" suggestion. */
const MAX_SUGGESTED_KEYS = 50;

export class ObjectReader {
  private readonly members = new Map<string, Node>();

  constructor(
    readonly node: Node,
    readonly pointer: string,
    /** Noun for messages: "dense layer", "optimizer", … (a layer's becomes precise once its type is read). */
    public context: string,
    private readonly sink: DiagnosticSink,
  ) {
    for (const member of node.children ?? []) {
      const keyNode = member.children?.[0];
      if (keyNode?.type !== 'string') continue;
      const key = keyNode.value as string;
      if (this.members.has(key)) {
        sink.warning(
          keyNode,
          childPointer(pointer, key),
          'duplicate-key',
          `duplicate key ${shown(key)} in this ${context}: only this last one counts`,
        );
      }
      this.members.set(key, member);
    }
  }

  get keys(): string[] {
    return [...this.members.keys()];
  }

  has(key: string): boolean {
    return this.members.has(key);
  }

  /** The value node of a key (undefined when absent, or when a syntax error left the member without a value). */
  value(key: string): Node | undefined {
    return this.members.get(key)?.children?.[1];
  }

  keyNode(key: string): Node | undefined {
    return this.members.get(key)?.children?.[0];
  }

  pointerOf(key: string): string {
    return childPointer(this.pointer, key);
  }

  /** Warns on keys outside `allowed`: 'unused-key' when `elsewhere` knows them, else 'unknown-key' + suggestion. */
  checkKeys(allowed: readonly string[], elsewhere?: ElsewhereHint): void {
    let unknown = 0;
    for (const key of this.members.keys()) {
      if (allowed.includes(key)) continue;
      unknown++;
      const keyNode = this.keyNode(key)!;
      const hint = elsewhere?.(key) ?? null;
      if (hint !== null) {
        this.sink.warning(keyNode, this.pointerOf(key), 'unused-key', `${shown(key)} has no effect here: ${hint}`);
        continue;
      }
      // Past a few dozen unknown keys the object is not a misspelt spec: skip the (costly) suggestions.
      const suggestion = unknown <= MAX_SUGGESTED_KEYS ? nearestName(key, allowed) : null;
      const advice = suggestion === null ? `known keys: ${allowed.join(', ')}` : `did you mean ${shown(suggestion)}?`;
      this.sink.warning(
        keyNode,
        this.pointerOf(key),
        'unknown-key',
        `unknown key ${shown(key)} in this ${this.context}; ${advice}`,
        suggestion ?? undefined,
      );
    }
  }

  /** Reports a missing required key on the object's opening brace; returns whether the key is present. */
  require(key: string, why = ''): boolean {
    if (this.has(key)) return true;
    this.sink.error(
      startOf(this.node),
      this.pointer,
      'missing-key',
      `this ${this.context} needs ${shown(key)}${why === '' ? '' : ` ${why}`}`,
    );
    return false;
  }

  /** A number under `rule`; `fallback` when absent or invalid (invalid values are reported). */
  number(key: string, rule: NumberRule, fallback: number): number {
    if (rule.required && !this.require(key)) return fallback;
    const node = this.value(key);
    if (node === undefined) return fallback;
    return readNumber(node, this.pointerOf(key), shown(key), rule, this.sink) ?? fallback;
  }

  /** Like number(), but null is a valid value too (e.g. clipNorm: null means "off"). */
  nullableNumber(key: string, rule: NumberRule, fallback: number | null): number | null {
    const node = this.value(key);
    if (node === undefined) return fallback;
    if (node.type === 'null') return null;
    if (node.type !== 'number') {
      this.sink.error(
        node,
        this.pointerOf(key),
        'type',
        `${shown(key)} must be ${describeRule(rule)} or null, not ${describeValue(node)}`,
      );
      return fallback;
    }
    return readNumber(node, this.pointerOf(key), shown(key), rule, this.sink) ?? fallback;
  }

  boolean(key: string, fallback: boolean): boolean {
    const node = this.value(key);
    if (node === undefined) return fallback;
    if (node.type !== 'boolean') {
      this.sink.error(
        node,
        this.pointerOf(key),
        'type',
        `${shown(key)} must be true or false, not ${describeValue(node)}`,
      );
      return fallback;
    }
    return node.value as boolean;
  }

  /** A string value; null when absent or not a string (the latter reported). */
  string(key: string): string | null {
    const node = this.value(key);
    if (node === undefined) return null;
    if (node.type !== 'string') {
      this.sink.error(node, this.pointerOf(key), 'type', `${shown(key)} must be a string, not ${describeValue(node)}`);
      return null;
    }
    return node.value as string;
  }
}

/**
 * A name from a fixed list, given as a string node: reports a wrong type or an unknown name (with the nearest
 * known name as suggestion). `aliases` map accepted alternative spellings to their canonical name.
 */
export function readName<T extends string>(
  node: Node,
  path: string,
  what: string,
  names: readonly T[],
  sink: DiagnosticSink,
  aliases: Readonly<Record<string, T>> = {},
): T | undefined {
  if (node.type !== 'string') {
    sink.error(
      node,
      path,
      'type',
      `${what} must be a string naming one of: ${names.join(', ')}; not ${describeValue(node)}`,
    );
    return undefined;
  }
  const value = node.value as string;
  if ((names as readonly string[]).includes(value)) return value as T;
  if (Object.prototype.hasOwnProperty.call(aliases, value)) return aliases[value];
  const suggestion = nearestName(value, [...names, ...Object.keys(aliases)]);
  const advice = suggestion === null ? `known: ${names.join(', ')}` : `did you mean ${shown(suggestion)}?`;
  sink.error(node, path, 'unknown-name', `unknown ${what} ${shown(value)}; ${advice}`, suggestion ?? undefined);
  return undefined;
}

/** Reports a node that is not an object; returns whether it is one. */
export function expectObject(node: Node, path: string, what: string, sink: DiagnosticSink): boolean {
  if (node.type === 'object') return true;
  sink.error(node, path, 'type', `${what} must be an object, not ${describeValue(node)}`);
  return false;
}
