import { describe, expect, it } from 'vitest';
import { loggingBaseUrl } from '../../../src/sources/gcp-audit/logging-client.js';

describe('loggingBaseUrl (GCP_LOGGING_ENDPOINT)', () => {
  it('is the public endpoint when unset, https for a bare host (Private Service Connect), and a URL as given', () => {
    expect(loggingBaseUrl(undefined)).toBe('https://logging.googleapis.com');
    expect(loggingBaseUrl(' ')).toBe('https://logging.googleapis.com');
    expect(loggingBaseUrl('logging-swpsc.p.googleapis.com')).toBe('https://logging-swpsc.p.googleapis.com');
    expect(loggingBaseUrl('http://127.0.0.1:8085/')).toBe('http://127.0.0.1:8085');
  });
});
