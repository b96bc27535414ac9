import { describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../src/core/private-address.js';
import { privateRangeOf } from '../../src/detection/network.js';

describe('isPrivateAddress', () => {
  it('agrees with privateRangeOf at the edges of every private range and on public addresses', () => {
    const addresses = [
      '10.0.0.1', '10.255.255.255', '9.255.255.255', '11.0.0.0', '172.15.255.255', '172.16.0.0', '172.31.255.255', '172.32.0.0',
      '192.168.0.1', '192.167.255.255', '192.169.0.0', '100.63.255.255', '100.64.0.0', '100.127.255.255', '100.128.0.0',
      '169.254.1.1', '169.253.0.1', '81.2.69.160', '8.8.8.8', '1.10.0.1', '110.0.0.1',
      'fc00::1', 'fd12:3456::1', 'FD00::1', 'fe80::1', 'febf::1', 'fec0::1', '2001:db8::1', '::1', '2a00:1450::1',
    ];
    for (const ip of addresses) expect(isPrivateAddress(ip), ip).toBe(privateRangeOf(ip) !== undefined);
  });
});
