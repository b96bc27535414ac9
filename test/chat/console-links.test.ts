import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { consoleLinks } from '../../src/chat/console-links.js';
import type { Finding } from '../../src/core/finding.js';
import { bulkDraft } from './chat-fixtures.js';

const START = Date.UTC(2025, 2, 4, 3, 0);
const END = Date.UTC(2025, 2, 4, 3, 40);

function finding(cloud: Finding['cloud'], account: string, principal: Finding['principal']): Finding {
  return { ...bulkDraft(END), start: START, id: 'f1', identity: `${cloud}|${account}|${principal.id}`, cloud, account, principal, status: 'open', occurrences: 1 };
}

describe('console links', () => {
  it('opens CloudTrail event history for the user name and the padded window, and Logs Insights when a log group is known', () => {
    const f = finding('aws', '111122223333', { id: 'arn:aws:sts::111122223333:assumed-role/Admin/alice@corp.com', name: 'Admin/alice@corp.com', type: 'user' });
    const [history, insights] = consoleLinks(f, { awsRegion: 'eu-west-1', awsLogGroup: 'aws-cloudtrail-logs-111122223333' });
    expect(history!.url).toBe('https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events?Username=alice%40corp.com&StartTime=2025-03-04T02%3A55%3A00.000Z&EndTime=2025-03-04T03%3A45%3A00.000Z');
    expect(insights!.url.startsWith('https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights$3FqueryDetail$3D')).toBe(true);
    const detail = decodeURIComponent(insights!.url.split('$3D')[1]!.replace(/\$/g, '%'));
    expect(decodeURIComponent(detail.replace(/\*/g, '%'))).toContain('filter userIdentity.arn = "arn:aws:sts::111122223333:assumed-role/Admin/alice@corp.com"');
    expect(consoleLinks(f)).toHaveLength(1);
  });

  it('opens Logs Explorer with a query for the principal and the time range', () => {
    const f = finding('gcp', 'acme-prod', { id: 'mallory"\\@evil.example', name: 'mallory', type: 'user' });
    const [link] = consoleLinks(f);
    const url = new URL(link!.url);
    expect(url.origin + url.pathname.split(';')[0]).toBe('https://console.cloud.google.com/logs/query');
    expect(url.searchParams.get('project')).toBe('acme-prod');
    const params: Record<string, string> = Object.fromEntries(url.pathname.split(';').slice(1).map((p): [string, string] => {
      const [k, v] = p.split('=');
      return [k!, decodeURIComponent(v!)];
    }));
    expect(params.query).toBe('protoPayload.serviceName="storage.googleapis.com"\nprotoPayload.authenticationInfo.principalEmail="mallory\\"\\\\@evil.example"');
    expect(params.timeRange).toBe('2025-03-04T02:55:00.000Z/2025-03-04T03:45:00.000Z');
    expect(link!.url).not.toMatch(/[\s"<>|]/);
  });

  it('opens Log Analytics with a gzipped StorageBlobLogs query for the caller, scoped to the subscription', () => {
    const f = finding('azure', 'sub-123/acmestorage', { id: 'sas:key1(67F8F5A2)', name: 'SAS key1(67F8…)', type: 'key' });
    const [link] = consoleLinks(f);
    const m = /LogsBlade\/resourceId\/([^/]+)\/source\/LogsBlade.AnalyticsShareLinkToQuery\/q\/([^/]+)\/timespan\/([^/]+)$/.exec(link!.url)!;
    expect(decodeURIComponent(m[1]!)).toBe('/subscriptions/sub-123');
    const query = gunzipSync(Buffer.from(decodeURIComponent(m[2]!), 'base64')).toString('utf8');
    expect(query).toContain('| where AccountName == "acmestorage"');
    expect(query).toContain('| where AuthenticationHash == "key1(67F8F5A2)"');
    expect(query).toContain('between (datetime(2025-03-04T02:55:00.000Z) .. datetime(2025-03-04T03:45:00.000Z))');
    expect(decodeURIComponent(m[3]!)).toBe('2025-03-04T02:55:00.000Z/2025-03-04T03:45:00.000Z');
    const entra = consoleLinks(finding('azure', 'sub-123/acmestorage', { id: 'carol@corp.onmicrosoft.com', name: 'carol', type: 'user' }))[0]!;
    const q2 = gunzipSync(Buffer.from(decodeURIComponent(/\/q\/([^/]+)\//.exec(entra.url)![1]!), 'base64')).toString('utf8');
    expect(q2).toContain('RequesterUpn =~ "carol@corp.onmicrosoft.com"');
  });
});
