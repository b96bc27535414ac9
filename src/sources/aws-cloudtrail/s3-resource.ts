import type { Resource } from '../../core/event.js';
import { asObject, readObject, readString } from './read-field.js';
import type { JsonObject } from './read-field.js';

/** A bucket and, for object ARNs, a key parsed from an S3 or S3 on Outposts ARN. */
interface ArnTarget {
  bucket: string;
  key?: string;
}

const S3_ARN = /^arn:[^:]+:s3:::([^/]+)(?:\/(.+))?$/;
const OUTPOSTS_ARN = /^arn:[^:]+:s3-outposts:[^:]*:[^:]*:outpost\/[^/]+\/bucket\/([^/]+)(?:\/object\/(.+))?$/;
// Virtual-hosted style: <bucket>.s3.<region>.amazonaws.com, <bucket>.s3-<region>..., <bucket>.s3.dualstack...
const VIRTUAL_HOST = /^(.+)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$/;

/** Bucket and key an S3 CloudTrail event touched: request parameters first, then resource ARNs, then the Host header. */
export function s3Resource(record: JsonObject): Resource {
  const params = readObject(record, 'requestParameters');
  const targets = resourceArns(record).map(parseArn).filter((t): t is ArnTarget => t !== undefined);
  const bucket = readString(params, 'bucketName') ?? targets[0]?.bucket ?? hostBucket(record, params) ?? '';
  const key = readString(params, 'key', 'Key') ?? targets.find((t) => t.bucket === bucket && t.key)?.key;
  return key ? { bucket, key } : { bucket };
}

function resourceArns(record: JsonObject): string[] {
  const resources = record.resources;
  if (!Array.isArray(resources)) return [];
  // Object ARNs first so the bucket comes with its key; some exporters lower-case the field names.
  const arns = resources.map(asObject).map((r) => ({ arn: readString(r, 'ARN', 'arn'), type: readString(r, 'type') ?? '' }));
  return [...arns.filter((r) => r.type.endsWith('Object')), ...arns.filter((r) => !r.type.endsWith('Object'))]
    .map((r) => r.arn)
    .filter((arn): arn is string => arn !== undefined);
}

function parseArn(arn: string): ArnTarget | undefined {
  const m = S3_ARN.exec(arn) ?? OUTPOSTS_ARN.exec(arn);
  if (!m?.[1]) return undefined;
  return m[2] ? { bucket: m[1], key: m[2] } : { bucket: m[1] };
}

function hostBucket(record: JsonObject, params: JsonObject | undefined): string | undefined {
  const raw = params?.Host ?? params?.host ?? readObject(record, 'tlsDetails')?.clientProvidedHostHeader;
  const host: unknown = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
  if (typeof host !== 'string') return undefined;
  const m = VIRTUAL_HOST.exec(host.trim().toLowerCase().replace(/:\d+$/, ''));
  const bucket = m?.[1];
  // Access point and Object Lambda hosts name an access point, not a bucket.
  if (!bucket || /\.s3-(?:accesspoint|object-lambda)/.test(host)) return undefined;
  return bucket;
}
