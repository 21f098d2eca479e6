/**
 * The current values of CSS custom properties (VS Code's --vscode-* theme colours) and the body's classes
 * (vscode-dark, vscode-light, vscode-high-contrast). VS Code rewrites both when the colour theme changes; a
 * MutationObserver on <html> and <body> notices, and `refreshKey` forces a re-read (the host's 'theme' message).
 */
import { useEffect, useState } from 'preact/hooks';

export interface CssVariables {
  values: Record<string, string>;
  bodyClasses: string;
}

function read(names: readonly string[]): CssVariables {
  const style = getComputedStyle(document.body);
  return {
    values: Object.fromEntries(names.map((name) => [name, style.getPropertyValue(name).trim()])),
    bodyClasses: document.body.className,
  };
}

function same(a: CssVariables, b: CssVariables): boolean {
  return a.bodyClasses === b.bodyClasses && Object.keys(a.values).every((k) => a.values[k] === b.values[k]);
}

export function useCssVariables(names: readonly string[], refreshKey = 0): CssVariables {
  const [current, setCurrent] = useState(() => read(names));
  useEffect(() => {
    const update = (): void => {
      const next = read(names);
      setCurrent((previous) => (same(previous, next) ? previous : next));
    };
    update();
    const observer = new MutationObserver(update);
    const options = { attributes: true, attributeFilter: ['class', 'style'] };
    observer.observe(document.documentElement, options);
    observer.observe(document.body, options);
    return () => observer.disconnect();
  }, [names, refreshKey]);
  return current;
}
