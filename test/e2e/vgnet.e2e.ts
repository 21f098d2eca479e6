/**
 * VGNet in a real VS Code workbench (code-server + Chromium) with the packaged .vsix installed and a copy of the
 * examples as the workspace. The scenarios share one server and browser and run in order; each saves screenshots
 * to test/e2e/artifacts/, and a failing one also saves the server's logs there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { artifactsDir, EXAMPLES_DIR, loadToolPaths, vsixPath } from './support/env';
import { expectReluFixApplied, layerNumberOf, legendPointers, reluPromiseOf } from './support/expectations';
import { problemsOf, showProblems } from './support/problems';
import { groupCpuRate } from './support/processes';
import { VsCodeServer } from './support/server';
import { positionOf, readSpec } from './support/specs';
import { analyze, finishedRuns, logLines, verifiedRuns, waitForMeasured } from './support/vgnet';
import { Workbench } from './support/workbench';

const SIGMOID = 'deep-sigmoid.vgnet.json';
const RELU_HE = 'deep-relu-he.vgnet.json';
const DEEP_30 = 'deep-sigmoid-30.vgnet.json';
const HEALTHY = [RELU_HE, 'csv-wine.vgnet.json', 'batchnorm-rescue.vgnet.json', 'residual-rescue.vgnet.json'];
/** Issue 15's layers: a recurrent spec whose gradient vanishes through time, and a deep conv stack without rescue. */
const RNN = 'rnn-adding-vanishing.vgnet.json';
const CNN = 'deep-plain-cnn.vgnet.json';
const RECURRENT_TYPES = ['simple_rnn', 'lstm', 'gru'];
const CONV_TYPES = ['conv1d', 'conv2d'];
/** The deep sigmoid spec trained for 100,000 steps (minutes of work): the run scenario 6 cancels. */
const LONG_RUN = 'long-run.vgnet.json';

const artifacts = artifactsDir();
let server: VsCodeServer;
let workbench: Workbench;

beforeAll(async () => {
  prepareArtifacts();
  const tools = loadToolPaths();
  server = await VsCodeServer.start({
    tools,
    vsix: vsixPath(),
    examples: EXAMPLES_DIR,
    files: { [LONG_RUN]: longRunSpec() },
  });
  workbench = await Workbench.open(server, tools, artifacts);
});

afterAll(async () => {
  await workbench?.close().catch(() => undefined);
  await server?.stop();
});

/** A scenario: on failure, a screenshot and the server's logs go to the artifacts folder. */
function scenario(name: string, body: () => Promise<void>): void {
  it(name, async () => {
    onTestFailed(async () => {
      const slug = name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .slice(0, 60);
      await workbench?.shot(`FAILED-${slug}`).catch(() => undefined);
      if (server) writeFileSync(join(artifacts, `FAILED-${slug}.server.log`), server.collectLogs());
    });
    await body();
    await workbench.dismissOverlays();
  });
}

function workspaceText(file: string): string {
  return readFileSync(join(server.workspace, file), 'utf8');
}

