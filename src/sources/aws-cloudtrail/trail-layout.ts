/** Where a trail writes one account's files in its bucket: `<prefix>/AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/`. */
export interface TrailLayout {
  /** `<prefix>/AWSLogs/` or `<prefix>/AWSLogs/<org-id>/`. */
  root: string;
}

const DAY = 86_400_000;
// <account>_CloudTrail_<region>_20181128T2305Z_zKlMhON7EpHala9u.json.gz, or a minuteBound() without the suffix.
const STAMP = /_CloudTrail_[a-z0-9-]+_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z(_[^/]*\.json\.gz)?$/;

const pad = (n: number): string => String(n).padStart(2, '0');

/** The layout of a trail with key prefix `prefix` (may be empty), for an organisation trail when orgId is set. */
export function trailLayout(prefix: string, orgId?: string): TrailLayout {
  const base = prefix.replace(/^\/+|\/+$/g, '');
  return { root: `${base ? `${base}/` : ''}AWSLogs/${orgId ? `${orgId}/` : ''}` };
}

/** Prefix under which an account's regions are folders. */
export function regionsPrefix(layout: TrailLayout, account: string): string {
  return `${layout.root}${account}/CloudTrail/`;
}

/** Start of the UTC day containing t. */
export function dayStart(t: number): number {
  return t - (((t % DAY) + DAY) % DAY);
}

/** The folder of one account, region and UTC day. */
export function dayPrefix(layout: TrailLayout, account: string, region: string, t: number): string {
  const d = new Date(t);
  return `${regionsPrefix(layout, account)}${region}/${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/`;
}

/**
 * A key that sorts just before every file delivered in the minute of t (file names carry
 * their delivery minute after the account and region), for ListObjectsV2 StartAfter.
 */
export function minuteBound(layout: TrailLayout, account: string, region: string, t: number): string {
  const d = new Date(t);
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
  return `${dayPrefix(layout, account, region, t)}${account}_CloudTrail_${region}_${stamp}`;
}

/** Delivery minute (epoch ms) in a CloudTrail log file's name, or undefined for any other object (digests, markers). */
export function deliveryTime(key: string): number | undefined {
  return STAMP.exec(key)?.[6] ? stampTime(key) : undefined;
}

/** Minute (epoch ms) named by a log file key or a minuteBound(). */
export function stampTime(key: string): number | undefined {
  const m = STAMP.exec(key);
  if (!m) return undefined;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi);
  return Number.isNaN(t) ? undefined : t;
}

/** Names of the folders directly under `parent` among ListObjectsV2 common prefixes (accounts, regions). */
export function childFolders(parent: string, prefixes: readonly (string | undefined)[]): string[] {
  return prefixes
    .filter((p): p is string => typeof p === 'string' && p.startsWith(parent))
    .map((p) => p.slice(parent.length).replace(/\/$/, ''))
    .filter((name) => name !== '');
}
