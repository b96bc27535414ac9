import { describe, expect, it } from 'vitest';
import { emptyBaseline } from '../../src/core/baseline.js';
import { emptyRollup, hourOf } from '../../src/core/rollup.js';
import { activeHours, dailyTotals, hourOfDayShare, sameHourOfWeek, summarize } from '../../src/detection/baseline-stats.js';
import { detectionSettings } from '../../src/detection/detection-settings.js';
import { learnBaseline } from '../../src/detection/learn-baseline.js';
import { replayEvents } from '../../src/detection/replay.js';
import { DETECTORS } from '../../src/detectors/index.js';
import { at, burst, human, routine } from '../helpers/scenario.js';

const alice = human('alice@corp.com');
const end = at('2026-11-23T00:00:00Z');
const history = () => routine(alice, { end, days: 21, fromHour: 9, toHour: 17, perHour: 10, weekdaysOnly: true, shape: { ip: '81.2.69.160' } });
const exfil = (t: number) => burst(alice, t, 2000, { ip: '45.77.12.34', client: 'rclone/v1.66.0', key: (i) => `hr/${i}.pdf`, bytesOut: 4_000_000 });

describe('robust statistics', () => {
  it('median and MAD ignore a single huge outlier', () => {
    const e = summarize([10, 11, 9, 10, 12, 10, 5000]);
    expect(e.median).toBe(10);
    expect(e.mad).toBe(1);
    expect(e.max).toBe(5000);
  });
});

describe('one pass over time', () => {
  it('learns hour-of-week, daily and usual-hours figures from history, quiet hours counting as zero', async () => {
    const { run } = await replayEvents(history(), { detectors: [], settings: detectionSettings() });
    const b = run.baselines.get(`aws|111122223333|alice@corp.com`)!;
    expect(b.activeDays.length).toBe(15);
    // Monday 10:00 in earlier weeks: 10 reads each time.
    expect(sameHourOfWeek(b, at('2026-11-23T10:00:00Z'), 'read')).toMatchObject({ median: 10, samples: 3 });
    // Monday 03:00 was always quiet.
    expect(sameHourOfWeek(b, at('2026-11-23T03:00:00Z'), 'read')).toMatchObject({ median: 0, max: 0 });
    expect(activeHours(b, 'ops').median).toBe(10);
    expect(dailyTotals(b, 'ops', true).median).toBe(80);
    const share = hourOfDayShare(b);
    expect(share[10]).toBe(1);
    expect(share[3]).toBe(0);
  });

  it('daily totals follow the learnt hours: an hour of the judged day leaves them, a late hour of an earlier day changes them', async () => {
    const { run } = await replayEvents(history(), { detectors: [], settings: detectionSettings() });
    const b = run.baselines.get(`aws|111122223333|alice@corp.com`)!;
    const monday = at('2026-11-23T10:00:00Z');
    expect(dailyTotals(b, 'ops', true, monday)).toMatchObject({ median: 80, max: 80 });
    b.hours.push([monday / 3_600_000, 500, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(dailyTotals(b, 'ops', true, monday)).toMatchObject({ median: 80, max: 80 });
    b.hours.push([(monday - 3 * 86_400_000) / 3_600_000, 500, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(dailyTotals(b, 'ops', true, monday)).toMatchObject({ median: 80, max: 580 });
  });

  it('remembers at most 500 addresses: the 501st forgets the tenth seen longest ago, every time', () => {
    const b = emptyBaseline('aws|111122223333|alice@corp.com');
    for (let h = 0; h < 12; h++) {
      const r = emptyRollup(b.identity, end + h * 3_600_000);
      r.first = r.last = r.hour;
      for (let i = 0; i < 50; i++) r.ips[`8.${h}.0.${i}`] = 1;
      learnBaseline(b, r);
    }
    // 500 after ten hours; 450 at the 501st, 499 after the eleventh hour; 450 again at the 501st, 498 at the end.
    expect(Object.keys(b.ips)).toHaveLength(498);
    expect(Object.keys(b.ips).filter((ip) => ip.startsWith('8.11.'))).toHaveLength(50);
    expect(Object.keys(b.ips).filter((ip) => ip.startsWith('8.0.') || ip.startsWith('8.1.'))).toHaveLength(0);
  });

  it('detects against the baseline as it stood before the hour, then keeps an unresolved attacker address out of it', async () => {
    const first = at('2026-11-23T13:00:00Z');
    const { detections, run } = await replayEvents([...history(), ...exfil(first), ...exfil(first + 3_600_000)], { detectors: DETECTORS, settings: detectionSettings() });
    const fromVps = detections.filter((d) => d.draft.detector === 'new-source-ip' && d.draft.scope === 'ip:45.77.12.34');
    // Both hours fire: the address was not learnt after the first one.
    expect(fromVps.map((d) => hourOf(d.draft.start))).toEqual([first, first + 3_600_000]);
    expect(fromVps[0]!.draft.severity).not.toBe('low');
    expect(run.baselines.get('aws|111122223333|alice@corp.com')!.ips['45.77.12.34']).toBeUndefined();
  });

  it('a suppression of the address silences every detection about it and lets the baseline learn it', async () => {
    const first = at('2026-11-23T13:00:00Z');
    const { detections, run } = await replayEvents([...history(), ...exfil(first)], {
      detectors: DETECTORS,
      settings: detectionSettings(),
      suppressions: [{ id: 's-1', identity: 'aws|111122223333|alice@corp.com', ip: '45.77.12.34', reason: 'pentest', author: 'sec', createdAt: 0 }],
    });
    expect(detections.find((x) => x.draft.scope === 'ip:45.77.12.34')!.suppressedBy).toBe('s-1');
    expect(detections.filter((x) => !x.suppressedBy).map((x) => x.draft.title)).toEqual([]);
    expect(run.baselines.get('aws|111122223333|alice@corp.com')!.ips['45.77.12.34']).toBeDefined();
  });

  it('an expired suppression no longer applies', async () => {
    const { detections } = await replayEvents([...history(), ...exfil(at('2026-11-23T13:00:00Z'))], {
      detectors: DETECTORS,
      settings: detectionSettings(),
      now: at('2026-12-01T00:00:00Z'),
      suppressions: [{ id: 's-old', ip: '45.77.12.34', reason: 'old', author: 'sec', createdAt: 0, expiresAt: at('2026-11-30T00:00:00Z') }],
    });
    expect(detections.filter((d) => d.draft.scope === 'ip:45.77.12.34' && !d.suppressedBy).length).toBeGreaterThan(0);
  });

  it('allowlisted identities are never alerted on', async () => {
    const { detections } = await replayEvents([...history(), ...exfil(at('2026-11-23T13:00:00Z'))], {
      detectors: DETECTORS,
      settings: detectionSettings({ allowlist: ['ALICE@corp.com'] }),
    });
    expect(detections).toEqual([]);
  });
});
