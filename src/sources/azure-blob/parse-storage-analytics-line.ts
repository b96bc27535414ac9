/** Field names of a classic Storage Analytics log entry, version 1.0, in order. */
export const STORAGE_ANALYTICS_FIELDS_V1: readonly string[] = [
  'version-number', 'request-start-time', 'operation-type', 'request-status', 'http-status-code',
  'end-to-end-latency-in-ms', 'server-latency-in-ms', 'authentication-type', 'requester-account-name',
  'owner-account-name', 'service-type', 'request-url', 'requested-object-key', 'request-id-header',
  'operation-count', 'requester-ip-address', 'request-version-header', 'request-header-size',
  'request-packet-size', 'response-header-size', 'response-packet-size', 'request-content-length',
  'request-md5', 'server-md5', 'etag-identifier', 'last-modified-time', 'conditions-used',
  'user-agent-header', 'referrer-header', 'client-request-id',
];

/** Field names of a version 2.0 entry: the 1.0 fields followed by the OAuth additions. */
export const STORAGE_ANALYTICS_FIELDS_V2: readonly string[] = [
  ...STORAGE_ANALYTICS_FIELDS_V1,
  'user-object-id', 'tenant-id', 'application-id', 'audience', 'issuer', 'user-principal-name',
  'reserved-field', 'authorization-detail',
];

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', quot: '"', lt: '<', gt: '>', apos: "'" };

/**
 * Splits one classic Storage Analytics log line (`;`-delimited; a field holding `"`, `;` or a
 * newline is quoted and HTML-encoded) into an object keyed by the documented field names, with
 * quotes removed and entities such as `&amp;` decoded. Undefined when the line does not start
 * with a version number.
 */
export function parseStorageAnalyticsLine(line: string): Record<string, string> | undefined {
  const text = line.replace(/\r?\n$/, '');
  if (!/^\d+\.\d+;/.test(text)) return undefined;
  const values = splitFields(text);
  const names = values[0] === '1.0' ? STORAGE_ANALYTICS_FIELDS_V1 : STORAGE_ANALYTICS_FIELDS_V2;
  const entry: Record<string, string> = {};
  names.forEach((name, i) => {
    const value = values[i];
    if (value !== undefined) entry[name] = decodeEntities(value);
  });
  return entry;
}

// Unquoted fields are HTML-encoded too (`?a=1&amp;b=2` in request URLs): the `;` closing an
// entity reference belongs to the field, it is not a separator.
const ENTITY_BEFORE = /&(?:amp|quot|lt|gt|apos|#\d+|#x[0-9a-f]+)$/i;

function unquotedEnd(line: string, start: number): number {
  let next = line.indexOf(';', start);
  while (next !== -1 && ENTITY_BEFORE.test(line.slice(Math.max(start, next - 10), next))) next = line.indexOf(';', next + 1);
  return next === -1 ? line.length : next;
}

// A quoted field ends at the first quote followed by `;` or the end of the line: inner quotes are
// normally encoded as &quot;, but the documented samples also show raw ones (`""0x8D…""`, JSON).
function splitFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let end: number;
    if (line[i] === '"') {
      end = i + 1;
      while (end < line.length && !(line[end] === '"' && (end + 1 === line.length || line[end + 1] === ';'))) end++;
      fields.push(end < line.length ? line.slice(i + 1, end) : line.slice(i));
      end = Math.min(end + 1, line.length);
    } else {
      end = unquotedEnd(line, i);
      fields.push(line.slice(i, end));
    }
    if (end >= line.length) return fields;
    i = end + 1;
  }
}

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}
