/**
 * npm run bench:verdicts — VGNet's verdicts and preferred fixes against labels measured in PyTorch (issue 14).
 * On the held-out half of bench/labelled (the rules and thresholds were tuned on the calibration half only):
 *   - precision and recall per kind (a spec's kind labelled "ambiguous" counts neither way);
 *   - healthy false alarms: specs PyTorch finds healthy on which VGNet reports a problem;
 *   - verdict stability across seeds: verdicts on which VGNet's three seeds agree;
 *   - the repair rate: each problem spec's preferred fix (what `vgnet fix --apply` writes), exported and re-measured
 *     in PyTorch on three fresh seeds — repaired when every problem it had is gone, none is new, and the net trains
 *     (final loss below the unfixed spec's and below its own first loss).
 *   node dist/labelled-verdicts.js [--half calibration|held-out|all] [--family F] [--limit N] [--no-repair]
 *                                   [--json FILE]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, type Report } from '../../src/analysis/analyze';
import { RunCache } from '../../src/analysis/cache';
import { detectMeasured } from '../../src/analysis/detect';
import { applyTextEdits } from '../../src/analysis/fixes/edit';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/thresholds';
import { chooseFixes } from '../../src/cli/fix';
import { WorkerPool } from '../../src/node/pool';
import type { LabelledSpec } from './families';
import { HERE, KINDS, labelInPytorch, type Kind, type Label } from './pytorch';

interface Row {
  name: string;
  family: string;
  label: Label['label'];
  vgnet: Record<Kind, boolean>;
  /** Per kind: whether every seed of VGNet's agreed, and on how many seeds VGNet's rule held. */
  stable: Record<Kind, boolean>;
  held: Record<Kind, number>;
  fix: { id: string; title: string; text: string } | null;
  repaired?: { ok: boolean; why: string };
}

function option(name: string): string | null {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? null) : null;
}

/** Whether VGNet reports `kind` (a warning or an error: seed-dependent infos are not verdicts). */
function reported(report: Report, kind: Kind): boolean {
  return report.findings.some((f) => f.kind === kind && f.severity !== 'info');
}

