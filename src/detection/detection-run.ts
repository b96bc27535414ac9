import { emptyBaseline, type Baseline } from '../core/baseline.js';
import type { FindingDraft } from '../core/finding.js';
import type { Identity } from '../core/identity.js';
import { distinctObjects, type Rollup } from '../core/rollup.js';
import type { Suppression } from '../core/suppression.js';
import type { DetectionSettings } from './detection-settings.js';
import type { Detector } from './detector.js';
import { judgeHour } from './judge-hour.js';
import { dailyTotals } from './baseline-stats.js';
import { HEAVY_DAY, PeerIndex } from './peer-index.js';
import { slimRollup } from './slim-rollup.js';

const DAY = 86_400_000;
/** Objects read below which a day is too small to count as a team's heavy day. */
const HEAVY_FLOOR = 50;

/** An identity's typical day of objects read, taken once a UTC day. */
interface TypicalDay {
  day: number;
  objects: number;
}

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
  /**
   * Peers shared by the partitions of a run (see usePeers); without it, the run indexes its own
   * baselines on the first judge() and learns from them with learnPeers().
   */
  peers?: PeerIndex;
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
  /** Peer norms and peer use; baselines not held in `baselines` can be added with `peers.update`. */
  peers: PeerIndex;
  /** Identities whose baseline changed since the last call to takeTouched(). */
  private touched = new Set<string>();
  /** The typical day of each identity at work, for telling a team's heavy day from one member's. */
  private typical = new Map<string, TypicalDay>();
  /** Identities judged since the last call to learnPeers(). */
  private changed = new Set<string>();
  private indexed = false;

  constructor(private readonly opts: DetectionRunOptions) {
    this.peers = opts.peers ?? new PeerIndex(opts.settings.learningDays);
    this.indexed = opts.peers !== undefined;
  }

  /** Judges from now on against peers computed elsewhere (a partition, given the peers of the day by its run). */
  usePeers(peers: PeerIndex): void {
    this.peers = peers;
    this.indexed = true;
  }

  /**
   * Judges a chunk of rollups sorted by hour; every identity in it must be known. Peers stay as they
   * stood before, until learnPeers() (once a day is enough, and far cheaper than once an hour).
   */
  judge(rollups: readonly Rollup[]): Detection[] {
    if (!this.indexed) {
      for (const [k, b] of this.baselines) {
        const identity = this.identities.get(k);
        if (identity) this.peers.update(identity, b);
      }
      this.indexed = true;
    }
    const out: Detection[] = [];
    for (const rollup of rollups) {
      const identity = this.identities.get(rollup.identity);
      if (!identity) throw new Error(`identity ${rollup.identity} not loaded`);
      // Hours after this one (already judged, loaded ahead) stay for the hours that follow.
      const kept = (this.recent.get(rollup.identity) ?? []).filter((r) => r.hour > rollup.hour - DAY && r.hour !== rollup.hour);
      const window = kept.filter((r) => r.hour < rollup.hour);
      const { judgements, baseline } = judgeHour({
        identity, rollup, recent: window, baseline: this.baselines.get(rollup.identity) ?? emptyBaseline(rollup.identity),
        settings: this.opts.settings, peers: this.peers.norms(identity), peerUse: this.peers.use(identity), detectors: this.opts.detectors,
        suppressions: this.opts.suppressions ?? [], now: this.opts.now ?? Date.now(),
      });
      this.baselines.set(rollup.identity, baseline);
      // The day behind an hour is kept slim: detectors read its totals, buckets and a few addresses, not every address and action.
      window.push(slimRollup(rollup));
      this.recent.set(rollup.identity, window.length === kept.length + 1 ? window : [...window, ...kept.filter((r) => r.hour > rollup.hour)]);
      this.touched.add(rollup.identity);
      this.changed.add(rollup.identity);
      this.tally(identity, rollup.hour, window, baseline);
      for (const j of judgements) out.push({ identity, ...j });
    }
    return out;
  }

  /**
   * Tells the peer index the identity worked in this hour, and whether its UTC day so far (from the day
   * behind the hour, which holds hours judged by earlier runs too) has become heavy.
   */
  private tally(identity: Identity, hour: number, window: readonly Rollup[], b: Baseline): void {
    const day = Math.floor(hour / DAY);
    let typical = this.typical.get(identity.key);
    if (typical?.day !== day) this.typical.set(identity.key, (typical = { day, objects: dailyTotals(b, 'readObjects', true, hour).median }));
    let objects = 0;
    for (const x of window) if (x.hour >= day * DAY) objects += distinctObjects(x).readObjects;
    // Objects, not bytes: a few large files swing a day's bytes, while a team's heavy day reads more of everything.
    this.peers.noteDay(identity, hour, typical.objects > 0 && objects >= HEAVY_FLOOR && objects >= HEAVY_DAY * typical.objects);
  }

  /** Folds the baselines judged since the last call into the peer norms and peer use. */
  learnPeers(): void {
    for (const k of this.changed) this.peers.update(this.identities.get(k)!, this.baselines.get(k)!);
    this.changed.clear();
  }

  /** Baselines changed since the last call, for storing. */
  takeTouched(): Baseline[] {
    const out = [...this.touched].map((k) => this.baselines.get(k)!);
    this.touched.clear();
    return out;
  }

  /** Forgets identities not seen in the last day of judged hours (but those in `keep`), keeping memory to the identities at work. */
  forgetIdle(before: number, keep?: ReadonlySet<string>): void {
    for (const [k, rollups] of this.recent) {
      if (this.touched.has(k) || keep?.has(k) || (rollups.at(-1)?.hour ?? 0) >= before) continue;
      this.recent.delete(k);
      this.baselines.delete(k);
      this.typical.delete(k);
    }
  }
}
