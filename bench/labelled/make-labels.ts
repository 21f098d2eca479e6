/**
 * Makes the labelled benchmark (issue 14): writes bench/labelled/specs.json (families.ts) and, by exporting every spec
 * to PyTorch and training it there on three seeds (label.py), bench/labelled/labels.json. Both files are committed,
 * with this script and the rules in label.py.
 *   npm run bench:labels [-- --missing]   (about 12 minutes on two cores; needs /usr/bin/python3 with torch;
 *                                         --missing labels only specs labels.json lacks)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { labelledSpecs } from './families';
import { HERE, labelInPytorch, writeLabels } from './pytorch';

async function main(): Promise<void> {
  const specs = labelledSpecs();
  fs.writeFileSync(path.join(HERE, 'specs.json'), `${JSON.stringify(specs, null, 1)}\n`);
  const labelsFile = path.join(HERE, 'labels.json');
  const existing =
    process.argv.includes('--missing') && fs.existsSync(labelsFile)
      ? (JSON.parse(fs.readFileSync(labelsFile, 'utf8')) as Record<string, unknown>)
      : {};
  const todo = specs.filter((s) => !(s.name in existing));
  const started = Date.now();
  const labels = await labelInPytorch(todo.map((s) => ({ name: s.name, text: JSON.stringify(s.spec) })));
  writeLabels(labelsFile, { ...existing, ...labels });
  console.log(
    `labelled ${todo.length} specs in PyTorch (3 seeds each) in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
