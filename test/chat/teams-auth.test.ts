import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatService, type ChatService } from '../../src/chat/chat-service.js';
import { createTeamsPlatform } from '../../src/chat/teams/index.js';
import { parseTeamsConfig } from '../../src/chat/teams/teams-config.js';
import { loadConfig } from '../../src/config.js';
import type { StorageWatchError } from '../../src/core/errors.js';
import { detectionSettings } from '../../src/detection/detection-settings.js';
import { recentAudit } from '../../src/store/audit-log.js';
import { FakeBotConnector } from '../fakes/bot-connector.js';
import { executeInvoke, messageActivity, sendActivity } from '../fakes/teams-activities.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ALERTS = '19:alerts0000000000000000000000000@thread.tacv2';
const APP_ID = '0b7a9c3e-1111-4222-8333-944455556666';
const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OSCAR = { id: '29:1oscar', aadObjectId: 'bbbbbbbb-2222-4222-8222-222222222222', name: 'Oscar' };

describe('Teams authentication', () => {
  let db: TestDatabase;
  let connector: FakeBotConnector;
  let service: ChatService;
  let endpoint: string;

  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    connector = await FakeBotConnector.start();
    const cfg = parseTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'secret', TEAMS_TENANT_ID: TENANT_ID, TEAMS_ALERT_CHANNEL: ALERTS, TEAMS_SERVICE_URL: connector.url })!;
    service = createChatService([createTeamsPlatform(cfg)], { sql: db.sql, settings: detectionSettings(), enqueueLookup: () => Promise.resolve() });
    const { port } = await service.start({ port: 0, host: '127.0.0.1' });
    endpoint = `http://127.0.0.1:${port}/api/messages`;
  });
  afterAll(async () => {
    await service?.stop();
    await connector?.close();
    await db?.drop();
  });

  it('with TEAMS_APP_ID set, answers 401 to requests without a valid Bot Connector token and acts on none of them', async () => {
    const click = executeInvoke({ serviceUrl: connector.url, channel: ALERTS, messageId: '1', from: OSCAR, verb: 'storage_watch_benign', data: { findingId: 'f1' } });
    expect((await sendActivity(endpoint, click)).status).toBe(401);
    expect((await sendActivity(endpoint, click, { authorization: 'Bearer not.a.token' })).status).toBe(401);
    expect((await sendActivity(endpoint, click, { authorization: 'Basic b3NjYXI6cGFzcw==' })).status).toBe(401);
    const command = messageActivity({ serviceUrl: connector.url, from: OSCAR, text: 'help' });
    expect((await sendActivity(endpoint, command)).status).toBe(401);
    expect(connector.calls).toEqual([]);
    expect(await recentAudit(db.sql)).toEqual([]);
  });

  it('uses the app id it was given even when clientId and connections__* variables are set in the environment', async () => {
    const script = `
      const { createTeamsPlatform } = await import('./src/chat/teams/index.ts');
      const p = createTeamsPlatform({ appId: '${APP_ID}', appPassword: 'ours', tenantId: '${TENANT_ID}', channels: { alert: 'c', digest: 'c' }, responders: [], serviceUrl: 'http://127.0.0.1:9/', graph: { url: 'http://127.0.0.1:9/v1.0/', loginUrl: 'http://127.0.0.1:9/', standIn: false } });
      const c = p.adapter.connectionManager.getDefaultConnectionConfiguration();
      console.log(JSON.stringify({ clientId: p.adapter.getClientId(), conn: { clientId: c.clientId, clientSecret: c.clientSecret, tenantId: c.tenantId, certPemFile: c.certPemFile, authType: c.authType } }));`;
    const env = {
      ...process.env, clientId: 'evil-client', clientSecret: 'evil-secret', tenantId: 'evil-tenant', certPemFile: '/tmp/evil.pem', MicrosoftAppId: 'evil-legacy',
      connections__serviceConnection__settings__clientId: 'evil-connection', connections__serviceConnection__settings__clientSecret: 'evil-connection-secret',
      connectionsMap__0__connection: 'serviceConnection', connectionsMap__0__serviceUrl: '*',
    };
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout)));
    });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
      clientId: APP_ID, conn: { clientId: APP_ID, clientSecret: 'ours', tenantId: TENANT_ID, authType: 'ClientSecret' },
    });
  });
});

describe('Teams configuration', () => {
  const error = (env: Record<string, string>): string => {
    try {
      loadConfig(env);
    } catch (err) {
      return (err as StorageWatchError).message;
    }
    return '';
  };

  it('turns Teams on with TEAMS_ALERT_CHANNEL, defaults the digest channel and the service URL', () => {
    expect(loadConfig({ TEAMS_ALERT_CHANNEL: ALERTS }).teams).toEqual({
      appId: undefined, appPassword: undefined, tenantId: undefined, channels: { alert: ALERTS, escalation: undefined, digest: ALERTS },
      responders: [], serviceUrl: 'https://smba.trafficmanager.net/teams/',
      teamId: undefined, graph: { url: 'https://graph.microsoft.com/v1.0/', loginUrl: 'https://login.microsoftonline.com/', standIn: false },
    });
    expect(loadConfig({}).teams).toBeUndefined();
  });

  it('reads the team\'s group id and where Graph and sign-in are (for stand-ins), and refuses a 19: id as the team id', () => {
    const team = '5A1C3E4F-7D2B-4C8A-9E6F-0123456789AB';
    expect(loadConfig({ TEAMS_ALERT_CHANNEL: ALERTS, TEAMS_TEAM_ID: team, TEAMS_GRAPH_URL: 'http://127.0.0.1:9/v1.0', TEAMS_LOGIN_URL: 'http://127.0.0.1:9' }).teams).toMatchObject({
      teamId: team.toLowerCase(), graph: { url: 'http://127.0.0.1:9/v1.0/', loginUrl: 'http://127.0.0.1:9/', standIn: true },
    });
    expect(error({ TEAMS_ALERT_CHANNEL: ALERTS, TEAMS_TEAM_ID: '19:team0000@thread.tacv2' })).toMatch(/TEAMS_TEAM_ID: must be the team's Microsoft 365 group id/);
  });

  it('refuses to run unauthenticated under NODE_ENV=production, and names every bad variable', () => {
    expect(error({ TEAMS_ALERT_CHANNEL: ALERTS, NODE_ENV: 'production' })).toMatch(/TEAMS_APP_ID: required when NODE_ENV=production/);
    const message = error({ TEAMS_ALERT_CHANNEL: '#security', TEAMS_RESPONDERS: 'rita', TEAMS_APP_ID: APP_ID, TEAMS_SERVICE_URL: 'ftp://x' });
    for (const name of ['TEAMS_ALERT_CHANNEL', 'TEAMS_RESPONDERS', 'TEAMS_APP_PASSWORD', 'TEAMS_TENANT_ID', 'TEAMS_SERVICE_URL']) expect(message).toContain(name);
  });
});
