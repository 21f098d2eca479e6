/** The `.vgnet.json` spec layer: text in, resolved ModelConfig and positioned diagnostics out. */
export { parseSpec } from './parse';
export { formatDiagnostic, formatDiagnostics, lineCol, lineColIn, MAX_PRINTED_WARNINGS } from './diagnostic-text';
export { nearestName } from './nearest';
export { describeShape, modelShapes, sizeOf, type LayerShapes } from './shape-rules';
export {
  childPointer,
  escapeSegment,
  findKeyNode,
  findNode,
  pathToPointer,
  pointerToPath,
  type PathSegment,
} from './pointer';
export type {
  DataSpec,
  DiagnosticCode,
  DiagnosticSeverity,
  FileAccess,
  ParsedSpec,
  SourceRange,
  SpecDiagnostic,
} from './types';
export * as names from './names';
