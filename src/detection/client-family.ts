import { OTHER } from '../core/rollup.js';

/** What kind of software a client family is: an ordinary SDK, console or browser, or a bulk-transfer / attack / scripting tool. */
export type ClientKind = 'ordinary' | 'tool';

/** A user agent reduced to its family (`aws-cli`, `rclone`, `browser`), so that version bumps do not count as new clients. */
export interface ClientFamily {
  /** Short lowercase name, e.g. `aws-cli`, `aws-cli (kali)`, `python-requests`. */
  family: string;
  /** `tool` for bulk copy, scripting and offensive tools that an identity rarely switches to innocently. */
  kind: ClientKind;
}

// Order matters: the first match wins (Storage Explorer embeds AzCopy, nmap and zgrab pretend to be Mozilla).
const TOOLS: readonly [RegExp, string][] = [
  [/\brclone\//i, 'rclone'],
  [/\bs5cmd\//i, 's5cmd'],
  [/\bs3cmd\//i, 's3cmd'],
  [/\bS3 ?Browser\b/i, 's3-browser'],
  [/\bCyberduck\//i, 'cyberduck'],
  [/\bMountain ?Duck\//i, 'mountain-duck'],
  [/\bWinSCP\//i, 'winscp'],
  [/\bFileZilla\//i, 'filezilla'],
  [/\bCloudBerry\b/i, 'cloudberry'],
  [/\bmc\/RELEASE\.|\bMinIO \(/i, 'minio-mc'],
  [/\bs3fs\b|\bgoofys\//i, 's3fs'],
  [/\bcurl\//i, 'curl'],
  [/\bwget\//i, 'wget'],
  [/\bpython-requests\//i, 'python-requests'],
  [/\bpython-urllib\d?\//i, 'python-urllib'],
  [/\baiohttp\//i, 'aiohttp'],
  [/\bpython-httpx\//i, 'httpx'],
  [/\bGo-http-client\//i, 'go-http-client'],
  [/\bokhttp\//i, 'okhttp'],
  [/\blibwww-perl\//i, 'libwww-perl'],
  [/\bnode-fetch\b|\baxios\/|\bundici\b/i, 'node-http'],
  [/\bWindowsPowerShell\/|\bPowerShell\//i, 'powershell'],
  [/\bPostmanRuntime\//i, 'postman'],
  [/\binsomnia\//i, 'insomnia'],
  [/\bNmap\b/i, 'nmap'],
  [/\bsqlmap\//i, 'sqlmap'],
  [/\bNikto\b/i, 'nikto'],
  [/\bNuclei\b/i, 'nuclei'],
  [/\bmasscan\b|\bzgrab\b/i, 'scanner'],
  [/\b(gobuster|ffuf|feroxbuster|wfuzz|dirbuster)\b/i, 'web-fuzzer'],
  [/\bpacu\b|\bScoutSuite\b|\bprowler\b|\bcloudfox\b|\btrufflehog\b|\bs3scanner\b/i, 'cloud-attack-tool'],
];

const ORDINARY: readonly [RegExp, string][] = [
  [/Microsoft Azure Storage Explorer/i, 'azure-storage-explorer'],
  [/\bAzCopy\//i, 'azcopy'],
  [/\bAZURECLI\//i, 'azure-cli'],
  [/\bgsutil\//i, 'gsutil'],
  [/\bgcloud\//i, 'gcloud'],
  [/\bTerraform\//i, 'terraform'],
  [/^S3Console\//i, 's3-console'],
  [/^Mozilla\b/i, 'browser'],
];

// An operating system distribution made for penetration testing (md/distrib#kali.2024, Linux/6.6.9-kali-amd64).
const OFFENSIVE_OS = /(^|[^a-z])(kali|parrot|parrotsec|blackarch)([^a-z]|$)/i;

const cache = new Map<string, ClientFamily>();
const CACHE_LIMIT = 5000;

/** The family of a user agent: known tools and consoles by name, otherwise its first product token without the version. */
export function clientFamily(userAgent: string): ClientFamily {
  let hit = cache.get(userAgent);
  if (!hit) {
    hit = familyOf(userAgent);
    // Every identity-hour asks again for the same few agents; the cache only trades memory for regex work.
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(userAgent, hit);
  }
  return hit;
}

function familyOf(userAgent: string): ClientFamily {
  const ua = userAgent.trim().replace(/^\[(.*)\]$/, '$1').trim();
  for (const [pattern, family] of TOOLS) if (pattern.test(ua)) return { family, kind: 'tool' };
  let family = ORDINARY.find(([pattern]) => pattern.test(ua))?.[1];
  if (!family) {
    const token = (ua.split(/[\s,;(]+/)[0] ?? '').split('/')[0] ?? '';
    family = token.toLowerCase().replace(/[^a-z0-9._-]/g, '').slice(0, 40) || 'unknown';
  }
  // The same aws-cli on a pentest distribution is another family: someone's attack box, not their laptop.
  if (OFFENSIVE_OS.test(ua)) return { family: `${family} (${OFFENSIVE_OS.exec(ua)![2]!.toLowerCase()})`, kind: 'tool' };
  return { family, kind: 'ordinary' };
}

/** Client families of an hour that the baseline never saw, with the user agents and requests behind each. */
export function newClientFamilies(
  hourClients: Record<string, number>,
  knownClients: Record<string, unknown>,
): Map<string, { kind: ClientKind; agents: string[]; ops: number }> {
  const out = new Map<string, { kind: ClientKind; agents: string[]; ops: number }>();
  const agents = Object.keys(hourClients).filter((c) => c !== OTHER);
  if (!agents.length) return out;
  const known = new Set(Object.keys(knownClients).map((c) => clientFamily(c).family));
  for (const agent of agents) {
    const { family, kind } = clientFamily(agent);
    if (known.has(family)) continue;
    const entry = out.get(family) ?? { kind, agents: [], ops: 0 };
    entry.agents.push(agent);
    entry.ops += hourClients[agent] ?? 0;
    out.set(family, entry);
  }
  return out;
}
