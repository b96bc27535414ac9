import { isIP } from 'node:net';
import type { Resource } from '../../core/event.js';

/**
 * Container and blob key of a request: from the object key (`/<account>/<container>/<blob>`, or a
 * URL for CopyBlobSource and similar) when logged, else from the request URI's path (URL-decoded,
 * query stripped). Containers are named inside a storage account, so the bucket is
 * `<account>/<container>`: the account that served the request, or the one a URL names (a copy source
 * may live in another account). Account-level calls give an empty bucket.
 */
export function blobResource(objectKey: string | undefined, uri: string | undefined, account: string): Resource {
  const key = objectKey?.replace(/^"(.*)"$/, '$1');
  if (key && /^https?:\/\//i.test(key)) {
    const source = fromUrl(key);
    if (source) return inAccount(source, accountFromUri(key) ?? account);
  } else if (key?.startsWith('/')) {
    return inAccount(fromSegments(key.slice(1).split('/').slice(1), false), account);
  }
  return inAccount(fromUri(uri), account);
}

function inAccount(r: Resource, account: string): Resource {
  return r.bucket ? { ...r, bucket: `${account}/${r.bucket}` } : r;
}

/** Storage account name from a blob or dfs endpoint host (`<account>.blob.core.windows.net`). */
export function accountFromUri(uri: string | undefined): string | undefined {
  const url = parseUrl(uri);
  if (!url) return undefined;
  const host = /^([a-z0-9]{3,24})\.(?:blob|dfs)\./i.exec(url.hostname);
  if (host?.[1]) return host[1].toLowerCase();
  return isPathStyle(url) ? url.pathname.split('/')[1] || undefined : undefined;
}

function fromUri(uri: string | undefined): Resource {
  return fromUrl(uri) ?? { bucket: '' };
}

function fromUrl(text: string | undefined): Resource | undefined {
  const url = parseUrl(text);
  if (!url) return undefined;
  const segments = url.pathname.split('/').slice(1);
  // Emulator and IP-style endpoints put the account first in the path.
  return fromSegments(isPathStyle(url) ? segments.slice(1) : segments, true);
}

function fromSegments(segments: string[], encoded: boolean): Resource {
  const parts = encoded ? segments.map(decode) : segments;
  const [container = '', ...rest] = parts;
  const key = rest.join('/');
  return key === '' ? { bucket: container } : { bucket: container, key };
}

function isPathStyle(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) !== 0 || host === 'localhost';
}

function parseUrl(text: string | undefined): URL | undefined {
  if (!text) return undefined;
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
