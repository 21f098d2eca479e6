/**
 * The plots webview's page. No vscode import (unit-tested): the host passes the webview's resource URIs and CSP
 * source. Strict CSP: nothing but our own bundle (by nonce) and stylesheet; no inline script, no inline data —
 * the data arrives by postMessage after the page says it is ready.
 */
import { randomBytes } from 'node:crypto';

export interface PageResources {
  /** webview.cspSource: the origin the webview serves local resources from. */
  cspSource: string;
  /** asWebviewUri of dist/webview.js and dist/webview.css. */
  scriptUri: string;
  styleUri: string;
  nonce: string;
}

/** 128 random bits from the OS's CSPRNG, base64 (a CSP nonce must be unguessable: never Math.random). */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(r: Pick<PageResources, 'cspSource' | 'nonce'>): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${r.nonce}'`,
    `style-src ${r.cspSource}`,
    `img-src ${r.cspSource} data:`,
    `font-src ${r.cspSource}`,
  ].join('; ');
}

export function plotsPageHtml(r: PageResources): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(r))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeAttribute(r.styleUri)}">
  <title>VGNet gradient plots</title>
</head>
<body>
  <div id="root"></div>
  <script nonce="${escapeAttribute(r.nonce)}" src="${escapeAttribute(r.scriptUri)}"></script>
</body>
</html>
`;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
