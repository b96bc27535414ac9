/**
 * Whether an address is private (RFC 1918, CGNAT 100.64/10, IPv4 and IPv6 link-local, IPv6 ULA),
 * read from its text alone: cheap enough to ask for every event. detection/network.ts's
 * privateRangeOf says which range, through parsed CIDRs.
 */
export function isPrivateAddress(ip: string): boolean {
  if (ip.includes(':')) return /^(f[cd]|fe[89ab])/i.test(ip);
  const dot = ip.indexOf('.');
  const a = Number(ip.slice(0, dot));
  if (a === 10) return true;
  const b = Number(ip.slice(dot + 1, ip.indexOf('.', dot + 1)));
  return (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254);
}
