import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { StorageWatchError } from '../../src/core/errors.js';
import { detectionSettings, localTime } from '../../src/detection/detection-settings.js';
import { human } from '../helpers/scenario.js';

function settingsFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sw-settings-')), 'settings.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function failure(fn: () => unknown): StorageWatchError {
  try {
    fn();
  } catch (err) {
    return err as StorageWatchError;
  }
  throw new Error('expected an error');
}

describe('configuration', () => {
  it('defaults to embedded PGlite and switches to PostgreSQL when DATABASE_URL is set', () => {
    expect(loadConfig({}).database).toEqual({ pgliteDir: './data/pglite' });
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/sw' }).database).toEqual({ url: 'postgres://u@db:5432/sw' });
  });

  it('reports every bad variable at once, by name', () => {
    const err = failure(() => loadConfig({ DATABASE_URL: 'mysql://x', KNOWN_NETWORKS: '10.0.0.0/8,not-a-cidr', LEARNING_DAYS: 'seven' }));
    expect(err.code).toBe('bad_config');
    expect(err.message).toMatch(/DATABASE_URL/);
    expect(err.message).toMatch(/KNOWN_NETWORKS/);
    expect(err.message).toMatch(/LEARNING_DAYS/);
  });

  it('reads the settings file, and environment variables override it', () => {
    const path = settingsFile({
      timeZone: 'Europe/London', businessHours: { start: 8, end: 18 }, knownNetworks: ['10.0.0.0/8'], learningDays: 10,
      identities: [{ match: '*@tokyo.corp.example', timeZone: 'Asia/Tokyo' }],
      thresholds: { bytes: { high: '500MB', critical: '5GB' } },
    });
    const c = loadConfig({ SETTINGS_FILE: path, LEARNING_DAYS: '3' });
    expect(c.detection.learningDays).toBe(3);
    expect(c.detection.knownNetworks).toEqual(['10.0.0.0/8']);
    expect(c.detection.thresholds?.bytes).toEqual({ high: 500 * 1024 ** 2, critical: 5 * 1024 ** 3 });
    const s = detectionSettings(c.detection);
    // 2026-11-24 is a Tuesday: 02:30 UTC is 11:30 in Tokyo (working) and 02:30 in London (not).
    const t = Date.parse('2026-11-24T02:30:00Z');
    expect(localTime(s, human('kenji@tokyo.corp.example'), t)).toMatchObject({ timeZone: 'Asia/Tokyo', hour: 11, inBusinessHours: true });
    expect(localTime(s, human('alice@corp.example'), t)).toMatchObject({ timeZone: 'Europe/London', hour: 2, inBusinessHours: false });
  });

  it('names each wrong setting by its path in the file', () => {
    const path = settingsFile({ timeZone: 'Mars/Olympus', businessHours: { start: 18, end: 8 }, knownNetworks: ['10.0.0.0/33'], bogus: 1 });
    const err = failure(() => loadConfig({ SETTINGS_FILE: path }));
    expect(err.code).toBe('bad_config');
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/timeZone: not an IANA time zone/);
    expect(err.message).toMatch(/businessHours: start must be before end/);
    expect(err.message).toMatch(/knownNetworks\.0: not a CIDR/);
    expect(err.message).toMatch(/bogus/);
  });

  it('says so when the settings file is not JSON', () => {
    expect(failure(() => loadConfig({ SETTINGS_FILE: settingsFile('{ nope') })).message).toMatch(/SETTINGS_FILE .*JSON/);
  });
});