scenario(
  '1. deep sigmoid: one warning on the first vanishing layer, the others as related locations with their numbers',
  async () => {
    const spec = readSpec(workspaceText(SIGMOID));
    const status = await analyze(workbench, server, SIGMOID);
    await workbench.activeEditor().locator('.squiggly-warning').first().waitFor({ timeout: 10_000 });
    const warnings = (await problemsOf(workbench, SIGMOID)).filter((p) => p.severity === 'warning');
    await workbench.shot('deep-sigmoid-warnings');

    // One problem, one diagnostic (issue 14): the vanishing gradient is a single warning on the first layer.
    const vanishing = warnings.filter((p) => /vanishing/.test(p.message));
    expect(vanishing.length, `vanishing warnings ${JSON.stringify(warnings)}`).toBe(1);
    const problem = vanishing[0]!;
    const { pointer, value, threshold } = layerNumberOf(problem);
    const first = spec.layers[0]!;
    expect(pointer).toBe(first.pointer);
    expect(problem.line, 'the warning sits on the first layer').toBe(first.line);
    expect(value, `${pointer}: its number is past the threshold it names`).toBeLessThan(threshold);
    const count = Number(/Gradient vanishes in (\d+) layers/.exec(problem.message)?.[1]);
    expect(count, problem.message).toBeGreaterThanOrEqual(5);

    // The other affected layers are its related locations, each with its own number, a contiguous run after
    // /layers/0 (sigmoid' <= 1/4 shrinks the gradient towards the input); the output layer is the reference.
    const relatedLayers = problem.related
      .map((row) => /(\/layers\/(\d+)): .*? (\d(?:\.\d+)?e-\d+|0)\b/.exec(row))
      .filter((m): m is RegExpExecArray => m !== null);
    const indices = relatedLayers.map((m) => Number(m[2]));
    expect(indices.length, `related rows ${JSON.stringify(problem.related)}`).toBeGreaterThanOrEqual(
      Math.min(count - 1, 4),
    );
    expect(indices, 'a contiguous run from /layers/1').toEqual(indices.map((_, i) => i + 1));
    for (const m of relatedLayers) expect(Number(m[3]), `${m[1]}'s number`).toBeLessThan(threshold);
    expect(indices).not.toContain(spec.layers.length - 2);
    const output = spec.layers[spec.layers.length - 1]!;
    expect(
      warnings.filter((p) => p.line === output.line),
      'warnings on the output layer',
    ).toEqual([]);
    expect(status).toContain(`${count} layers vanishing`);
  },
);

scenario('5. the healthy examples produce no warnings', async () => {
  for (const file of HEALTHY) {
    const status = await analyze(workbench, server, file);
    const problems = await problemsOf(workbench, file);
    await workbench.shot(`healthy-${file.replace('.vgnet.json', '')}`);
    expect(
      problems.filter((p) => p.severity !== 'info'),
      `${file} (status "${status}")`,
    ).toEqual([]);
    expect(status, file).not.toMatch(/vanishing|exploding|diverged/);
  }
});

scenario(
  '4. "VGNet: Show Gradient Plots" draws charts whose legend names the layers, and follows the active spec',
  async () => {
    await analyze(workbench, server, SIGMOID);
    await workbench.runCommand('VGNet: Show Gradient Plots');
    const frame = await workbench.webviewFrame('.layer-legend .legend-row');
    for (const file of [SIGMOID, RELU_HE]) {
      const spec = readSpec(workspaceText(file));
      if (file !== SIGMOID) await analyze(workbench, server, file);
      const shown = await workbench.waitFor(
        `the plots of ${spec.name}`,
        async () => {
          const title = await frame.locator('.panel-header h1').innerText();
          const pointers = legendPointers(await frame.locator('.layer-legend .legend-row').allInnerTexts());
          return title === spec.name && pointers.length === spec.layers.length ? pointers : null;
        },
        30_000,
        250,
      );
      expect(shown).toEqual(spec.layers.map((layer) => layer.pointer));
      const canvases = await frame.evaluate(
        () => Array.from(document.querySelectorAll('canvas')).filter((c) => c.width > 0 && c.height > 0).length,
      );
      expect(canvases, 'charts drawn on canvases').toBeGreaterThanOrEqual(3);
      await workbench.shot(`plots-${spec.name}`);
    }
  },
);

