// Step-up authorization (issue 17) with the official TypeScript SDK's OAuth client:
// the user first allows read only; perspective_create is then refused with
// 403 insufficient_scope naming "mcp:read mcp:write"; the client authorizes again
// for that scope, the user allows read & write, and the retried call succeeds.
//
//   MCP_URL=http://127.0.0.1:5099/mcp DEMO_EMAIL=... DEMO_PASSWORD=... \
//     node --test test/oauth-step-up.test.mjs
//
// SDK 1.32.2 reacts to the 403 itself but first tries its refresh token, which
// (rightly) brings back the same read-only access, so its retry is refused again
// and it gives up. The new authorization is therefore driven from here with the
// SDK's own auth(), for the scope the WWW-Authenticate header names, after
// setting the read-only tokens aside so that auth() cannot refresh them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, auth, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import { BrowserStandIn, findForm, formFields, redact, textOf } from '../lib/browser-stand-in.mjs';

const MCP_URL = process.env.MCP_URL;
const DEMO_EMAIL = process.env.DEMO_EMAIL;
const DEMO_PASSWORD = process.env.DEMO_PASSWORD;
if (!MCP_URL || !DEMO_EMAIL || !DEMO_PASSWORD) {
  throw new Error('Set MCP_URL (e.g. http://127.0.0.1:5099/mcp), DEMO_EMAIL and DEMO_PASSWORD');
}

const HTTP_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 15_000;
const AUTH_FLOW_TIMEOUT_MS = 40_000;
const TEST_TIMEOUT_MS = 150_000;
const REDIRECT_URI = 'http://127.0.0.1:47914/callback';
const WRITE_SCOPE = 'mcp:read mcp:write';

const trace = [];
let lastForbidden; // the WWW-Authenticate of the last 403 the SDK received

async function sdkFetch(input, init = {}) {
  const method = (init.method ?? 'GET').toUpperCase();
  const accept = new Headers(init.headers).get('accept') ?? '';
  const longLived = method === 'GET' && accept.includes('text/event-stream');
  const signal = longLived ? init.signal : (init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(HTTP_TIMEOUT_MS)]) : AbortSignal.timeout(HTTP_TIMEOUT_MS));
  const response = await fetch(input, { ...init, signal });
  trace.push(`[sdk] ${method} ${redact(input instanceof Request ? input.url : input)} -> ${response.status}`);
  if (response.status === 403) lastForbidden = response.headers.get('www-authenticate');
  return response;
}

// Plays the user: signs in if asked, answers the access choice with `access`, allows every workspace.
async function consent(authorizationUrl, access) {
  const browser = new BrowserStandIn(authorizationUrl.origin, {
    isCallback: (url) => `${url.origin}${url.pathname}` === REDIRECT_URI, trace, timeoutMs: HTTP_TIMEOUT_MS, maxRedirects: 10,
  });
  let step = await browser.navigate(authorizationUrl);
  const login = step.page && findForm(step.page, () => true, 'first page');
  if (login?.inputs.some((i) => i.name === 'Form.Email')) {
    step = await browser.navigate(new URL(login.attrs.action || step.page.url, step.page.url), {
      method: 'POST', form: formFields(login, [['Form.Email', DEMO_EMAIL], ['Form.Password', DEMO_PASSWORD]]),
    });
  }
  assert.ok(step.page, `went back to the client without a consent page: ${redact(step.callback)}`);
  const form = findForm(step.page, (f) => f.html.includes('consent_action'), 'consent page');
  const radios = form.inputs.filter((i) => i.type === 'radio' && i.name === 'access').map((i) => i.value);
  assert.deepEqual(radios, ['read', 'read_write'], `the consent page offers no read/write choice: ${textOf(form.html).slice(0, 400)}`);
  const workspaces = form.inputs.filter((i) => i.type === 'checkbox' && i.name === 'workspaces').map((i) => ['workspaces', i.value]);
  step = await browser.navigate(new URL(form.attrs.action || step.page.url, step.page.url), {
    method: 'POST', form: formFields(form, [...workspaces, ['access', access], ['consent_action', 'allow']]),
  });
  assert.ok(step.callback, `consent did not redirect to the client: ${textOf(step.page?.html ?? '').slice(0, 400)}`);
  return step.callback;
}

