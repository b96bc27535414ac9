import { LogLevel, webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatDeps } from '../../src/chat/chat-deps.js';
import { notifyFinding } from '../../src/chat/notify-finding.js';
import { postDigest, postDigestOnce } from '../../src/chat/post-digest.js';
import { SlackMessenger } from '../../src/chat/slack/slack-messenger.js';
import type { Severity } from '../../src/core/finding.js';
import { detectionSettings } from '../../src/detection/detection-settings.js';
import { recordScanReport } from '../../src/store/scan-reports.js';
import type { Sql } from '../../src/store/sql.js';
import { FakeSlackWebApi } from '../fakes/slack-web-api.js';
import { createTestDatabase, ENGINES, type Engine, type TestDatabase } from '../helpers/databases.js';
import { bulkDraft, HOUR, person, seedFinding } from './chat-fixtures.js';

const alice = person('alice@corp.com');
const bob = person('bob@corp.com');

async function shape(sql: Sql, id: string, o: { created: number; status?: string; decided?: number }): Promise<void> {
  await sql.query('update findings set created_at = $2, status = $3, decided_at = $4, decided_by = $5 where id = $1', [
    id, new Date(o.created), o.status ?? 'open', o.decided === undefined ? null : new Date(o.decided), o.decided === undefined ? null : 'slack:U0RESP1',
  ]);
}

