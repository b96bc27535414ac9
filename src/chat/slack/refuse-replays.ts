import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HTTPModuleFunctions, isValidSlackRequest } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { ReplayGuard } from '../replay-guard.js';

/** How long Slack's signature stays valid after its timestamp (Bolt refuses older requests). */
const SIGNATURE_LIFETIME_MS = 5 * 60_000;
/** Clock difference between Slack and this host that a remembered signature still covers. */
const CLOCK_MARGIN_MS = 60_000;

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

/**
 * Wraps Bolt's request listener so that a signed request is acted on once: each accepted signature
 * (with its timestamp) is remembered until it expires, and a request bearing one already seen is
 * refused with 409 before Bolt sees it. Slack's own retries (`X-Slack-Retry-Num`) of a request
 * already accepted are acknowledged with an empty 200, so Slack stops retrying, and do nothing.
 * Requests that fail verification go on to Bolt, which refuses them with 401.
 */
export function refuseReplays(listener: RequestListener, opts: { signingSecret: string; guard: ReplayGuard; logger?: Logger }): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      let raw: Buffer;
      try {
        raw = (await HTTPModuleFunctions.bufferIncomingMessage(req, HTTPModuleFunctions.defaultBodyLimit)).rawBody;
      } catch (err) {
        res.writeHead(HTTPModuleFunctions.isRawBodyError(err) && err.statusCode === 413 ? 413 : 400).end();
        return;
      }
      const signature = header(req, 'x-slack-signature');
      const timestamp = Number(header(req, 'x-slack-request-timestamp'));
      const signed = signature !== undefined && Number.isFinite(timestamp) && isValidSlackRequest({
        signingSecret: opts.signingSecret, body: raw.toString(), headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      });
      if (signed) {
        const ttl = timestamp * 1000 + SIGNATURE_LIFETIME_MS - Date.now() + CLOCK_MARGIN_MS;
        if (!(await opts.guard.firstSeen(`slack:${timestamp}:${signature}`, ttl))) {
          const retry = header(req, 'x-slack-retry-num');
          opts.logger?.warn({ component: 'slack', retry: retry ?? null }, retry ? 'Slack retried a request already accepted; acknowledged, not acted on' : 'replayed Slack request refused');
          res.writeHead(retry ? 200 : 409, { 'content-type': 'text/plain' }).end(retry ? '' : 'replayed request');
          return;
        }
      }
      listener(req, res);
    })().catch((err: unknown) => {
      opts.logger?.error({ component: 'slack', err }, 'could not check a Slack request for replay');
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
}
