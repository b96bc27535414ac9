import type { AccessEvent, ActionClass, Cloud, Principal } from '../../src/core/event.js';
import { SEVERITIES, type Severity } from '../../src/core/finding.js';
import type { DEFAULT_SETTINGS } from '../../src/detection/detection-settings.js';
import { detectionSettings } from '../../src/detection/detection-settings.js';
import type { Detection } from '../../src/detection/detection-run.js';
import { replayEvents } from '../../src/detection/replay.js';
import { DETECTORS } from '../../src/detectors/index.js';

/** Who acts in a scenario. */
export interface Actor {
  cloud: Cloud;
  account: string;
  principal: Principal;
}

/** A person (principal id = email) in an AWS account unless told otherwise. */
export function human(email: string, cloud: Cloud = 'aws', account = '111122223333'): Actor {
  return { cloud, account, principal: { id: email, name: email, type: 'user' } };
}

/** A service identity (role, service account). */
export function service(name: string, cloud: Cloud = 'aws', account = '111122223333'): Actor {
  return { cloud, account, principal: { id: `arn:aws:iam::${account}:role/${name}`, name, type: 'role' } };
}

/** Unauthenticated public access to an account's buckets. */
export function anonymous(cloud: Cloud = 'aws', account = '111122223333'): Actor {
  return { cloud, account, principal: { id: 'anonymous', name: 'anonymous', type: 'anonymous' } };
}

/** Epoch ms of an ISO-8601 instant. */
export const at = (iso: string): number => Date.parse(iso);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let seq = 0;

/** What each generated event does. */
export interface EventShape {
  action?: string;
  class?: ActionClass;
  bucket?: string;
  /** Object key of the i-th event of the burst (default: a rotating set of 20 report files). */
  key?: (i: number) => string | undefined;
  bytesOut?: number;
  bytesIn?: number;
  ip?: string;
  client?: string;
  outcome?: 'success' | 'denied' | 'error';
}

const DEFAULT_CLASS: Record<string, ActionClass> = { GetObject: 'read', PutObject: 'write', ListObjects: 'list', DeleteObject: 'delete' };

/** `count` events by `actor` spread evenly over `minutes` minutes from `start`. */
export function burst(actor: Actor, start: number, count: number, shape: EventShape = {}, minutes = 50): AccessEvent[] {
  const action = shape.action ?? 'GetObject';
  const cls = shape.class ?? DEFAULT_CLASS[action] ?? 'read';
  return Array.from({ length: count }, (_, i): AccessEvent => ({
    id: `ev-${++seq}`,
    cloud: actor.cloud,
    account: actor.account,
    principal: actor.principal,
    action: { name: action, class: cls },
    resource: { bucket: shape.bucket ?? 'corp-reports', key: shape.key ? shape.key(i) : cls === 'list' ? undefined : `reports/2026/report-${i % 20}.xlsx` },
    ip: shape.ip ?? '81.2.69.160',
    client: shape.client ?? 'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0',
    bytesOut: shape.bytesOut ?? (cls === 'read' ? 2_000_000 : 0),
    bytesIn: shape.bytesIn ?? (cls === 'write' ? 1_000_000 : 0),
    outcome: shape.outcome === undefined || shape.outcome === 'success' ? { status: 'success' } : { status: shape.outcome, code: shape.outcome === 'denied' ? 'AccessDenied' : 'InternalError' },
    time: start + Math.floor((i * minutes * 60_000) / Math.max(count, 1)),
  }));
}

/** Routine history: `perHour` events in each UTC hour [fromHour, toHour) of each of the `days` days before `end`. */
export function routine(
  actor: Actor,
  o: { end: number; days: number; fromHour: number; toHour: number; perHour: number; weekdaysOnly?: boolean; shape?: EventShape },
): AccessEvent[] {
  const out: AccessEvent[] = [];
  const firstDay = o.end - (o.end % DAY) - o.days * DAY;
  for (let d = 0; d < o.days; d++) {
    const day = firstDay + d * DAY;
    const weekday = new Date(day).getUTCDay();
    if (o.weekdaysOnly && (weekday === 0 || weekday === 6)) continue;
    for (let h = o.fromHour; h < o.toHour; h++) out.push(...burst(actor, day + h * HOUR, o.perHour, o.shape));
  }
  return out;
}

/** A detector fixture: events (history and incident together) and the settings to judge them with. */
export interface Scenario {
  name: string;
  events: () => AccessEvent[];
  /** Findings must (fires) or must not (quiet) reach this severity; default medium. */
  severity?: Severity;
  /** Only findings whose activity ends at or after this instant count (default: the whole scenario). */
  from?: number;
  settings?: Partial<typeof DEFAULT_SETTINGS>;
}

/** Runs a scenario through the real engine with every registered detector. */
export async function runScenario(s: Scenario): Promise<Detection[]> {
  const events = s.events().sort((a, b) => a.time - b.time);
  const { detections } = await replayEvents(events, { detectors: DETECTORS, settings: detectionSettings(s.settings), now: Date.now() });
  return detections;
}

/** Detections of one detector at or above a severity, ending at or after `from`. */
export function matching(detections: readonly Detection[], detector: string, severity: Severity = 'medium', from = 0): Detection[] {
  return detections.filter((d) => d.draft.detector === detector && SEVERITIES.indexOf(d.draft.severity) >= SEVERITIES.indexOf(severity) && d.draft.end >= from && !d.suppressedBy);
}
