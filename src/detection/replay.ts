import type { AccessEvent } from '../core/event.js';
import { DetectionRun, type Detection, type DetectionRunOptions } from './detection-run.js';
import { RollupAccumulator } from './rollup-accumulator.js';

const DAY = 86_400_000;

/**
 * Runs events through rollups, baselines and detectors entirely in memory, in one pass in time
 * order, with no store: for detector fixtures, evaluation and benchmarks (events may come in
 * batches). Memory grows with
 * identities and hours, not with events.
 */
export async function replayEvents(
  events: Iterable<AccessEvent> | AsyncIterable<AccessEvent | readonly AccessEvent[]>,
  opts: DetectionRunOptions,
): Promise<{ detections: Detection[]; run: DetectionRun; events: number }> {
  const acc = new RollupAccumulator();
  for await (const e of events) {
    if (Array.isArray(e)) for (const x of e as readonly AccessEvent[]) acc.add(x);
    else acc.add(e as AccessEvent);
  }
  const count = acc.events;
  const { rollups, identities } = acc.drain();
  const run = new DetectionRun(opts);
  for (const i of identities) run.identities.set(i.key, { key: i.key, cloud: i.cloud, account: i.account, principal: i.principal });
  rollups.sort((a, b) => a.hour - b.hour || (a.identity < b.identity ? -1 : 1));
  const detections: Detection[] = [];
  let start = 0;
  while (start < rollups.length) {
    const day = rollups[start]!.hour - (rollups[start]!.hour % DAY);
    let end = start;
    while (end < rollups.length && rollups[end]!.hour < day + DAY) end++;
    detections.push(...run.judge(rollups.slice(start, end)));
    run.learnPeers();
    start = end;
  }
  return { detections, run, events: count };
}
