import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { ErrorObject } from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/chat/commands.js';
import { buildAppPackage, filledManifest, MANIFEST_DIR } from '../../src/chat/teams/app-package.js';

const require = createRequire(import.meta.url);
/** The official Teams manifest schema, as bundled (offline) in @microsoft/app-manifest. */
const SCHEMA = JSON.parse(readFileSync(require.resolve('@microsoft/app-manifest/build/json-schemas/teams/v1.24/MicrosoftTeams.schema.json'), 'utf8')) as Record<string, unknown>;
type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
/** Ajv for the draft-04 schemas Teams publishes (required as CommonJS: its ESM default export does not type-check under NodeNext). */
const Ajv = require('ajv-draft-04') as new (options: Record<string, unknown>) => { compile(schema: unknown): Validator };
const APP_ID = '0b7a9c3e-1111-4222-8333-944455556666';

function validate(manifest: unknown): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const check = ajv.compile(SCHEMA);
  return check(manifest) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

function pngSize(file: Buffer): [number, number] {
  expect(file.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [file.readUInt32BE(16), file.readUInt32BE(20)];
}

/** The files of a zip archive, read from its local headers. */
function unzip(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (let at = 0; archive.readUInt32LE(at) === 0x04034b50;) {
    const size = archive.readUInt32LE(at + 18);
    const nameLength = archive.readUInt16LE(at + 26);
    const name = archive.subarray(at + 30, at + 30 + nameLength).toString('utf8');
    const start = at + 30 + nameLength + archive.readUInt16LE(at + 28);
    files.set(name, inflateRawSync(archive.subarray(start, start + size)));
    at = start + size;
  }
  return files;
}

describe('the Teams app package', () => {
  it('has a manifest that the official v1.24 schema accepts, before and after filling in the app id and host', () => {
    const manifest = JSON.parse(readFileSync(join(MANIFEST_DIR, 'manifest.json'), 'utf8')) as { manifestVersion: string };
    expect(Number(manifest.manifestVersion)).toBeGreaterThanOrEqual(1.22);
    expect(validate(manifest)).toEqual([]);
    expect(validate(filledManifest(APP_ID, 'bot.corp.example'))).toEqual([]);
    expect(validate({ ...manifest, accentColor: 'red', bots: 'none' }).length).toBeGreaterThan(0);
  });

  it('offers in its command menu exactly the commands the grammar understands', () => {
    const manifest = filledManifest(APP_ID, 'bot.corp.example') as { bots: { commandLists: { commands: { title: string; description: string }[] }[] }[] };
    const commands = manifest.bots[0]!.commandLists[0]!.commands;
    expect(commands.map((c) => c.title)).toEqual(['who', 'baseline', 'findings', 'help']);
    for (const c of commands) expect(parseCommandLine(c.title === 'help' || c.title === 'findings' ? c.title : `${c.title} alice@corp.com`).ok, c.title).toBe(true);
  });

  it('asks for read access to the channel messages of the team it is installed in only (resource-specific consent), for its own app registration', () => {
    const manifest = filledManifest(APP_ID, 'bot.corp.example') as { webApplicationInfo: { id: string }; authorization: { permissions: { resourceSpecific: { name: string; type: string }[] } } };
    expect(manifest.authorization.permissions.resourceSpecific).toEqual([{ name: 'ChannelMessage.Read.Group', type: 'Application' }]);
    expect(manifest.webApplicationInfo.id).toBe(APP_ID);
    expect(JSON.stringify(manifest)).not.toMatch(/\.Read\.All|ReadWrite/);
  });

  it('has icons of the sizes Teams requires: color 192x192, outline 32x32', () => {
    expect(pngSize(readFileSync(join(MANIFEST_DIR, 'color.png')))).toEqual([192, 192]);
    expect(pngSize(readFileSync(join(MANIFEST_DIR, 'outline.png')))).toEqual([32, 32]);
  });

  it('packages a zip with the filled-in manifest and both icons, and refuses an app id that is not a GUID', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-teams-pkg-'));
    try {
      const files = unzip(readFileSync(buildAppPackage({ appId: APP_ID, host: 'bot.corp.example', out: join(dir, 'app.zip') })));
      expect([...files.keys()]).toEqual(['manifest.json', 'color.png', 'outline.png']);
      const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as { id: string; bots: { botId: string }[]; validDomains: string[] };
      expect([manifest.id, manifest.bots[0]!.botId, manifest.validDomains]).toEqual([APP_ID, APP_ID, ['bot.corp.example']]);
      expect(pngSize(files.get('color.png')!)).toEqual([192, 192]);
      expect(() => buildAppPackage({ appId: 'my-bot', host: 'bot.corp.example', out: join(dir, 'bad.zip') })).toThrow(/GUID/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
