/**
 * Reads one member of a zip archive into memory (a `.keras` file's `config.json`): the end-of-central-directory
 * record, the central directory entry, the local header, then stored or deflated data. Defensive: every offset is
 * checked against the file, sizes are capped before inflating, nothing is written anywhere.
 */
import { inflateRawSync } from 'node:zlib';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export class ZipError extends Error {}

export function readZipMember(zip: Uint8Array, name: string, maxBytes: number): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const u32 = (at: number): number => {
    if (at < 0 || at + 4 > zip.length) throw new ZipError('truncated zip file');
    return view.getUint32(at, true);
  };
  const u16 = (at: number): number => {
    if (at < 0 || at + 2 > zip.length) throw new ZipError('truncated zip file');
    return view.getUint16(at, true);
  };
  // The end record is in the last 22 + 65,535 bytes (its comment is at most 65,535).
  let eocd = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 65_535); at--) {
    if (u32(at) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('not a zip file (no end of central directory)');
  const entries = u16(eocd + 10);
  let at = u32(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (u32(at) !== CENTRAL) throw new ZipError('corrupt zip central directory');
    const method = u16(at + 10);
    const compressed = u32(at + 20);
    const size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    const localOffset = u32(at + 42);
    if (at + 46 + nameLength > zip.length) throw new ZipError('truncated zip file');
    const entryName = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
    if (entryName === name) {
      if (size > maxBytes) throw new ZipError(`${name} is ${size} bytes, more than the ${maxBytes} allowed`);
      if (u32(localOffset) !== LOCAL) throw new ZipError('corrupt zip local header');
      const start = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28);
      if (start + compressed > zip.length) throw new ZipError('truncated zip file');
      const data = zip.subarray(start, start + compressed);
      if (method === 0) return data;
      if (method !== 8)
        throw new ZipError(`${name} uses compression method ${method} (only stored and deflate are read)`);
      try {
        return inflateRawSync(data, { maxOutputLength: Math.max(1, size) });
      } catch (err) {
        throw new ZipError(`${name}: ${(err as Error).message}`);
      }
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new ZipError(`no ${name} in the archive`);
}
