import { describe, expect, it } from 'vitest';
import { parseCommand, parseCommandLine, parsePrincipal, USAGE } from '../../src/chat/commands.js';

const HOUR = 3_600_000;

describe('the slash-command grammar', () => {
  it('reads /storage-who with a principal and an optional window, 24 h by default', () => {
    expect(parseCommand('/storage-who', 'alice@corp.com')).toEqual({ ok: true, command: { name: 'who', principal: { kind: 'text', value: 'alice@corp.com' }, windowMs: 24 * HOUR } });
    expect(parseCommand('/storage-who', 'arn:aws:iam::111122223333:user/bob last 6h')).toEqual({
      ok: true, command: { name: 'who', principal: { kind: 'text', value: 'arn:aws:iam::111122223333:user/bob' }, windowMs: 6 * HOUR },
    });
    expect(parseCommand('/storage-who', '  carol@corp.onmicrosoft.com   LAST 30m ')).toMatchObject({ ok: true, command: { windowMs: 30 * 60_000 } });
    expect(parseCommand('/storage-who', 'dave last 2 days')).toMatchObject({ ok: true, command: { principal: { value: 'dave' }, windowMs: 48 * HOUR } });
  });

  it('resolves Slack mentions and escaped emails in the principal position', () => {
    expect(parseCommand('/storage-who', '<@U0ALICE|alice> last 1d')).toEqual({
      ok: true, command: { name: 'who', principal: { kind: 'mention', userId: 'U0ALICE', label: 'alice' }, windowMs: 24 * HOUR },
    });
    expect(parsePrincipal('<@W0BOB>')).toEqual({ kind: 'mention', userId: 'W0BOB' });
    expect(parsePrincipal('<mailto:alice@corp.com|alice@corp.com>')).toEqual({ kind: 'text', value: 'alice@corp.com' });
  });

  it('reads /storage-baseline, /storage-findings (open by default, today, or a principal) and /storage-help', () => {
    expect(parseCommand('/storage-baseline', 'alice@corp.com')).toEqual({ ok: true, command: { name: 'baseline', principal: { kind: 'text', value: 'alice@corp.com' } } });
    expect(parseCommand('/storage-findings', '')).toEqual({ ok: true, command: { name: 'findings', filter: { kind: 'open' } } });
    expect(parseCommand('/storage-findings', 'today')).toEqual({ ok: true, command: { name: 'findings', filter: { kind: 'today' } } });
    expect(parseCommand('/storage-findings', 'bob@corp.com')).toEqual({ ok: true, command: { name: 'findings', filter: { kind: 'principal', principal: { kind: 'text', value: 'bob@corp.com' } } } });
    expect(parseCommand('/storage-help', '')).toEqual({ ok: true, command: { name: 'help' } });
  });

  it('answers unknown or malformed input with the usage and what was wrong, never with silence', () => {
    const cases: [string, string, RegExp][] = [
      ['/storage-who', '', /needs a principal/],
      ['/storage-who', 'last 6h', /needs a principal/],
      ['/storage-who', 'alice last', /needs a duration/],
      ['/storage-who', 'alice last forever', /not a duration/],
      ['/storage-who', 'alice last 90d', /at most 35 days/],
      ['/storage-who', '<https://evil.example|click>', /cannot read the principal/],
      ['/storage-baseline', '', /needs a principal/],
      ['/storage-help', 'me', /takes no arguments/],
      ['/storage-frobnicate', 'x', /unknown command/],
    ];
    for (const [name, text, error] of cases) {
      const parsed = parseCommand(name, text);
      expect(parsed.ok, `${name} ${text}`).toBe(false);
      if (!parsed.ok) {
        expect(parsed.error).toMatch(error);
        expect(parsed.usage).toBe(USAGE);
      }
    }
    expect(USAGE).toMatch(/\/storage-who <principal> \[last <N>m\|h\|d\]/);
  });

  it('reads a whole line whose first word is the verb, as Teams delivers it', () => {
    expect(parseCommandLine('who alice@corp.com last 6h')).toMatchObject({ ok: true, command: { name: 'who', windowMs: 6 * HOUR } });
    expect(parseCommandLine('findings today')).toMatchObject({ ok: true, command: { name: 'findings', filter: { kind: 'today' } } });
    expect(parseCommandLine('')).toMatchObject({ ok: false });
  });
});
