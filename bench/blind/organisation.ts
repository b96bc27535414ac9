import { AWS_ACCOUNT, BUCKETS, GCP_PROJECT, personalBucket } from './buckets.js';
import type { ClientKind, Os } from './user-agent.js';
import type { AwsWho, AzureWho, Bucket, Cloud, GcpWho } from './model.js';
import { Rng } from './rng.js';

/** A team of the organisation (services and the public are pseudo-teams). */
export type Team = 'data-eng' | 'analysts' | 'finance' | 'platform' | 'support' | 'backend' | 'service' | 'public';

/** What one identity does in one cloud. */
export interface CloudUse {
  who: AwsWho | GcpWho | AzureWho;
  buckets: { item: Bucket; weight: number }[];
  clients: ClientKind[];
  /** Day its tools are upgraded. */
  upgradeDay: number;
  /** Daily means on a working day. */
  reads: number;
  lists: number;
  writes: number;
  deletes: number;
}

/** A person, service or the anonymous public, with everything that shapes its ordinary days. */
export interface Identity {
  key: string;
  display: string;
  team: Team;
  kind: 'human' | 'service' | 'public';
  tz: string;
  startHour: number;
  dayLength: number;
  os: Os;
  homeIp: string;
  officeIps: string[];
  clouds: Partial<Record<Cloud, CloudUse>>;
  firstDay: number;
  lastDay: number;
  /** Service schedule name (services only). */
  schedule?: string;
}

const FIRST = ['amira', 'ben', 'chloe', 'dev', 'elena', 'farid', 'grace', 'hiro', 'isla', 'jonas', 'kavya', 'liam', 'maya', 'noah', 'olu', 'priya', 'quinn', 'rosa', 'sam', 'tara', 'umar', 'vera', 'wei', 'xena', 'yusuf', 'zoe', 'arjun', 'bea', 'carlos', 'dana', 'emeka', 'fern', 'gita', 'hugo', 'ines', 'jack', 'kofi', 'lena', 'marco', 'nia'];
const LAST = ['ng', 'okafor', 'smith', 'patel', 'garcia', 'kim', 'rossi', 'muller', 'silva', 'cohen', 'iyer', 'walsh', 'novak', 'tanaka', 'haddad', 'brown', 'reddy', 'jones', 'lopez', 'evans', 'khan', 'fischer', 'moreau', 'sato', 'nair', 'olsen', 'price', 'quist', 'ruiz', 'shah'];

const RESIDENTIAL: Record<string, string[]> = {
  'Europe/London': ['86.128', '86.140', '81.100', '82.132', '109.150', '92.40', '90.205'],
  'America/New_York': ['73.42', '73.158', '98.210', '24.60', '71.190', '108.20', '68.175'],
  'Asia/Kolkata': ['49.36', '106.51', '117.200', '122.171', '103.211', '182.73'],
};
/** Mobile operators' /16s by time zone (hotspots). */
export const MOBILE: Record<string, string[]> = {
  'Europe/London': ['31.94', '148.252', '92.40'],
  'America/New_York': ['172.56', '172.58', '174.205'],
  'Asia/Kolkata': ['49.44', '157.48', '223.187'],
};
const OFFICE: Record<string, string> = { 'Europe/London': '185.41.20', 'America/New_York': '64.124.37', 'Asia/Kolkata': '115.110.78' };

/** A random address inside a /16 given as `a.b`. */
export function ipIn(prefix: string, rng: Rng): string {
  return prefix.split('.').length === 3 ? `${prefix}.${rng.int(2, 254)}` : `${prefix}.${rng.int(0, 255)}.${rng.int(2, 254)}`;
}

/** A residential address in a time zone's country, optionally inside a given /16. */
export function residentialIp(tz: string, rng: Rng, prefix?: string): string {
  return ipIn(prefix ?? rng.pick(RESIDENTIAL[tz]!), rng);
}

interface TeamShape {
  share: number;
  zones: string[];
  make: (p: PersonBase, rng: Rng) => Partial<Record<Cloud, CloudUse>>;
}

