// Runs the Claude Desktop configuration exactly as the settings page shows it: the
// command, arguments and environment of its "perspective" server, used as a stdio
// bridge by the official SDK client. `npx -y mcp-remote` resolves to the
// mcp-remote installed in this folder, so nothing is downloaded.
//
//   CLAUDE_DESKTOP_CONFIG='{"mcpServers":{...}}' node --test test/claude-desktop-snippet.test.mjs
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const CONFIG = process.env.CLAUDE_DESKTOP_CONFIG;
if (!CONFIG) {
  throw new Error('Set CLAUDE_DESKTOP_CONFIG to the JSON the settings page shows for Claude Desktop');
}

const REQUEST_TIMEOUT_MS = 30_000;
const stateDir = mkdtempSync(join(tmpdir(), 'mcp-remote-snippet-'));
after(() => rmSync(stateDir, { recursive: true, force: true }));

test('the Claude Desktop snippet from the settings page lists the tools', { timeout: 90_000 }, async (t) => {
  const server = JSON.parse(CONFIG).mcpServers.perspective;
  assert.ok(server, 'the snippet has no "perspective" server');

  const transport = new StdioClientTransport({
    command: server.command,
    args: server.args,
    // Claude Desktop merges the snippet's env into the process environment; the state
    // directory keeps mcp-remote away from the real ~/.mcp-auth.
    env: { ...process.env, ...server.env, MCP_REMOTE_CONFIG_DIR: stateDir },
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stderr: 'pipe',
  });
  let log = '';
  transport.stderr.on('data', (chunk) => { log = (log + chunk).slice(-20_000); });

  const client = new Client({ name: 'claude-desktop-snippet-test', version: '1.0.0' });
  try {
    await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
    const { tools } = await client.listTools(undefined, { timeout: REQUEST_TIMEOUT_MS });
    t.diagnostic(`tools: ${tools.map((tool) => tool.name).join(', ')}`);
    assert.ok(tools.some((tool) => tool.name === 'workspace_list'), 'workspace_list is missing');
  } catch (err) {
    err.message += `\n--- mcp-remote stderr ---\n${log}`;
    throw err;
  } finally {
    await client.close();
  }
});
