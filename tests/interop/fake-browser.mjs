#!/usr/bin/env node
// Launched by mcp-remote (through xdg-open, which honours $BROWSER) instead of a real browser:
// records that a browser was opened, signs the user in, allows the consent page as it is shown,
// and delivers the authorization server's redirect to mcp-remote's loopback callback.
//
//   BROWSER=fake-browser.mjs FAKE_BROWSER_LOG=… DEMO_EMAIL=… DEMO_PASSWORD=… mcp-remote <url>
import { appendFileSync } from 'node:fs';
import { BrowserStandIn, findForm, formFields, labelledCheckboxes, redact, textOf } from './lib/browser-stand-in.mjs';

const { FAKE_BROWSER_LOG, DEMO_EMAIL, DEMO_PASSWORD } = process.env;
const record = (line) => appendFileSync(FAKE_BROWSER_LOG, `${line}\n`);

try {
  const start = new URL(process.argv[2]);
  record(`opened ${redact(start)}`);
  // The callback is the first redirect away from the authorization server.
  const browser = new BrowserStandIn(start.origin, { isCallback: (url) => url.origin !== start.origin });

  let step = await browser.navigate(start);
  if (step.page) {
    const login = findForm(step.page, (f) => f.inputs.some((i) => i.name === 'Form.Email'), 'sign-in page');
    step = await browser.navigate(new URL(login.attrs.action || step.page.url, step.page.url), {
      method: 'POST',
      form: formFields(login, [['Form.Email', DEMO_EMAIL], ['Form.Password', DEMO_PASSWORD]]),
    });
  }

  if (step.page) {
    const consent = findForm(step.page, (f) => f.html.includes('consent_action'), 'consent page');
    const chosen = labelledCheckboxes(consent, 'workspaces').filter((w) => w.checked).map((w) => ['workspaces', w.value]);
    step = await browser.navigate(new URL(consent.attrs.action || step.page.url, step.page.url), {
      method: 'POST',
      form: formFields(consent, [...chosen, ['consent_action', 'allow']]),
    });
  }

  if (!step.callback) {
    throw new Error(`no redirect to the client; page text: ${textOf(step.page?.html ?? '').slice(0, 300)}`);
  }

  const delivered = await fetch(step.callback, { signal: AbortSignal.timeout(10_000) });
  record(`callback ${delivered.status}`);
} catch (err) {
  record(`error ${err?.message}`);
  process.exitCode = 1;
}
