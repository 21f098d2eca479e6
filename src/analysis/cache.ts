/**
 * Measured runs keyed by spec content, seed and step budget, so re-asking (the same spec saved twice, the same fix
 * verified for two findings) costs nothing. Bounded LRU. Runs still training are known too (`pending`): a fix whose
 * run started early, on the first seed's findings (analyze.ts), is not started a second time when the verification
 * asks for it.
 */
import type { MeasureJob, MeasureOutcome } from './measure';

export class RunCache {
  private readonly entries = new Map<string, MeasureOutcome>();
  private readonly running = new Map<string, Promise<MeasureOutcome>>();
  constructor(private readonly capacity = 64) {}

  /** The outcome of a run of this job that is still training, if one is. */
  pending(job: MeasureJob): Promise<MeasureOutcome> | undefined {
    return this.running.get(RunCache.key(job));
  }

  /** Remembers a run while it trains; once done it is kept (set) unless it was cut short (see cacheable). */
  track(job: MeasureJob, run: Promise<MeasureOutcome>): Promise<MeasureOutcome> {
    const key = RunCache.key(job);
    this.running.set(key, run);
    void run.then((outcome) => {
      if (this.running.get(key) === run) this.running.delete(key);
      if (cacheable(outcome)) this.set(job, outcome);
    });
    return run;
  }

  static key(job: MeasureJob): string {
    // A run that may stop once decided is not the full run another caller may want.
    const until = job.stopOnceSettled;
    const stop = until ? `:${until.kind}${JSON.stringify(until.thresholds)}` : '';
    return `${hash(job.text)}:${job.text.length}:${job.steps ?? ''}:${job.seed ?? ''}${stop}`;
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

/** Runs cut short by cancellation or the budget are not the spec's true answer: they are not kept. */
export function cacheable(outcome: MeasureOutcome): boolean {
  if (!outcome.ok) return !outcome.budget && !outcome.cancelled;
  const stopped = outcome.result.stopped?.reason;
  return stopped !== 'cancelled' && stopped !== 'budget';
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
