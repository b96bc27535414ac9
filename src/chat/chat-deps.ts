import type { DetectionSettings } from '../detection/detection-settings.js';
import type { Sql } from '../store/sql.js';
import type { ConsoleLinkOptions } from './console-links.js';
import type { Messenger } from './messenger.js';

/** What the platform-neutral chat functions (notify, decide, digest) need. */
export interface ChatDeps {
  sql: Sql;
  /** The platform the cards go to. */
  messenger: Messenger;
  /** Business hours (for the identity's local time) and learning days. */
  settings: DetectionSettings;
  /** Channel ids: alerts, escalations (optional), digest (defaults to the alert channel). */
  channels: { alert: string; escalation?: string; digest?: string };
  links?: ConsoleLinkOptions;
  /** Clock, epoch ms (tests pin it). */
  now?: () => number;
  /** How long an unfinished post blocks other workers before it is presumed crashed and recovered (ms, default DEFAULT_CLAIM_TIMEOUT_MS). */
  claimTimeoutMs?: number;
}
