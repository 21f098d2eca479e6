/** The static analysis of one snapshot, as the editor keeps it: report plus the parsed spec for locating nodes. */
import { analyzeStatic } from '../../analysis/analyze';
import type { Thresholds } from '../../analysis/thresholds';
import { MAX_SPEC_CHARS, tooLargeReport } from './documents';
import type { Snapshot } from './freshness';
import type { SpecLocator } from '../../analysis/locate';
import type { Analyzed } from './results';

/** A locator that finds nothing: for files too large to parse. */
export const EMPTY_LOCATOR: SpecLocator = { locate: () => null, nodeAt: () => undefined, layerPaths: [], config: null };

/** Parse, validate and predict; a file past MAX_SPEC_CHARS gets one notice instead. Never throws. */
export function analyzeSnapshot(snapshot: Snapshot, thresholds: Thresholds): Analyzed {
  if (snapshot.text.length > MAX_SPEC_CHARS) {
    return { snapshot, report: tooLargeReport(snapshot.text.length), locator: EMPTY_LOCATOR };
  }
  const report = analyzeStatic(snapshot.text, thresholds);
  return { snapshot, report, locator: report.spec ?? EMPTY_LOCATOR };
}
