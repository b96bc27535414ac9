import { z } from 'zod';
import { StorageWatchError } from '../../core/errors.js';
import { chatConfigSchema } from '../chat-config.js';

const channelId = z.string().regex(/^[CGD][A-Z0-9]{6,}$/, 'must be a channel id such as C0123456789 (channel details > About > Channel ID), not a #name');
const httpUrl = z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

/** The environment variables of the Slack platform, validated. */
export const slackConfigSchema = chatConfigSchema.extend({
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'must be a bot token (xoxb-...)').optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'must be an app-level token (xapp-...)').optional(),
  SLACK_API_URL: httpUrl.default('https://slack.com/api/').transform((u) => (u.endsWith('/') ? u : `${u}/`)),
  SLACK_ALERT_CHANNEL: channelId.optional(),
  SLACK_ESCALATION_CHANNEL: channelId.optional(),
  SLACK_DIGEST_CHANNEL: channelId.optional(),
  SLACK_RESPONDERS: z.string().optional()
    .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean))
    .refine((l) => l.every((id) => /^[UWS][A-Z0-9]{2,}$/.test(id)), 'must be comma-separated Slack user ids (U…/W…) and user group ids (S…)'),
});

/** How storage-watch talks to Slack. */
export interface SlackConfig {
  /** Bot token (xoxb-). */
  botToken: string;
  /** Verifies inbound HTTP requests; required in HTTP mode. */
  signingSecret?: string;
  /** App-level token (xapp-): set = Socket Mode, no public URL needed. */
  appToken?: string;
  mode: 'http' | 'socket';
  /** Web API base URL (tests point it at a fake). */
  apiUrl: string;
  /** Channel ids: alerts, escalations (optional), digest (defaults to the alert channel). */
  channels: { alert: string; escalation?: string; digest: string };
  /** Who may mark benign or escalate: user ids and user group ids. */
  responders: { users: string[]; groups: string[] };
  /** Where escalations also go. */
  escalation: { webhookUrl?: string; pagerDuty?: { routingKey: string; eventsUrl: string } };
  /** When the digest is posted: local time of day in a time zone. */
  digest: { time: string; hour: number; minute: number; timeZone: string };
  /** HTTP port of the events endpoint (HTTP mode). */
  port: number;
}

/**
 * Reads the Slack settings from the environment: undefined when no SLACK_* variable is set (Slack off);
 * throws a bad_config StorageWatchError naming every bad or missing variable at once otherwise.
 */
export function parseSlackConfig(env: Record<string, string | undefined>): SlackConfig | undefined {
  const set = Object.keys(env).filter((k) => k.startsWith('SLACK_') && k !== 'SLACK_API_URL' && env[k]);
  if (!set.length) return undefined;
  const parsed = slackConfigSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (!env.SLACK_BOT_TOKEN) problems.push(`SLACK_BOT_TOKEN: required when ${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set`);
  if (!env.SLACK_ALERT_CHANNEL) problems.push('SLACK_ALERT_CHANNEL: required: the id of the channel alert cards go to');
  if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) problems.push('SLACK_SIGNING_SECRET: required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
  if (!parsed.success || problems.length) throw new StorageWatchError('bad_config', `invalid configuration:\n  ${problems.join('\n  ')}`);
  const c = parsed.data;
  const [hour, minute] = c.DIGEST_TIME.split(':').map(Number) as [number, number];
  return {
    botToken: c.SLACK_BOT_TOKEN!, signingSecret: c.SLACK_SIGNING_SECRET, appToken: c.SLACK_APP_TOKEN, mode: c.SLACK_APP_TOKEN ? 'socket' : 'http',
    apiUrl: c.SLACK_API_URL,
    channels: { alert: c.SLACK_ALERT_CHANNEL!, escalation: c.SLACK_ESCALATION_CHANNEL, digest: c.SLACK_DIGEST_CHANNEL ?? c.SLACK_ALERT_CHANNEL! },
    responders: { users: c.SLACK_RESPONDERS.filter((id) => !id.startsWith('S')), groups: c.SLACK_RESPONDERS.filter((id) => id.startsWith('S')) },
    escalation: {
      webhookUrl: c.ESCALATION_WEBHOOK_URL,
      pagerDuty: c.PAGERDUTY_ROUTING_KEY ? { routingKey: c.PAGERDUTY_ROUTING_KEY, eventsUrl: c.PAGERDUTY_EVENTS_URL } : undefined,
    },
    digest: { time: c.DIGEST_TIME, hour, minute, timeZone: c.DIGEST_TIME_ZONE },
    port: c.PORT,
  };
}
