import ipaddr from 'ipaddr.js';

/** The network an address belongs to for "same place" comparisons: its /24 (IPv4) or /48 (IPv6). */
export function networkOf(ip: string): string {
  return prefixOf(ip, 24, 48);
}

/** A wider grouping, close to "same provider or country": /16 for IPv4, /32 for IPv6. */
export function wideNetworkOf(ip: string): string {
  return prefixOf(ip, 16, 32);
}

function prefixOf(ip: string, v4Bits: number, v6Bits: number): string {
  if (!ipaddr.isValid(ip)) return ip;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  const bits = addr.kind() === 'ipv4' ? v4Bits : v6Bits;
  const bytes = addr.toByteArray();
  const masked = bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return `${ipaddr.fromByteArray(masked).toString()}/${bits}`;
}

/** Parsed CIDR list for repeated membership tests. */
export type CidrList = [ipaddr.IPv4 | ipaddr.IPv6, number][];

/** Parses CIDRs such as `10.0.0.0/8` or `2001:db8::/32`; throws on a malformed one. */
export function parseCidrs(cidrs: readonly string[]): CidrList {
  return cidrs.map((c) => ipaddr.parseCIDR(c));
}

/** True when the address lies in one of the networks. */
export function inNetworks(ip: string, networks: CidrList): boolean {
  if (!networks.length || !ipaddr.isValid(ip)) return false;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  return networks.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
}

const PRIVATE_RANGES: readonly [string, CidrList][] = [
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', 'fc00::/7', 'fe80::/10',
].map((c) => [c, parseCidrs([c])]);

/**
 * The private range (RFC 1918, CGNAT 100.64/10, link-local, IPv6 ULA) an address lies in, or undefined
 * for a public address. Fleets behind NAT, VPC endpoints and VPNs churn through such addresses, so an
 * identity's normal is the range, not each address in it.
 */
export function privateRangeOf(ip: string): string | undefined {
  return PRIVATE_RANGES.find(([, list]) => inNetworks(ip, list))?.[0];
}