function median(values: number[]): number {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * PyTorch's verdict on a fixed spec against the unfixed one's, both trained in the same labelling run on the same
 * fresh seeds. "Trains" is judged on the loss on the probe set in evaluation mode after training (as VGNet's fix judge
 * does: the training loss of a net with dropout is mostly the dropout's noise), where both runs have it.
 */
function repairOf(before: Label, after: Label | undefined): { ok: boolean; why: string } {
  if (!after) return { ok: false, why: 'the fixed spec could not be exported' };
  const was = KINDS.filter((k) => before.label[k] === 'yes');
  const left = was.filter((k) => after.label[k] !== 'no');
  if (left.length > 0) return { ok: false, why: `still ${left.map((k) => `${k} (${after.label[k]})`).join(', ')}` };
  const added = KINDS.filter((k) => after.label[k] === 'yes');
  if (added.length > 0) return { ok: false, why: `new: ${added.join(', ')}` };
  const probed = [before, after].every((l) => l.measured.every((m) => m.probeEndLoss !== undefined));
  const end = (l: Label): number =>
    median(l.measured.map((m) => (probed ? (m.probeEndLoss ?? NaN) : (m.endLoss ?? NaN))));
  const endAfter = end(after);
  const endBefore = end(before);
  const firstAfter = median(after.measured.map((m) => m.firstLoss ?? NaN));
  const which = probed ? 'probe loss' : 'final loss';
  if (!Number.isFinite(endAfter)) return { ok: false, why: 'the fixed net does not train (non-finite loss)' };
  if (Number.isFinite(endBefore) && endAfter >= endBefore)
    return {
      ok: false,
      why: `${which} ${endAfter.toPrecision(3)} is not below the unfixed ${endBefore.toPrecision(3)}`,
    };
  if (Number.isFinite(firstAfter) && endAfter >= firstAfter)
    return {
      ok: false,
      why: `${which} ${endAfter.toPrecision(3)} is not below its first ${firstAfter.toPrecision(3)}`,
    };
  return { ok: true, why: '' };
}

async function main(): Promise<void> {
  const half = option('--half') ?? 'held-out';
  const family = option('--family');
  const limit = Number(option('--limit') ?? Infinity);
  const specs = (JSON.parse(fs.readFileSync(path.join(HERE, 'specs.json'), 'utf8')) as LabelledSpec[])
    .filter((s) => half === 'all' || s.half === half)
    .filter((s) => family === null || s.family === family)
    .slice(0, limit);
  const labels = JSON.parse(fs.readFileSync(path.join(HERE, 'labels.json'), 'utf8')) as Record<string, Label>;
  const pool = new WorkerPool();
  const rows: Row[] = [];
  const started = Date.now();
  try {
    for (const [n, s] of specs.entries()) {
      const label = labels[s.name];
      if (!label) throw new Error(`${s.name} has no label: run npm run bench:labels -- --missing`);
      const text = `${JSON.stringify(s.spec, null, 2)}\n`;
      const report = await analyze(text, {
        executor: pool.executor(HERE),
        cache: new RunCache(),
        timeBudgetMs: 120_000,
        verifyFixes: !process.argv.includes('--no-repair'),
      });
      const vgnet = Object.fromEntries(KINDS.map((k) => [k, reported(report, k)])) as Record<Kind, boolean>;
      const loss = report.trainedConfig?.loss ?? null;
      const perSeed = report.seedRuns.map((r) => detectMeasured(r.result, DEFAULT_THRESHOLDS, loss));
      const stable = Object.fromEntries(
        KINDS.map((k) => {
          const votes = perSeed.map((fs2) => fs2.some((f) => f.kind === k));
          return [k, votes.every((v) => v === votes[0])];
        }),
      ) as Record<Kind, boolean>;
      const held = Object.fromEntries(
        KINDS.map((k) => [k, perSeed.filter((fs2) => fs2.some((f) => f.kind === k)).length]),
      ) as Record<Kind, number>;
      const chosen = chooseFixes(report)[0];
      const fix = chosen ? { id: chosen.id, title: chosen.title, text: applyTextEdits(text, [chosen.edit]) } : null;
      rows.push({ name: s.name, family: s.family, label: label.label, vgnet, stable, held, fix });
      if ((n + 1) % 25 === 0) console.error(`analysed ${n + 1} of ${specs.length}`);
    }
  } finally {
    pool.dispose();
  }
  const analysedMs = Date.now() - started;
  const problemRows = rows.filter((r) => KINDS.some((k) => r.label[k] === 'yes'));
  if (!process.argv.includes('--no-repair')) {
    // The unfixed specs are trained again beside the fixed ones: the committed labels predate the probe loss.
    const texts = new Map(specs.map((s) => [s.name, `${JSON.stringify(s.spec, null, 2)}\n`]));
    const runs = await labelInPytorch(
      problemRows.flatMap((r) =>
        r.fix
          ? [
              { name: r.name, text: r.fix.text },
              { name: `${r.name}~unfixed`, text: texts.get(r.name)! },
            ]
          : [],
      ),
      () => undefined,
    );
    for (const r of problemRows)
      r.repaired = r.fix
        ? repairOf(runs[`${r.name}~unfixed`] ?? labels[r.name]!, runs[r.name])
        : { ok: false, why: 'no fix was verified' };
  }
  print(rows, problemRows, half, analysedMs);
  const json = option('--json');
  if (json) fs.writeFileSync(json, `${JSON.stringify(rows, null, 1)}\n`);
}

function print(rows: Row[], problems: Row[], half: string, ms: number): void {
  console.log(`VGNet verdicts vs PyTorch labels — ${half} half: ${rows.length} specs (${(ms / 1000).toFixed(0)} s)`);
  console.log('kind               P      R      TP  FP  FN  ambiguous');
  for (const k of KINDS) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let amb = 0;
    for (const r of rows) {
      if (r.label[k] === 'ambiguous') {
        amb++;
        continue;
      }
      const yes = r.label[k] === 'yes';
      if (yes && r.vgnet[k]) tp++;
      else if (!yes && r.vgnet[k]) fp++;
      else if (yes) fn++;
    }
    const p = tp + fp === 0 ? NaN : tp / (tp + fp);
    const rc = tp + fn === 0 ? NaN : tp / (tp + fn);
    console.log(
      `${k.padEnd(18)} ${p.toFixed(3).padStart(5)}  ${rc.toFixed(3).padStart(5)}  ${String(tp).padStart(3)} ${String(fp).padStart(3)} ${String(fn).padStart(3)}  ${amb}`,
    );
    for (const r of rows) {
      if (r.label[k] === 'ambiguous') continue;
      const yes = r.label[k] === 'yes';
      if (yes !== r.vgnet[k]) console.log(`    ${yes ? 'missed' : 'false '} ${r.name}`);
    }
  }
  const healthy = rows.filter((r) => KINDS.every((k) => r.label[k] === 'no'));
  const alarms = healthy.filter((r) => KINDS.some((k) => r.vgnet[k]));
  console.log(
    `healthy false alarms: ${alarms.length} of ${healthy.length}${alarms.length ? ` (${alarms.map((r) => r.name).join(', ')})` : ''}`,
  );
  const verdicts = rows.length * KINDS.length;
  const stable = rows.reduce((n, r) => n + KINDS.filter((k) => r.stable[k]).length, 0);
  const stableSpecs = rows.filter((r) => KINDS.every((k) => r.stable[k])).length;
  console.log(
    `stable across VGNet's 3 seeds: ${stable} of ${verdicts} verdicts (${((100 * stable) / verdicts).toFixed(1)}%), ` +
      `${stableSpecs} of ${rows.length} specs with every kind stable`,
  );
  if (problems.some((r) => r.repaired)) {
    const ok = problems.filter((r) => r.repaired?.ok).length;
    const noFix = problems.filter((r) => !r.fix).length;
    console.log(
      `preferred fix repaired in PyTorch: ${ok} of ${problems.length} problem specs (${((100 * ok) / problems.length).toFixed(1)}%); ${noFix} got no fix`,
    );
    for (const r of problems)
      if (!r.repaired?.ok) console.log(`    ${r.name}: ${r.fix ? `${r.fix.id} — ` : ''}${r.repaired?.why ?? ''}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
