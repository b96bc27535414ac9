import { LogLevel, webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackEmailOf, slackResponders } from '../../src/chat/slack/slack-responders.js';
import { FakeSlackWebApi } from '../fakes/slack-web-api.js';

describe('Slack responders', () => {
  let fake: FakeSlackWebApi;
  let client: webApi.WebClient;
  beforeAll(async () => {
    fake = await FakeSlackWebApi.start({ token: 'xoxb-test', groups: { S0ONCALL: ['U0GROUPIE'] }, users: { U0ALICE: { name: 'alice', email: 'alice@corp.com' }, U0NOMAIL: { name: 'bot' } } });
    client = new webApi.WebClient('xoxb-test', { slackApiUrl: fake.url, logLevel: LogLevel.ERROR, retryConfig: { retries: 0 } });
  });
  afterAll(() => fake?.close());

  it('admits listed users and members of listed user groups, read from Slack and cached briefly', async () => {
    let now = 0;
    const responders = slackResponders(client, { users: ['U0RESP1'], groups: ['S0ONCALL'] }, 60_000, () => now);
    expect(await responders.isResponder('slack:U0RESP1')).toBe(true);
    expect(fake.callsTo('usergroups.users.list')).toHaveLength(0);
    expect(await responders.isResponder('slack:U0GROUPIE')).toBe(true);
    expect(await responders.isResponder('slack:U0OTHER')).toBe(false);
    expect(fake.callsTo('usergroups.users.list').map((c) => c.body.usergroup)).toEqual(['S0ONCALL']);
    now = 61_000;
    expect(await responders.isResponder('slack:U0GROUPIE')).toBe(true);
    expect(fake.callsTo('usergroups.users.list')).toHaveLength(2);
  });

  it('never admits anything that is not a Slack user reference', async () => {
    const responders = slackResponders(client, { users: ['U0RESP1'], groups: [] });
    for (const actor of ['U0RESP1', 'teams:U0RESP1', 'slack:U0RESP1 ', 'slack:*']) expect(await responders.isResponder(actor)).toBe(false);
  });

  it('reads a user\'s email with users.info', async () => {
    expect(await slackEmailOf(client, 'U0ALICE')).toBe('alice@corp.com');
    expect(await slackEmailOf(client, 'U0NOMAIL')).toBeUndefined();
  });
});
