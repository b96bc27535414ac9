import { CLIENTS, FIRST_NAMES, LAST_NAMES, LOCATIONS } from './catalogue.js';
import type { LocationName } from './catalogue.js';
import { KeySpace } from './object-keys.js';
import { BUCKET_SLOTS, FILL_SLOTS, MIXES, REQUIRED_SLOTS } from './roster.js';
import type { AccountSlot, Network, Slot } from './roster.js';
import { SeededRandom } from './seeded-random.js';
import type { Auth, BucketSpec, Identity } from './synthetic-event.js';

/** The synthetic organisation: accounts, buckets and identities, all derived from the seed. */
export interface Population {
  /** Seed everything derives from. */
  seed: number;
  /** Account string per account slot, as the normalisers report it. */
  accounts: Record<AccountSlot, string>;
  /** Entra tenant of the Azure identities. */
  tenantId: string;
  /** Every bucket and container, by slot id. */
  buckets: Map<string, BucketSpec>;
  /** Named identities (anonymous callers excluded). */
  identities: Identity[];
  /** The anonymous caller of the public AWS bucket. */
  anonymous: Identity;
  /** Object keys and sizes. */
  keys: KeySpace;
}

/** Default population size. */
export const DEFAULT_IDENTITIES = 40;

/** The principal id a normaliser derives from these authentication details. */
export function principalIdOf(auth: Auth): string {
  switch (auth.type) {
    case 'aws-iam-user':
      return `arn:aws:iam::${auth.accountId}:user/${auth.userName}`;
    case 'aws-sso':
      return `${auth.roleArn}/${auth.email}`;
    case 'aws-role':
      return auth.roleArn;
    case 'gcp':
      return auth.email ? auth.email.toLowerCase() : 'anonymous';
    case 'azure-oauth':
      return auth.objectId.toLowerCase();
    case 'azure-sas':
      return `sas:${auth.tokenHash}`;
    case 'azure-key':
      return `key:${auth.tokenHash}`;
    case 'aws-anonymous':
    case 'azure-anonymous':
      return 'anonymous';
  }
}

function publicIp(rng: SeededRandom, octets: readonly number[]): string {
  return `${rng.pick(octets)}.${rng.int(1, 254)}.${rng.int(0, 255)}.${rng.int(2, 254)}`;
}

function serviceIps(rng: SeededRandom, network: Network): string[] {
  const n = rng.int(1, 3);
  const ips: string[] = [];
  for (let i = 0; i < n; i++) {
    switch (network) {
      case 'aws-vpc':
        ips.push(`10.20.${rng.int(0, 31)}.${rng.int(4, 250)}`);
        break;
      case 'aws-nat':
        ips.push(publicIp(rng, [3, 18, 34, 44, 52, 54]));
        break;
      case 'gcp-internal':
        ips.push(`10.128.${rng.int(0, 15)}.${rng.int(2, 250)}`);
        break;
      case 'azure-public':
        ips.push(publicIp(rng, [13, 20, 40, 52]));
        break;
      case 'partner':
        ips.push(publicIp(rng, [62, 80, 194, 212]));
        break;
    }
  }
  return ips;
}

function accountsFor(rng: SeededRandom): Record<AccountSlot, string> {
  const awsId = (): string => `${rng.int(1, 9)}${String(rng.int(0, 99_999)).padStart(5, '0')}${String(rng.int(0, 999_999)).padStart(6, '0')}`;
  const suffix = (): string => String(rng.int(100_000, 999_999));
  const subscription = rng.uuid();
  const tag = rng.hex(4);
  return {
    'aws-prod': awsId(),
    'aws-data': awsId(),
    'gcp-analytics': `acme-analytics-prod-${suffix()}`,
    'gcp-ml': `acme-ml-research-${suffix()}`,
    'azure-finance': `${subscription}/stacmefinance${tag}`,
    'azure-data': `${subscription}/stacmedata${tag}`,
  };
}

