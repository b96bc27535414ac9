import type { Baseline } from '../core/baseline.js';
import { SEVERITIES, type FindingDraft } from '../core/finding.js';
import type { Identity } from '../core/identity.js';
import type { Rollup } from '../core/rollup.js';
import { suppressionMatches, type Suppression } from '../core/suppression.js';
import { localTime, type DetectionSettings } from './detection-settings.js';
import type { PeerUse } from './peer-index.js';
import type { PeerNorms } from './peer-norms.js';
import type { Detector } from './detector.js';
import { learnBaseline, type Withheld } from './learn-baseline.js';
import { groupNovelty } from '../core/novelty-day.js';

/** A detection with the suppression that silenced it, if any. */
export interface Judgement {
  draft: FindingDraft;
  suppressedBy?: string;
}

/** Inputs of one identity-hour judgement. */
export interface HourInput {
  identity: Identity;
  rollup: Rollup;
  recent: readonly Rollup[];
  baseline: Baseline;
  settings: DetectionSettings;
  peers?: PeerNorms;
  peerUse?: PeerUse;
  detectors: readonly Detector[];
  suppressions: readonly Suppression[];
  /** Wall-clock time, for suppression expiry. */
  now: number;
}

const MEDIUM = SEVERITIES.indexOf('medium');

function allowlisted(identity: Identity, settings: DetectionSettings): boolean {
  return settings.allowlist.has(identity.principal.id.toLowerCase()) || settings.allowlist.has(identity.principal.name.toLowerCase());
}

/**
 * Judges one identity's hour against its baseline as it stood before the hour, then learns the hour.
 * First-seen values of unsuppressed medium-or-worse detections are not learnt, so an attacker's
 * address keeps standing out until a responder marks it benign.
 */
export function judgeHour(input: HourInput): { judgements: Judgement[]; baseline: Baseline } {
  const { identity, rollup, baseline, settings } = input;
  const local = localTime(settings, identity, rollup.first);
  const drafts = allowlisted(identity, settings)
    ? []
    : input.detectors.flatMap((d) => d.detect({ identity, rollup, recent: input.recent, baseline, peers: input.peers, peerUse: input.peerUse, local, settings }));
  const withheld: Withheld = { ips: new Set(), clients: new Set(), buckets: new Set() };
  const judgements = drafts.map((draft): Judgement => {
    const suppression = input.suppressions.find((s) => suppressionMatches(s, identity.key, draft, input.now));
    if (!suppression && SEVERITIES.indexOf(draft.severity) >= MEDIUM) {
      draft.evidence.firstSeen.ips?.forEach((v) => withheld.ips.add(v));
      draft.evidence.firstSeen.clients?.forEach((v) => withheld.clients.add(v));
      draft.evidence.firstSeen.buckets?.forEach((v) => withheld.buckets.add(v));
    }
    // Suppressions match the detection's own scope (this address, this bucket) before low novelty is grouped per day.
    return suppression ? { draft: groupNovelty(draft), suppressedBy: suppression.id } : { draft: groupNovelty(draft) };
  });
  return { judgements, baseline: learnBaseline(baseline, rollup, withheld) };
}
