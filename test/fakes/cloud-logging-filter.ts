/** A parsed Logging query: comparisons joined by AND / OR (OR binds tighter, as in the Logging query language). */
export type FilterNode =
  | { op: 'and'; nodes: FilterNode[] }
  | { op: 'or'; nodes: FilterNode[] }
  | { op: 'cmp'; field: string; cmp: '=' | '!=' | ':' | '<' | '<=' | '>' | '>='; value: string };

const TOKEN = /\s*(\(|\)|"(?:[^"\\]|\\.)*"|>=|<=|!=|[=:<>]|[A-Za-z_][\w.]*)/y;
const TIME_FIELDS = new Set(['timestamp', 'receiveTimestamp']);

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(text);
    if (!m?.[1]) throw new Error(`cannot read the query at ${text.slice(TOKEN.lastIndex, TOKEN.lastIndex + 20)}`);
    tokens.push(m[1]);
  }
  return tokens;
}

/** Parses the subset of the Logging query language the collectors send; throws on anything else. */
export function parseLogFilter(text: string): FilterNode {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => {
    const t = tokens[i++];
    if (t === undefined) throw new Error('query ends too early');
    return t;
  };
  const conjunction = (): FilterNode => {
    const nodes = [disjunction()];
    while (peek() === 'AND') {
      i++;
      nodes.push(disjunction());
    }
    return nodes.length === 1 ? nodes[0]! : { op: 'and', nodes };
  };
  const disjunction = (): FilterNode => {
    const nodes = [primary()];
    while (peek() === 'OR') {
      i++;
      nodes.push(primary());
    }
    return nodes.length === 1 ? nodes[0]! : { op: 'or', nodes };
  };
  const primary = (): FilterNode => {
    const t = next();
    if (t === '(') {
      const node = conjunction();
      if (next() !== ')') throw new Error('missing )');
      return node;
    }
    if (!/^[A-Za-z_][\w.]*$/.test(t) || t === 'AND' || t === 'OR') throw new Error(`expected a field, got ${t}`);
    const cmp = next();
    if (!['=', '!=', ':', '<', '<=', '>', '>='].includes(cmp)) throw new Error(`expected a comparison after ${t}, got ${cmp}`);
    const raw = next();
    if (!raw.startsWith('"')) throw new Error(`expected a quoted value after ${t}${cmp}, got ${raw}`);
    const value = JSON.parse(raw) as string;
    if (TIME_FIELDS.has(t) && nanosOf(value) === undefined) throw new Error(`not a time: ${value}`);
    return { op: 'cmp', field: t, cmp: cmp as Extract<FilterNode, { op: 'cmp' }>['cmp'], value };
  };
  const node = conjunction();
  if (i !== tokens.length) throw new Error(`unexpected ${tokens[i]}`);
  return node;
}

/** Nanoseconds since the epoch of an RFC 3339 time, or undefined. */
export function nanosOf(value: unknown): bigint | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(.{19})(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(value);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

function fieldValue(entry: Record<string, unknown>, path: string): unknown {
  let value: unknown = entry;
  for (const part of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

/** True when the entry matches the parsed query. */
export function evaluateLogFilter(node: FilterNode, entry: Record<string, unknown>): boolean {
  if (node.op === 'and') return node.nodes.every((n) => evaluateLogFilter(n, entry));
  if (node.op === 'or') return node.nodes.some((n) => evaluateLogFilter(n, entry));
  const actual = fieldValue(entry, node.field);
  if (actual === undefined || actual === null) return node.cmp === '!=';
  if (node.cmp === ':') return asText(actual).toLowerCase().includes(node.value.toLowerCase());
  const [a, b] = TIME_FIELDS.has(node.field) ? [nanosOf(actual), nanosOf(node.value)] : [asText(actual), node.value];
  if (a === undefined || b === undefined) return false;
  switch (node.cmp) {
    case '=': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
  }
}
