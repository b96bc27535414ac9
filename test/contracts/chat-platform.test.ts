import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recentAudit } from '../../src/store/audit-log.js';
import { recordFinding } from '../../src/store/record-findings.js';
import { bulkDraft, eventually, person, seedFinding } from '../chat/chat-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { slackHarness, teamsHarness, type ChatHarness } from './chat-harness.js';

const alice = person('alice@corp.com');

/** What every chat platform must do, whatever its wire format. */
describe.each([['slack', slackHarness], ['teams', teamsHarness]] as const)('the chat platform contract: %s', (_name, start) => {
  let db: TestDatabase;
  let chat: ChatHarness;
  const end = Date.now() - 15 * 60_000;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    chat = await start(db.sql);
  });
  afterAll(async () => {
    await chat?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await db.reset();
    chat.reset();
  });

  it('posts one card per finding, however often it is notified and however often it repeats', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await chat.service.notifyFinding(f.id);
    await chat.service.notifyFinding(f.id);
    await recordFinding(db.sql, alice, bulkDraft(end + 5 * 60_000));
    await chat.service.notifyFinding(f.id);
    const cards = chat.cards(f.id);
    expect(cards).toHaveLength(1);
    expect(cards[0]).toContain('2 time(s)');
  });

  it('refuses a non-responder privately, keeps the card as it was and audits the attempt', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await chat.service.notifyFinding(f.id);
    const before = chat.cards(f.id);
    expect(await chat.pressBenign('outsider', f.id)).toMatch(/Only configured responders can mark findings benign/);
    expect(chat.cards(f.id)).toEqual(before);
    const audit = (await recentAudit(db.sql)).filter((a) => a.target === f.id).map((a) => [a.actor, a.action, a.result]);
    expect(audit).toEqual([[chat.actor('outsider'), 'finding.benign.request', 'refused']]);
  });

  it('updates the one card in place for everyone when a responder decides', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await chat.service.notifyFinding(f.id);
    expect(await chat.pressBenign('responder', f.id)).toBe('');
    await chat.decideBenign(f.id, 'Quarterly export, agreed with finance');
    const [card] = await eventually(() => (chat.cards(f.id)[0]?.includes('Marked benign') ? chat.cards(f.id) : undefined));
    expect(card).toContain('Quarterly export, agreed with finance');
    expect(chat.cards(f.id)).toHaveLength(1);
    const audit = (await recentAudit(db.sql)).filter((a) => a.target === f.id && a.action === 'finding.benign');
    expect(audit.map((a) => [a.actor, a.result])).toEqual([[chat.actor('responder'), 'done']]);
  });

  it('answers who, baseline and findings with the same cards', async () => {
    const f = await seedFinding(db.sql, alice, end);
    const who = await chat.command('who alice@corp.com last 6h');
    expect(who).toContain('Activity of alice@corp.com');
    expect(who).toContain('55 requests');
    expect(await chat.command('baseline alice@corp.com')).toContain('Typical active day');
    expect(await chat.command('findings open')).toContain(f.id);
  });

  it('posts the daily digest to the digest channel', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await chat.service.postDigest();
    const [digest] = chat.digests().slice(-1);
    expect(digest).toContain(f.title);
  });
});
