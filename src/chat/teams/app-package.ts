import { crc32, deflateRawSync, deflateSync } from 'node:zlib';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** Where the Teams app manifest and its icons live. */
export const MANIFEST_DIR = fileURLToPath(new URL('../../../manifest/teams/', import.meta.url));
/** The placeholder app id and host of the committed manifest, replaced when packaging. */
export const PLACEHOLDER = { appId: '00000000-0000-0000-0000-000000000000', host: 'storage-watch.example.com' } as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An RGBA image as a PNG file (8-bit, no interlace). */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 4);
  }
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** The app's icons: a white ring-and-dot "watch" mark, on the accent colour (192 px) and alone on transparency (32 px outline). */
export function appIcons(): { color: Buffer; outline: Buffer } {
  const mark = (size: number, x: number, y: number): number => {
    const c = (size - 1) / 2;
    const r = Math.hypot(x - c, y - c) / size;
    return (r > 0.26 && r < 0.36) || r < 0.11 ? 255 : 0;
  };
  return {
    color: encodePng(192, 192, (x, y) => (mark(192, x, y) ? [255, 255, 255, 255] : [180, 35, 24, 255])),
    outline: encodePng(32, 32, (x, y) => [255, 255, 255, mark(32, x, y)]),
  };
}

/** 1980-01-01, the earliest MS-DOS date: a fixed date keeps the package byte-for-byte reproducible. */
const DOS_DATE = (1 << 5) | 1;

/** Files in a zip archive (deflated), as Teams expects the app package. */
export function zip(files: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const packed = deflateRawSync(f.data);
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(f.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The committed manifest with the app id (the Azure Bot's Microsoft App ID) and the public host filled in. */
export function filledManifest(appId: string, host: string): Record<string, unknown> {
  if (!GUID.test(appId)) throw new Error(`--app-id must be the Azure Bot's Microsoft App ID (a GUID), not "${appId}"`);
  if (!/^[a-z0-9.-]+(:\d+)?$/i.test(host)) throw new Error(`--host must be a host name such as bot.example.com, not "${host}"`);
  const text = readFileSync(join(MANIFEST_DIR, 'manifest.json'), 'utf8').split(PLACEHOLDER.appId).join(appId.toLowerCase()).split(PLACEHOLDER.host).join(host);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Writes the app package (manifest.json, color.png, outline.png) ready to upload to Teams; returns its path. */
export function buildAppPackage(opts: { appId: string; host: string; out: string }): string {
  const manifest = filledManifest(opts.appId, opts.host);
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, zip([
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 2)) },
    { name: 'color.png', data: readFileSync(join(MANIFEST_DIR, 'color.png')) },
    { name: 'outline.png', data: readFileSync(join(MANIFEST_DIR, 'outline.png')) },
  ]));
  return opts.out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { 'app-id': { type: 'string' }, host: { type: 'string' }, out: { type: 'string', default: 'dist/storage-watch-teams.zip' }, icons: { type: 'boolean' } } });
  if (values.icons) {
    const { color, outline } = appIcons();
    writeFileSync(join(MANIFEST_DIR, 'color.png'), color);
    writeFileSync(join(MANIFEST_DIR, 'outline.png'), outline);
    process.stdout.write(`icons written to ${MANIFEST_DIR}\n`);
  } else {
    try {
      if (!values['app-id'] || !values.host) throw new Error('usage: npm run teams:package -- --app-id <Microsoft App ID> --host <public host of /api/messages> [--out file.zip]');
      process.stdout.write(`${buildAppPackage({ appId: values['app-id'], host: values.host, out: values.out })}\n`);
    } catch (err) {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    }
  }
}
