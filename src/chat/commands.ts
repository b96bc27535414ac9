import { parseDuration } from '../core/duration.js';

/** Who a command is about: text as typed (email, ARN, user name, UPN) or a chat user mention to resolve to an email. */
export type PrincipalRef = { kind: 'text'; value: string } | { kind: 'mention'; userId: string; label?: string };

/** A command the bot understands, the same on every chat platform. */
export type Command =
  | { name: 'who'; principal: PrincipalRef; windowMs: number }
  | { name: 'baseline'; principal: PrincipalRef }
  | { name: 'findings'; filter: { kind: 'open' } | { kind: 'today' } | { kind: 'principal'; principal: PrincipalRef } }
  | { name: 'help' };

/** A parsed command, or what was wrong with the input and how to use the commands. */
export type ParsedCommand = { ok: true; command: Command } | { ok: false; error: string; usage: string };

const DEFAULT_WINDOW_MS = 24 * 3_600_000;
/** Hourly activity is kept for five weeks; a longer window would silently show less than asked. */
const MAX_WINDOW_MS = 35 * 86_400_000;

/** How to use the commands, one per line. */
export const USAGE = [
  '/storage-who <principal> [last <N>m|h|d]   what an identity did (default: last 24h), compared with its normal',
  '/storage-baseline <principal>   what normal looks like for an identity',
  '/storage-findings [open|today|<principal>]   open findings (default), today\'s, or one identity\'s',
  '/storage-help   this help',
  '<principal> is an email, ARN, user name, UPN, or @mention.',
].join('\n');

/** The same commands as typed to the bot in Teams (after an @mention in a channel, plainly in a personal chat). */
export const LINE_USAGE = USAGE.replace(/\/storage-/g, '').replace('@mention', '@mention of a person');

const fail = (error: string): ParsedCommand => ({ ok: false, error, usage: USAGE });

/** `<@U123|alice>` -> mention; `<mailto:a@b.c|a@b.c>` (Slack's escaping of emails) -> the address; anything else as typed. */
export function parsePrincipal(text: string): PrincipalRef | undefined {
  const t = text.trim();
  if (!t) return undefined;
  const mention = /^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$/.exec(t);
  if (mention) return { kind: 'mention', userId: mention[1]!, label: mention[2] || undefined };
  const mail = /^<mailto:([^|>]+)(?:\|[^>]*)?>$/.exec(t);
  if (mail) return { kind: 'text', value: mail[1]! };
  if (/[<>]/.test(t)) return undefined;
  return { kind: 'text', value: t };
}

function principalOrError(text: string, verb: string): { principal: PrincipalRef } | { error: string } {
  if (!text.trim()) return { error: `${verb} needs a principal` };
  const principal = parsePrincipal(text);
  return principal ? { principal } : { error: `cannot read the principal "${text.trim().slice(0, 80)}"` };
}

function parseWho(text: string): ParsedCommand {
  if (/^last(\s|$)/i.test(text.trim())) return fail('/storage-who needs a principal before "last"');
  const m = /^(.*?)\s+last\s+(\S+(?:\s+[a-z]+)?)\s*$/i.exec(text.trim());
  let rest = text;
  let windowMs = DEFAULT_WINDOW_MS;
  if (m) {
    const ms = parseDuration(m[2]!);
    if (ms === undefined) return fail(`"last ${m[2]}" is not a duration such as 30m, 6h or 2d`);
    if (ms > MAX_WINDOW_MS) return fail('the window can reach back at most 35 days');
    rest = m[1]!;
    windowMs = ms;
  } else if (/(^|\s)last(\s|$)/i.test(text.trim())) return fail('"last" needs a duration such as 30m, 6h or 2d');
  const p = principalOrError(rest, '/storage-who');
  return 'error' in p ? fail(p.error) : { ok: true, command: { name: 'who', principal: p.principal, windowMs } };
}

/** Parses a slash command (`/storage-who`, or the bare verb `who`) and its text into a command or a usage error. */
export function parseCommand(name: string, text: string): ParsedCommand {
  const verb = name.trim().toLowerCase().replace(/^\/?(storage-)?/, '');
  const args = text.trim();
  switch (verb) {
    case 'who':
      return parseWho(args);
    case 'baseline': {
      const p = principalOrError(args, '/storage-baseline');
      return 'error' in p ? fail(p.error) : { ok: true, command: { name: 'baseline', principal: p.principal } };
    }
    case 'findings': {
      const word = args.toLowerCase();
      if (!word || word === 'open') return { ok: true, command: { name: 'findings', filter: { kind: 'open' } } };
      if (word === 'today') return { ok: true, command: { name: 'findings', filter: { kind: 'today' } } };
      const p = principalOrError(args, '/storage-findings');
      return 'error' in p ? fail(p.error) : { ok: true, command: { name: 'findings', filter: { kind: 'principal', principal: p.principal } } };
    }
    case 'help':
      return args ? fail('/storage-help takes no arguments') : { ok: true, command: { name: 'help' } };
    default:
      return fail(`unknown command "${name.trim().slice(0, 40)}"`);
  }
}

/** Parses a whole line whose first word is the verb (`who alice@corp.com last 6h`), as Teams messages arrive. */
export function parseCommandLine(line: string): ParsedCommand {
  const [verb = '', ...rest] = line.trim().split(/\s+/);
  return verb ? parseCommand(verb, rest.join(' ')) : fail('no command given');
}
