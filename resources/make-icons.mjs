#!/usr/bin/env node
// Draws the Agent Blob mark (a soft, wobbly blob with two eyes) and writes the app, installer and
// tray icons as PNG, plus the macOS .icns and Windows .ico made of those PNGs (so packaging needs
// no icon converter), using only Node (zlib for the PNG encoding). Run: node resources/make-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = fileURLToPath(new URL('.', import.meta.url));

// --- PNG encoding -------------------------------------------------------------------------------

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
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
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** RGBA pixels (Uint8Array, row-major) to a PNG file. */
export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// --- The mark -----------------------------------------------------------------------------------

/** Radius of the blob outline at angle `a`, as a fraction of the half-size. */
function blobRadius(a) {
  return 0.8 + 0.06 * Math.sin(3 * a + 0.6) + 0.04 * Math.cos(5 * a - 0.3) + 0.025 * Math.sin(2 * a);
}

/** What covers the point (x, y) in [-1, 1]²: 'eye', 'shine', 'body' or null. */
function sample(x, y, { eyes }) {
  const r = Math.hypot(x, y);
  const a = Math.atan2(y, x);
  if (r > blobRadius(a)) return null;
  if (eyes) {
    for (const ex of [-0.26, 0.26]) {
      const dx = (x - ex) / 0.1;
      const dy = (y + 0.06) / 0.16;
      if (dx * dx + dy * dy <= 1) return 'eye';
    }
  }
  const sx = (x + 0.38) / 0.16;
  const sy = (y + 0.42) / 0.09;
  if (eyes && sx * sx + sy * sy <= 1) return 'shine';
  return 'body';
}

function lerp(a, b, t) {
  return a + (b - a) * t;
}

/**
 * Renders the mark at `size` px with 4×4 supersampling. `style`: 'color' (gradient body, dark
 * eyes), 'template' (black with the eyes cut out, for macOS menu bars).
 */
function drawMark(size, style, padding = 0.04) {
  const px = new Uint8Array(size * size * 4);
  const ss = 4;
  const top = [0x5e, 0xe0, 0xc8];
  const bottom = [0x7b, 0x5c, 0xf0];
  for (let py = 0; py < size; py++) {
    for (let pxx = 0; pxx < size; pxx++) {
      let cover = 0;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (((pxx + (sx + 0.5) / ss) / size) * 2 - 1) / (1 - padding);
          const y = (((py + (sy + 0.5) / ss) / size) * 2 - 1) / (1 - padding);
          const hit = sample(x, y, { eyes: size >= 16 });
          if (!hit) continue;
          if (style === 'template') {
            if (hit === 'eye') continue;
            cover++;
            continue;
          }
          cover++;
          if (hit === 'eye') {
            r += 0x14;
            g += 0x12;
            b += 0x2a;
          } else if (hit === 'shine') {
            r += 0xff;
            g += 0xff;
            b += 0xff;
          } else {
            const t = Math.min(1, Math.max(0, (y + 1) / 2));
            r += lerp(top[0], bottom[0], t);
            g += lerp(top[1], bottom[1], t);
            b += lerp(top[2], bottom[2], t);
          }
        }
      }
      const i = (py * size + pxx) * 4;
      if (cover === 0) continue;
      if (style === 'template') {
        px[i + 3] = Math.round((cover / (ss * ss)) * 255);
        continue;
      }
      px[i] = Math.round(r / cover);
      px[i + 1] = Math.round(g / cover);
      px[i + 2] = Math.round(b / cover);
      px[i + 3] = Math.round((cover / (ss * ss)) * 255);
    }
  }
  return encodePng(size, size, px);
}

const outputs = [
  // App and installer icons; icon.icns and icon.ico below are assembled from the same drawings.
  ['icon.png', 1024, 'color', 0.06],
  ['icon-256.png', 256, 'color', 0.06],
  ['icons/512x512.png', 512, 'color', 0.06],
  ['icons/256x256.png', 256, 'color', 0.06],
  ['icons/128x128.png', 128, 'color', 0.06],
  ['icons/64x64.png', 64, 'color', 0.06],
  ['icons/32x32.png', 32, 'color', 0.04],
  ['icons/16x16.png', 16, 'color', 0.02],
  // Tray: colour on Windows and Linux, a template image on macOS (the system tints it).
  ['tray.png', 16, 'color', 0.02],
  ['tray@2x.png', 32, 'color', 0.02],
  ['trayTemplate.png', 16, 'template', 0.02],
  ['trayTemplate@2x.png', 32, 'template', 0.02],
];

/** The app icon at `size` px, PNG (padding as in `outputs`). */
function appIcon(size) {
  return drawMark(size, 'color', size <= 16 ? 0.02 : size <= 32 ? 0.04 : 0.06);
}

/** macOS icon: an `icns` container of PNG images, one per type code (Apple's sizes and @2x). */
export function encodeIcns(pngBySize) {
  const types = [
    ['icp4', 16],
    ['icp5', 32],
    ['ic11', 32],
    ['ic12', 64],
    ['ic07', 128],
    ['ic13', 256],
    ['ic08', 256],
    ['ic14', 512],
    ['ic09', 512],
    ['ic10', 1024],
  ];
  const chunks = types.map(([type, size]) => {
    const png = pngBySize(size);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([head, body]);
}

/** Windows icon: an ICO directory of PNG images (256 px is stored as width 0). */
export function encodeIco(pngBySize, sizes = [16, 24, 32, 48, 64, 128, 256]) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(sizes.length, 4);
  const entries = [];
  const images = [];
  let offset = 6 + 16 * sizes.length;
  for (const size of sizes) {
    const png = pngBySize(size);
    const entry = Buffer.alloc(16);
    entry[0] = size >= 256 ? 0 : size;
    entry[1] = size >= 256 ? 0 : size;
    entry.writeUInt16LE(1, 4);
    entry.writeUInt16LE(32, 6);
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(entry);
    images.push(png);
  }
  return Buffer.concat([header, ...entries, ...images]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(join(here, 'icons'), { recursive: true });
  const drawn = new Map();
  const draw = (size, style, padding) => {
    const key = `${size}/${style}/${padding}`;
    if (!drawn.has(key)) drawn.set(key, drawMark(size, style, padding));
    return drawn.get(key);
  };
  for (const [name, size, style, padding] of outputs) {
    writeFileSync(join(here, name), draw(size, style, padding));
    console.log(`resources/${name} (${size}x${size}, ${style})`);
  }
  const appPng = (size) => {
    const key = `${size}/color/${size <= 16 ? 0.02 : size <= 32 ? 0.04 : 0.06}`;
    if (!drawn.has(key)) drawn.set(key, appIcon(size));
    return drawn.get(key);
  };
  writeFileSync(join(here, 'icon.icns'), encodeIcns(appPng));
  console.log('resources/icon.icns (16 to 1024 px)');
  writeFileSync(join(here, 'icon.ico'), encodeIco(appPng));
  console.log('resources/icon.ico (16 to 256 px)');
}
