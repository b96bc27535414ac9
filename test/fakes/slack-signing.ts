import { createHmac } from 'node:crypto';

/** Slack's v0 request signature: HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing secret. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Sends a form-encoded request to a Bolt endpoint the way Slack does, signed with `secret` at `timestamp` (seconds). */
export async function sendSigned(url: string, secret: string, fields: Record<string, string>, timestamp = Math.floor(Date.now() / 1000)): Promise<Response> {
  const body = new URLSearchParams(fields).toString();
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(secret, timestamp, body),
    },
    body,
  });
}

/** An interactive payload (block_actions, view_submission) as Slack posts it: one `payload` form field of JSON. */
export function interaction(payload: unknown): Record<string, string> {
  return { payload: JSON.stringify(payload) };
}
