/** "New Model Spec": the bundled examples as templates — their descriptions, target names and data files. */
import { parseTree, findNodeAtLocation } from 'jsonc-parser';
import { setValue } from '../../analysis/fixes/edit';
import { SPEC_SUFFIX } from './documents';

export interface TemplateInfo {
  /** File name in the examples folder, e.g. "deep-sigmoid.vgnet.json". */
  fileName: string;
  label: string;
  /** The first line of the template's leading comment. */
  description: string;
  /** Data file the template reads, relative to its folder (copied along with it); null for generated data. */
  dataPath: string | null;
}

export function describeTemplate(fileName: string, text: string): TemplateInfo {
  return {
    fileName,
    label: fileName.slice(0, -SPEC_SUFFIX.length),
    description: leadingComment(text),
    dataPath: dataPathOf(text),
  };
}

/** The first line of the leading `//` comment, without the slashes; '' when there is none. */
export function leadingComment(text: string): string {
  const match = /^\s*\/\/[ \t]*(.*)$/m.exec(text);
  return match && text.trimStart().startsWith('//') ? match[1]!.trim() : '';
}

/** data.path when it is a plain relative path inside the template's folder; null otherwise. */
export function dataPathOf(text: string): string | null {
  const root = parseTree(text);
  const node = root ? findNodeAtLocation(root, ['data', 'path']) : undefined;
  const value = node?.value;
  if (typeof value !== 'string' || value === '') return null;
  const parts = value.split(/[\\/]/);
  if (value.startsWith('/') || /^[a-zA-Z]:/.test(value) || parts.includes('..')) return null;
  return parts.join('/');
}

/** "name.vgnet.json", "name-2.vgnet.json", … : the first name not in `taken`. */
export function freeSpecName(base: string, taken: ReadonlySet<string>): string {
  const stem = base.endsWith(SPEC_SUFFIX) ? base.slice(0, -SPEC_SUFFIX.length) : base;
  for (let i = 1; ; i++) {
    const name = i === 1 ? `${stem}${SPEC_SUFFIX}` : `${stem}-${i}${SPEC_SUFFIX}`;
    if (!taken.has(name)) return name;
  }
}

/** Validates a file name typed by the user: null when fine, else why not. */
export function checkSpecFileName(name: string): string | null {
  if (name.trim() === '') return 'Type a file name';
  if (/[\\/:*?"<>|]/.test(name)) return 'A file name cannot contain \\ / : * ? " < > |';
  if (!name.endsWith(SPEC_SUFFIX)) return `The name must end with ${SPEC_SUFFIX} so VGNet analyses it`;
  return null;
}

/** The template's text with its "name" set to the new file's stem (comments and layout kept). */
export function renameTemplate(text: string, fileName: string): string {
  const root = parseTree(text);
  if (!root || !findNodeAtLocation(root, ['name'])) return text;
  const stem = fileName.endsWith(SPEC_SUFFIX) ? fileName.slice(0, -SPEC_SUFFIX.length) : fileName;
  return setValue(text, '/name', stem);
}
