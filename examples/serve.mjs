#!/usr/bin/env node
// Serves the example apps: a small static server with no dependency (Node 20+ built-ins only).
//
//   node examples/serve.mjs [--port 3000] [--host localhost] [--pulsebase http://localhost:8080]
//
//   /            examples/index.html (and every other file under examples/)
//   /sdk/...     the TypeScript SDK's browser build (clients/js/dist), built here when missing or stale
//   /config.js   tells the pages which Pulsebase server to talk to
//
// Environment: EXAMPLES_PORT, EXAMPLES_HOST, PULSEBASE_URL (the flags win).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const EXAMPLES = path.dirname(fileURLToPath(import.meta.url));
const SDK = path.resolve(EXAMPLES, '..', 'clients', 'js');
const DIST = path.join(SDK, 'dist');

function usage(code) {
  (code ? console.error : console.log)(
    'usage: node examples/serve.mjs [--port N] [--host H] [--pulsebase URL] [--no-build]\n' +
    '  --port       port for the examples (default 3000, env EXAMPLES_PORT; 0 picks a free one)\n' +
    '  --host       interface to listen on (default localhost, env EXAMPLES_HOST)\n' +
    '  --pulsebase  the Pulsebase server the pages talk to (default http://localhost:8080, env PULSEBASE_URL)\n' +
    '  --no-build   never build the SDK (fail if clients/js/dist is missing)');
  process.exit(code);
}

function parseArgs(argv) {
  const opts = {
    port: process.env.EXAMPLES_PORT ?? '3000',
    host: process.env.EXAMPLES_HOST || 'localhost',
    pulsebase: process.env.PULSEBASE_URL || 'http://localhost:8080',
    build: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i] ?? usage(2);
    if (flag === '--port' || flag === '-p') opts.port = value();
    else if (flag === '--host') opts.host = value();
    else if (flag === '--pulsebase' || flag === '--server') opts.pulsebase = value();
    else if (flag === '--no-build') opts.build = false;
    else if (flag === '--help' || flag === '-h') usage(0);
    else { console.error(`serve.mjs: unknown argument ${argv[i]}`); usage(2); }
  }
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) { console.error(`serve.mjs: bad port ${opts.port}`); usage(2); }
  let url;
  try { url = new URL(opts.pulsebase); } catch { console.error(`serve.mjs: bad Pulsebase URL ${opts.pulsebase}`); usage(2); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') { console.error('serve.mjs: the Pulsebase URL must be http(s)'); usage(2); }
  return { ...opts, port, pulsebase: url.origin + url.pathname.replace(/\/+$/, '') };
}

/** Newest modification time of the SDK's sources and build configuration. */
function newestSource() {
  let newest = 0;
  const visit = (p) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  visit(path.join(SDK, 'src'));
  for (const f of ['package.json', 'tsconfig.json']) visit(path.join(SDK, f));
  return newest;
}

function run(cmd, args) {
  console.log(`serve.mjs: ${cmd} ${args.join(' ')} (in clients/js)`);
  const r = spawnSync(cmd, args, { cwd: SDK, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error(`serve.mjs: '${cmd} ${args.join(' ')}' failed (${r.error?.message ?? `exit ${r.status}`})`);
    process.exit(1);
  }
}

/** Builds clients/js/dist when it is missing or older than the SDK's sources. */
function ensureSdk(build) {
  const entry = path.join(DIST, 'index.js');
  const stale = !fs.existsSync(entry) || fs.statSync(entry).mtimeMs < newestSource();
  if (!stale) return;
  if (!build) {
    if (fs.existsSync(entry)) return console.warn('serve.mjs: clients/js/dist is older than its sources (--no-build)');
    console.error('serve.mjs: clients/js/dist is missing; build it with: cd clients/js && npm install && npm run build');
    process.exit(1);
  }
  console.log('serve.mjs: building the SDK (clients/js/dist)');
  const lock = fs.existsSync(path.join(SDK, 'package-lock.json'));
  const installed = fs.existsSync(path.join(SDK, 'node_modules', 'typescript'));
  if (!installed) run('npm', [lock ? 'ci' : 'install', '--no-audit', '--no-fund']);
  run('npm', ['run', 'build']);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.ts': 'text/plain; charset=utf-8', '.md': 'text/plain; charset=utf-8',
};

/** The file under `root` for a URL path, or null when it escapes `root` or does not exist. */
function resolveFile(root, urlPath) {
  let rel;
  try { rel = decodeURIComponent(urlPath); } catch { return null; }
  if (rel.includes('\0')) return null;
  let file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  try {
    if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    return fs.statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

function send(res, status, type, body, method) {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(method === 'HEAD' ? undefined : body);
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  ensureSdk(opts.build);
  const config = `// Written by examples/serve.mjs: the Pulsebase server these pages talk to.\n` +
    `export const PULSEBASE_URL = ${JSON.stringify(opts.pulsebase)};\n`;

  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'text/plain', 'method not allowed\n', req.method);
    }
    const { pathname } = new URL(req.url, 'http://x');
    if (pathname === '/config.js') return send(res, 200, TYPES['.js'], config, req.method);
    const file = pathname.startsWith('/sdk/')
      ? resolveFile(DIST, pathname.slice('/sdk'.length))
      : resolveFile(EXAMPLES, pathname);
    if (!file) return send(res, 404, 'text/plain', `not found: ${pathname}\n`, req.method);
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    fs.readFile(file, (err, body) => {
      if (err) return send(res, 500, 'text/plain', 'read error\n', req.method);
      res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  server.on('error', (e) => {
    console.error(`serve.mjs: cannot listen on ${opts.host}:${opts.port}: ${e.message}`);
    process.exit(1);
  });
  server.listen(opts.port, opts.host, () => {
    const { port } = server.address();
    const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    console.log(`Pulsebase examples on http://${shown}:${port}/ (talking to Pulsebase at ${opts.pulsebase})`);
  });
  const stop = () => { server.close(() => process.exit(0)); server.closeAllConnections(); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main();
