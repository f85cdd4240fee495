// OAuth interop test for a remote MCP server, driven by the official TypeScript
// SDK's own OAuth client: the SDK does protected-resource and authorization
// server discovery, dynamic client registration (RFC 7591), PKCE and the code
// exchange; this file only plays the user's browser (sign-in form, consent
// page) and hands the authorization code back to the SDK.
//
//   MCP_URL=http://127.0.0.1:5099/mcp DEMO_EMAIL=... DEMO_PASSWORD=... \
//     node --test test/oauth.test.mjs
//
// The user consents to exactly one workspace ("Acme Research"); the tokens the
// SDK obtains must then reach that workspace and no other.
//
// Nothing listens on the redirect URI: the browser stand-in stops at the
// authorization server's redirect to it and reads the code from Location.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { BrowserStandIn, findForm, formFields, labelledCheckboxes, redact, textOf } from '../lib/browser-stand-in.mjs';

const MCP_URL = process.env.MCP_URL;
// Optional: the host's short access token lifetime, to also test a refresh after expiry.
const ACCESS_TOKEN_LIFETIME_SECONDS = Number(process.env.ACCESS_TOKEN_LIFETIME_SECONDS ?? 0);
const DEMO_EMAIL = process.env.DEMO_EMAIL;
const DEMO_PASSWORD = process.env.DEMO_PASSWORD;
// Fail rather than skip: a silently skipped interop suite looks green in CI.
if (!MCP_URL || !DEMO_EMAIL || !DEMO_PASSWORD) {
  throw new Error('Set MCP_URL (e.g. http://127.0.0.1:5099/mcp), DEMO_EMAIL and DEMO_PASSWORD');
}

const HTTP_TIMEOUT_MS = 10_000; // any single HTTP exchange, SDK's or browser's
const REQUEST_TIMEOUT_MS = 15_000; // an MCP request
const AUTH_FLOW_TIMEOUT_MS = 40_000; // the first connect: discovery, registration, sign-in, consent
const TEST_TIMEOUT_MS = 150_000; // backstop if something below the SDK wedges
const MAX_REDIRECTS = 10;
const TOOL = 'workspace_list';

// Never served: the authorization server's redirect to it is captured, not followed.
const REDIRECT_URI = 'http://127.0.0.1:47913/callback';
const CONSENTED_WORKSPACE = { name: 'Acme Research', slug: 'acme-research' };
const WITHHELD_SLUGS = ['northwind-product', 'globex-strategy'];

// ---------------------------------------------------------------------------
// HTTP trace: every request the SDK or the browser stand-in makes, with its
// status, so a failure says where the flow stopped. Codes are redacted.

const trace = [];
const traceText = () => `--- HTTP trace (${trace.length} exchanges) ---\n${trace.join('\n')}`;

