import type { Detector } from '../detection/detector.js';
import { newSourceIp } from './new-source-ip.js';
import { enumerationDeniedBurst } from './enumeration-denied-burst.js';
import { unusualClient } from './unusual-client.js';
import { anonymousAccessBurst } from './anonymous-access-burst.js';
import { secretObjectRead } from './secret-object-read.js';
import { firstBucketAccess } from './first-bucket-access.js';

/** Every detector, in the order their findings are listed. */
export const DETECTORS: readonly Detector[] = [newSourceIp, enumerationDeniedBurst, unusualClient, anonymousAccessBurst, secretObjectRead, firstBucketAccess];
