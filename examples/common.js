// What the three example pages share: one Pulsebase client, REST helpers, the connection badge.
// Plain ES modules: the SDK comes from /sdk/ (clients/js/dist) and the server URL from /config.js, both
// served by examples/serve.mjs.
import { createClient, comparePositions } from '/sdk/index.js';
import { PULSEBASE_URL } from '/config.js';

export { PULSEBASE_URL, comparePositions };

/** One client per page: one WebSocket for every table and channel the page uses. */
export const pb = createClient(PULSEBASE_URL);

// The SDK retries with a growing backoff (1 s, 2 s, 4 s … 30 s). When the browser says the network is
// back, there is no reason to wait for the next attempt.
window.addEventListener('online', () => {
  if (pb.status === 'reconnecting' || pb.status === 'connecting') pb.reconnect();
});

/** A REST call to Pulsebase; throws an Error with the server's message for a non-2xx answer. */
export async function api(method, path, body) {
  const res = await fetch(PULSEBASE_URL + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    const err = new Error(json?.error?.message || `${method} ${path}: HTTP ${res.status}`);
    err.code = json?.error?.code;
    err.status = res.status;
    throw err;
  }
  return json;
}

export const sql = (statement, params) => api('POST', '/v1/sql', params ? { sql: statement, params } : { sql: statement });
export const insertRow = (table, row) => api('POST', `/v1/tables/${table}/rows`, row);
export const updateRow = (table, id, patch) => api('PATCH', `/v1/tables/${table}/rows/${encodeURIComponent(id)}`, patch);
export const deleteRow = (table, id) => api('DELETE', `/v1/tables/${table}/rows/${encodeURIComponent(id)}`);

/**
 * Runs `CREATE TABLE IF NOT EXISTS …` statements, retrying until the server answers (so a page opened
 * before the server was started comes alive by itself). Security is not enforced yet: any page may run
 * DDL through POST /v1/sql. Once tokens and policies land this belongs in a migration, not in a page.
 */
export async function ensureSchema(statements) {
  for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
    try {
      for (const s of statements) await sql(s);
      showProblem(null);
      return;
    } catch (e) {
      showProblem(e instanceof TypeError
        ? `Cannot reach Pulsebase at ${PULSEBASE_URL}. Start it with: bin/pulsebase start`
        : `Could not create the tables: ${e.message}`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Shows (or with null hides) a message in the page's #problem banner. */
export function showProblem(message) {
  const el = document.getElementById('problem');
  if (!el) return;
  el.hidden = !message;
  el.textContent = message ?? '';
}

/** Keeps a badge element showing the client's connection status (pb.onStatusChange). */
export function statusBadge(el) {
  const show = (status) => {
    el.textContent = status;
    el.dataset.status = status;
    el.className = `badge badge-${status}`;
  };
  show(pb.status);
  pb.onStatusChange(show);
}

// Errors the SDK has no better place for (refused subscriptions, final closes).
pb.onError((e) => showProblem(`${e.code}: ${e.message}`));

/**
 * A tiny DOM builder: h('li', { class: 'x', dataset: { id: 1 } }, 'text', child). Text is never parsed as HTML;
 * null, undefined and false children are left out (so `cond && h(...)` works).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** Runs an async action for a form or button, showing a failure in the banner instead of losing it. */
export async function attempt(action) {
  try {
    return await action();
  } catch (e) {
    showProblem(e.message);
    return undefined;
  }
}