function bucketsFor(rng: SeededRandom, accounts: Record<AccountSlot, string>): Map<string, BucketSpec> {
  const suffix = rng.hex(4);
  const out = new Map<string, BucketSpec>();
  for (const slot of BUCKET_SLOTS) {
    const account = accounts[slot.account];
    const cloud = slot.account.startsWith('aws') ? 'aws' : slot.account.startsWith('gcp') ? 'gcp' : 'azure';
    const spec: BucketSpec = { cloud, account, name: cloud === 'azure' ? slot.name : `${slot.name}-${suffix}`, region: slot.region, kind: slot.kind };
    if (cloud === 'azure') {
      const [subscription = '', storage = ''] = account.split('/');
      spec.azure = { subscription, account: storage, resourceGroup: slot.account === 'azure-finance' ? 'rg-finance-prod' : 'rg-dataplatform-prod' };
    }
    out.set(slot.id, spec);
  }
  return out;
}

/** Shared state while identities are built: used names, office addresses, SSO role names. */
interface BuildContext {
  rng: SeededRandom;
  accounts: Record<AccountSlot, string>;
  tenantId: string;
  usedNames: Set<string>;
  officeIps: Map<LocationName, string[]>;
  ssoRoles: Map<string, { roleName: string; roleId: string }>;
}

function personName(ctx: BuildContext): [string, string] {
  for (;;) {
    const first = ctx.rng.pick(FIRST_NAMES);
    const last = ctx.rng.pick(LAST_NAMES);
    if (!ctx.usedNames.has(first + last)) {
      ctx.usedNames.add(first + last);
      return [first, last];
    }
  }
}

function officeIp(ctx: BuildContext, location: LocationName): string {
  let ips = ctx.officeIps.get(location);
  if (!ips) {
    const block = publicIp(ctx.rng, LOCATIONS[location].octets).split('.').slice(0, 3).join('.');
    ips = [`${block}.${ctx.rng.int(2, 60)}`, `${block}.${ctx.rng.int(61, 120)}`];
    ctx.officeIps.set(location, ips);
  }
  return ctx.rng.pick(ips);
}

