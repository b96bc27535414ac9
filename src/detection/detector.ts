import type { Baseline } from '../core/baseline.js';
import type { FindingDraft } from '../core/finding.js';
import type { Identity } from '../core/identity.js';
import type { Rollup } from '../core/rollup.js';
import type { DetectionSettings, LocalTime } from './detection-settings.js';
import type { PeerUse } from './peer-index.js';
import type { PeerNorms } from './peer-norms.js';

/** Everything a detector may look at when judging one identity's hour. */
export interface DetectionContext {
  /** Who. */
  identity: Identity;
  /** The hour being judged. */
  rollup: Rollup;
  /** The same identity's rollups of the 23 hours before (with this hour, a day), oldest first. */
  recent: readonly Rollup[];
  /** What was normal before this hour (never includes it). */
  baseline: Baseline;
  /** Norms of mature identities of the same kind in the same account, when there are any. */
  peers?: PeerNorms;
  /** What other identities of the same account read and use, to tell a team's routine from one identity's novelty. */
  peerUse?: PeerUse;
  /** The identity's local time at the start of the activity, and whether it is inside business hours. */
  local: LocalTime;
  /** Organisation settings. */
  settings: DetectionSettings;
}

/** One kind of abnormal activity; its id is its file name in src/detectors/. */
export interface Detector {
  /** Stable id, e.g. `new-source-ip`. */
  readonly id: string;
  /** One sentence on what it catches. */
  readonly description: string;
  /** Findings for this hour, or none. Pure: no I/O, no clock. */
  detect(ctx: DetectionContext): FindingDraft[];
}
