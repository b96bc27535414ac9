import { describe, expect, it } from 'vitest';
import { childFolders, dayPrefix, deliveryTime, minuteBound, regionsPrefix, stampTime, trailLayout } from '../../../src/sources/aws-cloudtrail/trail-layout.js';

const REAL = 'AWSLogs/653711331788/CloudTrail/us-east-1/2018/11/28/653711331788_CloudTrail_us-east-1_20181128T2305Z_zKlMhON7EpHala9u.json.gz';

describe('trail layout', () => {
  it('builds the folders CloudTrail writes to, with a prefix and for an organisation trail', () => {
    expect(trailLayout('', undefined).root).toBe('AWSLogs/');
    expect(trailLayout('/logs/ct/', 'o-abcdefghij').root).toBe('logs/ct/AWSLogs/o-abcdefghij/');
    const layout = trailLayout('logs');
    expect(regionsPrefix(layout, '111122223333')).toBe('logs/AWSLogs/111122223333/CloudTrail/');
    expect(dayPrefix(layout, '111122223333', 'eu-west-1', Date.UTC(2026, 0, 5, 23, 59))).toBe('logs/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/01/05/');
  });

  it('reads the delivery minute of a real file name, and of nothing else', () => {
    expect(deliveryTime(REAL)).toBe(Date.UTC(2018, 10, 28, 23, 5));
    expect(deliveryTime(REAL.replace('.json.gz', '.json'))).toBeUndefined();
    expect(deliveryTime('AWSLogs/653711331788/CloudTrail-Digest/us-east-1/2018/11/28/653711331788_CloudTrail-Digest_us-east-1_x_20181128T2305Z.json.gz')).toBeUndefined();
  });

  it('makes a StartAfter bound that sorts just before every file of its minute and after the minute before', () => {
    const bound = minuteBound(trailLayout(''), '653711331788', 'us-east-1', Date.UTC(2018, 10, 28, 23, 5, 42));
    expect(bound < REAL).toBe(true);
    expect(bound > REAL.replace('T2305Z', 'T2304Z')).toBe(true);
    expect(stampTime(bound)).toBe(Date.UTC(2018, 10, 28, 23, 5));
    expect(deliveryTime(bound)).toBeUndefined();
  });

  it('names the folders directly under a prefix', () => {
    expect(childFolders('AWSLogs/', ['AWSLogs/111122223333/', 'AWSLogs/o-abc/', 'Other/x/', undefined])).toEqual(['111122223333', 'o-abc']);
  });
});
