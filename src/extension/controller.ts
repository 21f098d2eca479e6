/**
 * The analyses of every spec: the instant static one (synchronous, on the extension host) and the measured one
 * (training in the worker pool). Keeps each document's results, discards stale runs, and says when anything
 * changed. No UI here: progress and messages belong to the callers.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  analyze,
  analyzeRecorded,
  deadlineOf,
  verifyReportFixes,
  type AnalyzeOptions,
  type Report,
} from '../analysis/analyze';
import type { RecordedRun } from '../analysis/record';
import type { VerifyProgress } from '../analysis/verify';
import type { RunProgress } from '../analysis/measure';
import { RunCache } from '../analysis/cache';
import { isRecordUri, MAX_SPEC_CHARS, readsDataFiles } from './core/documents';
import { RunLedger, type Snapshot } from './core/freshness';
import { DocumentResults, type Analyzed, type DocumentView } from './core/results';
import { analyzeSnapshot, EMPTY_LOCATOR } from './core/snapshot';
import { poolSize, WorkerPool } from '../node/pool';
import type { ConfigStore } from './config';
import { currentSnapshot, displayName, openDocument, snapshotOf } from './documents';

export type MeasurePhase = 'training' | 'verifying';

export type MeasuredAnalysis =
  /** accepted: the measured findings are shown; note: why they were discarded otherwise. */
  { kind: 'done'; report: Report; accepted: boolean; note: string | null } | { kind: 'refused'; reason: string };

export class AnalysisController implements vscode.Disposable {
  private readonly results = new Map<string, DocumentResults>();
  private readonly ledger = new RunLedger();
  private readonly cache = new RunCache();
  private pool: WorkerPool | null = null;
  private poolBudgetMB = 0;
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly cancelledAll = new vscode.EventEmitter<void>();
  private readonly progressed = new vscode.EventEmitter<{ uri: vscode.Uri; progress: RunProgress }>();
  /** How far each document's fixes are verified, by the verification that says so (a newer one replaces it). */
  private readonly verifying = new Map<string, { by: object; progress: VerifyProgress }>();
  private readonly verifyProgressed = new vscode.EventEmitter<vscode.Uri>();
  /**
   * The verification of a document's fixes went on (verifyProgress): only its count changed, so diagnostics, inline
   * values and plots, which follow onDidChange, have nothing to redo.
   */
  readonly onDidVerifyProgress = this.verifyProgressed.event;
  /** Streams a measured run's partial statistics while it trains (throttled in the worker). */
  readonly onDidProgress = this.progressed.event;
  /** A document's results or its running state changed. */
  readonly onDidChange = this.changed.event;
  /** "Cancel Analysis" was run: long loops (the workspace scan) stop too. */
  readonly onDidCancelAll = this.cancelledAll.event;

  constructor(
    private readonly configs: ConfigStore,
    private readonly log: vscode.LogOutputChannel,
    private readonly workerScript: string,
  ) {}

  /** Re-runs the static analysis of the document as it is now (parse, validate, predict: milliseconds). */
  refreshStatic(document: vscode.TextDocument, notify = true): void {
    const start = performance.now();
    const analyzed = analyzeSnapshot(snapshotOf(document), this.configs.config.thresholds);
    this.resultsFor(document.uri).setStatic(analyzed);
    this.log.trace(
      `static ${displayName(document.uri)} v${document.version}: ${(performance.now() - start).toFixed(1)} ms`,
    );
    if (notify) this.changed.fire(document.uri);
  }

  /** What to show for an open document now (re-analysing statically first if its text changed since). */
  viewOf(document: vscode.TextDocument): DocumentView | null {
    const snapshot = snapshotOf(document);
    if (this.resultsFor(document.uri).staticFor(snapshot) === null) this.refreshStatic(document, false);
    return this.resultsFor(document.uri).view(snapshot);
  }

  /** What to show for a URI, open or not (a file analysed by the workspace scan). */
  viewOfUri(uri: vscode.Uri): DocumentView | null {
    // A record shown alone is not a spec, even when its JSON is open in an editor.
    if (isRecordUri(uri)) return this.results.get(uri.toString())?.latestView() ?? null;
    const document = openDocument(uri);
    if (document && !document.isClosed) return this.viewOf(document);
    return this.results.get(uri.toString())?.latestView() ?? null;
  }

