// Draws media/icon.png (128×128 RGBA): a dark rounded tile with bars that grow from the input side to the output
// side — a gradient vanishing on its way back — coloured red (dead) to green (healthy), and a rescue curve.
// No canvas library: pixels are computed with 4×4 supersampling and written as a PNG with node:zlib.
// Usage: node scripts/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SUPER = 4;
const BACKGROUND = [27, 36, 48];
const BAR_COLORS = [
  [229, 83, 75],
  [234, 128, 62],
  [236, 180, 58],
  [196, 204, 66],
  [120, 200, 92],
  [64, 190, 120],
];
const CURVE = [97, 175, 239];

/** Colour and coverage of one sample point (x, y in pixels, origin top-left); null outside the tile. */
function sample(x, y) {
  if (!insideRoundedRect(x, y, 4, 4, SIZE - 8, SIZE - 8, 22)) return null;
  if (nearCurve(x, y)) return CURVE;
  const bar = barAt(x, y);
  return bar ?? BACKGROUND;
}

function insideRoundedRect(x, y, left, top, width, height, radius) {
  const cx = Math.min(Math.max(x, left + radius), left + width - radius);
  const cy = Math.min(Math.max(y, top + radius), top + height - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

/** Six bars on a baseline, heights growing geometrically (×1.6) from left to right. */
function barAt(x, y) {
  const baseline = 104;
  const barWidth = 11;
  const gap = 5;
  const left = 18;
  for (let i = 0; i < BAR_COLORS.length; i++) {
    const x0 = left + i * (barWidth + gap);
    const height = 6 * 1.6 ** i;
    if (x >= x0 && x < x0 + barWidth && y <= baseline && y >= baseline - height) return BAR_COLORS[i];
  }
  return null;
}

/** A flat line high above the bars: the gradient after the fix, the same size at every layer. */
function nearCurve(x, y) {
  if (x < 16 || x > 112) return false;
  const yLine = 30;
  return Math.abs(y - yLine) <= 2.5;
}

function render() {
  const rgba = Buffer.alloc(SIZE * SIZE * 4);
  for (let py = 0; py < SIZE; py++) {
    for (let px = 0; px < SIZE; px++) {
      const sum = [0, 0, 0];
      let covered = 0;
      for (let sy = 0; sy < SUPER; sy++) {
        for (let sx = 0; sx < SUPER; sx++) {
          const color = sample(px + (sx + 0.5) / SUPER, py + (sy + 0.5) / SUPER);
          if (color === null) continue;
          covered++;
          for (let c = 0; c < 3; c++) sum[c] += color[c];
        }
      }
      const at = (py * SIZE + px) * 4;
      for (let c = 0; c < 3; c++) rgba[at + c] = covered > 0 ? Math.round(sum[c] / covered) : 0;
      rgba[at + 3] = Math.round((255 * covered) / (SUPER * SUPER));
    }
  }
  return rgba;
}

// --- PNG encoding (RFC 2083): signature, IHDR, IDAT (zlib of filtered scanlines), IEND; CRC-32 per chunk. ---

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  // compression, filter and interlace methods: 0
  const rows = [];
  for (let y = 0; y < height; y++) {
    rows.push(Buffer.from([0])); // filter type None
    rows.push(rgba.subarray(y * width * 4, (y + 1) * width * 4));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const target = new URL('../media/icon.png', import.meta.url);
writeFileSync(target, encodePng(SIZE, SIZE, render()));
console.log(`wrote ${target.pathname}`);
