/**
 * The `--json` record: a stable, documented format (docs/cli.md). NaN and ±Infinity become null (JSON has neither).
 */
import type { Report } from '../analysis/analyze';

export const RECORD_FORMAT = 'vgnet-record/1';

export function buildRecord(file: string, report: Report): unknown {
  const result = report.result;
  return {
    format: RECORD_FORMAT,
    spec: file,
    name: report.name,
    status: report.status,
    message: report.message,
    summary: report.summary,
    findings: report.findings,
    fixes: report.fixes,
    prediction: report.prediction,
    layers: result?.layers ?? [],
    recordedSteps: result?.recordedSteps ?? [],
    series: result?.series ?? [],
    loss: result?.loss ?? [],
    accuracy: result?.accuracy ?? [],
    stepsRun: result?.stepsRun ?? 0,
    stopped: result?.stopped ?? null,
    timing: report.timing,
  };
}