scenario(
  '2. the preferred quick fix edits the file as its title promises, keeps the comments, and the warnings go',
  async () => {
    const file = join(server.workspace, SIGMOID);
    const before = readFileSync(file, 'utf8');
    await analyze(workbench, server, SIGMOID);
    // On the first layer's activation, where its vanishing warning sits.
    const at = positionOf(before, '"sigmoid"');
    const actions = workbench.page.locator('.action-widget .monaco-list-row.action');
    // Ctrl+. asks the providers once; a request that lands while the editor is still settling after Go to Line can
    // come back empty (seen once in ~20 runs), so the menu is asked for again, as a user would.
    for (let attempt = 1; ; attempt++) {
      await workbench.goTo(at.line, at.column + 1);
      await workbench.page.keyboard.press('Control+Period');
      try {
        await actions.first().waitFor({ timeout: 5_000 });
        break;
      } catch (err) {
        if (attempt === 3) throw err;
        await workbench.dismissOverlays();
      }
    }
    const titles = await workbench.page.locator('.action-widget .monaco-list-row.action .title').allInnerTexts();
    await workbench.shot('quick-fix-menu');
    const promise = reluPromiseOf(titles[0] ?? '');
    await workbench.dismissOverlays();

    // "Auto Fix" applies the preferred quick fix of the diagnostic under the cursor.
    await workbench.page.keyboard.press('Shift+Alt+Period');
    await workbench.page.locator('.tabs-container .tab.active.dirty').waitFor({ timeout: 10_000 });
    const runsBefore = finishedRuns(server, SIGMOID);
    await workbench.save();
    expectReluFixApplied(before, readFileSync(file, 'utf8'), promise);

    const status = await waitForMeasured(workbench, server, SIGMOID, runsBefore);
    const vanishing = (await problemsOf(workbench, SIGMOID)).filter(
      (p) => p.severity !== 'info' && /vanishing/.test(p.message),
    );
    await workbench.shot('after-quick-fix');
    expect(vanishing).toEqual([]);
    expect(status).not.toMatch(/vanishing/);
  },
);

scenario(
  '3. a syntax error is an error diagnostic at its position; fixing it clears it and VGNet keeps working',
  async () => {
    const name = 'batchnorm-rescue.vgnet.json';
    const original = workspaceText(name);
    await workbench.openFile(name);
    const at = positionOf(original, '"loss"');
    await workbench.goTo(at.line, at.column);
    await workbench.page.keyboard.type('@');
    await workbench.dismissOverlays();
    // VGNet's own error (VS Code's JSON support reports the same spot under the source "jsonc").
    const errors = await workbench.waitFor(
      'a VGNet error in the Problems panel',
      async () => {
        const found = (await problemsOf(workbench, name)).filter((p) => p.severity === 'error' && p.source === 'VGNet');
        return found.length > 0 ? found : null;
      },
      15_000,
      250,
    );
    await workbench.activeEditor().locator('.squiggly-error').first().waitFor({ timeout: 10_000 });
    await workbench.shot('syntax-error');
    expect(
      errors.map((p) => [p.line, p.column]),
      'error position',
    ).toContainEqual([at.line, at.column]);
    expect(await workbench.vgnetStatus()).toMatch(/spec error/);

    await workbench.page.keyboard.press('Backspace');
    await workbench.waitFor(
      'the error to clear',
      async () => {
        const left = (await problemsOf(workbench, name)).filter((p) => p.severity === 'error');
        return left.length === 0;
      },
      15_000,
      250,
    );
    expect(await workbench.activeEditor().locator('.squiggly-error').count()).toBe(0);
    // Still working: a measured analysis of the repaired text finishes with a verdict.
    const runsBefore = finishedRuns(server, name);
    await workbench.runCommand('VGNet: Analyze Current Model');
    const status = await waitForMeasured(workbench, server, name, runsBefore);
    await workbench.save();
    await workbench.shot('syntax-error-fixed');
    expect(status).not.toMatch(/error/);
    expect(workspaceText(name)).toBe(original);
  },
);

scenario('6. cancelling a long analysis from its progress notification stops it', async () => {
  const name = LONG_RUN;
  await workbench.openFile(name);
  await workbench.runCommand('VGNet: Analyze Current Model');
  const toast = workbench.page.locator('.notification-toast', { hasText: `VGNet: analysing ${name}` });
  await toast.waitFor({ timeout: 15_000 });
  await workbench.waitForStatus(/analysing/, 15_000);
  const busy = await groupCpuRate(server.pid, 2_000);
  await workbench.shot('long-run-progress');

  const cancelledAt = Date.now();
  await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
  await toast.waitFor({ state: 'detached', timeout: 10_000 });
  await workbench.waitFor(
    'the status bar to leave "analysing"',
    async () => !/analysing/.test(await workbench.vgnetStatus()),
    10_000,
  );
  await workbench.waitFor(
    'the VGNet log to record the cancelled run',
    async () => new RegExp(`measured ${name.replace('.', '\\.')}: cancelled`).test(server.vgnetLog()),
    10_000,
    250,
  );
  const stoppedMs = Date.now() - cancelledAt;
  const idle = await groupCpuRate(server.pid, 3_000);
  await workbench.shot('long-run-cancelled');
  // 100,000 steps take minutes; the training thread must really stop, not only the progress UI.
  const cpu = `CPU use in cores: ${busy.toFixed(2)} while training, ${idle.toFixed(2)} after Cancel`;
  expect(busy, cpu).toBeGreaterThan(0.1);
  expect(idle, cpu).toBeLessThan(busy / 3);
  console.info(`Cancel: the run stopped ${stoppedMs} ms after the click; ${cpu}`);
  expect(stoppedMs).toBeLessThan(10_000);
});

