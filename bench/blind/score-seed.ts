import type { Label } from './model.js';

/** The part of a `scan --json` finding line the scorer reads. */
export interface Finding {
  detector: string;
  severity: string;
  cloud: string;
  principal: { id: string; name?: string };
  start: string;
  end: string;
  title?: string;
}

/** The manifest's identities: per cloud, the names the logs may use. */
export interface ManifestIdentity {
  key: string;
  clouds: Record<string, { primary: string; aliases: string[] }>;
}

/** How one seed scored. */
export interface SeedScore {
  incidents: { label: Label; caught: boolean; by: string[]; lowBy: string[] }[];
  falseAlarms: { finding: Finding; identity: string; episodes: string[] }[];
  counting: number;
  low: number;
}

const SLACK = 3_600_000;
const COUNTING = new Set(['medium', 'high', 'critical']);

/** `gcs`, `google`, `GCP` -> `gcp`; `azure-blob` -> `azure`; `s3` -> `aws`. */
export function normalizeCloud(cloud: string): string {
  const c = cloud.toLowerCase();
  if (c.startsWith('g')) return 'gcp';
  if (c.startsWith('az')) return 'azure';
  if (c === 's3' || c.startsWith('aws')) return 'aws';
  return c;
}

/** Finds the manifest identity a finding's principal names, in the finding's cloud. */
export function attributor(identities: ManifestIdentity[]): (f: Finding) => string | undefined {
  const index = new Map<string, string>();
  for (const id of identities) {
    for (const [cloud, names] of Object.entries(id.clouds)) {
      for (const n of names.aliases) {
        const key = `${cloud}|${n.toLowerCase()}`;
        const other = index.get(key);
        if (other && other !== id.key) throw new Error(`${other} and ${id.key} share the name ${n} in ${cloud}`);
        index.set(key, id.key);
      }
    }
  }
  return (f) => {
    const cloud = normalizeCloud(f.cloud);
    const id = f.principal.id ?? '';
    const candidates = [id, f.principal.name ?? '', id.split('/').pop() ?? ''];
    for (const c of candidates) {
      const hit = index.get(`${cloud}|${c.toLowerCase()}`);
      if (hit) return hit;
    }
    return undefined;
  };
}

function overlaps(f: Finding, l: Label): boolean {
  const fs = Date.parse(f.start);
  const fe = Date.parse(f.end);
  return fs <= Date.parse(l.end) + SLACK && fe >= Date.parse(l.start) - SLACK;
}

/** Scores one seed's findings against its labels. */
export function scoreSeed(findings: Finding[], incidents: Label[], quiet: Label[], identities: ManifestIdentity[]): SeedScore {
  const identityOf = attributor(identities);
  const scored: SeedScore = { incidents: incidents.map((label) => ({ label, caught: false, by: [], lowBy: [] })), falseAlarms: [], counting: 0, low: 0 };
  for (const f of findings) {
    const cloud = normalizeCloud(f.cloud);
    const identity = identityOf(f) ?? `?${f.principal.id}`;
    if (!COUNTING.has(f.severity)) {
      scored.low++;
      // Kept to explain misses: the product saw something, but below medium.
      for (const inc of scored.incidents) {
        if (inc.label.cloud === cloud && inc.label.identity === identity && overlaps(f, inc.label)) inc.lowBy.push(`${f.severity} ${f.detector}`);
      }
      continue;
    }
    scored.counting++;
    let matched = false;
    for (const inc of scored.incidents) {
      if (inc.label.cloud === cloud && inc.label.identity === identity && overlaps(f, inc.label)) {
        inc.caught = true;
        inc.by.push(f.detector);
        matched = true;
      }
    }
    if (matched) continue;
    const episodes = [...new Set(quiet.filter((q) => q.cloud === cloud && q.identity === identity && overlaps(f, q)).map((q) => q.kind))];
    scored.falseAlarms.push({ finding: f, identity, episodes });
  }
  return scored;
}
