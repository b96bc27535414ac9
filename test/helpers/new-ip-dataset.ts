import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloudTrailRecord, ndjson } from './cloud-trail-records.js';
import { DAY, HOUR, T0 } from './store-fixtures.js';

/** The address alice always works from. */
export const KNOWN_IP = '198.51.100.10';
/** The address, in a /16 she never used, that she downloads from on the attack day. */
export const NEW_IP = '203.0.113.50';
/** The client used from the new address. */
export const RCLONE = 'rclone/v1.66.0';
/** Day 14 after T0: a Monday, after ten weekdays of routine. */
export const ATTACK_DAY = T0 + 14 * DAY;
/** CloudTrail files and S3 events the dataset holds. */
export const DATASET_FILES = 11;
export const DATASET_EVENTS = 10 * 9 * 3 + 7;

/**
 * Writes alice's logs into dir, one CloudTrail NDJSON file per day: reads from the office address
 * every weekday hour 9-17 for two weeks (ten working days); then, on the third Monday, her usual
 * 9 o'clock read and, at 10, six downloads of 50 MB from an address in a /16 she never used, with rclone.
 */
export function writeNewIpDataset(dir: string): void {
  for (let day = 0; day < 14; day++) {
    const date = T0 + day * DAY;
    if (new Date(date).getUTCDay() % 6 === 0) continue;
    const records = [];
    for (let h = 9; h <= 17; h++) {
      for (let k = 0; k < 3; k++) records.push(cloudTrailRecord({ time: date + h * HOUR + k * 7 * 60_000, ip: KNOWN_IP, key: `reports/r-${day}-${h}-${k}.csv` }));
    }
    writeFileSync(join(dir, `trail-${String(day).padStart(2, '0')}.ndjson`), ndjson(records));
  }
  const attack = [cloudTrailRecord({ time: ATTACK_DAY + 9 * HOUR + 60_000, ip: KNOWN_IP })];
  for (let k = 0; k < 6; k++) {
    attack.push(cloudTrailRecord({ time: ATTACK_DAY + 10 * HOUR + k * 5 * 60_000, ip: NEW_IP, userAgent: RCLONE, key: `payroll/export-${k}.csv`, bytesOut: 50_000_000 }));
  }
  writeFileSync(join(dir, 'trail-14.ndjson'), ndjson(attack));
}
