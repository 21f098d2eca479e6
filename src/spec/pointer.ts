/**
 * JSON Pointers (RFC 6901) over jsonc-parser trees: "/layers/4/layers/0" names the first layer of the branch of the
 * fifth top-level layer. "~" is written "~0" and "/" is written "~1" inside a segment; "" is the whole document.
 */
import type { Node } from 'jsonc-parser';

export type PathSegment = string | number;

export function escapeSegment(segment: PathSegment): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pathToPointer(path: readonly PathSegment[]): string {
  return path.map((segment) => `/${escapeSegment(segment)}`).join('');
}

/** The pointer of a child: `childPointer("/layers", 2)` is "/layers/2". */
export function childPointer(pointer: string, segment: PathSegment): string {
  return `${pointer}/${escapeSegment(segment)}`;
}

/** Unescaped segments of a pointer, or null when it is not a valid pointer ("" or starting with "/"). */
export function pointerSegments(pointer: string): string[] | null {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return null;
  const segments: string[] = [];
  for (const raw of pointer.slice(1).split('/')) {
    if (/~(?![01])/.test(raw)) return null; // "~" must be followed by 0 or 1
    segments.push(raw.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return segments;
}

/** An array index segment: "0" or digits without a leading zero (RFC 6901 §4). */
function asIndex(segment: string): number | null {
  return /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : null;
}

/**
 * A pointer as a jsonc-parser JSONPath (numbers for array indices), e.g. for `modify` or `findNodeAtLocation`.
 * With `root`, each segment is typed by the node it crosses; without it, canonical decimal segments ("0", "12")
 * are taken as indices. Total: a missing leading "/" is tolerated and a stray "~" is kept as written.
 */
export function pointerToPath(pointer: string, root?: Node): PathSegment[] {
  const segments = pointerSegments(pointer) ?? lenientSegments(pointer);
  const path: PathSegment[] = [];
  let node: Node | undefined = root;
  for (const segment of segments) {
    const index = asIndex(segment);
    const isArrayStep = node ? node.type === 'array' : index !== null;
    path.push(isArrayStep && index !== null ? index : segment);
    node = node ? childNode(node, segment) : undefined;
  }
  return path;
}

function lenientSegments(pointer: string): string[] {
  const body = pointer.startsWith('/') ? pointer.slice(1) : pointer;
  return body.split('/').map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The member node (type 'property') of `key` in an object node; the last one when the key is duplicated. */
export function propertyNode(object: Node, key: string): Node | undefined {
  if (object.type !== 'object' || !object.children) return undefined;
  let found: Node | undefined;
  for (const member of object.children) {
    const keyNode = member.children?.[0];
    if (keyNode && keyNode.value === key) found = member;
  }
  return found;
}

/** The value node one segment below `node`, or undefined. */
function childNode(node: Node, segment: string): Node | undefined {
  if (node.type === 'object') return propertyNode(node, segment)?.children?.[1];
  if (node.type === 'array') {
    const index = asIndex(segment);
    return index === null ? undefined : node.children?.[index];
  }
  return undefined;
}

/** The value node at a pointer; undefined when the pointer is invalid or leads nowhere. */
export function findNode(root: Node | undefined, pointer: string): Node | undefined {
  const segments = pointerSegments(pointer);
  if (root === undefined || segments === null) return undefined;
  let node: Node | undefined = root;
  for (const segment of segments) {
    node = childNode(node, segment);
    if (node === undefined) return undefined;
  }
  return node;
}

/** The key node (the quoted name) of the member at a pointer; undefined for the root and array elements. */
export function findKeyNode(root: Node | undefined, pointer: string): Node | undefined {
  const segments = pointerSegments(pointer);
  if (root === undefined || segments === null || segments.length === 0) return undefined;
  const parent = findNode(root, pathToPointer(segments.slice(0, -1)));
  if (parent?.type !== 'object') return undefined;
  return propertyNode(parent, segments[segments.length - 1]!)?.children?.[0];
}
