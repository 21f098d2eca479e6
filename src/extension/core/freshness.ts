/**
 * "Is this result stale?" A run is tied to the snapshot of the document it analysed; its result may be shown only
 * while it is the newest run for that document, was not cancelled, and the document still holds the analysed text.
 */
import type { CancelSignal } from '../../analysis/measure';

export interface Snapshot {
  /** The editor's document version, or null for a file read from disk (workspace scan). */
  version: number | null;
  text: string;
}

/**
 * Two snapshots show the same content. Text decides, not the version: a closed-and-reopened document restarts its
 * version numbers, a file read from disk has none, and an undo back to the analysed text makes a result valid again.
 * Comparing a spec-sized string is cheap.
 */
export function sameContent(a: Snapshot, b: Snapshot): boolean {
  return a.text.length === b.text.length && a.text === b.text;
}

export interface MutableSignal extends CancelSignal {
  cancelled: boolean;
}

export interface RunTicket {
  readonly id: number;
  /** The document key (its URI string). */
  readonly key: string;
  readonly snapshot: Snapshot;
  readonly signal: MutableSignal;
}

/** Tracks the newest run per document; starting a run cancels the older one of the same document. */
export class RunLedger {
  private readonly latest = new Map<string, RunTicket>();
  private nextId = 1;

  begin(key: string, snapshot: Snapshot): RunTicket {
    const previous = this.latest.get(key);
    if (previous) previous.signal.cancelled = true;
    const ticket: RunTicket = { id: this.nextId++, key, snapshot, signal: { cancelled: false } };
    this.latest.set(key, ticket);
    return ticket;
  }

  /** Whether a finished run's result may replace what is shown. `current` is null when the document is gone. */
  accepts(ticket: RunTicket, current: Snapshot | null): boolean {
    if (ticket.signal.cancelled || this.latest.get(ticket.key) !== ticket) return false;
    return current !== null && sameContent(ticket.snapshot, current);
  }

  /** Forgets a finished run (a newer run of the same document is kept). */
  end(ticket: RunTicket): void {
    if (this.latest.get(ticket.key) === ticket) this.latest.delete(ticket.key);
  }

  /** Cancels the running analysis of one document; true when there was one. */
  cancel(key: string): boolean {
    const ticket = this.latest.get(key);
    if (!ticket) return false;
    ticket.signal.cancelled = true;
    this.latest.delete(key);
    return true;
  }

  /** Cancels every running analysis; returns how many there were. */
  cancelAll(): number {
    const count = this.latest.size;
    for (const ticket of this.latest.values()) ticket.signal.cancelled = true;
    this.latest.clear();
    return count;
  }

  isRunning(key: string): boolean {
    return this.latest.has(key);
  }

  get runningCount(): number {
    return this.latest.size;
  }
}