function withTimeout(signal, ms) {
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

// The fetch handed to the SDK transport (and so to its OAuth code): bounded
// and traced. A GET that asks for an event stream is the long-lived SSE
// channel; it is bounded by the transport's own abort on close, not here.
async function sdkFetch(input, init = {}) {
  const method = (init.method ?? 'GET').toUpperCase();
  const accept = new Headers(init.headers).get('accept') ?? '';
  const longLived = method === 'GET' && accept.includes('text/event-stream');
  const signal = longLived ? init.signal : withTimeout(init.signal, HTTP_TIMEOUT_MS);
  const line = `[sdk] ${method} ${redact(input instanceof Request ? input.url : input)}`;
  try {
    const response = await fetch(input, { ...init, signal });
    let detail = '';
    if (response.status >= 400) {
      const body = await response.clone().text().catch(() => '');
      detail = ` ${body.slice(0, 300)}`;
    }
    trace.push(`${line} -> ${response.status}${detail}`);
    return response;
  } catch (err) {
    trace.push(`${line} -> ${err?.name}: ${err?.message}`);
    throw err;
  }
}

// Sign in, allow only the chosen workspace, return the redirect to the client.
async function authorizeAsUser(authorizationUrl) {
  const browser = new BrowserStandIn(authorizationUrl.origin, {
    isCallback: (url) => `${url.origin}${url.pathname}` === REDIRECT_URI,
    trace,
    timeoutMs: HTTP_TIMEOUT_MS,
    maxRedirects: MAX_REDIRECTS,
  });

  let step = await browser.navigate(authorizationUrl);
  assert.ok(step.page, `authorization endpoint redirected to the client before sign-in: ${redact(step.callback)}`);
  const login = findForm(step.page, (f) => f.inputs.some((i) => i.name === 'Form.Email'), 'sign-in page');
  step = await browser.navigate(new URL(login.attrs.action || step.page.url, step.page.url), {
    method: (login.attrs.method ?? 'post').toUpperCase(),
    form: formFields(login, [['Form.Email', DEMO_EMAIL], ['Form.Password', DEMO_PASSWORD]]),
  });
  assert.ok(step.page, `sign-in went straight back to the client without consent: ${redact(step.callback)}`);
  if (step.page.html.includes('name="Form.Email"')) {
    throw new Error(`sign-in as ${DEMO_EMAIL} failed; page text: ${textOf(step.page.html).slice(0, 500)}`);
  }

  const consent = findForm(step.page, (f) => f.html.includes('consent_action'), 'consent page');
  const workspaces = labelledCheckboxes(consent, 'workspaces');
  const chosen = workspaces.filter((w) => w.label.includes(CONSENTED_WORKSPACE.name));
  assert.equal(chosen.length, 1,
    `consent page: expected one workspace checkbox labelled "${CONSENTED_WORKSPACE.name}"; ` +
    `got ${JSON.stringify(workspaces)}`);
  assert.ok(workspaces.length >= 2,
    `consent page offers only ${JSON.stringify(workspaces)}; the demo user has two workspaces, ` +
    'so choosing one proves nothing');

  step = await browser.navigate(new URL(consent.attrs.action || step.page.url, step.page.url), {
    method: (consent.attrs.method ?? 'post').toUpperCase(),
    form: formFields(consent, [['workspaces', chosen[0].value], ['consent_action', 'allow']]),
  });
  assert.ok(step.callback,
    `consent (allow) did not redirect to ${REDIRECT_URI}; page text: ${textOf(step.page?.html ?? '').slice(0, 500)}`);
  return step.callback;
}

// ---------------------------------------------------------------------------
// An in-memory OAuthClientProvider: one session, nothing persisted.

class InMemoryOAuthProvider {
  constructor() {
    this.authorizationUrls = [];
    this.callbacks = [];
  }

  get redirectUrl() {
    return REDIRECT_URI;
  }

  get clientMetadata() {
    return {
      client_name: 'Interop OAuth client',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  state() {
    this._state = randomBytes(16).toString('hex');
    return this._state;
  }

  clientInformation() { return this._clientInformation; }
  saveClientInformation(info) { this._clientInformation = info; }
  tokens() { return this._tokens; }
  saveTokens(tokens) { this._tokens = tokens; }
  saveCodeVerifier(verifier) { this._codeVerifier = verifier; }
  codeVerifier() {
    if (!this._codeVerifier) throw new Error('no PKCE code verifier saved');
    return this._codeVerifier;
  }
  discoveryState() { return this._discovery; }
  saveDiscoveryState(state) { this._discovery = state; }

  invalidateCredentials(scope) {
    if (scope === 'all' || scope === 'client') this._clientInformation = undefined;
    if (scope === 'all' || scope === 'tokens') this._tokens = undefined;
    if (scope === 'all' || scope === 'verifier') this._codeVerifier = undefined;
    if (scope === 'all' || scope === 'discovery') this._discovery = undefined;
  }

  // Instead of opening a browser: play the user, then keep the redirect to the
  // client for the test to hand the code to the SDK.
  async redirectToAuthorization(authorizationUrl) {
    this.authorizationUrls.push(new URL(authorizationUrl));
    this.callbacks.push(await authorizeAsUser(new URL(authorizationUrl)));
  }
}

const newClient = () => new Client({ name: 'interop-oauth-tests', version: '1.0.0' });
const newTransport = (authProvider) =>
  new StreamableHTTPClientTransport(new URL(MCP_URL), { authProvider, fetch: sdkFetch });

test('SDK OAuth client: discovery, dynamic registration, PKCE, consent to one workspace, workspace_list', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  trace.length = 0;
  const provider = new InMemoryOAuthProvider();
  try {
    // 1. Unauthenticated connect: the server answers 401, the SDK discovers the
    //    authorization server, registers, and sends the "user" to authorize.
    const firstClient = newClient();
    const firstTransport = newTransport(provider);
    try {
      await firstClient.connect(firstTransport, { timeout: AUTH_FLOW_TIMEOUT_MS }).then(
        () => assert.fail('connect without tokens succeeded; the server should have answered 401'),
        (err) => { if (!(err instanceof UnauthorizedError)) throw err; },
      );

      assert.equal(provider.authorizationUrls.length, 1, 'the SDK did not start exactly one authorization');
      const authorizationUrl = provider.authorizationUrls[0];
      const callback = provider.callbacks[0];
      const metadata = provider._discovery?.authorizationServerMetadata;
      assert.ok(provider._clientInformation?.client_id, 'the SDK did not register a client');
      assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
      assert.ok(authorizationUrl.searchParams.get('code_challenge'), 'no PKCE code_challenge sent');
      t.diagnostic(`registered client_id: ${provider._clientInformation.client_id}`);
      t.diagnostic(`authorization request: ${redact(authorizationUrl)}`);

      const error = callback.searchParams.get('error');
      assert.equal(error, null, `authorization failed: ${error} ${callback.searchParams.get('error_description') ?? ''}`);
      assert.equal(callback.searchParams.get('state'), provider._state, 'state was not returned unchanged');
      if (metadata?.authorization_response_iss_parameter_supported) {
        assert.equal(callback.searchParams.get('iss'), metadata.issuer, 'RFC 9207 iss differs from the issuer');
      }
      const code = callback.searchParams.get('code');
      assert.ok(code, `no code in the redirect to the client: ${redact(callback)}`);

      // 2. The SDK exchanges the code (with its PKCE verifier) for tokens.
      await firstTransport.finishAuth(code);
    } finally {
      await firstClient.close();
    }
    assert.ok(provider._tokens?.access_token, 'finishAuth saved no access token');
    assert.match(provider._tokens.token_type ?? '', /^bearer$/i);
    t.diagnostic(`tokens: type ${provider._tokens.token_type}, expires_in ${provider._tokens.expires_in}, ` +
      `scope ${provider._tokens.scope ?? '(none)'}, refresh token ${provider._tokens.refresh_token ? 'yes' : 'no'}`);

    // 3. Reconnect with the same provider: the SDK sends the access token.
    const client = newClient();
    try {
      await client.connect(newTransport(provider), { timeout: REQUEST_TIMEOUT_MS });
      const { tools } = await client.listTools(undefined, { timeout: REQUEST_TIMEOUT_MS });
      assert.ok(tools.some((tool) => tool.name === TOOL),
        `tools/list lacks ${TOOL}; got: ${tools.map((tool) => tool.name).join(', ')}`);

      const result = await client.callTool({ name: TOOL, arguments: {} }, undefined, { timeout: REQUEST_TIMEOUT_MS });
      assert.notEqual(result.isError, true, `${TOOL} returned isError: ${JSON.stringify(result.content)}`);
      const text = (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
      t.diagnostic(`${TOOL} -> ${text.slice(0, 300)}`);
      assert.ok(text.includes(CONSENTED_WORKSPACE.slug), `${TOOL} lacks the consented workspace: ${text}`);
      for (const slug of WITHHELD_SLUGS) {
        assert.ok(!text.includes(slug), `${TOOL} shows ${slug}, which was not consented to: ${text}`);
      }
    } finally {
      await client.close();
    }

    // 4. With a short-lived access token (ACCESS_TOKEN_LIFETIME_SECONDS, the host's setting): once
    //    it has expired, the stored refresh token gets new tokens; the user is not asked again.
    if (ACCESS_TOKEN_LIFETIME_SECONDS > 0) {
      const expired = provider._tokens.access_token;
      await new Promise((resolve) => setTimeout(resolve, (ACCESS_TOKEN_LIFETIME_SECONDS + 2) * 1000));
      const later = newClient();
      try {
        await later.connect(newTransport(provider), { timeout: REQUEST_TIMEOUT_MS });
        await later.listTools(undefined, { timeout: REQUEST_TIMEOUT_MS });
      } finally {
        await later.close();
      }
      assert.equal(provider.authorizationUrls.length, 1, 'after the access token expired the user was sent to sign in again');
      assert.notEqual(provider._tokens.access_token, expired, 'the expired access token was not refreshed');
      t.diagnostic('expired access token refreshed without a new authorization');
    }
  } catch (err) {
    err.message += `\n${traceText()}`;
    throw err;
  }
});