class InMemoryOAuthProvider {
  constructor() { this.accessChoices = []; this.callbacks = []; this.authorizationUrls = []; }
  get redirectUrl() { return REDIRECT_URI; }
  get clientMetadata() {
    return { client_name: 'Step-up client', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  state() { this._state = randomBytes(16).toString('hex'); return this._state; }
  clientInformation() { return this._clientInformation; }
  saveClientInformation(info) { this._clientInformation = info; }
  tokens() { return this._tokens; }
  saveTokens(tokens) { this._tokens = tokens; }
  saveCodeVerifier(verifier) { this._codeVerifier = verifier; }
  codeVerifier() { return this._codeVerifier; }
  discoveryState() { return this._discovery; }
  saveDiscoveryState(state) { this._discovery = state; }
  invalidateCredentials(scope) {
    if (scope === 'all' || scope === 'tokens') this._tokens = undefined;
    if (scope === 'all' || scope === 'client') this._clientInformation = undefined;
  }
  async redirectToAuthorization(authorizationUrl) {
    const url = new URL(authorizationUrl);
    this.authorizationUrls.push(url);
    this.callbacks.push(await consent(url, this.accessChoices.shift()));
  }
}

const codeOf = (callback) => {
  assert.equal(callback.searchParams.get('error'), null, `authorization failed: ${callback.searchParams.get('error_description')}`);
  return callback.searchParams.get('code');
};

async function connected(provider) {
  const client = new Client({ name: 'interop-step-up', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(MCP_URL), { authProvider: provider, fetch: sdkFetch }), { timeout: REQUEST_TIMEOUT_MS });
  return client;
}

const text = (result) => (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');

test('SDK OAuth client: read only first, 403 insufficient_scope on writing, step-up to read & write, retry succeeds', { timeout: TEST_TIMEOUT_MS }, async () => {
  const provider = new InMemoryOAuthProvider();
  const title = `Step-up ${randomBytes(4).toString('hex')}`;
  let workspace;
  try {
    // 1. First connect: 401, the SDK discovers, registers and authorizes; the user allows read only.
    provider.accessChoices.push('read');
    const transport = new StreamableHTTPClientTransport(new URL(MCP_URL), { authProvider: provider, fetch: sdkFetch });
    const first = new Client({ name: 'interop-step-up', version: '1.0.0' });
    await first.connect(transport, { timeout: AUTH_FLOW_TIMEOUT_MS }).then(
      () => assert.fail('connect without tokens succeeded'), (err) => { if (!(err instanceof UnauthorizedError)) throw err; });
    assert.equal(provider.authorizationUrls[0].searchParams.get('scope'), WRITE_SCOPE, 'the SDK did not ask for the challenge scope');
    await transport.finishAuth(codeOf(provider.callbacks[0]));
    await first.close();
    assert.equal(provider._tokens.scope, 'mcp:read offline_access', 'the read-only consent did not give a read-only token');

    // 2. Read only: no writing tool listed, and calling it anyway is refused with the step-up challenge.
    const readOnly = await connected(provider);
    try {
      const { tools } = await readOnly.listTools(undefined, { timeout: REQUEST_TIMEOUT_MS });
      assert.ok(!tools.some((tool) => tool.name === 'perspective_create'), 'a read-only client sees perspective_create');
      const listed = await readOnly.callTool({ name: 'workspace_list', arguments: {} }, undefined, { timeout: REQUEST_TIMEOUT_MS });
      workspace = JSON.parse(text(listed)).workspaces[0].id;
      await assert.rejects(
        readOnly.callTool({ name: 'perspective_create', arguments: { workspace_id: workspace, title, description: 'Step-up test' } }, undefined, { timeout: REQUEST_TIMEOUT_MS }),
        (err) => err?.code === 403, 'perspective_create was not refused with 403');
    } finally {
      await readOnly.close();
    }
    const challenge = extractWWWAuthenticateParams(new Response(null, { status: 403, headers: { 'www-authenticate': lastForbidden ?? '' } }));
    assert.equal(challenge.error, 'insufficient_scope', `403 without insufficient_scope: ${lastForbidden}`);
    assert.equal(challenge.scope, WRITE_SCOPE);
    assert.ok(challenge.resourceMetadataUrl, 'the 403 names no resource_metadata');
    assert.equal(provider.authorizationUrls.length, 1, 'the SDK started an authorization of its own');

    // 3. Step-up driven with the SDK's auth() (see the header comment): the user allows read & write.
    provider.accessChoices.push('read_write');
    provider.invalidateCredentials('tokens');
    const options = { serverUrl: new URL(MCP_URL), scope: challenge.scope, resourceMetadataUrl: challenge.resourceMetadataUrl, fetchFn: sdkFetch };
    assert.equal(await auth(provider, options), 'REDIRECT');
    assert.equal(provider.authorizationUrls[1].searchParams.get('scope'), WRITE_SCOPE);
    assert.equal(await auth(provider, { ...options, authorizationCode: codeOf(provider.callbacks[1]) }), 'AUTHORIZED');
    assert.equal(provider._tokens.scope.split(' ').sort().join(' '), 'mcp:read mcp:write offline_access');

    // 4. The retried call succeeds, and the refused one created nothing: exactly one perspective has the title.
    const readWrite = await connected(provider);
    try {
      const created = await readWrite.callTool({ name: 'perspective_create', arguments: { workspace_id: workspace, title, description: 'Step-up test' } }, undefined, { timeout: REQUEST_TIMEOUT_MS });
      assert.notEqual(created.isError, true, `perspective_create failed after step-up: ${text(created)}`);
      const listed = await readWrite.callTool({ name: 'perspective_list', arguments: { workspace_id: workspace, page_size: 100 } }, undefined, { timeout: REQUEST_TIMEOUT_MS });
      assert.equal(JSON.parse(text(listed)).perspectives.filter((p) => p.title === title).length, 1);
    } finally {
      await readWrite.close();
    }
  } catch (err) {
    err.message += `\n--- HTTP trace ---\n${trace.join('\n')}`;
    throw err;
  }
});
