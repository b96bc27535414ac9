import { z } from 'zod';
import { StorageWatchError } from '../../core/errors.js';

const channelId = z.string().regex(/^19:[^\s/?#]+@thread\.(tacv2|skype)$/, 'must be a Teams channel id such as 19:abc...@thread.tacv2 (channel ... > Get link to channel: the part after /channel/, URL-decoded)');
const slashed = (u: string): string => (u.endsWith('/') ? u : `${u}/`);
const httpUrl = z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The environment variables of the Microsoft Teams platform, validated. */
export const teamsConfigSchema = z.object({
  TEAMS_APP_ID: z.string().regex(guid, 'must be the Azure Bot\'s Microsoft App ID (a GUID)').optional(),
  TEAMS_APP_PASSWORD: z.string().min(1).optional(),
  TEAMS_TENANT_ID: z.string().regex(guid, 'must be the Entra tenant id (a GUID)').optional(),
  TEAMS_ALERT_CHANNEL: channelId.optional(),
  TEAMS_ESCALATION_CHANNEL: channelId.optional(),
  TEAMS_DIGEST_CHANNEL: channelId.optional(),
  TEAMS_RESPONDERS: z.string().optional()
    .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean))
    .refine((l) => l.every((id) => guid.test(id)), 'must be comma-separated Entra object ids (GUIDs) of the people who may triage'),
  TEAMS_SERVICE_URL: httpUrl.default('https://smba.trafficmanager.net/teams/').transform(slashed),
  TEAMS_TEAM_ID: z.string().regex(guid, 'must be the team\'s Microsoft 365 group id (a GUID: Teams > the team > ... > Get link to team, the groupId parameter), not a 19:... id').optional(),
  TEAMS_GRAPH_URL: httpUrl.optional().transform((u) => (u ? slashed(u) : undefined)),
  TEAMS_LOGIN_URL: httpUrl.default('https://login.microsoftonline.com/').transform(slashed),
  NODE_ENV: z.string().optional(),
});

/** How storage-watch talks to Microsoft Teams. */
export interface TeamsConfig {
  /** The Azure Bot's app (client) id, its client secret and its tenant; no app id = unauthenticated local testing only. */
  appId?: string;
  appPassword?: string;
  tenantId?: string;
  /** Channel ids (19:...@thread.tacv2): alerts, escalations (optional), digest (defaults to the alert channel). */
  channels: { alert: string; escalation?: string; digest: string };
  /** Entra object ids of the people who may mark benign or escalate. */
  responders: string[];
  /** Bot Connector URL to post to before any activity from the tenant has told us its own. */
  serviceUrl: string;
  /** The Microsoft 365 group id of the team that holds the channels (else learned from inbound activities). */
  teamId?: string;
  /**
   * Microsoft Graph (with its version) and the Entra sign-in host its app-only token comes from. `standIn` is
   * true when TEAMS_GRAPH_URL was set: without app credentials, Graph is then read without a token (local testing).
   */
  graph: { url: string; loginUrl: string; standIn: boolean };
}

/**
 * Reads the Teams settings from the environment: undefined when TEAMS_ALERT_CHANNEL is not set (Teams off);
 * throws a bad_config StorageWatchError naming every bad or missing variable at once otherwise, and when
 * NODE_ENV=production runs without TEAMS_APP_ID (the endpoint would accept unauthenticated requests).
 */
export function parseTeamsConfig(env: Record<string, string | undefined>): TeamsConfig | undefined {
  const set = Object.keys(env).filter((k) => k.startsWith('TEAMS_') && env[k]);
  if (!env.TEAMS_ALERT_CHANNEL && !set.length) return undefined;
  const parsed = teamsConfigSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (!env.TEAMS_ALERT_CHANNEL) problems.push(`TEAMS_ALERT_CHANNEL: required when ${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set: the id of the channel alert cards go to`);
  if (env.TEAMS_APP_ID && !env.TEAMS_APP_PASSWORD) problems.push('TEAMS_APP_PASSWORD: required with TEAMS_APP_ID: the client secret of the Azure Bot\'s app registration');
  if (env.TEAMS_APP_ID && !env.TEAMS_TENANT_ID) problems.push('TEAMS_TENANT_ID: required with TEAMS_APP_ID: new Azure Bot registrations are single-tenant');
  if (!env.TEAMS_APP_ID && env.NODE_ENV === 'production') {
    problems.push('TEAMS_APP_ID: required when NODE_ENV=production: without it /api/messages accepts unauthenticated requests (local testing only)');
  }
  if (!parsed.success || problems.length) throw new StorageWatchError('bad_config', `invalid configuration:\n  ${problems.join('\n  ')}`);
  const c = parsed.data;
  return {
    appId: c.TEAMS_APP_ID, appPassword: c.TEAMS_APP_PASSWORD, tenantId: c.TEAMS_TENANT_ID,
    channels: { alert: c.TEAMS_ALERT_CHANNEL!, escalation: c.TEAMS_ESCALATION_CHANNEL, digest: c.TEAMS_DIGEST_CHANNEL ?? c.TEAMS_ALERT_CHANNEL! },
    responders: c.TEAMS_RESPONDERS.map((id) => id.toLowerCase()),
    serviceUrl: c.TEAMS_SERVICE_URL,
    teamId: c.TEAMS_TEAM_ID?.toLowerCase(),
    graph: { url: c.TEAMS_GRAPH_URL ?? 'https://graph.microsoft.com/v1.0/', loginUrl: c.TEAMS_LOGIN_URL, standIn: c.TEAMS_GRAPH_URL !== undefined },
  };
}
