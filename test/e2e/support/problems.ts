/**
 * The Problems panel as a person reads it: every row, scrolled through (the list is virtualised and renders only
 * what fits), with the file, severity, message, source, code and position each row shows.
 */
import type { Workbench } from './workbench';

export type Severity = 'error' | 'warning' | 'info';

export interface Problem {
  file: string;
  severity: Severity;
  message: string;
  /** "VGNet", "json", … */
  source: string;
  code: string;
  line: number;
  column: number;
  /** Its related information rows as shown under it (text of each row: "/layers/3: … 2.1e-7", "deep.vgnet.json [Ln 12, Col 5]"). */
  related: string[];
}

/** One rendered row of the tree: a file (level 1), a problem (2) or its related information (3). */
interface RawRow {
  index: number;
  level: number;
  last: boolean;
  file: string;
  icon: string;
  message: string;
  source: string;
  code: string;
  position: string;
  /** The whole row's text (related information rows have no message element of their own). */
  whole: string;
}

/** Opens the Problems panel unless it is already showing. */
export async function showProblems(workbench: Workbench): Promise<void> {
  const panel = workbench.page.locator('.markers-panel');
  if ((await panel.count()) === 0 || !(await panel.first().isVisible())) {
    await workbench.dismissOverlays();
    await workbench.page.keyboard.press('Control+Shift+M');
  }
  await panel.first().waitFor({ state: 'visible', timeout: 10_000 });
  // Rendered: either the tree has rows or the panel says there is nothing.
  await workbench.waitFor(
    'the Problems panel to render',
    async () =>
      (await workbench.page.locator('.markers-panel .monaco-list-row').count()) > 0 ||
      (await workbench.page.locator('.markers-panel', { hasText: 'No problems have been detected' }).count()) > 0,
    10_000,
  );
}

export async function readProblems(workbench: Workbench): Promise<Problem[]> {
  await showProblems(workbench);
  const page = workbench.page;
  const list = page.locator('.markers-panel .monaco-list').first();
  if ((await page.locator('.markers-panel .monaco-list-row').count()) === 0) return [];
  const rows = new Map<number, RawRow>();
  const rendered = (): Promise<RawRow[]> => list.evaluate(renderedRows);
  await list.hover();
  let visible = await workbench.waitFor(
    'the Problems list scrolled to its top',
    async () => {
      const now = await rendered();
      if (now.some((row) => row.index === 0)) return now;
      await page.mouse.wheel(0, -600);
      return null;
    },
    10_000,
    50,
  );
  for (;;) {
    for (const row of visible) rows.set(row.index, row);
    if (visible.some((row) => row.last)) break;
    const lastSeen = Math.max(...visible.map((row) => row.index));
    await page.mouse.wheel(0, 300);
    visible = await workbench.waitFor(
      'the Problems list to scroll on',
      async () => {
        const now = await rendered();
        return Math.max(...now.map((row) => row.index)) > lastSeen ? now : null;
      },
      5_000,
      50,
    );
  }
  return toProblems([...rows.values()].sort((a, b) => a.index - b.index));
}

/**
 * The problems of one file once the panel has settled (two reads half a second apart agree): the panel redraws a
 * moment after the diagnostics change, and a check for an absence must not read the previous state.
 */
export async function problemsOf(workbench: Workbench, file: string): Promise<Problem[]> {
  let previous: string | null = null;
  return workbench.waitFor(
    `the problems of ${file} to settle`,
    async () => {
      const current = (await readProblems(workbench)).filter((p) => p.file === file);
      const key = JSON.stringify(current);
      const settled = key === previous;
      previous = key;
      return settled ? current : null;
    },
    15_000,
    500,
  );
}

/** Runs in the page: the rows the list has rendered right now. */
function renderedRows(list: Element): RawRow[] {
  const text = (row: Element, selector: string): string => row.querySelector(selector)?.textContent?.trim() ?? '';
  // Direct children of the rows container: the tree's sticky header repeats the file row elsewhere while scrolled.
  return Array.from(list.querySelectorAll('.monaco-list-rows > .monaco-list-row')).map((row) => ({
    index: Number(row.getAttribute('data-index')),
    level: Number(row.getAttribute('aria-level')),
    last: row.getAttribute('data-last-element') === 'true',
    file: text(row, '.label-name'),
    icon: row.querySelector('.marker-icon')?.className ?? '',
    message: text(row, '.marker-message'),
    source: text(row, '.marker-source'),
    code: text(row, '.marker-code'),
    position: text(row, '.marker-line'),
    whole: row.textContent?.replace(/\s+/g, ' ').trim() ?? '',
  }));
}

function toProblems(rows: RawRow[]): Problem[] {
  const problems: Problem[] = [];
  let file = '';
  for (const row of rows) {
    if (row.level === 1) file = row.file;
    if (row.level === 3 && problems.length > 0) problems[problems.length - 1]!.related.push(row.whole);
    if (row.level !== 2) continue;
    const position = /Ln (\d+), Col (\d+)/.exec(row.position);
    problems.push({
      file,
      severity: /\berror\b/.test(row.icon) ? 'error' : /\bwarning\b/.test(row.icon) ? 'warning' : 'info',
      message: row.message,
      source: row.source,
      code: row.code,
      line: position ? Number(position[1]) : 0,
      column: position ? Number(position[2]) : 0,
      related: [],
    });
  }
  return problems;
}
