/**
 * One of `of` disjoint parts of the identities, for detection runs split across workers. A part holds
 * whole peer groups (same cloud, account and kind of principal, as peerGroup() names them): what a
 * detector learns from the peers within a day (a team's heavy day) then never crosses partitions, so
 * any number of partitions judges alike.
 */
export interface IdentityPartition {
  index: number;
  of: number;
  /** Partition of each peer group, as the run placed them (balanced by work); a group not placed goes by a hash of its name. */
  groups?: Record<string, number>;
}

/** SQL for the peer group name of identities row `i` (peerGroup() of the identity). */
export function groupName(i: string): string {
  return `(${i}.cloud || '|' || ${i}.account || '|' || ${i}.principal_type)`;
}

/** SQL for the hash partition (0 .. of-1) of the peer group of identities row `i`, the same on PostgreSQL and PGlite. */
export function hashPartition(i: string, of: string): string {
  return `((('x' || substr(md5(${groupName(i)}), 1, 8))::bit(32)::int & 2147483647) % ${of}::int)`;
}

/** SQL for the partition of identities row `i`: `$n` is the number of partitions, `$n+1` the groups placed (jsonb). */
export function groupPartition(i: string, n: number): string {
  return `coalesce((($${n + 1})::jsonb ->> ${groupName(i)})::int, ${hashPartition(i, `$${n}`)})`;
}

/** SQL true for the identities (keys in `column`) of a partition, with partitionParams() as parameters `$n` on. */
export function inPartition(column: string, n: number): string {
  return `exists (select 1 from identities pi where pi.key = ${column} and ${groupPartition('pi', n + 1)} = $${n}::int)`;
}

/** The parameters inPartition() refers to. */
export function partitionParams(part: IdentityPartition): [number, number, string] {
  return [part.index, part.of, JSON.stringify(part.groups ?? {})];
}

/**
 * Places peer groups on `of` partitions so each holds about as much work: largest group first onto
 * the partition with least so far (ties by name, so every run places the same work alike).
 */
export function placeGroups(work: ReadonlyMap<string, number>, of: number): Record<string, number> {
  const load = new Array<number>(of).fill(0);
  const out: Record<string, number> = {};
  const groups = [...work].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [group, n] of groups) {
    let best = 0;
    for (let p = 1; p < of; p++) if (load[p]! < load[best]!) best = p;
    out[group] = best;
    load[best]! += n;
  }
  return out;
}
