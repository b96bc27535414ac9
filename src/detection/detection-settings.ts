import { parseCidrs, type CidrList } from './network.js';

/** Organisation settings the detectors read. */
export interface DetectionSettings {
  /** Corporate networks: addresses inside them are never "new". */
  knownNetworks: CidrList;
  /** Identities (principal id or name, case-insensitive) never alerted on. */
  allowlist: Set<string>;
  /** An identity with fewer days of history than this is still learning. */
  learningDays: number;
}

/** Settings with nothing configured. */
export function defaultDetectionSettings(overrides: { knownNetworks?: string[]; allowlist?: string[]; learningDays?: number } = {}): DetectionSettings {
  return {
    knownNetworks: parseCidrs(overrides.knownNetworks ?? []),
    allowlist: new Set((overrides.allowlist ?? []).map((s) => s.toLowerCase())),
    learningDays: overrides.learningDays ?? 7,
  };
}
