/**
 * Generated hostile inputs for the robustness run: the examples (and their CSV file) mutated — wrong types, huge and
 * negative numbers and sizes, deep nesting, BOM, CRLF, invalid UTF-8, truncation, hostile paths, bad CSV cells, many
 * columns. Deterministic for a seed. Sizes stay below what would need gigabytes if accepted (that limit is checked
 * by the memory budget, not here).
 */
import { parse } from 'jsonc-parser';

export interface Case {
  /** What was done, for the report. */
  label: string;
  /** Files of the case folder (relative name → content); `spec` names the spec among them. */
  files: Record<string, string | Buffer>;
  spec: string;
}

/** mulberry32: small, fast, seedable. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

const WEIRD_VALUES: unknown[] = [
  null,
  true,
  'x',
  '',
  [],
  {},
  [1, 2],
  { a: 1 },
  -1,
  0,
  0.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  1e-320,
  'NaN',
  'Infinity',
  '1e999',
  65_537,
  1_000_001,
  -0,
  'relu',
  '../x.csv',
];
const HOSTILE_PATHS = [
  '../../etc/passwd',
  '/etc/passwd',
  '..',
  '.',
  '',
  'data/../../x.csv',
  '..ok.csv',
  'data\\..\\..\\x',
  'a\u0000b.csv',
  'C:\\Windows\\win.ini',
  '~/x.csv',
  'x'.repeat(5000),
  'data/',
  'CON',
  'link-out.csv',
  'data/wine-small.csv/',
  '%2e%2e/x.csv',
  'file:///etc/passwd',
  'data//wine-small.csv',
  '\u202e.csv',
];
const BAD_CELLS = [
  'abc',
  '',
  '1e39',
  '-1e39',
  'NaN',
  'Infinity',
  '--1',
  '0x10',
  '1,5',
  '"1"',
  ' 1 ',
  '1e-400',
  '١',
  '\u0000',
];

/** Every object/array path inside a JSON value, for picking a place to mutate. */
function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

function setAt(root: unknown, at: (string | number)[], value: unknown): unknown {
  if (at.length === 0) return value;
  const parent = at.slice(0, -1).reduce<any>((o, k) => o[k], root);
  parent[at[at.length - 1]!] = value;
  return root;
}

function objectMutation(r: Rand, spec: any): { label: string; spec: any } {
  const kind = int(r, 0, 6);
  if (kind === 0) {
    const at = pick(r, paths(spec).slice(1));
    return { label: `wrong value at /${at.join('/')}`, spec: setAt(spec, at, pick(r, WEIRD_VALUES)) };
  }
  if (kind === 1) {
    const key = pick(r, ['units', 'input', 'batchSize', 'samples', 'steps', 'lr', 'seed', 'recordEvery', 'clipNorm']);
    const value = pick(r, [-1, 0, 1e9, 1e15, -1e9, 1.5, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER, 1e308]);
    const targets: any[] = [spec, spec.training ?? {}, spec.data ?? {}, spec.optimizer ?? {}, ...(spec.layers ?? [])];
    pick(r, targets)[key] = value;
    return { label: `${key} = ${value}`, spec };
  }
  if (kind === 2) {
    let layer: any = { type: 'dense', units: spec.input ?? 2, activation: 'relu' };
    const depth = pick(r, [5, 50, 300]); // deeper nesting comes from the text mutation (JSON.stringify recurses)
    for (let i = 0; i < depth; i++) layer = { type: 'residual', layers: [layer] };
    (spec.layers ??= []).unshift(layer);
    return { label: `residual nested ${depth} deep`, spec };
  }
  if (kind === 3) {
    const n = pick(r, [200, 2000, 20000]);
    spec.layers = [
      ...Array.from({ length: n }, () => ({ type: 'dense', units: 2, activation: 'tanh' })),
      ...(spec.layers ?? []),
    ];
    return { label: `${n} extra layers`, spec };
  }
  if (kind === 4) {
    spec.data = { ...(spec.data ?? {}), source: 'csv', path: pick(r, HOSTILE_PATHS), target: 'class' };
    return { label: `data path ${JSON.stringify(spec.data.path).slice(0, 40)}`, spec };
  }
  if (kind === 5) {
    for (let i = 0; i < int(r, 1, 2000); i++) spec[`unknown${i}`] = i;
    return { label: 'many unknown keys', spec };
  }
  delete spec[pick(r, Object.keys(spec))];
  return { label: 'a required key removed', spec };
}

