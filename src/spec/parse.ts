/**
 * parseSpec: `.vgnet.json` text (JSONC) → resolved ModelConfig + DataSpec + positioned diagnostics.
 * Never throws: syntax errors, wrong types and impossible models all come back as diagnostics.
 */
import { parseTree, stripComments, type Node, type ParseError } from 'jsonc-parser';
import type { LayerConfig, LossName, ModelConfig } from '../engine/config';
import { checkModel } from './checks';
import { resolveData } from './data-section';
import { grouped, syntaxMessage } from './diagnostic-text';
import { resolveLayerList, type ResolvedLayer } from './layers';
import { LIMITS, LOSS_NAMES, SPEC_VERSION, TOP_LEVEL_KEYS } from './names';
import { resolveInput } from './input';
import { findExcessNesting } from './nesting';
import { findKeyNode, findNode } from './pointer';
import { describeValue, ObjectReader, readName } from './reader';
import { checkVersion, resolveOptimizer, resolveTraining } from './sections';
import { traceShapes } from './shapes';
import { DiagnosticSink } from './sink';
import type { DataSpec, ParsedSpec, SourceRange, SpecDiagnostic } from './types';

/** Past this many syntax errors the text is probably not a spec at all; the rest are summarised in one line. */
const MAX_SYNTAX_DIAGNOSTICS = 20;

interface Resolved {
  config: ModelConfig | null;
  data: DataSpec | null;
  name: string;
  layers: ResolvedLayer[];
}

const NOTHING: Resolved = { config: null, data: null, name: '', layers: [] };

export function parseSpec(text: string): ParsedSpec {
  const source = typeof text === 'string' ? text : '';
  const sink = new DiagnosticSink(source.length);
  let root: Node | undefined;
  let resolved = NOTHING;
  try {
    root = parseText(source, sink);
    if (root !== undefined) resolved = resolveDocument(root, sink);
  } catch (err) {
    // A bug, not a user error; reported rather than thrown so an editor keeps working.
    sink.error({ offset: 0, length: 0 }, '', 'internal', `internal error in the spec validator: ${String(err)}`);
  }
  return makeParsedSpec(source, root, sink, sink.hasErrors ? { ...resolved, config: null } : resolved);
}

/** The syntax tree, with syntax errors reported; undefined when nesting is too deep or nothing parsed. */
function parseText(text: string, sink: DiagnosticSink): Node | undefined {
  const tooDeep = findExcessNesting(text, LIMITS.nesting);
  if (tooDeep >= 0) {
    sink.error(
      { offset: tooDeep, length: 1 },
      '',
      'limit',
      `the document is nested more than ${LIMITS.nesting} levels deep`,
    );
    return undefined;
  }
  if (stripComments(text).trim() === '') {
    // Checked first: jsonc-parser reports an empty text as "expected a value", which does not say what is wrong.
    sink.error({ offset: 0, length: 0 }, '', 'syntax', 'the document is empty: expected a JSON object');
    return undefined;
  }
  const parseErrors: ParseError[] = [];
  const root = parseTree(text, parseErrors, { allowTrailingComma: true, disallowComments: false });
  const errors = withoutCascades(parseErrors);
  for (const error of errors.slice(0, MAX_SYNTAX_DIAGNOSTICS)) {
    sink.error(error, '', 'syntax', syntaxMessage(error, text));
  }
  if (errors.length > MAX_SYNTAX_DIAGNOSTICS) {
    const last = errors[MAX_SYNTAX_DIAGNOSTICS]!;
    sink.error(last, '', 'syntax', `${grouped(errors.length - MAX_SYNTAX_DIAGNOSTICS)} more syntax errors not shown`);
  }
  return root;
}

/**
 * jsonc-parser reports follow-on errors right where the previous one ends ("nul" gives "unexpected 'nul'" and then
 * "expected a value" just after it); only the first of such a run says something useful.
 */
function withoutCascades(errors: ParseError[]): ParseError[] {
  const kept: ParseError[] = [];
  let end = -1;
  for (const error of errors) {
    if (error.offset > end) kept.push(error);
    end = Math.max(end, error.offset + error.length);
  }
  return kept;
}

