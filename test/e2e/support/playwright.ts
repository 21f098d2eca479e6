/**
 * playwright-core lives in the e2e cache, not in node_modules (a clean `npm install` needs no browser tooling), so it
 * is loaded at run time and typed here by the part of its API the suite uses (same names and signatures).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface WaitOptions {
  state?: 'attached' | 'detached' | 'visible' | 'hidden';
  timeout?: number;
}

export interface Locator {
  locator(selector: string, options?: { hasText?: string | RegExp; hasNotText?: string | RegExp }): Locator;
  filter(options: { hasText?: string | RegExp; hasNotText?: string | RegExp }): Locator;
  first(): Locator;
  last(): Locator;
  nth(index: number): Locator;
  count(): Promise<number>;
  waitFor(options?: WaitOptions): Promise<void>;
  innerText(options?: { timeout?: number }): Promise<string>;
  allInnerTexts(): Promise<string[]>;
  getAttribute(name: string, options?: { timeout?: number }): Promise<string | null>;
  isVisible(): Promise<boolean>;
  click(options?: { timeout?: number; position?: { x: number; y: number } }): Promise<void>;
  hover(options?: { timeout?: number }): Promise<void>;
  fill(value: string, options?: { timeout?: number }): Promise<void>;
  press(key: string, options?: { timeout?: number }): Promise<void>;
  evaluate<R>(fn: (element: Element) => R): Promise<R>;
}

export interface Frame {
  url(): string;
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
  evaluate<R>(fn: () => R): Promise<R>;
  isDetached(): boolean;
}

export interface Keyboard {
  press(key: string): Promise<void>;
  type(text: string, options?: { delay?: number }): Promise<void>;
}

export interface Mouse {
  wheel(deltaX: number, deltaY: number): Promise<void>;
}

export interface Page {
  goto(url: string, options?: { timeout?: number }): Promise<unknown>;
  locator(selector: string, options?: { hasText?: string | RegExp; hasNotText?: string | RegExp }): Locator;
  keyboard: Keyboard;
  mouse: Mouse;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  frames(): Frame[];
  evaluate<R>(fn: () => R): Promise<R>;
  waitForTimeout(ms: number): Promise<void>;
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', listener: (error: Error) => void): void;
}

export interface BrowserContext {
  pages(): Page[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  executablePath: string;
  headless: boolean;
  viewport: { width: number; height: number };
  env: Record<string, string | undefined>;
  args: string[];
}

export interface Playwright {
  chromium: { launchPersistentContext(userDataDir: string, options: LaunchOptions): Promise<BrowserContext> };
}

export function loadPlaywright(packageDir: string): Playwright {
  const require = createRequire(join(packageDir, 'package.json'));
  return require(packageDir) as Playwright;
}
