import { emptyBaseline, type Baseline } from '../core/baseline.js';
import type { FindingDraft } from '../core/finding.js';
import type { Identity } from '../core/identity.js';
import type { Rollup } from '../core/rollup.js';
import type { Suppression } from '../core/suppression.js';
import type { DetectionSettings } from './detection-settings.js';
import type { Detector } from './detector.js';
import { judgeHour } from './judge-hour.js';
import { computePeerNorms, peerGroup } from './peer-norms.js';

const DAY = 86_400_000;

/** A detection ready to be stored. */
export interface Detection {
  identity: Identity;
  draft: FindingDraft;
  suppressedBy?: string;
}

/** Options of a detection run. */
export interface DetectionRunOptions {
  detectors: readonly Detector[];
  settings: DetectionSettings;
  suppressions?: readonly Suppression[];
  /** Wall-clock time, for suppression expiry. */
  now?: number;
}

/**
 * The state of one pass over time: identities, baselines and the last day of rollups per identity.
 * Feed it rollups in time order, a chunk (a day) at a time; it holds no I/O, so the scan, the
 * detector fixtures and the benchmark all run the same engine.
 */
export class DetectionRun {
  readonly identities = new Map<string, Identity>();
  readonly baselines = new Map<string, Baseline>();
  readonly recent = new Map<string, Rollup[]>();
  /** Identities whose baseline changed since the last call to takeTouched(). */
  private touched = new Set<string>();

  constructor(private readonly opts: DetectionRunOptions) {}

  /** Judges a chunk of rollups sorted by hour; every identity in it must be known. */
  judge(rollups: readonly Rollup[]): Detection[] {
    const peers = computePeerNorms(
      [...this.baselines.entries()].flatMap(([k, baseline]) => {
        const identity = this.identities.get(k);
        return identity ? [{ identity, baseline }] : [];
      }),
      this.opts.settings.learningDays,
    );
    const out: Detection[] = [];
    for (const rollup of rollups) {
      const identity = this.identities.get(rollup.identity);
      if (!identity) throw new Error(`identity ${rollup.identity} not loaded`);
      const window = (this.recent.get(rollup.identity) ?? []).filter((r) => r.hour > rollup.hour - DAY && r.hour < rollup.hour);
      const { judgements, baseline } = judgeHour({
        identity, rollup, recent: window, baseline: this.baselines.get(rollup.identity) ?? emptyBaseline(rollup.identity),
        settings: this.opts.settings, peers: peers.get(peerGroup(identity)), detectors: this.opts.detectors,
        suppressions: this.opts.suppressions ?? [], now: this.opts.now ?? Date.now(),
      });
      this.baselines.set(rollup.identity, baseline);
      this.recent.set(rollup.identity, [...window, rollup]);
      this.touched.add(rollup.identity);
      for (const j of judgements) out.push({ identity, ...j });
    }
    return out;
  }

  /** Baselines changed since the last call, for storing. */
  takeTouched(): Baseline[] {
    const out = [...this.touched].map((k) => this.baselines.get(k)!);
    this.touched.clear();
    return out;
  }
}
