/** Where diagnostic codes link to. The one place that names the repository (package.json "repository" matches it). */
import type { FindingKind } from '../../analysis/findings';

export const REPOSITORY_URL = 'https://github.com/vgnet/vgnet';

/** The extension guide; every finding kind has a heading there whose anchor is the kind itself. */
export const EXTENSION_DOCS_URL = `${REPOSITORY_URL}/blob/main/docs/extension.md`;

export function findingDocsUrl(kind: FindingKind): string {
  return `${EXTENSION_DOCS_URL}#${kind}`;
}

/** Spec problems (syntax, unknown keys, shapes…) share one section that lists every code. */
export function specDocsUrl(): string {
  return `${EXTENSION_DOCS_URL}#spec-problems`;
}
