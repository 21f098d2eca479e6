/** Short verdict words shared by the inline hints and the status bar ("2 layers vanishing"). */
import { SEVERITY_RANK, type FindingKind, type Severity } from '../../analysis/findings';

/** How a layer's problem reads after a number: "3 layers vanishing", inline "· vanishing". */
export const VERDICT_WORD: Record<FindingKind, string> = {
  vanishing: 'vanishing',
  exploding: 'exploding',
  divergence: 'diverged',
  'dead-relu': 'dying ReLU',
  saturation: 'saturated',
  'output-saturation': 'saturated output',
  'poor-init': 'poor init',
  'learning-rate-high': 'learning rate too high',
  'learning-rate-low': 'learning rate too low',
  'not-learning': 'not learning',
  'vanishing-through-time': 'vanishing through time',
  'exploding-through-time': 'exploding through time',
  'gate-saturation': 'saturated gates',
};

export function worstSeverity(severities: Iterable<Severity>): Severity | null {
  let worst: Severity | null = null;
  for (const s of severities) if (worst === null || SEVERITY_RANK[s] > SEVERITY_RANK[worst]) worst = s;
  return worst;
}