function resolveDocument(root: Node, sink: DiagnosticSink): Resolved {
  if (root.type !== 'object') {
    sink.error(
      root,
      '',
      'type',
      `a spec is a JSON object such as {"version": 1, "input": 2, "layers": [...]}, not ${describeValue(root)}`,
    );
    return NOTHING;
  }
  const top = new ObjectReader(root, '', 'spec', sink);
  top.checkKeys(TOP_LEVEL_KEYS);
  checkVersion(top.value('version'), '/version', sink, SPEC_VERSION);
  const name = top.string('name') ?? '';
  top.string('description');
  // An input we could not read has no shape; the shape checks then stay quiet.
  const input = resolveInput(top, sink);
  const layersNode = top.require('layers') ? top.value('layers') : undefined;
  const layers = layersNode ? resolveLayerList(layersNode, '/layers', false, sink) : [];
  const loss = readLoss(top, sink);
  const optimizer = resolveOptimizer(top.value('optimizer'), '/optimizer', sink);
  const training = resolveTraining(top.value('training'), '/training', sink);
  const decayNode = findNode(root, '/training/weightDecay');
  if (optimizer.type === 'adamw' && training.weightDecay > 0 && decayNode) {
    sink.error(
      decayNode,
      '/training/weightDecay',
      'range',
      'adamw decays the weights itself: set "weightDecay" in "optimizer" (decoupled, as torch.optim.AdamW) instead of training.weightDecay (L2 in the gradient)',
    );
  }
  const dataNode = top.require('data', '(e.g. {"source": "spiral"})') ? top.value('data') : undefined;
  const data = dataNode ? resolveData(dataNode, '/data', sink) : null;
  // The initial-parameters file is read when the data is (prepare); here only its type.
  top.string('parameters');
  if (layersNode) {
    const shapes = traceShapes(layers, input.shape, sink);
    const batchSize = {
      value: training.batchSize,
      node: findNode(root, '/training/batchSize'),
      path: '/training/batchSize',
    };
    checkModel({ layers, layersNode, shapes, loss, batchSize }, sink);
  }
  const configs = layers.map((layer) => layer.config).filter((c): c is LayerConfig => c !== null);
  const shape = input.shaped && input.shape !== null ? { inputShape: input.shape } : {};
  const config: ModelConfig | null =
    loss === null ? null : { input: input.width, ...shape, layers: configs, loss: loss.name, optimizer, training };
  return { config, data, name, layers };
}

function readLoss(top: ObjectReader, sink: DiagnosticSink): { name: LossName; node: Node; path: string } | null {
  const node = top.value('loss');
  if (!top.require('loss', `(one of ${LOSS_NAMES.join(', ')})`) || node === undefined) return null;
  const name = readName(node, '/loss', 'loss', LOSS_NAMES, sink);
  return name === undefined ? null : { name, node, path: '/loss' };
}

function makeParsedSpec(text: string, root: Node | undefined, sink: DiagnosticSink, resolved: Resolved): ParsedSpec {
  const range = (node: Node | undefined): SourceRange | null =>
    node === undefined ? null : { offset: node.offset, length: node.length };
  const diagnostics: SpecDiagnostic[] = [...sink.diagnostics].sort((a, b) => a.offset - b.offset);
  return {
    text,
    root,
    config: resolved.config,
    data: resolved.data,
    name: resolved.name,
    diagnostics,
    locate: (pointer) => range(findNode(root, pointer)),
    locateKey: (pointer) => range(findKeyNode(root, pointer)),
    nodeAt: (pointer) => findNode(root, pointer),
    layerPaths: flattenPaths(resolved.layers),
  };
}

function flattenPaths(layers: ResolvedLayer[]): string[] {
  const paths: string[] = [];
  const walk = (list: ResolvedLayer[]): void => {
    for (const layer of list) {
      paths.push(layer.path);
      walk(layer.children);
    }
  };
  walk(layers);
  return paths;
}
