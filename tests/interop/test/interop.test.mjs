// Interop tests for a remote MCP server, driven by the official TypeScript SDK.
//
//   MCP_URL=http://127.0.0.1:5099/mcp MCP_TOKEN=... npm test
//
// Every await on the network or a child process is bounded twice: by an MCP
// request timeout (a clear error message) and by the test's own timeout (a
// backstop if something below the SDK wedges).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const MCP_URL = process.env.MCP_URL;
const MCP_TOKEN = process.env.MCP_TOKEN;
// Fail rather than skip: a silently skipped interop suite looks green in CI.
if (!MCP_URL || !MCP_TOKEN) {
  throw new Error('Set MCP_URL (e.g. http://127.0.0.1:5099/mcp) and MCP_TOKEN');
}

const REQUEST_TIMEOUT_MS = 15_000;
const TEST_TIMEOUT_MS = 45_000;
const TOOL = 'workspace_list';

// Run the locally installed bin with the node that runs the tests: no npx
// download at test time, no dependence on which `node` is first on PATH.
const MCP_REMOTE_BIN = fileURLToPath(new URL('../node_modules/.bin/mcp-remote', import.meta.url));

// mcp-remote keeps OAuth client registrations, tokens and PKCE verifiers under
// ~/.mcp-auth; keep the tests from reading or leaving anything in the real home.
const mcpRemoteStateDir = mkdtempSync(join(tmpdir(), 'mcp-remote-state-'));

// A bridge left running (e.g. a test that timed out mid-await) would keep this
// process alive through its stdio pipes. close() is idempotent and signals only
// the child it spawned, so calling it again here is safe.
const bridges = new Set();
after(async () => {
  await Promise.all([...bridges].map((transport) => transport.close()));
  rmSync(mcpRemoteStateDir, { recursive: true, force: true });
});

const newClient = () => new Client({ name: 'interop-tests', version: '1.0.0' });

function httpTransport(token) {
  return new StreamableHTTPClientTransport(new URL(MCP_URL), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
}

async function listAndCallWorkspaceList(client) {
  const { tools } = await client.listTools(undefined, { timeout: REQUEST_TIMEOUT_MS });
  assert.ok(
    tools.some((t) => t.name === TOOL),
    `tools/list lacks ${TOOL}; got: ${tools.map((t) => t.name).join(', ')}`,
  );

  const result = await client.callTool({ name: TOOL, arguments: {} }, undefined, {
    timeout: REQUEST_TIMEOUT_MS,
  });
  const texts = (result.content ?? []).filter((c) => c.type === 'text');
  assert.notEqual(result.isError, true, `${TOOL} returned isError: ${JSON.stringify(result.content)}`);
  assert.ok(texts.length > 0, `${TOOL} returned no text content: ${JSON.stringify(result)}`);
  return texts.map((c) => c.text).join('\n');
}

test('SDK Streamable HTTP client: bearer token, list tools, call workspace_list', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const client = newClient();
  const transport = httpTransport(MCP_TOKEN);
  try {
    await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
    t.diagnostic(`negotiated protocol version: ${transport.protocolVersion}`);
    t.diagnostic(`server: ${JSON.stringify(client.getServerVersion())}`);
    const text = await listAndCallWorkspaceList(client);
    t.diagnostic(`${TOOL} -> ${text.slice(0, 200)}`);
  } finally {
    await client.close();
  }
});

test('SDK Streamable HTTP client: a bad token is refused with 401, not a hang', { timeout: TEST_TIMEOUT_MS }, async () => {
  const client = newClient();
  try {
    await assert.rejects(
      client.connect(httpTransport(`not-${MCP_TOKEN}`), { timeout: REQUEST_TIMEOUT_MS }),
      // Without an authProvider the SDK surfaces the HTTP status as err.code.
      (err) => err.code === 401 || /\b401\b|unauthori[sz]ed/i.test(String(err?.message)),
    );
  } finally {
    await client.close();
  }
});

test('mcp-remote stdio bridge, configured as in claude_desktop_config.json', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  // The Claude Desktop entry this mirrors:
  //   "command": "npx",
  //   "args": ["-y", "mcp-remote", "<MCP_URL>", "--header", "Authorization:${AUTH_HEADER}"],
  //   "env": { "AUTH_HEADER": "Bearer <token>" }
  // mcp-remote itself replaces ${VAR} in --header values from its own
  // environment, so the placeholder is passed through unexpanded, as written
  // in the config; there is no shell here to expand it either.
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MCP_REMOTE_BIN, MCP_URL, '--header', 'Authorization:${AUTH_HEADER}'],
    // A server whose certificate comes from a private CA is trusted the way a Claude Desktop user
    // would do it: NODE_EXTRA_CA_CERTS in the bridge's environment.
    env: {
      AUTH_HEADER: `Bearer ${MCP_TOKEN}`,
      MCP_REMOTE_CONFIG_DIR: mcpRemoteStateDir,
      ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
    },
    stderr: 'pipe',
  });
  bridges.add(transport);
  // mcp-remote logs every message to stderr: drain it (a full pipe would stall
  // the bridge) and keep the tail to explain a failure.
  let bridgeLog = '';
  transport.stderr.on('data', (chunk) => { bridgeLog = (bridgeLog + chunk).slice(-20_000); });

  const client = newClient();
  try {
    // The bridge connects to the server before it reads stdin, so this timeout
    // also covers its start-up and OAuth discovery probes. If the server 401s
    // and advertises OAuth, mcp-remote waits for a browser sign-in with no
    // limit of its own (--auth-timeout does not bound that wait): this is
    // what turns that into a failure.
    await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
    const text = await listAndCallWorkspaceList(client);
    t.diagnostic(`${TOOL} via mcp-remote -> ${text.slice(0, 200)}`);
  } catch (err) {
    err.message += `\n--- mcp-remote stderr ---\n${bridgeLog}`;
    throw err;
  } finally {
    // Ends stdin, then SIGTERM/SIGKILL if mcp-remote does not exit on its own.
    await client.close();
  }
});
