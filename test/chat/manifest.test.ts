import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/chat/commands.js';

const manifest = JSON.parse(readFileSync(new URL('../../manifest/slack.json', import.meta.url), 'utf8')) as {
  features: { slash_commands: { command: string; url: string; should_escape: boolean }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean; request_url: string }; socket_mode_enabled: boolean };
};

describe('the Slack app manifest', () => {
  it('declares exactly the commands the grammar understands, all at Bolt\'s /slack/events path', () => {
    const commands = manifest.features.slash_commands;
    expect(commands.map((c) => c.command)).toEqual(['/storage-who', '/storage-baseline', '/storage-findings', '/storage-help']);
    for (const c of commands) {
      expect(new URL(c.url).pathname).toBe('/slack/events');
      const parsed = parseCommand(c.command, c.command === '/storage-help' || c.command === '/storage-findings' ? '' : 'alice@corp.com');
      expect(parsed.ok, c.command).toBe(true);
    }
    // Escaping turns @mentions into <@U…|name>, which the grammar resolves to an email.
    expect(commands.filter((c) => c.command !== '/storage-help').every((c) => c.should_escape)).toBe(true);
  });

  it('asks for the minimal scopes, with interactivity on and Socket Mode off by default', () => {
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(['channels:history', 'chat:write', 'commands', 'groups:history', 'usergroups:read', 'users:read', 'users:read.email']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe('/slack/events');
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('keeps platform-neutral chat and core code free of Slack imports', () => {
    const dirs = ['../../src/chat/', '../../src/core/'];
    for (const dir of dirs) {
      for (const file of readdirSync(new URL(dir, import.meta.url)).filter((f) => f.endsWith('.ts'))) {
        expect(readFileSync(new URL(dir + file, import.meta.url), 'utf8'), `${dir}${file}`).not.toMatch(/from '@slack\//);
      }
    }
  });
});
