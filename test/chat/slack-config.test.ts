import { describe, expect, it } from 'vitest';
import { parseSlackConfig } from '../../src/chat/slack/slack-config.js';
import type { StorageWatchError } from '../../src/core/errors.js';

const BASE = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 's3cret', SLACK_ALERT_CHANNEL: 'C0ALERTS1' };

function failure(env: Record<string, string>): StorageWatchError {
  try {
    parseSlackConfig(env);
  } catch (err) {
    return err as StorageWatchError;
  }
  throw new Error('expected an error');
}

describe('Slack configuration', () => {
  it('is off when no SLACK_* variable is set', () => {
    expect(parseSlackConfig({})).toBeUndefined();
    expect(parseSlackConfig({ SLACK_API_URL: 'http://127.0.0.1:1/api/' })).toBeUndefined();
  });

  it('fills in defaults: HTTP mode on port 3000, slack.com API, digest to the alert channel at 09:00 UTC', () => {
    expect(parseSlackConfig(BASE)).toEqual({
      botToken: 'xoxb-1-2-abc', signingSecret: 's3cret', appToken: undefined, mode: 'http', apiUrl: 'https://slack.com/api/',
      channels: { alert: 'C0ALERTS1', escalation: undefined, digest: 'C0ALERTS1' }, responders: { users: [], groups: [] },
      escalation: { webhookUrl: undefined, pagerDuty: undefined }, digest: { time: '09:00', hour: 9, minute: 0, timeZone: 'UTC' }, port: 3000,
    });
  });

  it('switches to Socket Mode with an app token, splits responders into users and groups, and reads the escalation targets', () => {
    const cfg = parseSlackConfig({
      SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-A1', SLACK_ALERT_CHANNEL: 'G0PRIVATE', SLACK_RESPONDERS: 'U0AAA, W0BBB,S0TEAM',
      SLACK_API_URL: 'http://127.0.0.1:9999/api', PAGERDUTY_ROUTING_KEY: 'R0KEY', ESCALATION_WEBHOOK_URL: 'https://soar.example/hook',
      DIGEST_TIME: '17:30', DIGEST_TIME_ZONE: 'Europe/London', PORT: '8080',
    })!;
    expect(cfg).toMatchObject({
      mode: 'socket', appToken: 'xapp-1-A1', apiUrl: 'http://127.0.0.1:9999/api/', responders: { users: ['U0AAA', 'W0BBB'], groups: ['S0TEAM'] },
      escalation: { webhookUrl: 'https://soar.example/hook', pagerDuty: { routingKey: 'R0KEY', eventsUrl: 'https://events.pagerduty.com/v2/enqueue' } },
      digest: { time: '17:30', hour: 17, minute: 30, timeZone: 'Europe/London' }, port: 8080,
    });
  });

  it('names every bad or missing variable at once', () => {
    const err = failure({
      SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_ALERT_CHANNEL: '#security', SLACK_RESPONDERS: 'alice', DIGEST_TIME: '9am',
      DIGEST_TIME_ZONE: 'Mars/Olympus', PAGERDUTY_EVENTS_URL: 'not a url', PORT: '99999',
    });
    expect(err.code).toBe('bad_config');
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_ALERT_CHANNEL', 'SLACK_RESPONDERS', 'DIGEST_TIME', 'DIGEST_TIME_ZONE', 'PAGERDUTY_EVENTS_URL', 'PORT', 'SLACK_SIGNING_SECRET']) {
      expect(err.message).toContain(name);
    }
    expect(failure({ SLACK_ALERT_CHANNEL: 'C0ALERTS1' }).message).toMatch(/SLACK_BOT_TOKEN: required when SLACK_ALERT_CHANNEL is set/);
  });
});
