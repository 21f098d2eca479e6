/**
 * Measured runs keyed by spec content, seed and step budget, so re-asking (the same spec saved twice, the same fix
 * verified for two findings) costs nothing. Bounded LRU.
 */
import type { MeasureJob, MeasureOutcome } from './measure';

export class RunCache {
  private readonly entries = new Map<string, MeasureOutcome>();
  constructor(private readonly capacity = 64) {}

  static key(job: MeasureJob): string {
    return `${hash(job.text)}:${job.text.length}:${job.steps ?? ''}:${job.seed ?? ''}`;
  }

  get(job: MeasureJob): MeasureOutcome | undefined {
    const key = RunCache.key(job);
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(job: MeasureJob, outcome: MeasureOutcome): void {
    const key = RunCache.key(job);
    this.entries.delete(key);
    this.entries.set(key, outcome);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** 53-bit string hash (cyrb53): cheap, well distributed; collisions additionally guarded by the length in the key. */
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}