describe.each(ENGINES)('the daily digest on %s', (engine: Engine) => {
  let db: TestDatabase;
  let fake: FakeSlackWebApi;
  let deps: ChatDeps;
  const now = Date.now();

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    fake = await FakeSlackWebApi.start({ token: 'xoxb-test' });
    const client = new webApi.WebClient('xoxb-test', { slackApiUrl: fake.url, logLevel: LogLevel.ERROR });
    deps = { sql: db.sql, messenger: new SlackMessenger(client), settings: detectionSettings(), channels: { alert: 'C0ALERTS1', digest: 'C0DIGEST1' }, now: () => now };
  });
  afterAll(async () => {
    await fake?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await db.reset();
    fake.clearCalls();
  });

  async function finding(who: typeof alice, severity: Severity, scope: string): Promise<string> {
    return (await seedFinding(db.sql, who, now - HOUR, bulkDraft(now - HOUR, { severity, scope, title: `${severity} finding on ${scope}` }))).id;
  }

  it('posts counts by severity and outcome, median time to triage, top identities, a 14-day trend and the open findings with links', async () => {
    const benign = await finding(alice, 'high', 'ip:1');
    const escalated = await finding(alice, 'medium', 'ip:2');
    const openCritical = await finding(bob, 'critical', 'ip:3');
    const openOld = await finding(bob, 'low', 'ip:4');
    const suppressed = await finding(alice, 'low', 'ip:5');
    const older = await finding(alice, 'medium', 'ip:6');
    await shape(db.sql, benign, { created: now - 2 * HOUR, status: 'benign', decided: now - HOUR });
    await shape(db.sql, escalated, { created: now - 5 * HOUR, status: 'escalated', decided: now - 2 * HOUR });
    await shape(db.sql, openCritical, { created: now - 3 * HOUR });
    await shape(db.sql, openOld, { created: now - 30 * HOUR });
    await shape(db.sql, suppressed, { created: now - HOUR, status: 'suppressed' });
    await shape(db.sql, older, { created: now - 5 * 24 * HOUR, status: 'benign', decided: now - 4 * 24 * HOUR });
    const { ref: card } = await notifyFinding(deps, openCritical);

    const { digest, ref } = await postDigest(deps);
    expect(ref.channel).toBe('C0DIGEST1');
    expect(digest.counts.high).toEqual({ open: 0, benign: 1, escalated: 0, suppressed: 0 });
    expect(digest.counts.medium).toEqual({ open: 0, benign: 0, escalated: 1, suppressed: 0 });
    expect(digest.counts.critical).toEqual({ open: 1, benign: 0, escalated: 0, suppressed: 0 });
    expect(digest.counts.low).toEqual({ open: 0, benign: 0, escalated: 0, suppressed: 1 });
    expect(digest.decided).toBe(2);
    expect(digest.medianTriageMs).toBe(2 * HOUR);
    expect(digest.topIdentities).toEqual([{ name: 'alice@corp.com', cloud: 'aws', findings: 2 }, { name: 'bob@corp.com', cloud: 'aws', findings: 1 }]);
    expect(digest.trend).toHaveLength(14);
    expect(digest.trend.reduce((a, b) => a + b, 0)).toBe(5);
    const today = Math.floor(now / 86_400_000);
    const expectedToday = [2, 5, 3, 30, 120].filter((h) => Math.floor((now - h * HOUR) / 86_400_000) === today).length;
    expect(digest.trend.at(-1)).toBe(expectedToday);
    expect(digest.openTotal).toBe(2);
    const permalink = `https://acme.slack.com/archives/C0ALERTS1/p${card!.ts.replace('.', '')}`;
    expect(digest.open.find((o) => o.id === openCritical)).toMatchObject({ severity: 'critical', principal: 'bob@corp.com', url: permalink });
    expect(digest.open.find((o) => o.id === openOld)!.url).toBeUndefined();

    const text = JSON.stringify(fake.callsTo('chat.postMessage').at(-1)!.body.blocks);
    expect(text).toContain('*critical: 1* (open 1, benign 0, escalated 0, suppressed 0)');
    expect(text).toContain('*Median time to triage*\\n2 h');
    expect(text).toContain('*alice@corp.com* (aws): 2 finding(s)');
    expect(text).toMatch(/\*Trend, 14 days\*\\n`[▁-█]{14}` \(5\)/);
    expect(text).toContain(`<${permalink}|critical finding on ip:3>`);
    expect(text).toContain('*Still open (2)*');
  });

  it('mentions what the scans of the last 24 h could not read: records rejected, files of unknown format (each counted once), and where', async () => {
    await recordScanReport(db.sql, { provider: 'aws', rejected: 7, rejections: [{ file: 'AWSLogs/old.json.gz', index: 0, reason: 'too old to count' }], unknownFiles: [] }, now - 30 * HOUR);
    await recordScanReport(db.sql, { provider: 'aws', rejected: 2, rejections: [{ file: 'AWSLogs/1/CloudTrail/x.json.gz', index: 41, reason: 'unexpected end of JSON' }, { file: 'AWSLogs/1/CloudTrail/x.json.gz', index: 42, reason: 'no eventTime' }], unknownFiles: [] }, now - 5 * HOUR);
    // The same two unknown files, found by every scan of the directory; another directory, scanned as its own scope, holds one more.
    for (const h of [4, 3, 2]) await recordScanReport(db.sql, { provider: 'files', scope: 'files:/logs', rejected: h === 2 ? 1 : 0, rejections: h === 2 ? [{ file: '/logs/a.ndjson', index: 3, line: 4, reason: 'invalid UTF-8' }] : [], unknownFiles: ['/logs/notes.txt', '/logs/‮exe.pdf'] }, now - h * HOUR);
    for (const h of [4, 2]) await recordScanReport(db.sql, { provider: 'files', scope: 'files:/archive', rejected: 0, rejections: [], unknownFiles: ['/archive/readme.md'] }, now - h * HOUR);
    const { digest } = await postDigest(deps);
    expect(digest.unread).toMatchObject({ rejected: 3, unknownFiles: 3 });
    const text = JSON.stringify(fake.callsTo('chat.postMessage').at(-1)!.body.blocks);
    expect(text).toContain('*Logs that could not be read*');
    expect(text).toContain('3 records rejected, 3 files of unknown format in the last 24 h');
    expect(text).toContain('`AWSLogs/1/CloudTrail/x.json.gz #42` unexpected end of JSON');
    expect(text).toContain('`/logs/a.ndjson:4` invalid UTF-8');
    expect(text).toContain('`/logs/notes.txt` in no known log format');
    expect(text).toContain('[U+202E]exe.pdf');
    expect(text).not.toContain('too old to count');
  });

  it('posts the digest of a day once per platform: a second run for the same day leaves the first one alone', async () => {
    const first = await postDigestOnce(deps, '2026-12-06');
    const again = await postDigestOnce(deps, '2026-12-06');
    expect(first.posted).toBe(true);
    expect(again).toEqual({ ref: { channel: 'C0DIGEST1', ts: first.ref.ts }, posted: false });
    expect((await postDigestOnce(deps, '2026-12-07')).posted).toBe(true);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it('says so when the day was quiet', async () => {
    const { digest } = await postDigest(deps);
    expect(digest).toMatchObject({ decided: 0, medianTriageMs: undefined, openTotal: 0, topIdentities: [] });
    const text = JSON.stringify(fake.callsTo('chat.postMessage').at(-1)!.body.blocks);
    expect(text).toContain('_No findings._');
    expect(text).toContain('_Nothing open._');
    expect(text).toContain('*Median time to triage*\\nn/a');
    expect(text).not.toContain('could not be read');
  });
});
