import { gzipSync } from 'node:zlib';
import type { Finding } from '../core/finding.js';

/** Where the cloud consoles are, for links that the finding alone cannot tell. */
export interface ConsoleLinkOptions {
  /** AWS region whose CloudTrail console to open (default us-east-1). */
  awsRegion?: string;
  /** CloudWatch Logs group the trail delivers to; adds a Logs Insights link, which also shows S3 data events. */
  awsLogGroup?: string;
}

/** A console page with its label. */
export interface ConsoleLink {
  label: string;
  url: string;
}

const PAD_MS = 5 * 60_000;

/** encodeURIComponent that also escapes the characters it leaves alone (`!'()*`), so no value can end a URL part early. */
function enc(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const iso = (t: number): string => new Date(t).toISOString();

/** The name CloudTrail's event history filters on (`User name`): the IAM user or the role session. */
function awsUserName(f: Finding): string {
  const name = f.principal.name;
  return name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
}

function awsLinks(f: Finding, from: number, to: number, o: ConsoleLinkOptions): ConsoleLink[] {
  const region = o.awsRegion ?? 'us-east-1';
  const host = `https://${enc(region)}.console.aws.amazon.com`;
  // Event history shows management events only; S3 object reads are data events, hence the Logs Insights link.
  const links = [{
    label: 'CloudTrail event history',
    url: `${host}/cloudtrailv2/home?region=${enc(region)}#/events?Username=${enc(awsUserName(f))}&StartTime=${enc(iso(from))}&EndTime=${enc(iso(to))}`,
  }];
  if (o.awsLogGroup) {
    const query = `fields @timestamp, eventName, requestParameters.bucketName, requestParameters.key, sourceIPAddress, userAgent
| filter userIdentity.arn = "${f.principal.id.replace(/["\\]/g, '\\$&')}" or userIdentity.principalId like "${awsUserName(f).replace(/["\\]/g, '\\$&')}"
| sort @timestamp desc`;
    // The Logs Insights console reads its state from a JSURL-like fragment: URI-encoded values with `%` written as `*`.
    const j = (s: string): string => `'${enc(s).replace(/%/g, '*')}`;
    const detail = `~(end~${j(iso(to))}~start~${j(iso(from))}~timeType~'ABSOLUTE~tz~'UTC~editorString~${j(query)}~source~(~${j(o.awsLogGroup)}))`;
    links.push({
      label: 'CloudWatch Logs Insights',
      url: `${host}/cloudwatch/home?region=${enc(region)}#logsV2:logs-insights$3FqueryDetail$3D${enc(detail).replace(/%/g, '$')}`,
    });
  }
  return links;
}

function gcpLink(f: Finding, from: number, to: number): ConsoleLink {
  const who = f.principal.id.replace(/["\\]/g, '\\$&');
  const query = `protoPayload.serviceName="storage.googleapis.com"\nprotoPayload.authenticationInfo.principalEmail="${who}"`;
  return {
    label: 'Logs Explorer',
    url: `https://console.cloud.google.com/logs/query;query=${enc(query)};timeRange=${enc(`${iso(from)}/${iso(to)}`)}?project=${enc(f.account)}`,
  };
}

function azureLink(f: Finding, from: number, to: number): ConsoleLink {
  const [subscription = '', storageAccount = ''] = f.account.split('/');
  const kql = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;
  const id = f.principal.id;
  const who = id.startsWith('sas:') || id.startsWith('key:')
    ? `AuthenticationHash == ${kql(id.slice(4))}`
    : `RequesterObjectId =~ ${kql(id)} or RequesterUpn =~ ${kql(id)} or RequesterAppId =~ ${kql(id)}`;
  const query = `StorageBlobLogs
| where TimeGenerated between (datetime(${iso(from)}) .. datetime(${iso(to)}))
${storageAccount ? `| where AccountName == ${kql(storageAccount)}\n` : ''}| where ${who}
| order by TimeGenerated desc`;
  // Portal "share link" format: the query gzipped, base64, then URI-encoded, scoped to the subscription.
  const q = enc(gzipSync(Buffer.from(query, 'utf8')).toString('base64'));
  return {
    label: 'Log Analytics',
    url: `https://portal.azure.com/#blade/Microsoft_OperationalInsights_Logs/LogsBlade/resourceId/${enc(`/subscriptions/${subscription}`)}` +
      `/source/LogsBlade.AnalyticsShareLinkToQuery/q/${q}/timespan/${enc(`${iso(from)}/${iso(to)}`)}`,
  };
}

/** Console pages that show this identity's log entries around the finding's window (padded by 5 minutes). */
export function consoleLinks(f: Finding, o: ConsoleLinkOptions = {}): ConsoleLink[] {
  const from = f.start - PAD_MS;
  const to = f.end + PAD_MS;
  if (f.cloud === 'aws') return awsLinks(f, from, to, o);
  if (f.cloud === 'gcp') return [gcpLink(f, from, to)];
  return [azureLink(f, from, to)];
}
