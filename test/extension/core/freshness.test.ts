import { describe, expect, it } from 'vitest';
import { RunLedger, sameContent } from '../../../src/extension/core/freshness';

const snap = (text: string, version: number | null = 1) => ({ text, version });

describe('RunLedger', () => {
  it('accepts the newest run of a document whose text is unchanged', () => {
    const ledger = new RunLedger();
    const ticket = ledger.begin('a', snap('x', 3));
    expect(ledger.accepts(ticket, snap('x', 3))).toBe(true);
  });

  it('discards a run for an older version of the document', () => {
    const ledger = new RunLedger();
    const ticket = ledger.begin('a', snap('x', 3));
    expect(ledger.accepts(ticket, snap('xy', 4))).toBe(false);
  });

  it('accepts again after an undo back to the analysed text (text decides, not the version number)', () => {
    const ledger = new RunLedger();
    const ticket = ledger.begin('a', snap('x', 3));
    expect(ledger.accepts(ticket, snap('x', 5))).toBe(true);
  });

  it('cancels and discards the older run when a newer one starts for the same document', () => {
    const ledger = new RunLedger();
    const older = ledger.begin('a', snap('x'));
    const newer = ledger.begin('a', snap('x'));
    expect(older.signal.cancelled).toBe(true);
    expect(ledger.accepts(older, snap('x'))).toBe(false);
    expect(ledger.accepts(newer, snap('x'))).toBe(true);
  });

  it('keeps runs of different documents independent', () => {
    const ledger = new RunLedger();
    const a = ledger.begin('a', snap('x'));
    ledger.begin('b', snap('y'));
    expect(a.signal.cancelled).toBe(false);
    expect(ledger.runningCount).toBe(2);
  });

  it('discards a run whose document is gone', () => {
    const ledger = new RunLedger();
    const ticket = ledger.begin('a', snap('x'));
    expect(ledger.accepts(ticket, null)).toBe(false);
  });

  it('cancel and cancelAll flag the signals the workers poll', () => {
    const ledger = new RunLedger();
    const a = ledger.begin('a', snap('x'));
    const b = ledger.begin('b', snap('y'));
    expect(ledger.cancel('a')).toBe(true);
    expect(a.signal.cancelled).toBe(true);
    expect(ledger.cancel('a')).toBe(false);
    expect(ledger.cancelAll()).toBe(1);
    expect(b.signal.cancelled).toBe(true);
    expect(ledger.runningCount).toBe(0);
  });

  it('end forgets only the run it is given', () => {
    const ledger = new RunLedger();
    const older = ledger.begin('a', snap('x'));
    const newer = ledger.begin('a', snap('x'));
    ledger.end(older);
    expect(ledger.isRunning('a')).toBe(true);
    ledger.end(newer);
    expect(ledger.isRunning('a')).toBe(false);
  });
});

describe('sameContent', () => {
  it('compares text, ignoring versions', () => {
    expect(sameContent(snap('abc', 1), snap('abc', null))).toBe(true);
    expect(sameContent(snap('abc', 1), snap('abd', 1))).toBe(false);
  });
});
