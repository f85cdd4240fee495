// "Connect once": mcp-remote without a header signs the user in through OAuth the first time it
// starts; started again with the same config folder it must reuse its saved tokens and open no
// browser, also once its access token has expired (it refreshes instead). The browser is
// fake-browser.mjs (through $BROWSER), which logs every time it is opened.
//
//   MCP_URL=http://127.0.0.1:5099/mcp DEMO_EMAIL=... DEMO_PASSWORD=... \
//     ACCESS_TOKEN_LIFETIME_SECONDS=<the host's OAuth:AccessTokenLifetime> node --test test/mcp-remote-reconnect.test.mjs
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const { MCP_URL, DEMO_EMAIL, DEMO_PASSWORD } = process.env;
const ACCESS_TOKEN_LIFETIME_SECONDS = Number(process.env.ACCESS_TOKEN_LIFETIME_SECONDS);
if (!MCP_URL || !DEMO_EMAIL || !DEMO_PASSWORD || !(ACCESS_TOKEN_LIFETIME_SECONDS > 0 && ACCESS_TOKEN_LIFETIME_SECONDS <= 60)) {
  throw new Error('Set MCP_URL (e.g. http://127.0.0.1:5099/mcp), DEMO_EMAIL, DEMO_PASSWORD and ' +
    'ACCESS_TOKEN_LIFETIME_SECONDS (the host\'s short access token lifetime, 1 to 60)');
}

const REQUEST_TIMEOUT_MS = 60_000; // the first start includes sign-in and consent
const folder = fileURLToPath(new URL('..', import.meta.url));
const configDir = mkdtempSync(join(tmpdir(), 'mcp-remote-reconnect-'));
const browserLog = join(configDir, 'browser.log');
after(() => rmSync(configDir, { recursive: true, force: true }));

const browserOpenings = () => (existsSync(browserLog) ? readFileSync(browserLog, 'utf8') : '')
  .split('\n').filter((line) => line.startsWith('opened'));

// Starts mcp-remote as Claude Desktop would (URL only, no header), lists the tools, stops it.
async function startAndListTools(t, name) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(folder, 'node_modules', 'mcp-remote', 'dist', 'proxy.js'), MCP_URL],
    env: {
      ...process.env,
      MCP_REMOTE_CONFIG_DIR: configDir,
      BROWSER: join(folder, 'fake-browser.mjs'),
      FAKE_BROWSER_LOG: browserLog,
      DISPLAY: '',
      WAYLAND_DISPLAY: '',
    },
    cwd: folder,
    stderr: 'pipe',
  });
  let log = '';
  transport.stderr.on('data', (chunk) => { log = (log + chunk).slice(-20_000); });
  const client = new Client({ name: `mcp-remote-reconnect-${name}`, version: '1.0.0' });
  try {
    await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
    const { tools } = await client.listTools(undefined, { timeout: REQUEST_TIMEOUT_MS });
    assert.ok(tools.some((tool) => tool.name === 'workspace_list'), 'workspace_list is missing');
    t.diagnostic(`${name} start, mcp-remote printed:\n${log}`);
  } catch (err) {
    const browser = existsSync(browserLog) ? readFileSync(browserLog, 'utf8') : '(browser never opened)';
    err.message += `\n--- mcp-remote stderr (${name} start) ---\n${log}\n--- fake browser ---\n${browser}`;
    throw err;
  } finally {
    await client.close();
  }
}

test('mcp-remote signs in once and reuses its tokens on the next start', { timeout: 180_000 }, async (t) => {
  await startAndListTools(t, 'first');
  assert.equal(browserOpenings().length, 1, 'the first start should open the browser exactly once');

  await startAndListTools(t, 'second');
  assert.equal(browserOpenings().length, 1, 'the second start opened the browser again: the saved tokens were not reused');

  // Past the access token's lifetime only the refresh token is good: a refresh, not a sign-in.
  await new Promise((resolve) => setTimeout(resolve, (ACCESS_TOKEN_LIFETIME_SECONDS + 2) * 1000));
  await startAndListTools(t, 'after expiry');
  assert.equal(browserOpenings().length, 1, 'with an expired access token the browser opened again instead of a refresh');
});