function authFor(ctx: BuildContext, slot: Slot, account: string, name: string, email: string): Auth {
  const { rng } = ctx;
  switch (slot.auth) {
    case 'iam-user':
      return { type: 'aws-iam-user', accountId: account, userName: name, userId: `AIDA${rng.upperAlnum(17)}`, accessKeyId: `AKIA${rng.upperAlnum(16)}` };
    case 'sso': {
      const perm = slot.name ?? 'ReadOnly';
      const key = `${account}/${perm}`;
      const role = ctx.ssoRoles.get(key) ?? { roleName: `AWSReservedSSO_${perm}_${rng.hex(16)}`, roleId: `AROA${rng.upperAlnum(17)}` };
      ctx.ssoRoles.set(key, role);
      const roleArn = `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/eu-west-1/${role.roleName}`;
      return { type: 'aws-sso', accountId: account, roleName: role.roleName, roleArn, roleId: role.roleId, email };
    }
    case 'role': {
      const style = slot.network === 'aws-vpc' ? (slot.rhythm === 'steady' ? 'task' : 'instance') : slot.rhythm === 'hourly-batch' ? 'lambda' : 'botocore';
      return { type: 'aws-role', accountId: account, roleName: name, roleArn: `arn:aws:iam::${account}:role/${name}`, roleId: `AROA${rng.upperAlnum(17)}`, sessionStyle: style };
    }
    case 'gcp':
      return { type: 'gcp', email: slot.location ? email : `${name}@${account}.iam.gserviceaccount.com` };
    case 'oauth':
      return { type: 'azure-oauth', objectId: rng.uuid(), tenantId: ctx.tenantId, appId: slot.clients[0] === 'azurePortal' ? 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c' : '04b07795-8ddb-461a-bbee-02f9e1bf7b46', upn: email };
    case 'managed':
      return { type: 'azure-oauth', objectId: rng.uuid(), tenantId: ctx.tenantId, appId: rng.uuid() };
    case 'sas':
    case 'key':
      return { type: slot.auth === 'sas' ? 'azure-sas' : 'azure-key', tokenHash: `key${rng.int(1, 2)}(${rng.hex(64).toUpperCase()})` };
  }
}

function buildIdentity(ctx: BuildContext, slot: Slot, index: number, buckets: Map<string, BucketSpec>, copy: number, traps: boolean, endMs: number): Identity {
  const { rng } = ctx;
  const account = ctx.accounts[slot.account];
  const cloud = slot.account.startsWith('aws') ? 'aws' : slot.account.startsWith('gcp') ? 'gcp' : 'azure';
  const human = slot.location !== undefined;
  let name: string;
  let email = '';
  if (human) {
    const [first, last] = personName(ctx);
    name = `${first.toLowerCase()}.${last.toLowerCase()}`;
    email = `${name}@example.com`;
  } else {
    name = copy > 0 ? `${slot.name ?? 'svc'}-${copy + 1}` : (slot.name ?? 'svc');
  }
  const auth = authFor(ctx, slot, account, name, email);
  const location = slot.location ? LOCATIONS[slot.location] : undefined;
  const ips = location && slot.location
    ? [officeIp(ctx, slot.location), publicIp(rng, location.octets), ...(rng.chance(0.3) ? [publicIp(rng, location.octets)] : [])]
    : serviceIps(rng, slot.network ?? 'aws-nat');
  const start = human ? rng.int(8, 9) : (slot.batchHour ?? 0);
  const identity: Identity = {
    index,
    principalId: principalIdOf(auth),
    name: human ? email : name,
    cloud,
    // An Entra principal is one identity across the subscription's storage accounts.
    account: auth.type === 'azure-oauth' ? account.split('/')[0]! : account,
    human,
    auth,
    timeZone: location?.timeZone ?? 'UTC',
    rhythm: slot.rhythm,
    ratePerHour: rng.int(slot.rate[0], slot.rate[1]),
    workStart: start,
    workEnd: human ? rng.int(17, 18) : start + 1,
    weekendChance: human ? rng.int(3, 12) / 100 : 1,
    mix: MIXES[slot.mix],
    deniedRate: human ? 0.006 : 0.001,
    workingSet: human ? rng.int(40, 150) : rng.int(300, 2000),
    buckets: slot.buckets.map((id) => {
      const b = buckets.get(id);
      if (!b) throw new Error(`unknown bucket slot ${id}`);
      return b;
    }),
    ips,
    clients: slot.clients.map((c) => CLIENTS[c]),
  };
  if (slot.role) identity.role = slot.role;
  if (slot.trap && traps) identity.trap = slot.trap;
  if (slot.trap === 'new-hire' && traps) identity.activeFrom = endMs - 5 * 86_400_000;
  if (slot.trap === 'nightly-etl' && !traps) {
    // Without the trap the ETL role is an ordinary steady reader.
    identity.rhythm = 'steady';
    identity.ratePerHour = 12;
  }
  return identity;
}

/**
 * Builds the organisation for a seed: `size` identities (at least the scenario and trap actors);
 * with `traps` off the trap players behave like everyone else.
 */
export function buildPopulation(seed: number, size: number, endMs: number, traps = true): Population {
  const rng = SeededRandom.from('population', seed);
  const accounts = accountsFor(rng);
  const tenantId = rng.uuid();
  const buckets = bucketsFor(rng, accounts);
  const ctx: BuildContext = { rng, accounts, tenantId, usedNames: new Set(), officeIps: new Map(), ssoRoles: new Map() };
  const identities: Identity[] = [];
  for (const slot of REQUIRED_SLOTS) identities.push(buildIdentity(ctx, slot, identities.length, buckets, 0, traps, endMs));
  for (let i = 0; identities.length < size; i++) {
    const slot = FILL_SLOTS[i % FILL_SLOTS.length] as Slot;
    identities.push(buildIdentity(ctx, slot, identities.length, buckets, Math.floor(i / FILL_SLOTS.length), traps, endMs));
  }
  const publicBucket = buckets.get('prod-assets') as BucketSpec;
  const anonymous: Identity = {
    index: identities.length,
    principalId: 'anonymous',
    name: 'anonymous',
    cloud: 'aws',
    account: publicBucket.account,
    human: false,
    auth: { type: 'aws-anonymous' },
    timeZone: 'UTC',
    rhythm: 'public',
    ratePerHour: 3,
    workStart: 0,
    workEnd: 24,
    weekendChance: 1,
    mix: MIXES.reader,
    deniedRate: 0.01,
    workingSet: 400,
    buckets: [publicBucket],
    ips: [],
    clients: [CLIENTS.browser, CLIENTS.browserMac],
  };
  return { seed, accounts, tenantId, buckets, identities, anonymous, keys: new KeySpace(endMs) };
}
