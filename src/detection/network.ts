import ipaddr from 'ipaddr.js';

/** The network an address belongs to for "same place" comparisons: its /24 (IPv4) or /48 (IPv6). */
export function networkOf(ip: string): string {
  return prefixOf(ip, 24, 48);
}

/** A wider grouping, close to "same provider or country": /16 for IPv4, /32 for IPv6. */
export function wideNetworkOf(ip: string): string {
  return prefixOf(ip, 16, 32);
}

/**
 * A dotted-quad IPv4 address written the way ipaddr.js writes it back (decimal, no leading zeros) as
 * an unsigned 32-bit number, else undefined. Nearly every address in audit logs has this form, and
 * reading it by hand is many times cheaper than ipaddr.js's parse; every other form goes to ipaddr.js.
 */
function plainIPv4(ip: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (!digits || ++dots > 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // A leading zero makes ipaddr.js read the part as octal: leave such forms to it.
      if (digits && !octet) return undefined;
      octet = octet * 10 + c - 48;
      if (++digits > 3 || octet > 255) return undefined;
    } else return undefined;
  }
  return dots === 3 && digits ? value * 256 + octet : undefined;
}

function maskV4(v4: number, bits: number): number {
  return bits <= 0 ? 0 : (v4 & (0xffffffff << (32 - bits))) >>> 0;
}

function v4String(v4: number): string {
  return `${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.${v4 & 255}`;
}

function prefixOf(ip: string, v4Bits: number, v6Bits: number): string {
  const v4 = plainIPv4(ip);
  if (v4 !== undefined) return `${v4String(maskV4(v4, v4Bits))}/${v4Bits}`;
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
  if (!networks.length) return false;
  const v4 = plainIPv4(ip);
  if (v4 !== undefined) return networks.some(([net, bits]) => net.kind() === 'ipv4' && maskV4(v4, bits) === maskV4(v4Of(net as ipaddr.IPv4), bits));
  if (!ipaddr.isValid(ip)) return false;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  return networks.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
}

function v4Of(net: ipaddr.IPv4): number {
  const [a, b, c, d] = net.octets as [number, number, number, number];
  return a * 16_777_216 + b * 65_536 + c * 256 + d;
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
