/** "Did you mean …?": the closest known name to a misspelt one. */
import { SUGGESTION_SYNONYMS } from './names';

/**
 * Optimal-string-alignment distance (Damerau–Levenshtein restricted to adjacent transpositions that are not
 * edited again): insertions, deletions, substitutions and swaps of neighbours each cost 1.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/** Longer words than this are not compared (the quadratic table would be wasted on them). */
const MAX_COMPARED_LENGTH = 64;

/**
 * The candidate closest to `word`, ignoring case, "-" versus "_" and spaces; null when none is close enough.
 * Close enough: a known synonym from another library (xavier_uniform → glorot_uniform), or at most
 * max(1, ⌊length/3⌋) edits, or one of the two a prefix of the other (at least 3 characters). Ties go to the
 * earlier candidate.
 */
export function nearestName(word: string, candidates: readonly string[]): string | null {
  if (word.length === 0 || word.length > MAX_COMPARED_LENGTH) return null;
  const key = normalize(word);
  const synonym = SUGGESTION_SYNONYMS[key];
  if (synonym !== undefined && candidates.includes(synonym)) return synonym;
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(key, normalize(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== null && bestDistance <= limit) return best;
  return prefixMatch(key, candidates);
}

function prefixMatch(key: string, candidates: readonly string[]): string | null {
  if (key.length < 3) return null;
  for (const candidate of candidates) {
    const name = normalize(candidate);
    if (name.length >= 3 && (name.startsWith(key) || key.startsWith(name))) return candidate;
  }
  return null;
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-\s]/g, '_');
}
