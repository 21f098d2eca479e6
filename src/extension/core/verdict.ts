/** Short verdict words shared by the inline hints and the status bar ("2 layers vanishing"). */
import type { FindingKind, Severity } from '../../analysis/findings';

/** How a layer's problem reads after a number: "3 layers vanishing", inline "· vanishing". */
export const VERDICT_WORD: Record<FindingKind, string> = {
  'vanishing': 'vanishing',
  'exploding': 'exploding',
  'divergence': 'diverged',
  'dead-relu': 'dying ReLU',
  'saturation': 'saturated',
  'poor-init': 'poor init',
  'learning-rate-high': 'learning rate too high',
  'learning-rate-low': 'learning rate too low',
  'not-learning': 'not learning',
};

const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

export function worstSeverity(severities: Iterable<Severity>): Severity | null {
  let worst: Severity | null = null;
  for (const s of severities) if (worst === null || SEVERITY_RANK[s] > SEVERITY_RANK[worst]) worst = s;
  return worst;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