  /** How far the fixes of the document's running analysis are verified; null while none are. */
  verifyProgress(uri: vscode.Uri): VerifyProgress | null {
    return this.verifying.get(uri.toString())?.progress ?? null;
  }

  /** The fixes of a measured report verified, their progress told through verifyProgress and onDidVerifyProgress. */
  private async verifyShowingProgress(
    uri: vscode.Uri,
    text: string,
    report: Report,
    options: AnalyzeOptions,
  ): Promise<Report> {
    const key = uri.toString();
    const by = {};
    try {
      return await verifyReportFixes(text, report, {
        ...options,
        onVerifyProgress: (progress) => {
          this.verifying.set(key, { by, progress });
          this.verifyProgressed.fire(uri);
        },
      });
    } finally {
      if (this.verifying.get(key)?.by === by) this.verifying.delete(key);
    }
  }

  isRunning(uri: vscode.Uri): boolean {
    return this.ledger.isRunning(uri.toString());
  }

  get runningCount(): number {
    return this.ledger.runningCount;
  }

  /**
   * Trains the spec in a worker, shows the measured findings, then verifies fixes and shows them too (the second
   * phase reuses the cached training run). Each result is kept only if the document still holds the analysed text
   * and no newer run of it started meanwhile. Never throws.
   */
  async measure(
    uri: vscode.Uri,
    snapshot: Snapshot,
    onPhase?: (phase: MeasurePhase) => void,
  ): Promise<MeasuredAnalysis> {
    const analyzed = this.staticOf(uri, snapshot);
    const refusal = this.refusal(uri, analyzed);
    if (refusal.reason !== null) return { kind: 'refused', reason: refusal.reason };
    const ticket = this.ledger.begin(uri.toString(), snapshot);
    this.changed.fire(uri);
    try {
      const config = this.configs.config;
      const options: AnalyzeOptions = {
        ...this.runOptions(refusal.folder, ticket.signal),
        onProgress: (progress) => this.progressed.fire({ uri, progress }),
      };
      onPhase?.('training');
      // The first seed's findings are shown as soon as it is measured; the report of every seed replaces them.
      let firstSeed = Promise.resolve<string | null>(null);
      const report = await analyze(snapshot.text, {
        ...options,
        from: analyzed.report,
        prefetchFixes: config.verifyFixes,
        onFirstSeed: (first) => {
          firstSeed = this.keepIfFresh(uri, ticket, first).then((dropped) => {
            if (dropped === null) {
              this.logRun(uri, 'first seed of', first, null);
              this.changed.fire(uri);
            }
            return dropped;
          });
        },
      });
      await firstSeed;
      const note = await this.keepIfFresh(uri, ticket, report);
      this.logRun(uri, 'measured', report, note);
      if (note !== null || !config.verifyFixes || !worthVerifying(report))
        return { kind: 'done', report, accepted: note === null, note };
      onPhase?.('verifying');
      this.changed.fire(uri);
      const verified = await this.verifyShowingProgress(uri, snapshot.text, report, options);
      // The measured findings stay shown even when their fixes' verification is discarded.
      this.logRun(uri, 'verified fixes of', verified, await this.keepIfFresh(uri, ticket, verified));
      return { kind: 'done', report: verified, accepted: true, note: null };
    } catch (err) {
      this.log.error(`measured analysis of ${displayName(uri)} failed: ${(err as Error).stack ?? String(err)}`);
      return { kind: 'refused', reason: `internal error: ${(err as Error).message}` };
    } finally {
      this.ledger.end(ticket);
      this.changed.fire(uri);
    }
  }

