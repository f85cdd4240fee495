// A stand-in for the user's browser in the OAuth interop tests: a cookie jar, manual and bounded
// redirects confined to the authorization server's origin, and enough HTML reading for the
// platform's two server-rendered forms (sign-in and consent). Used by test/oauth.test.mjs and by
// fake-browser.mjs, which mcp-remote launches instead of a real browser.

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
export const decodeHtml = (s) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') {
      const cp = e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return String.fromCodePoint(cp);
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });

function parseAttributes(tag) {
  const attrs = {};
  const inner = tag.replace(/^<\s*[a-z0-9]+/i, '').replace(/\/?>$/, '');
  for (const m of inner.matchAll(/([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    attrs[m[1].toLowerCase()] = decodeHtml(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

export const textOf = (html) => decodeHtml(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();

export function parseForms(html) {
  return [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)].map(([formHtml]) => ({
    html: formHtml,
    attrs: parseAttributes(formHtml.match(/<form\b[^>]*>/i)[0]),
    inputs: [...formHtml.matchAll(/<input\b[^>]*>/gi)].map(([tag]) => parseAttributes(tag)),
  }));
}

export function findForm(page, predicate, what) {
  const form = parseForms(page.html).find(predicate);
  if (!form) {
    throw new Error(`${what}: no such form at ${redact(page.url)} (HTTP ${page.status}); page text: ` +
      textOf(page.html).slice(0, 500));
  }
  return form;
}

// What a browser would submit for the form's hidden fields and checked radio buttons, plus `extra`.
export function formFields(form, extra) {
  const fields = new URLSearchParams();
  const answered = new Set(extra.map(([name]) => name));
  for (const input of form.inputs) {
    const type = (input.type ?? 'text').toLowerCase();
    // A checked radio button is submitted unless `extra` answers that group itself.
    const checkedRadio = type === 'radio' && 'checked' in input && !answered.has(input.name);
    if ((type === 'hidden' || checkedRadio) && input.name) fields.append(input.name, input.value ?? '');
  }
  for (const [name, value] of extra) fields.append(name, value);
  return fields;
}

// The visible label of each checkbox named `name`: the <label> wrapping it, or
// the <label for="its id">, as a browser associates them.
export function labelledCheckboxes(form, name) {
  const boxes = form.inputs.filter((i) => (i.type ?? '').toLowerCase() === 'checkbox' && i.name === name);
  const labels = [...form.html.matchAll(/<label\b[^>]*>[\s\S]*?<\/label>/gi)].map(([html]) => ({
    html,
    attrs: parseAttributes(html.match(/<label\b[^>]*>/i)[0]),
    inputs: [...html.matchAll(/<input\b[^>]*>/gi)].map(([tag]) => parseAttributes(tag)),
  }));
  return boxes.map((box) => {
    const label = labels.find((l) => l.inputs.some((i) => i.name === box.name && i.value === box.value))
      ?? (box.id ? labels.find((l) => l.attrs.for === box.id) : undefined);
    return { value: box.value, checked: 'checked' in box, label: label ? textOf(label.html) : '' };
  });
}

// Codes and verifiers never appear in a trace.
export const redact = (url) => String(url).replace(/([?&](?:code|code_verifier|refresh_token)=)[^&#]*/g, '$1<redacted>');

// The user's browser: it stops at the first redirect that `isCallback` recognises as the client's.
export class BrowserStandIn {
  constructor(origin, { isCallback, trace = [], timeoutMs = 10_000, maxRedirects = 10 }) {
    this.origin = origin;
    this.cookies = new Map();
    this.isCallback = isCallback;
    this.trace = trace;
    this.timeoutMs = timeoutMs;
    this.maxRedirects = maxRedirects;
  }

  async request(url, { method = 'GET', form } = {}) {
    const target = new URL(url);
    if (target.origin !== this.origin) {
      throw new Error(`browser stand-in: refusing to leave ${this.origin} for ${redact(target)}`);
    }
    const headers = { accept: 'text/html' };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const line = `[browser] ${method} ${redact(target)}`;
    let response;
    try {
      response = await fetch(target, {
        method,
        headers,
        body: form?.toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      this.trace.push(`${line} -> ${err?.name}: ${err?.message}`);
      throw new Error(`browser stand-in: ${method} ${redact(target)} failed: ${err?.message}`);
    }
    for (const cookie of response.headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(';');
      const eq = pair.indexOf('=');
      const cookieName = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*(0|-)/i.test(a) ||
        (/^\s*expires\s*=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now()));
      if (expired || value === '') this.cookies.delete(cookieName);
      else this.cookies.set(cookieName, value);
    }
    const location = response.headers.get('location');
    const page = {
      url: target.href,
      status: response.status,
      location: location ? new URL(location, target).href : undefined,
      html: await response.text(),
    };
    this.trace.push(`${line} -> ${page.status}${page.location ? ` Location: ${redact(page.location)}` : ''}`);
    return page;
  }

  // Load `url` (or submit a form to it) and follow redirects until a page is
  // shown, or until the authorization server sends the browser to the client.
  async navigate(url, options) {
    let page = await this.request(url, options);
    for (let hops = 0; page.status >= 300 && page.status < 400; hops++) {
      if (!page.location) throw new Error(`HTTP ${page.status} without Location from ${redact(page.url)}`);
      const next = new URL(page.location);
      if (this.isCallback(next)) return { callback: next };
      if (hops >= this.maxRedirects) throw new Error(`more than ${this.maxRedirects} redirects, last to ${redact(next)}`);
      page = await this.request(next);
    }
    if (page.status !== 200) {
      throw new Error(`HTTP ${page.status} from ${redact(page.url)}: ${textOf(page.html).slice(0, 300)}`);
    }
    return { page };
  }
}