interface PersonBase {
  first: string;
  last: string;
  email: string;
  handle: string;
  /** Legacy IAM user name (initial and surname, numbered when taken). */
  iamName: string;
  upgrade: number;
}

function sso(p: PersonBase, permissionSet: string, suffix: string): AwsWho {
  return { kind: 'sso', permissionSet, roleSuffix: suffix, session: p.email, rolePrincipalId: `AROA${suffix.toUpperCase().slice(0, 17)}` };
}

function entra(p: PersonBase, rng: Rng): AzureWho {
  return { kind: 'entra', objectId: rng.uuid(), upn: p.email, appId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46' };
}

function use(who: CloudUse['who'], buckets: [Bucket, number][], clients: ClientKind[], reads: number, upgradeDay: number, rng: Rng, writeShare = 0.08): CloudUse {
  return { who, buckets: buckets.map(([item, weight]) => ({ item, weight })), clients, upgradeDay, reads, lists: Math.max(2, reads * rng.range(0.06, 0.14)), writes: reads * writeShare * rng.range(0.5, 1.5), deletes: rng.range(0, 1.5) };
}

const B = BUCKETS;
const TEAMS: Record<Exclude<Team, 'service' | 'public'>, TeamShape> = {
  'data-eng': {
    share: 0.16, zones: ['Europe/London'],
    make: (p, r) => ({
      aws: use(sso(p, 'DataEngineer', '7c1e9a4b2d6f8e03'), [[B.raw, 3], [B.curated, 3], [personalBucket('aws', p.handle), 1]], [r.pick(['aws-cli', 'boto3']), 's3-console'], r.logNormal(140, 0.4), p.upgrade, r, 0.15),
      gcp: use({ kind: 'email', email: p.email }, [[B.exports, 2], [B.features, 2], [personalBucket('gcp', p.handle), 1]], ['gcloud', 'gcs-python'], r.logNormal(90, 0.4), p.upgrade, r, 0.15),
    }),
  },
  analysts: {
    share: 0.19, zones: ['America/New_York', 'America/New_York', 'Europe/London'],
    make: (p, r) => ({
      gcp: use({ kind: 'email', email: p.email }, [[B.reports, 4], [B.exports, 2], [B.features, 1]], [r.pick(['gcp-console', 'gcs-python']), 'gcloud'], r.logNormal(70, 0.5), p.upgrade, r),
      ...(r.chance(0.35) ? { aws: use(sso(p, 'Analyst', '3b8d0f2a6c4e1a95'), [[B.curated, 1]], ['s3-console'], r.logNormal(25, 0.4), p.upgrade, r, 0) } : {}),
    }),
  },
  finance: {
    share: 0.13, zones: ['Europe/London'],
    make: (p, r) => ({ azure: use(entra(p, r), [[B.invoices, 4], [B.ledger, 3], [B.payroll, 1]], [r.pick(['portal', 'storage-explorer']), 'storage-explorer'], r.logNormal(60, 0.4), p.upgrade, r, 0.12) }),
  },
  platform: {
    share: 0.09, zones: ['Europe/London', 'America/New_York'],
    make: (p, r) => ({
      aws: use(sso(p, 'PlatformAdmin', 'e41f7b2c9a0d3c58'), [[B.deploy, 3], [B.tfstate, 2], [B.backups, 1]], ['aws-cli', 's3-console'], r.logNormal(50, 0.4), p.upgrade, r, 0.1),
      gcp: use({ kind: 'email', email: p.email }, [[B.infra, 1]], ['gcloud'], r.logNormal(20, 0.4), p.upgrade, r, 0.2),
      azure: use(entra(p, r), [[B.opsdeploy, 1]], ['azcopy', 'portal'], r.logNormal(12, 0.4), p.upgrade, r, 0.3),
    }),
  },
  support: {
    share: 0.14, zones: ['Asia/Kolkata'],
    make: (p, r) => ({ azure: use(entra(p, r), [[B.acme, 3], [B.globex, 2], [B.initech, 2], [B.umbrella, 1], [B.hooli, 1]], ['storage-explorer', 'portal'], r.logNormal(90, 0.45), p.upgrade, r, 0.05) }),
  },
  backend: {
    share: 0.16, zones: ['America/New_York'],
    make: (p, r) => ({
      aws: use({ kind: 'iam-user', userName: p.iamName, principalId: `AIDA${r.alnum(17)}`, accessKeyId: `AKIA${r.alnum(16)}` }, [[B.uploads, 4], [B.backups, 1]], [r.pick(['aws-cli', 'js-sdk']), 'boto3'], r.logNormal(80, 0.5), p.upgrade, r, 0.1),
    }),
  },
};

function service(key: string, cloud: Cloud, who: CloudUse['who'], schedule: string, buckets: [Bucket, number][], clients: ClientKind[], ips: string[]): Identity {
  const u: CloudUse = { who, buckets: buckets.map(([item, weight]) => ({ item, weight })), clients, upgradeDay: 99, reads: 0, lists: 0, writes: 0, deletes: 0 };
  return { key, display: key, team: 'service', kind: 'service', tz: 'UTC', startHour: 0, dayLength: 24, os: 'linux', homeIp: ips[0]!, officeIps: ips, clouds: { [cloud]: u }, firstDay: 0, lastDay: 9999, schedule };
}

function role(roleName: string, rng: Rng, sessions: string[]): AwsWho {
  return { kind: 'role', roleName, rolePrincipalId: `AROA${rng.alnum(17)}`, sessions };
}

function services(rng: Rng): Identity[] {
  const gsa = (name: string): GcpWho => ({ kind: 'email', email: `${name}@${GCP_PROJECT}.iam.gserviceaccount.com` });
  const mi = (): AzureWho => ({ kind: 'entra', objectId: rng.uuid(), appId: rng.uuid() });
  const ec2 = () => `i-0${rng.hex(16)}`;
  return [
    service('svc-etl-nightly', 'aws', role('nw-etl-nightly', rng, [ec2(), ec2()]), 'etl', [[B.raw, 1], [B.curated, 1]], ['java-sdk'], ['10.12.4.17', '10.12.5.201']),
    service('svc-ci-deploy', 'aws', role('nw-ci-deploy', rng, ['GitHubActions']), 'ci', [[B.deploy, 1]], ['aws-cli'], ['3.248.112.9']),
    service('svc-app-server', 'aws', role('nw-app-server', rng, [rng.hex(32), rng.hex(32), rng.hex(32)]), 'app', [[B.uploads, 1]], ['js-sdk'], ['10.20.0.0']),
    service('svc-backup', 'aws', role('nw-backup', rng, ['backup-runner']), 'backup', [[B.uploads, 1], [B.backups, 1]], ['boto3'], ['10.20.250.7']),
    service('svc-dataflow', 'gcp', gsa('etl-dataflow'), 'etl', [[B.exports, 1], [B.features, 1]], ['gcs-java'], ['10.154.0.12', '10.154.0.31']),
    service('svc-reports', 'gcp', gsa('reports-scheduler'), 'reports', [[B.reports, 1], [B.exports, 1]], ['gcs-python'], ['34.105.77.20']),
    service('svc-ledger-export', 'azure', mi(), 'ledger', [[B.invoices, 1], [B.ledger, 1]], ['azure-net'], ['20.108.43.71']),
    service('svc-client-indexer', 'azure', mi(), 'indexer', [[B.acme, 2], [B.globex, 1], [B.initech, 1], [B.umbrella, 1], [B.hooli, 1]], ['azure-python'], ['51.104.28.199', '51.104.28.200']),
  ];
}

/** The anonymous public: website visitors of the public bucket and container. */
function publicVisitors(): Identity {
  const mk = (bucket: Bucket): CloudUse => ({ who: { kind: 'anonymous' }, buckets: [{ item: bucket, weight: 1 }], clients: ['browser'], upgradeDay: 99, reads: 0, lists: 0, writes: 0, deletes: 0 });
  return { key: 'public-anonymous', display: 'anonymous', team: 'public', kind: 'public', tz: 'UTC', startHour: 0, dayLength: 24, os: 'linux', homeIp: '', officeIps: [], clouds: { aws: mk(B.site), azure: mk(B.assets) }, firstDay: 0, lastDay: 9999, schedule: 'visitors' };
}

/** Builds the organisation: `count` identities (people, 8 services and the public), deterministic per seed. */
export function buildOrganisation(seed: number, count: number, days: number): Identity[] {
  const rng = new Rng(seed, 'organisation');
  const svc = services(rng);
  const humans = Math.max(1, count - svc.length - 1);
  const teams = Object.entries(TEAMS) as [keyof typeof TEAMS, TeamShape][];
  const total = teams.reduce((s, [, t]) => s + t.share, 0);
  const sizes = teams.map(([, t]) => Math.floor((t.share / total) * humans));
  for (let i = 0; sizes.reduce((s, n) => s + n, 0) < humans; i++) sizes[i % sizes.length]!++;
  const used = new Set<string>();
  const people: Identity[] = [];
  teams.forEach(([team, shape], ti) => {
    for (let i = 0; i < sizes[ti]!; i++) {
      let first: string, last: string;
      do {
        first = rng.pick(FIRST);
        last = rng.pick(LAST);
      } while (used.has(`${first}.${last}`));
      used.add(`${first}.${last}`);
      const handle = `${first}-${last}`;
      let iamName = `${first[0]}${last}`;
      for (let n = 2; used.has(`iam:${iamName}`); n++) iamName = `${first[0]}${last}${n}`;
      used.add(`iam:${iamName}`);
      const base: PersonBase = { first, last, handle, iamName, email: `${first}.${last}@northwind.example`, upgrade: rng.int(3, Math.max(4, days - 3)) };
      const tz = rng.pick(shape.zones);
      const office = Array.from({ length: 2 }, (_, k) => `${OFFICE[tz]!}.${10 + k + rng.int(0, 1) * 2}`);
      people.push({
        key: `${team}:${first}.${last}`, display: `${first}.${last}`, team, kind: 'human', tz,
        startHour: rng.range(7.5, 10), dayLength: rng.range(7.5, 9.5), os: rng.pick(['mac', 'mac', 'linux', 'windows'] as const),
        homeIp: residentialIp(tz, rng), officeIps: office, clouds: shape.make(base, rng), firstDay: 0, lastDay: 9999,
      });
    }
  });
  return [...people, ...svc, publicVisitors()];
}

/** Every name the logs may use for an identity in a cloud (for matching findings to identities). */
export function principalNames(who: CloudUse['who']): { primary: string; aliases: string[] } {
  switch (who.kind) {
    case 'anonymous':
      return { primary: 'anonymous', aliases: ['anonymous'] };
    case 'email':
      return { primary: who.email, aliases: [who.email] };
    case 'entra':
      return { primary: who.objectId, aliases: [who.objectId, ...(who.upn ? [who.upn] : [])] };
    case 'iam-user': {
      const arn = `arn:aws:iam::${AWS_ACCOUNT}:user/${who.userName}`;
      return { primary: arn, aliases: [arn, who.userName, who.principalId] };
    }
    case 'sso': {
      const role = `AWSReservedSSO_${who.permissionSet}_${who.roleSuffix}`;
      const sts = `arn:aws:sts::${AWS_ACCOUNT}:assumed-role/${role}/${who.session}`;
      return { primary: sts, aliases: [sts, who.session, `${who.rolePrincipalId}:${who.session}`] };
    }
    case 'role': {
      const arn = `arn:aws:iam::${AWS_ACCOUNT}:role/${who.roleName}`;
      return { primary: arn, aliases: [arn, who.roleName, who.rolePrincipalId, ...who.sessions.map((s) => `arn:aws:sts::${AWS_ACCOUNT}:assumed-role/${who.roleName}/${s}`)] };
    }
  }
}