  /**
   * A run another engine recorded (a PyTorch record beside the spec, or one the user opened), shown as the spec's
   * measured analysis: its findings on the spec's layers, its curves in the plots panel beside VGNet's own run of
   * the same text (the compare view), and the fixes verified with VGNet's engine. Never throws.
   */
  async measureRecord(
    uri: vscode.Uri,
    snapshot: Snapshot,
    run: RecordedRun,
    recordFile: string,
    onPhase?: (phase: MeasurePhase) => void,
  ): Promise<MeasuredAnalysis> {
    const analyzed = this.staticOf(uri, snapshot);
    const refusal = this.refusal(uri, analyzed);
    if (refusal.reason !== null) return { kind: 'refused', reason: refusal.reason };
    const ticket = this.ledger.begin(uri.toString(), snapshot);
    this.changed.fire(uri);
    try {
      const config = this.configs.config;
      const options = this.runOptions(refusal.folder, ticket.signal);
      onPhase?.('training');
      // VGNet's own run of the text (usually cached from the last save): the other side of the compare view.
      const own = await analyze(snapshot.text, { ...options, from: analyzed.report });
      const report = await analyzeRecorded(run, snapshot.text, { ...options, recordFile, from: analyzed.report });
      report.reference = own.result;
      const note = await this.keepIfFresh(uri, ticket, report);
      this.logRun(uri, `recorded run (${run.engine}, ${path.basename(recordFile)}) of`, report, note);
      if (note !== null || report.status !== 'ok' || !config.verifyFixes || !worthVerifying(report))
        return {
          kind: 'done',
          report,
          accepted: note === null && report.status === 'ok',
          note: note ?? report.message,
        };
      onPhase?.('verifying');
      this.changed.fire(uri);
      const verified = await this.verifyShowingProgress(uri, snapshot.text, report, options);
      this.logRun(uri, 'verified fixes of', verified, await this.keepIfFresh(uri, ticket, verified));
      return { kind: 'done', report: verified, accepted: true, note: null };
    } catch (err) {
      this.log.error(`recorded analysis of ${displayName(uri)} failed: ${(err as Error).stack ?? String(err)}`);
      return { kind: 'refused', reason: `internal error: ${(err as Error).message}` };
    } finally {
      this.ledger.end(ticket);
      this.changed.fire(uri);
    }
  }

  /**
   * A record of a model without a spec (the Python recorder): diagnosed and kept under the record's own URI for the
   * plots panel; its findings name module paths, so there is no editor position to show them at.
   */
  async showRecordAlone(recordUri: vscode.Uri, run: RecordedRun): Promise<Report> {
    const report = await analyzeRecorded(run, null, {
      executor: this.workerPool().executor(''),
      thresholds: this.configs.config.thresholds,
      verifyFixes: false,
      recordFile: recordUri.fsPath,
    });
    const snapshot: Snapshot = { version: null, text: '' };
    this.resultsFor(recordUri).setMeasured({ snapshot, report, locator: EMPTY_LOCATOR });
    this.changed.fire(recordUri);
    return report;
  }

  /** What a measured run of a spec in `folder` takes: one deadline for training and verifying fixes together. */
  private runOptions(folder: string, signal: AnalyzeOptions['signal']): AnalyzeOptions {
    const config = this.configs.config;
    return {
      executor: this.workerPool().executor(folder),
      steps: config.steps,
      seeds: config.seeds,
      thresholds: config.thresholds,
      deadline: deadlineOf({ timeBudgetMs: config.timeBudgetSeconds * 1000 }),
      verifyFixes: false,
      ...(signal ? { signal } : {}),
      cache: this.cache,
    };
  }

  /** Cancels the runs of one document. */
  cancel(uri: vscode.Uri): boolean {
    const cancelled = this.ledger.cancel(uri.toString());
    if (cancelled) this.changed.fire(uri);
    return cancelled;
  }

  /** Cancels every run; returns how many were running. */
  cancelAll(): number {
    const count = this.ledger.cancelAll();
    this.cancelledAll.fire();
    return count;
  }

  /** Drops everything known about a document (closed unsaved, deleted, renamed away). */
  forget(uri: vscode.Uri): void {
    this.ledger.cancel(uri.toString());
    if (this.results.delete(uri.toString())) this.changed.fire(uri);
  }

  /** Documents with results, for re-analysis after a settings change. */
  knownUris(): vscode.Uri[] {
    return [...this.results.keys()].map((key) => vscode.Uri.parse(key));
  }

  dispose(): void {
    this.ledger.cancelAll();
    this.pool?.dispose();
    this.changed.dispose();
    this.cancelledAll.dispose();
    this.progressed.dispose();
    this.verifyProgressed.dispose();
  }

