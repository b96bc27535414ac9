import { TZDate } from '@date-fns/tz';
import type { Identity } from '../core/identity.js';
import { parseCidrs, type CidrList } from './network.js';

/** Working hours in a time zone: [start, end) in local hours, on the given weekdays (0 = Sunday). */
export interface BusinessHours {
  timeZone: string;
  start: number;
  end: number;
  days: number[];
}

/** Business hours for identities whose id or name matches a glob (`*@tokyo.corp.com`). */
export interface IdentityHours {
  match: string;
  hours: BusinessHours;
}

/** Ratios to the upper bound of normal, and amounts of data, at which severity rises. */
export interface SeverityThresholds {
  ratio: { medium: number; high: number; critical: number };
  bytes: { high: number; critical: number };
}

/** Organisation settings the detectors read. */
export interface DetectionSettings {
  /** Corporate networks: addresses inside them are never "new". */
  knownNetworks: CidrList;
  /** Identities (principal id or name, case-insensitive) never alerted on. */
  allowlist: Set<string>;
  /** An identity with fewer days of history than this is still learning. */
  learningDays: number;
  /** Default business hours, and overrides per identity pattern (first match wins). */
  businessHours: BusinessHours;
  identityHours: { pattern: RegExp; hours: BusinessHours }[];
  thresholds: SeverityThresholds;
  /** New findings one detector may open in one hour across identities before the surplus folds into one storm finding. */
  stormLimit: number;
}

/** The local side of an instant for one identity. */
export interface LocalTime {
  timeZone: string;
  hour: number;
  weekday: number;
  /** e.g. `Tue 03:12 Europe/London`. */
  label: string;
  inBusinessHours: boolean;
}

const GIB = 1024 ** 3;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Everything a detector needs when nothing is configured. */
export const DEFAULT_SETTINGS = {
  knownNetworks: [] as string[],
  allowlist: [] as string[],
  learningDays: 7,
  businessHours: { timeZone: 'UTC', start: 7, end: 20, days: [1, 2, 3, 4, 5] },
  identityHours: [] as IdentityHours[],
  thresholds: { ratio: { medium: 3, high: 10, critical: 50 }, bytes: { high: GIB, critical: 10 * GIB } },
  stormLimit: 50,
};

/** A glob (`*` any run of characters) as a case-insensitive whole-string pattern. */
export function globPattern(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
}

/** Settings from plain values (as read from the settings file and environment), with defaults filled in. */
export function detectionSettings(o: Partial<typeof DEFAULT_SETTINGS> = {}): DetectionSettings {
  const v = { ...DEFAULT_SETTINGS, ...o };
  return {
    knownNetworks: parseCidrs(v.knownNetworks),
    allowlist: new Set(v.allowlist.map((s) => s.toLowerCase())),
    learningDays: v.learningDays,
    businessHours: v.businessHours,
    identityHours: v.identityHours.map((i) => ({ pattern: globPattern(i.match), hours: i.hours })),
    thresholds: v.thresholds,
    stormLimit: v.stormLimit,
  };
}

/** Business hours that apply to an identity. */
export function hoursFor(settings: DetectionSettings, identity: Pick<Identity, 'principal'>): BusinessHours {
  const hit = settings.identityHours.find((i) => i.pattern.test(identity.principal.id) || i.pattern.test(identity.principal.name));
  return hit?.hours ?? settings.businessHours;
}

/** The identity's local hour and weekday at instant t, and whether that is inside its business hours. */
export function localTime(settings: DetectionSettings, identity: Pick<Identity, 'principal'>, t: number): LocalTime {
  const hours = hoursFor(settings, identity);
  // UTC (the default) needs no zone lookup, which costs more than the rest of a judgement's clock work.
  const utc = hours.timeZone === 'UTC';
  const d = utc ? new Date(t) : new TZDate(t, hours.timeZone);
  const hour = utc ? d.getUTCHours() : d.getHours();
  const weekday = utc ? d.getUTCDay() : d.getDay();
  const hh = String(hour).padStart(2, '0');
  const mm = String(utc ? d.getUTCMinutes() : d.getMinutes()).padStart(2, '0');
  return {
    timeZone: hours.timeZone,
    hour,
    weekday,
    label: `${WEEKDAYS[weekday]} ${hh}:${mm} ${hours.timeZone}`,
    inBusinessHours: hours.days.includes(weekday) && hour >= hours.start && hour < hours.end,
  };
}
