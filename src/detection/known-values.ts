import type { Baseline, SeenValue } from '../core/baseline.js';
import { clientFamily } from './client-family.js';
import { networkOf, privateRangeOf } from './network.js';

/** True when the address is part of the identity's normal: used before, inside a /24 it uses, or inside a private range it uses. */
export function isKnownAddress(b: Pick<Baseline, 'ips' | 'networks'>, ip: string): boolean {
  if (b.ips[ip] || b.networks[networkOf(ip)]) return true;
  const range = privateRangeOf(ip);
  return range !== undefined && b.networks[range] !== undefined;
}

/** When the identity first used this client's family, if it ever did (clients are compared by family, never by the exact user agent). */
export function knownClient(clients: Record<string, SeenValue>, userAgent: string): SeenValue | undefined {
  const family = clientFamily(userAgent).family;
  const direct = clients[family] ?? clients[userAgent];
  if (direct) return direct;
  // Baselines learnt before clients were kept by family hold whole user agents.
  return Object.entries(clients).find(([agent]) => clientFamily(agent).family === family)?.[1];
}
