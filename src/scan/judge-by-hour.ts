import type { Rollup } from '../core/rollup.js';
import type { Detection, DetectionRun } from '../detection/detection-run.js';

/**
 * Judges rollups sorted by hour an hour at a time, handing each hour's detections to `each`, with the
 * event loop free in between so a job's lock renewals and health checks go on.
 */
export async function judgeByHour(run: DetectionRun, rollups: readonly Rollup[], each: (hour: number, detections: Detection[]) => void): Promise<void> {
  for (let i = 0; i < rollups.length; ) {
    let j = i;
    while (j < rollups.length && rollups[j]!.hour === rollups[i]!.hour) j++;
    each(rollups[i]!.hour, run.judge(rollups.slice(i, j)));
    i = j;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