scenario(
  "7. latency as a user sees it on the 30-layer example (printed, not asserted: timing is the benchmark's job)",
  async () => {
    const name = DEEP_30;
    const original = workspaceText(name);
    await analyze(workbench, server, name);
    await showProblems(workbench);
    const at = positionOf(original, '"sigmoid"');
    const panel = workbench.page.locator('.markers-panel').first();
    const samples: string[] = [];
    /** The verification counts the status bar showed, over every edit. */
    const progress = new Set<string>();
    // Each edit gives the first layer another activation (a text not analysed before: no cached run), then saves.
    let current = 'sigmoid';
    for (const next of ['tanh', 'elu', 'softplus', 'swish']) {
      await selectWord(at, current);
      // The panel must be at rest first (the last run's diagnostics may still be redrawing), or its redraw would be
      // taken for this edit's.
      let previous = '';
      let steady = 0;
      const before = await workbench.waitFor(
        'the Problems panel to settle',
        async () => {
          const now = await panel.innerText();
          steady = now === previous ? steady + 1 : 0;
          previous = now;
          return steady >= 3 ? now : null;
        },
        15_000,
        100,
      );
      await workbench.page.keyboard.type(next);
      current = next;
      const typed = Date.now();
      // Static diagnostics of the new text: the panel's last change before it rests for a second. (Other changes
      // come first — VS Code's own JSON validation, VGNet hiding the measured findings of the old text — so the
      // first change is not the predictions.)
      let shown = before;
      let changedAt = 0;
      await workbench.waitFor(
        'the static diagnostics of the edit',
        async () => {
          const now = await panel.innerText();
          if (now !== shown) {
            shown = now;
            changedAt = Date.now();
          }
          return (
            changedAt > 0 &&
            Date.now() - changedAt > 1000 &&
            (await workbench.page.locator('.markers-panel .codicon-error').count()) === 0
          );
        },
        15_000,
        10,
      );
      const staticMs = changedAt - typed;

      const verifiedBefore = verifiedRuns(server, name);
      const saved = Date.now();
      await workbench.page.keyboard.press('Control+S');
      // The status bar says "analysing…" while the engine trains, then "<verdict> · verifying fixes…" once the
      // measured diagnostics are published.
      let training = false;
      await workbench.waitFor(
        'the measured diagnostics',
        async () => {
          const status = await workbench.vgnetStatus();
          if (/analysing/.test(status)) training = true;
          return training && !/analysing/.test(status);
        },
        30_000,
        10,
      );
      const measuredMs = Date.now() - saved;
      // The first seed's findings come first ("(first seed) · measuring 2 more seeds…"); then every seed's.
      await workbench.waitFor(
        'the measured diagnostics of every seed',
        async () => !/measuring \d+ more seed/.test(await workbench.vgnetStatus()),
        30_000,
        10,
      );
      const allSeedsMs = Date.now() - saved;
      // Meanwhile the status bar counts the candidates: "· verifying fixes (3/7 tried, 2 confirming)…".
      let statusReadAt = 0;
      await workbench.waitFor(
        'the verified fixes',
        async () => {
          // Read now and then: querying the page takes CPU the verification's workers share on two cores.
          if (Date.now() - statusReadAt >= 250) {
            statusReadAt = Date.now();
            const counted = /verifying fixes \((\d+)\/(\d+) tried/.exec(await workbench.vgnetStatus());
            if (counted) progress.add(`${counted[1]}/${counted[2]}`);
          }
          return verifiedRuns(server, name) > verifiedBefore;
        },
        60_000,
        10,
      );
      const verifiedMs = Date.now() - saved;
      const engine = (logLines(server, `measured ${name}`).pop() ?? '').match(/train ([\d.]+ m?s)/)?.[1] ?? '?';
      const firstEngine =
        (logLines(server, `first seed of ${name}`).pop() ?? '').match(/train ([\d.]+ m?s)/)?.[1] ?? '?';
      samples.push(
        `${next}: keystroke → static diagnostics ${staticMs} ms, save → measured diagnostics (first seed) ` +
          `${measuredMs} ms (training ${firstEngine}), every seed ${allSeedsMs} ms (training ${engine}), ` +
          `save → verified fixes ${verifiedMs} ms`,
      );
      expect(measuredMs).toBeLessThanOrEqual(allSeedsMs);
      expect(allSeedsMs).toBeLessThanOrEqual(verifiedMs);
    }
    await workbench.shot('latency-deep-sigmoid-30');
    // The counts were seen (several: they advance as runs end).
    expect(progress.size).toBeGreaterThan(1);
    console.info(
      `Latency on ${name} (${readSpec(original).layers.length} layers), one line per edit:\n  ${samples.join('\n  ')}`,
    );
    await selectWord(at, current);
    await workbench.page.keyboard.type('sigmoid');
    await workbench.save();
    expect(workspaceText(name)).toBe(original);
  },
);

scenario(
  '8. "VGNet: Export to PyTorch" writes the program; its run\'s record beside the spec puts PyTorch\'s findings on it',
  async () => {
    // deep-sigmoid itself was fixed by scenario 2; the 30-layer one still vanishes.
    await analyze(workbench, server, DEEP_30);
    await workbench.runCommand('VGNet: Export to PyTorch');
    const program = join(server.workspace, 'deep_sigmoid_30.py');
    await workbench.waitFor('the exported program', async () => existsSync(program), 30_000, 200);
    expect(readFileSync(program, 'utf8')).toMatch(/class Model\(nn\.Module\)/);
    expect(existsSync(join(server.workspace, 'deep_sigmoid_30.data.bin'))).toBe(true);
    await workbench.shot('export-pytorch');
    await workbench.dismissOverlays();
    // The exported program's own run (PyTorch, as a user runs it) writes its record beside the spec; without torch
    // on this machine, VGNet's own record stands in, marked as another engine's.
    const record = join(server.workspace, 'deep_sigmoid_30.vgnet-record.json');
    const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
    if (torch) {
      const run = spawnSync('/usr/bin/python3', [program, '--steps', '120', '--record', record], {
        encoding: 'utf8',
        env: { ...process.env, OMP_NUM_THREADS: '1' },
      });
      expect(run.status, run.stderr).toBe(0);
    } else {
      const own = spawnSync(
        process.execPath,
        [vgnetCli(), 'analyze', join(server.workspace, DEEP_30), '--json', '--no-fixes', '--steps', '120'],
        {
          encoding: 'utf8',
        },
      );
      const stand = JSON.parse(own.stdout) as Record<string, unknown>;
      writeFileSync(record, JSON.stringify({ ...stand, engine: 'pytorch (stand-in)', spec: DEEP_30 }));
    }
    const engine = torch ? /\(pytorch [^)]+ run\)/ : /\(pytorch \(stand-in\) run\)/;
    const marked = await workbench.waitFor(
      "the recorded run's findings on the spec",
      async () => {
        const found = (await problemsOf(workbench, DEEP_30)).filter((p) => engine.test(p.message));
        return found.length > 0 ? found : null;
      },
      60_000,
      500,
    );
    expect(marked.some((p) => /vanishing/.test(p.message))).toBe(true);
    await workbench.runCommand('VGNet: Show Gradient Plots');
    const frame = await workbench.webviewFrame('.compare');
    await frame
      .locator('.compare-controls', { hasText: /vs VGNet's engine, the same spec/ })
      .first()
      .waitFor({ timeout: 20_000 });
    await workbench.shot('pytorch-record-compare');
    rmSync(record, { force: true });
  },
);

scenario(
  '9. a recurrent spec: the vanishing-through-time warning sits on its recurrent layer, the hover gives ‖∂L/∂h_t‖, the plots draw the through-time card',
  async () => {
    const text = workspaceText(RNN);
    const spec = readSpec(text);
    const rnn = spec.layers.find((layer) => RECURRENT_TYPES.includes(String(layer.value.type)));
    if (!rnn) throw new Error(`${RNN} has no recurrent layer`);
    await analyze(workbench, server, RNN);
    const warnings = (await problemsOf(workbench, RNN)).filter((p) => p.severity === 'warning');
    await workbench.shot('rnn-warnings');
    const throughTime = warnings.filter((p) => /vanish/.test(p.message) && /through time/.test(p.message));
    expect(throughTime.length, `through-time warnings ${JSON.stringify(warnings)}`).toBe(1);
    const problem = throughTime[0]!;
    expect(problem.message).toContain(rnn.pointer);
    expect(problem.line, `the warning sits on ${rnn.pointer}`).toBeGreaterThanOrEqual(rnn.line);
    expect(problem.line, `the warning sits on ${rnn.pointer}`).toBeLessThanOrEqual(rnn.lastLine);
    // Its own number (‖∂L/∂h_0‖ over the last step's) is past the threshold it states.
    const { pointer, value, threshold } = layerNumberOf(problem);
    expect(pointer).toBe(rnn.pointer);
    expect(value, problem.message).toBeLessThan(threshold);

    // The hover on the layer's type: the gradient at the first, middle and last time step of the measured run.
    const type = positionOf(text, `"${String(rnn.value.type)}"`);
    await workbench.goTo(type.line, type.column + 1);
    await workbench.page.keyboard.press('Control+K');
    await workbench.page.keyboard.press('Control+I');
    // The diagnostic's part of the hover comes first; VGNet's layer hover arrives after it. A string hasText is
    // case-insensitive and would match "vanishing gradient through time" of the diagnostic: wait for the section.
    const hover = workbench.page.locator('.monaco-hover:visible', { hasText: /Through time · \d+ time steps/ }).first();
    await hover.waitFor({ timeout: 10_000 });
    const hoverText = await hover.innerText();
    await workbench.shot('rnn-hover');
    expect(hoverText).toContain(rnn.pointer);
    expect(hoverText).toMatch(/t = 0 \(first\)/);
    expect(hoverText).toMatch(/first ÷ last time step/);
    await workbench.dismissOverlays();

    // The plots: one through-time card for the layer, a curve per training step named in its legend, early to late.
    await workbench.runCommand('VGNet: Show Gradient Plots');
    const card = `section.card[aria-label="Gradient through time · ${rnn.pointer}"]`;
    const frame = await workbench.webviewFrame(card);
    await workbench.waitFor(
      `the plots of ${spec.name}`,
      async () => (await frame.locator('.panel-header h1').innerText()) === spec.name,
      30_000,
      250,
    );
    const chips = await frame.locator(`${card} .step-legend .step-chip`).allInnerTexts();
    const steps = chips.map((chip) => Number(/^step (\d+)$/.exec(chip.trim())?.[1]));
    const training = spec.rest.training as { steps?: number } | undefined;
    expect(steps.length, `legend ${JSON.stringify(chips)}`).toBeGreaterThanOrEqual(2);
    expect(steps[0]).toBe(0);
    expect(steps, 'training steps early to late').toEqual([...steps].sort((a, b) => a - b));
    if (training?.steps) expect(steps[steps.length - 1]).toBeLessThanOrEqual(training.steps);
    const drawn = await frame
      .locator(card)
      .evaluate((el) => Array.from(el.querySelectorAll('canvas')).filter((c) => c.width > 0 && c.height > 0).length);
    expect(drawn, 'the chart drawn on a canvas').toBeGreaterThanOrEqual(1);
    await frame.locator(card).evaluate((el) => el.scrollIntoView());
    await workbench.shot('rnn-through-time-card');
  },
);

scenario(
  '10. a deep plain CNN: the warning sits on the conv layer it names; the plots put the conv layers on the charts with their dead filters',
  async () => {
    const text = workspaceText(CNN);
    const spec = readSpec(text);
    const convs = spec.layers.filter((layer) => CONV_TYPES.includes(String(layer.value.type)));
    expect(convs.length, `conv layers of ${CNN}`).toBeGreaterThanOrEqual(2);
    await analyze(workbench, server, CNN);
    const warnings = (await problemsOf(workbench, CNN)).filter((p) => p.severity === 'warning');
    await workbench.shot('cnn-warnings');
    expect(warnings.length, `warnings of ${CNN}`).toBeGreaterThanOrEqual(1);
    // Each warning sits on the layer it names, and the first of them on a conv layer.
    for (const problem of warnings) {
      const named = /(\/layers\/\d+)/.exec(problem.message)?.[1];
      const layer = spec.layers.find((l) => l.pointer === named);
      if (!layer) continue; // a model-wide warning (learning rate) sits on the optimizer
      expect(problem.line, `${problem.message}: on ${layer.pointer}`).toBeGreaterThanOrEqual(layer.line);
      expect(problem.line, `${problem.message}: on ${layer.pointer}`).toBeLessThanOrEqual(layer.lastLine);
    }
    const onConv = warnings.filter((p) => convs.some((c) => p.line >= c.line && p.line <= c.lastLine));
    expect(onConv.length, `warnings on conv layers ${JSON.stringify(warnings)}`).toBeGreaterThanOrEqual(1);

    await workbench.runCommand('VGNet: Show Gradient Plots');
    const frame = await workbench.webviewFrame('.layer-legend .legend-row');
    const pointers = await workbench.waitFor(
      `the plots of ${spec.name}`,
      async () => {
        const title = await frame.locator('.panel-header h1').innerText();
        return title === spec.name
          ? legendPointers(await frame.locator('.layer-legend .legend-row').allInnerTexts())
          : null;
      },
      30_000,
      250,
    );
    // Every conv layer has weights: it is a line of the gradient-over-training chart (and a point of the depth one).
    for (const conv of convs) expect(pointers, 'conv layers in the legend').toContain(conv.pointer);
    const relu = convs.filter((c) => /relu/.test(String(c.value.activation ?? '')));
    if (relu.length > 0) {
      const card = frame.locator('section.card[aria-label="Dead filters over training"]');
      await card.waitFor({ timeout: 10_000 });
      const strips = await card.locator('.dead-strip .strip-label code').allInnerTexts();
      expect(strips).toEqual(relu.map((c) => c.pointer));
      await card.evaluate((el) => el.scrollIntoView());
    }
    await workbench.shot('cnn-plots');
  },
);

function vgnetCli(): string {
  return join(__dirname, '../../dist/cli.js');
}

/** Selects `word`, which starts one column after `at` (inside its quotes). */
async function selectWord(at: { line: number; column: number }, word: string): Promise<void> {
  await workbench.goTo(at.line, at.column + 1);
  for (let i = 0; i < word.length; i++) await workbench.page.keyboard.press('Shift+ArrowRight');
}

function longRunSpec(): string {
  const text = readFileSync(join(EXAMPLES_DIR, SIGMOID), 'utf8');
  const long = text.replace('"name": "deep-sigmoid"', '"name": "long-run"').replace(/"steps": \d+/, '"steps": 100000');
  if (!long.includes('"steps": 100000')) throw new Error(`${SIGMOID} has no "steps" to lengthen`);
  return long;
}

/** Screenshots of earlier runs go; the folder ignores itself in git. */
function prepareArtifacts(): void {
  mkdirSync(artifacts, { recursive: true });
  for (const entry of readdirSync(artifacts)) {
    if (/\.(png|log)$/.test(entry)) rmSync(join(artifacts, entry), { force: true });
  }
  const ignore = join(artifacts, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '*\n');
}
