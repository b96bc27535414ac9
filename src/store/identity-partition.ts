/**
 * One of `of` disjoint parts of the identities, for detection runs split across workers. A part holds
 * whole peer groups (same cloud, account and kind of principal, as peerGroup() names them): what a
 * detector learns from the peers within a day (a team's heavy day) then never crosses partitions, so
 * any number of partitions judges alike.
 */
export interface IdentityPartition {
  index: number;
  of: number;
}

/** SQL for the partition number (0 .. of-1) of the peer group of identities row `i`, the same on PostgreSQL and PGlite. */
export function groupPartition(i: string, of: string): string {
  return `((('x' || substr(md5(${i}.cloud || '|' || ${i}.account || '|' || ${i}.principal_type), 1, 8))::bit(32)::int & 2147483647) % ${of}::int)`;
}

/** SQL true for the identities (keys in `column`) whose peer group is in partition `index` of `of`. */
export function inPartition(column: string, index: string, of: string): string {
  return `exists (select 1 from identities pi where pi.key = ${column} and ${groupPartition('pi', of)} = ${index}::int)`;
}
