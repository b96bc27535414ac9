/** Why a Graph lookup could not be made: `denied` is lasting (credentials, consent), `unavailable` passes (outage, throttling). */
export type GraphFailure = 'denied' | 'unavailable';

/** A Microsoft Graph or sign-in call that failed; `kind` says whether retrying later can help. */
export class GraphError extends Error {
  constructor(readonly kind: GraphFailure, message: string, readonly status?: number) {
    super(message);
    this.name = 'GraphError';
  }
}

/** What an app-only Graph token is obtained with: the Azure Bot's app registration and where to sign in. */
export interface GraphCredentials {
  appId: string;
  appPassword: string;
  tenantId: string;
  /** Microsoft Entra sign-in host, such as https://login.microsoftonline.com/. */
  loginUrl: string;
  /** The Graph resource the token is for; the scope asked is `<origin>/.default`. */
  graphUrl: string;
  fetch?: typeof fetch;
}

/** Renew this long before the token expires, so a lookup never starts with a token about to lapse. */
const EARLY_MS = 5 * 60_000;
const TIMEOUT_MS = 15_000;

/**
 * App-only Microsoft Graph tokens by the OAuth 2.0 client credentials grant, cached until shortly before
 * they expire. Not MSAL: MSAL accepts only https authorities, and the sign-in host must be a stand-in in tests.
 */
export class GraphTokens {
  private cached?: { token: string; until: number };
  private pending?: Promise<string>;

  constructor(private readonly creds: GraphCredentials) {}

  /** A bearer token for Graph; throws GraphError (`denied` for bad credentials, `unavailable` when sign-in is down). */
  token(): Promise<string> {
    if (this.cached && this.cached.until > Date.now()) return Promise.resolve(this.cached.token);
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets the cached token (Graph answered 401 with it). */
  reset(): void {
    this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const c = this.creds;
    const url = new URL(`${encodeURIComponent(c.tenantId)}/oauth2/v2.0/token`, c.loginUrl.endsWith('/') ? c.loginUrl : `${c.loginUrl}/`);
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: c.appId, client_secret: c.appPassword, scope: `${new URL(c.graphUrl).origin}/.default` });
    let res: Response;
    try {
      res = await (c.fetch ?? fetch)(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new GraphError('unavailable', `could not reach ${url.origin} for a Graph token: ${err instanceof Error ? err.message : String(err)}`);
    }
    const json = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!res.ok || !json.access_token) {
      const why = `${json.error ?? `HTTP ${res.status}`}${json.error_description ? `: ${json.error_description.split('\n')[0]}` : ''}`;
      // 4xx from the sign-in service means the app id, secret or tenant is wrong: waiting does not help.
      throw new GraphError(res.status >= 400 && res.status < 500 && res.status !== 429 ? 'denied' : 'unavailable', `no Graph token for app ${c.appId}: ${why}`, res.status);
    }
    const lifetime = (Number(json.expires_in) || 3600) * 1000;
    this.cached = { token: json.access_token, until: Date.now() + Math.max(lifetime - EARLY_MS, lifetime / 2) };
    return json.access_token;
  }
}
