import { isIP } from 'node:net';

/**
 * The caller's IP address without the port Azure appends (`1.2.3.4:5678`, `[2001:db8::1]:5678`);
 * undefined when the value is not an IP address (for example a redacted `<Redacted>:1234`).
 */
export function callerIp(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let text = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed?.[1]) text = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  return isIP(text) ? text.toLowerCase() : undefined;
}
