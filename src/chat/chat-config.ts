import { z } from 'zod';
import { StorageWatchError } from '../core/errors.js';
import { isTimeZone } from '../core/time-zone.js';
import type { EscalationTargets } from './escalate.js';

const httpUrl = z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

/** The environment variables every chat platform shares (escalation targets, digest time, HTTP port), validated. */
export const chatConfigSchema = z.object({
  ESCALATION_WEBHOOK_URL: httpUrl.optional(),
  PAGERDUTY_ROUTING_KEY: z.string().min(1).optional(),
  PAGERDUTY_EVENTS_URL: httpUrl.default('https://events.pagerduty.com/v2/enqueue'),
  DIGEST_TIME: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM such as 09:00').default('09:00'),
  DIGEST_TIME_ZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/London').default('UTC'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
});

/** Settings shared by every chat platform. */
export interface ChatConfig {
  /** Where escalations go besides the platforms' escalation channels. */
  escalation: EscalationTargets;
  /** When the digest is posted: local time of day in a time zone. */
  digest: { time: string; hour: number; minute: number; timeZone: string };
  /** HTTP port of the one server that serves every platform's endpoint (/slack/events, /api/messages). */
  port: number;
}

/** Reads the shared chat settings; throws a bad_config StorageWatchError naming every bad variable at once. */
export function parseChatConfig(env: Record<string, string | undefined>): ChatConfig {
  const parsed = chatConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new StorageWatchError('bad_config', `invalid configuration:\n  ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`);
  }
  const c = parsed.data;
  const [hour, minute] = c.DIGEST_TIME.split(':').map(Number) as [number, number];
  return {
    escalation: {
      webhookUrl: c.ESCALATION_WEBHOOK_URL,
      pagerDuty: c.PAGERDUTY_ROUTING_KEY ? { routingKey: c.PAGERDUTY_ROUTING_KEY, eventsUrl: c.PAGERDUTY_EVENTS_URL } : undefined,
    },
    digest: { time: c.DIGEST_TIME, hour, minute, timeZone: c.DIGEST_TIME_ZONE },
    port: c.PORT,
  };
}
