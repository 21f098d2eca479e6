/**
 * Makes the labelled benchmark (issue 14): writes bench/labelled/specs.json (families.ts) and, by exporting every spec
 * to PyTorch and training it there on three seeds (label.py), bench/labelled/labels.json. Both files are committed,
 * with this script and the rules in label.py.
 *   npm run bench:labels        (about 20 minutes on one core; needs /usr/bin/python3 with torch)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepare } from '../../src/analysis/prepare';
import { exportPytorch } from '../../src/bridge/export-pytorch';
import { folderFileAccess } from '../../src/node/files';
import { labelledSpecs } from './families';

const HERE = path.join(__dirname, '../bench/labelled');

function main(): void {
  const specs = labelledSpecs();
  fs.writeFileSync(path.join(HERE, 'specs.json'), `${JSON.stringify(specs, null, 1)}\n`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-labels-'));
  const jobs: { name: string; program: string }[] = [];
  for (const s of specs) {
    const prepared = prepare(JSON.stringify(s.spec), { files: folderFileAccess(dir) });
    if (!prepared.ok) throw new Error(`${s.name}: ${prepared.diagnostics[0]?.message}`);
    const exported = exportPytorch(prepared.config, prepared.dataset, {
      spec: `${s.name}.vgnet.json`,
      dataFile: `${s.name}.data.bin`,
      program: `${s.name}.py`,
    });
    fs.writeFileSync(path.join(dir, `${s.name}.py`), exported.python);
    fs.writeFileSync(path.join(dir, `${s.name}.data.bin`), exported.data);
    jobs.push({ name: s.name, program: path.join(dir, `${s.name}.py`) });
  }
  fs.writeFileSync(path.join(dir, 'jobs.json'), JSON.stringify(jobs));
  const started = Date.now();
  const run = spawnSync(
    '/usr/bin/python3',
    [path.join(HERE, 'label.py'), path.join(dir, 'jobs.json'), path.join(HERE, 'labels.json')],
    {
      stdio: 'inherit',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    },
  );
  if (run.status !== 0) process.exit(run.status ?? 1);
  console.log(
    `labelled ${specs.length} specs in PyTorch (3 seeds each) in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
}

main();