function textMutation(r: Rand, text: string): { label: string; bytes: string | Buffer } {
  const kind = int(r, 0, 7);
  const at = int(r, 0, text.length);
  if (kind === 0) return { label: 'BOM', bytes: `\uFEFF${text}` };
  if (kind === 1) return { label: 'CRLF', bytes: text.replace(/\r?\n/g, '\r\n') };
  if (kind === 2) return { label: 'BOM + CRLF', bytes: `\uFEFF${text.replace(/\r?\n/g, '\r\n')}` };
  if (kind === 3) {
    const bad = pick(r, [
      [0xff],
      [0xc3],
      [0xe2, 0x82],
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
    ]);
    const buf = Buffer.from(text);
    const cut = int(r, 0, buf.length);
    return {
      label: `invalid UTF-8 ${bad.map((b) => b.toString(16)).join(' ')}`,
      bytes: Buffer.concat([buf.subarray(0, cut), Buffer.from(bad), buf.subarray(cut)]),
    };
  }
  if (kind === 4) return { label: `truncated at ${at}`, bytes: text.slice(0, at) };
  if (kind === 5) {
    const chars = '{}[]",:/*\\\u0000\u2028 \t\r\nx9e-';
    return {
      label: 'random character',
      bytes: text.slice(0, at) + pick(r, [...chars]) + text.slice(at + int(r, 0, 1)),
    };
  }
  if (kind === 6) return { label: 'deep brackets', bytes: `${'['.repeat(int(r, 100, 20000))}${text}` };
  return { label: 'comments everywhere', bytes: text.replace(/,/g, ', /* c */').replace(/\n/g, ' // note\n') };
}

function csvMutation(r: Rand, csv: string): { label: string; bytes: string | Buffer } {
  const rows = csv.trimEnd().split('\n');
  const kind = int(r, 0, 6);
  if (kind === 0) {
    const row = int(r, 1, rows.length - 1);
    const cells = rows[row]!.split(',');
    cells[int(r, 0, cells.length - 1)] = pick(r, BAD_CELLS);
    rows[row] = cells.join(',');
    return { label: `bad cell ${JSON.stringify(cells.join(','))}`, bytes: `${rows.join('\n')}\n` };
  }
  if (kind === 1) {
    const extra = pick(r, [100, 1000, 5000]);
    const add = (i: number) =>
      Array.from({ length: extra }, (_, j) => (i === 0 ? `extra${j}` : String(j % 7))).join(',');
    return { label: `${extra} extra columns`, bytes: rows.map((row, i) => `${row},${add(i)}`).join('\n') };
  }
  if (kind === 2)
    return {
      label: 'ragged row',
      bytes: `${rows.map((row, i) => (i === 3 ? `${row},1,2` : i === 5 ? row.split(',').slice(1).join(',') : row)).join('\n')}\n`,
    };
  if (kind === 3) return { label: 'CSV BOM + CRLF', bytes: `\uFEFF${rows.join('\r\n')}\r\n` };
  if (kind === 4)
    return {
      label: 'CSV invalid UTF-8',
      bytes: Buffer.concat([Buffer.from(rows.slice(0, 10).join('\n')), Buffer.from([0xff, 0xfe, 0x0a])]),
    };
  if (kind === 5) return { label: 'CSV truncated', bytes: csv.slice(0, int(r, 0, csv.length)) };
  return {
    label: 'CSV quoted/duplicate header',
    bytes: `"a""b",class,class\n${rows
      .slice(1)
      .map((x) => `"${x}"`)
      .join('\n')}`,
  };
}

/** The i-th case of a run: a mutated spec (object or text level), or a mutated CSV under an intact CSV spec. */
export function generateCase(r: Rand, examples: { name: string; text: string }[], csvSpec: string, csv: string): Case {
  const choice = r();
  if (choice < 0.25) {
    const m = csvMutation(r, csv);
    return { label: m.label, spec: 'm.vgnet.json', files: { 'm.vgnet.json': csvSpec, 'data/wine-small.csv': m.bytes } };
  }
  const base = pick(r, examples);
  const files: Record<string, string | Buffer> = { 'data/wine-small.csv': csv };
  let label = base.name;
  let text = base.text;
  if (choice < 0.7) {
    const m = objectMutation(r, parse(text));
    label += `: ${m.label}`;
    text = JSON.stringify(m.spec, null, r() < 0.5 ? 2 : undefined);
  }
  const m = choice >= 0.5 ? textMutation(r, text) : { label: '', bytes: text };
  if (m.label) label += `: ${m.label}`;
  files['m.vgnet.json'] = m.bytes;
  return { label, spec: 'm.vgnet.json', files };
}
