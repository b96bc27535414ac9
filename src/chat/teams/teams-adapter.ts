import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { AuthType, CloudAdapter, ConnectorClient, HttpError, type AuthConfiguration, type Request, type TurnContext, type WebResponse } from '@microsoft/agents-hosting';
import type { TeamsConfig } from './teams-config.js';

/** The Bot Connector audience our tokens are for. */
const BOT_SCOPE = 'https://api.botframework.com';
const CONNECTION = 'serviceConnection';
const MAX_BODY = 1024 * 1024;

/**
 * The SDK's auth configuration built from our settings only. The SDK reads `clientId`, `clientSecret`,
 * `connections__*` and friends from the environment at import time and merges them into whatever it is
 * given; naming every key here (undefined where unused) and passing our own connection map keeps
 * those variables from overriding or adding to ours.
 */
export function teamsAuthConfig(cfg: Pick<TeamsConfig, 'appId' | 'appPassword' | 'tenantId'>): AuthConfiguration {
  const connection = {
    clientId: cfg.appId, clientSecret: cfg.appPassword, tenantId: cfg.tenantId, authType: AuthType.ClientSecret,
    authorityEndpoint: 'https://login.microsoftonline.com', authority: 'https://login.microsoftonline.com',
    certPemFile: undefined, certKeyFile: undefined, FICClientId: undefined, federatedClientId: undefined, WIDAssertionFile: undefined,
    federatedTokenFile: undefined, sidecarBaseUrl: undefined, connectionName: undefined, scopes: undefined, scope: undefined,
    idpmResource: undefined, azureRegion: undefined, altBlueprintConnectionName: undefined, alternateBlueprintConnectionName: undefined,
  };
  return { ...connection, connections: new Map([[CONNECTION, connection]]), connectionsMap: [{ serviceUrl: '*', connection: CONNECTION }] };
}

/** The SDK's CloudAdapter, plus a Bot Connector client for posting outside a turn (proactive posts, updates). */
export class TeamsAdapter extends CloudAdapter {
  private readonly appId: string | undefined;

  constructor(cfg: Pick<TeamsConfig, 'appId' | 'appPassword' | 'tenantId'>) {
    // With an app id, reject inbound activities whose serviceUrl does not match their token's claim.
    super(teamsAuthConfig(cfg), undefined, undefined, { validateServiceUrl: cfg.appId !== undefined });
    this.appId = cfg.appId;
  }

  /** A Bot Connector client for a service URL, with a token for our app (none in unauthenticated local mode). */
  async connector(serviceUrl: string): Promise<ConnectorClient> {
    if (!this.appId) return ConnectorClient.createClientWithToken(serviceUrl, '');
    return this.createConnectorClient(serviceUrl, BOT_SCOPE, CloudAdapter.createIdentity(this.appId));
  }
}

/** Retries a Bot Connector call answered 429 (or 503) after the Retry-After it names (at most 30 s, 4 attempts). */
export async function withRetryAfter<T>(call: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (err) {
      const status = err instanceof HttpError ? err.status : undefined;
      if ((status !== 429 && status !== 503) || i >= attempts) throw err;
      const header = (err as HttpError).response.headers as unknown as { get?(name: string): string | null } | undefined;
      const seconds = Number(header?.get?.('retry-after') ?? '1');
      await new Promise((r) => setTimeout(r, Math.min(30, Number.isFinite(seconds) && seconds >= 0 ? seconds : 1) * 1000));
    }
  }
}

class NodeResponse implements WebResponse {
  private code = 200;
  constructor(private readonly res: ServerResponse) {}
  get headersSent(): boolean {
    return this.res.headersSent;
  }
  get writableEnded(): boolean {
    return this.res.writableEnded;
  }
  status(code: number): this {
    this.code = code;
    return this;
  }
  setHeader(name: string, value: string): this {
    this.res.setHeader(name, value);
    return this;
  }
  send(body?: unknown): this {
    if (!this.res.headersSent) this.res.statusCode = this.code;
    if (body === undefined) return this;
    if (typeof body === 'string' || Buffer.isBuffer(body)) this.res.write(body);
    else {
      if (!this.res.headersSent) this.res.setHeader('content-type', 'application/json');
      this.res.write(JSON.stringify(body));
    }
    return this;
  }
  end(): this {
    if (!this.res.headersSent) this.res.statusCode = this.code;
    this.res.end();
    return this;
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The /api/messages endpoint: authorises the request (JWT from the Bot Connector, unless unauthenticated local mode), then runs the turn. */
export function messagesEndpoint(adapter: CloudAdapter, logic: (context: TurnContext) => Promise<void>, onError: (err: unknown) => void): RequestListener {
  return (req, res) => {
    void (async () => {
      const response = new NodeResponse(res);
      if (req.method !== 'POST') return void response.status(405).end();
      const request: Request = { method: req.method, headers: req.headers };
      let authorised = false;
      await adapter.authorizeRequest(request, response, () => {
        authorised = true;
      });
      if (!authorised) return void (res.writableEnded || response.end());
      const body = await readJson(req);
      if (!body) return void response.status(400).send({ error: 'expected a JSON activity' }).end();
      request.body = body;
      await adapter.process(request, response, logic);
      if (!res.writableEnded) response.end();
    })().catch((err: unknown) => {
      onError(err);
      if (!res.headersSent) res.statusCode = 500;
      if (!res.writableEnded) res.end();
    });
  };
}
