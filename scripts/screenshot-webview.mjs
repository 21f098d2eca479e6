// Screenshots of the preview made by scripts/preview-webview.mjs, in headless Chromium (playwright-core, not a
// project dependency: point PLAYWRIGHT_CORE at an install of it). Fails on any console error or CSP violation.
//
// Usage: PLAYWRIGHT_CORE=/path/to/node_modules/playwright-core node scripts/screenshot-webview.mjs \
//          [--dir /tmp/vgnet-preview] [--out /tmp/vgnet-preview/shots] [--width 1100] [--shots dark,light] \
//          [--query 'highlight=/layers/3'] [--name plots] [--scale 2]
// Each shot is "<theme>" or "<theme>@<width>"; files are <out>/<name>-<theme>[-<width>].png.
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, normalize, resolve } from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const dir = resolve(option('--dir', '/tmp/vgnet-preview'));
const out = resolve(option('--out', join(dir, 'shots')));
const defaultWidth = Number(option('--width', '1100'));
const shots = option('--shots', 'dark,light').split(',');
const query = option('--query', '');
const name = option('--name', 'plots');
const scale = Number(option('--scale', '2'));

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE ?? 'playwright-core');
const executablePath = process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const server = createServer((req, res) => {
  const path = normalize(join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
  if (path.endsWith('favicon.ico')) return void res.writeHead(204).end();
  const file = path.endsWith('/') ? join(path, 'index.html') : path;
  if (!file.startsWith(dir) || !existsSync(file)) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
const problems = [];
try {
  for (const shot of shots) {
    const [theme, widthText] = shot.split('@');
    const width = Number(widthText ?? defaultWidth);
    const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: scale });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${shot}: console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${shot}: page error: ${e.message}`));
    await page.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) =>
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
      ),
    );
    await page.goto(`${origin}/index.html?theme=${theme}${query ? `&${query}` : ''}`);
    await page.waitForFunction(() => window.__played === true, null, { timeout: 15000 });
    await page.waitForTimeout(400);
    const file = join(out, `${name}-${theme}${widthText ? `-${width}` : ''}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(
      `${file}  (${width}px wide, sent: ${JSON.stringify(await page.evaluate(() => window.__sent.map((m) => m.type)))})`,
    );
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exitCode = 1;
}
