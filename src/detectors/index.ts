import type { Detector } from '../detection/detector.js';
import { newSourceIp } from './new-source-ip.js';

/** Every detector, in the order their findings are listed. */
export const DETECTORS: readonly Detector[] = [newSourceIp];
