/** The panel's page (src/extension/plots/html.ts): a strict CSP, a random nonce, no inline script or data. */
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, makeNonce, plotsPageHtml } from '../../../src/extension/plots/html';

const resources = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.css',
  nonce: 'abc123+/=',
};

describe('plots page', () => {
  it('denies everything by default and allows only our script (by nonce) and our styles', () => {
    const csp = contentSecurityPolicy(resources).split('; ');
    expect(csp[0]).toBe("default-src 'none'");
    expect(csp).toContain(`script-src 'nonce-${resources.nonce}'`);
    expect(csp).toContain(`style-src ${resources.cspSource}`);
    expect(csp).toContain(`img-src ${resources.cspSource} data:`);
    expect(csp.join(' ')).not.toMatch(/unsafe-inline|unsafe-eval|https?:\/\/(?!file\+)/);
  });

  it('loads one script, by nonce, with no inline code or data', () => {
    const html = plotsPageHtml(resources);
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]![1]).toContain(`nonce="${resources.nonce}"`);
    expect(scripts[0]![1]).toContain(`src="${resources.scriptUri}"`);
    expect(scripts[0]![2]!.trim()).toBe('');
    expect(html).toContain(`<link rel="stylesheet" href="${resources.styleUri}">`);
    expect(html).not.toMatch(/style="/);
  });

  it('escapes what it puts in attributes', () => {
    const html = plotsPageHtml({ ...resources, scriptUri: 'x"><script>alert(1)</script>' });
    expect(html).not.toContain('"><script>alert');
  });

  it('makes a fresh 128-bit nonce each time', () => {
    const nonces = new Set(Array.from({ length: 50 }, makeNonce));
    expect(nonces.size).toBe(50);
    for (const n of nonces) expect(Buffer.from(n, 'base64')).toHaveLength(16);
  });
});
