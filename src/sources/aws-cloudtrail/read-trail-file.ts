import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SourceItem } from '../../core/ports.js';
import { withRetry } from '../with-retry.js';
import { awsSourceError, isBodyFailure } from './aws-source-error.js';
import { cloudTrailNormalizer } from './normalize.js';
import { asObject } from './read-field.js';

const gunzipAsync = promisify(gunzip);

/** One delivery file, read and normalised. */
export interface TrailFile {
  items: SourceItem[];
  /** Bytes downloaded (compressed) and API calls made, retries included. */
  bytes: number;
  apiCalls: number;
}

/** How to fetch: the client, the retry settings for bodies cut mid-stream, and the caller's signal. */
export interface ReadOptions {
  s3: S3Client;
  bucket: string;
  retryBaseMs: number;
  signal?: AbortSignal;
}

/**
 * Downloads one CloudTrail delivery file (gzip of `{"Records":[...]}`) and normalises each record;
 * a file that vanished or cannot be read becomes one rejected item, so the scan goes on.
 */
export async function readTrailFile(o: ReadOptions, key: string): Promise<TrailFile> {
  const file = `s3://${o.bucket}/${key}`;
  let apiCalls = 0;
  let body: Uint8Array;
  try {
    body = await withRetry(
      async () => {
        const out = await o.s3.send(new GetObjectCommand({ Bucket: o.bucket, Key: key }), { abortSignal: o.signal });
        apiCalls += out.$metadata.attempts ?? 1;
        if (!out.Body) throw new Error('GetObject returned no body');
        return out.Body.transformToByteArray();
      },
      { isTransient: isBodyFailure, attempts: 4, baseMs: o.retryBaseMs, maxMs: 5_000, signal: o.signal },
    );
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') {
      return { items: [{ kind: 'reject', reason: 'file deleted before it could be read (NoSuchKey)', origin: { file, index: 0 } }], bytes: 0, apiCalls: apiCalls + 1 };
    }
    throw awsSourceError(err, { permission: 's3:GetObject', resource: `arn:aws:s3:::${o.bucket}/${key}` });
  }
  const records = await parseRecords(body);
  if (typeof records === 'string') return { items: [{ kind: 'reject', reason: records, origin: { file, index: 0 } }], bytes: body.length, apiCalls };
  const items = records.map((raw, index): SourceItem => {
    const record = asObject(raw);
    if (!record) return { kind: 'reject', reason: 'record is not a JSON object', origin: { file, index } };
    return { ...cloudTrailNormalizer.normalize(record), origin: { file, index } };
  });
  return { items, bytes: body.length, apiCalls };
}

// The records of a delivery file, or why it is not one.
async function parseRecords(body: Uint8Array): Promise<unknown[] | string> {
  let text: string;
  try {
    // Some copies are stored already decompressed (Content-Encoding: gzip served transparently).
    const gzipped = body[0] === 0x1f && body[1] === 0x8b;
    text = (gzipped ? await gunzipAsync(body) : Buffer.from(body)).toString('utf8');
  } catch (err) {
    return `not a CloudTrail log file: gzip data is corrupt (${err instanceof Error ? err.message : String(err)})`;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'not a CloudTrail log file: not JSON';
  }
  const records = asObject(doc)?.Records;
  return Array.isArray(records) ? (records as unknown[]) : 'not a CloudTrail log file: no "Records" array';
}
