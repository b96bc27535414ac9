import type { RecordOrigin, SourceItem } from '../core/ports.js';
import type { RollupAccumulator } from '../detection/rollup-accumulator.js';

/** A record that could not be read, and where it was. */
export type Rejection = RecordOrigin & { reason: string };

/** The counts every read (files or a source scope) reports. */
export interface ItemTally {
  records: number;
  events: number;
  skipped: number;
  rejected: number;
  duplicates: number;
  /** The first rejections (the count above is exact). */
  rejections: Rejection[];
}

/** Folds one read item into the accumulator and counts it; keeps at most maxRejections rejections. */
export function tallyItem(t: ItemTally, acc: RollupAccumulator, item: SourceItem, maxRejections: number): void {
  t.records++;
  if (item.kind === 'event') {
    if (acc.add(item.event)) t.events++;
    else t.duplicates++;
  } else if (item.kind === 'skip') t.skipped++;
  else {
    t.rejected++;
    if (t.rejections.length < maxRejections) t.rejections.push({ ...item.origin, reason: item.reason });
  }
}
