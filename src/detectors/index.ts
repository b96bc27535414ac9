import type { Detector } from '../detection/detector.js';
import { newSourceIp } from './new-source-ip.js';
import { enumerationDeniedBurst } from './enumeration-denied-burst.js';
import { unusualClient } from './unusual-client.js';
import { anonymousAccessBurst } from './anonymous-access-burst.js';
import { secretObjectRead } from './secret-object-read.js';
import { firstBucketAccess } from './first-bucket-access.js';
import { afterHoursBulkDownload } from './after-hours-bulk-download.js';
import { apiCallSpike } from './api-call-spike.js';
import { volumeExfiltration } from './volume-exfiltration.js';
import { rapidObjectSweep } from './rapid-object-sweep.js';
import { massDeletion } from './mass-deletion.js';
import { bucketExposure } from './bucket-exposure.js';

/** Every detector, in the order their findings are listed. */
export const DETECTORS: readonly Detector[] = [newSourceIp, enumerationDeniedBurst, unusualClient, anonymousAccessBurst, secretObjectRead, firstBucketAccess, afterHoursBulkDownload, apiCallSpike, volumeExfiltration, rapidObjectSweep, massDeletion, bucketExposure];