  private logRun(uri: vscode.Uri, what: string, report: Report, note: string | null): void {
    this.log.info(
      `${what} ${displayName(uri)}: ${report.status}, train ${ms(report.timing.trainMs)}, fixes ${ms(report.timing.verifyMs)}, ` +
        `total ${ms(report.timing.totalMs)}${note ? ` — discarded: ${note}` : ''}${report.message ? ` (${report.message})` : ''}`,
    );
  }

  private async keepIfFresh(
    uri: vscode.Uri,
    ticket: ReturnType<RunLedger['begin']>,
    report: Report,
  ): Promise<string | null> {
    if (report.status === 'cancelled' || ticket.signal.cancelled) return 'cancelled';
    const current = await currentSnapshot(uri);
    if (current === null) return 'the file no longer exists';
    if (!this.ledger.accepts(ticket, current)) return 'the file changed during the run';
    this.resultsFor(uri).setMeasured({ snapshot: ticket.snapshot, report, locator: report.spec ?? EMPTY_LOCATOR });
    return null;
  }

  /** Why a measured run may not start (and otherwise the folder data paths resolve against). */
  private refusal(
    uri: vscode.Uri,
    analyzed: Analyzed,
  ): { reason: string; folder: '' } | { reason: null; folder: string } {
    const snapshot = analyzed.snapshot;
    if (!vscode.workspace.isTrusted) {
      return {
        reason:
          'measured analysis is off in Restricted Mode (it trains the model and may read data files): trust the workspace to enable it',
        folder: '',
      };
    }
    if (snapshot.text.length > MAX_SPEC_CHARS)
      return { reason: `the file is larger than ${MAX_SPEC_CHARS / 1024} KB`, folder: '' };
    // Data files are read from the spec's own folder (src/node/files.ts keeps reads inside it), and only when that
    // folder lies in the workspace: nothing outside the workspace is ever read.
    const inWorkspace = uri.scheme === 'file' && vscode.workspace.getWorkspaceFolder(uri) !== undefined;
    if (inWorkspace) return { reason: null, folder: path.dirname(uri.fsPath) };
    if (analyzed.report.spec === null || readsDataFiles(analyzed.report.spec)) {
      return {
        reason:
          'this spec reads a data file, and VGNet reads data files only for specs inside an open workspace folder',
        folder: '',
      };
    }
    // Generated data: no file is read, the folder is never used.
    return { reason: null, folder: uri.scheme === 'file' ? path.dirname(uri.fsPath) : '' };
  }

  /** The static analysis of exactly this snapshot: the one kept for the document, or a new one (then kept). */
  private staticOf(uri: vscode.Uri, snapshot: Snapshot): Analyzed {
    const results = this.resultsFor(uri);
    const known = results.staticFor(snapshot);
    if (known !== null) return known;
    const analyzed = analyzeSnapshot(snapshot, this.configs.config.thresholds);
    results.setStatic(analyzed);
    return analyzed;
  }

  /** The pool, made anew when the memory budget setting changed and no other run uses it (heap limits derive from it). */
  private workerPool(): WorkerPool {
    const budgetMB = this.configs.config.memoryBudgetMB;
    if (this.pool !== null && this.poolBudgetMB !== budgetMB && this.ledger.runningCount <= 1) {
      this.pool.dispose();
      this.pool = null;
    }
    if (this.pool === null) {
      // One core stays with the editor (its renderer and this extension host) while the fixes train.
      this.pool = new WorkerPool(poolSize(os.availableParallelism(), 1), this.workerScript, undefined, budgetMB);
      this.poolBudgetMB = budgetMB;
    }
    return this.pool;
  }

  private resultsFor(uri: vscode.Uri): DocumentResults {
    const key = uri.toString();
    let results = this.results.get(key);
    if (!results) {
      results = new DocumentResults();
      this.results.set(key, results);
    }
    return results;
  }
}

/** Fixes are worth verifying for a run that found something (after a budget cut they are listed as unverified). */
function worthVerifying(report: Report): boolean {
  return report.status === 'ok' && report.findings.length > 0;
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
}
