// Subscribes to table `big` with a snapshot and prints how many rows arrived and how long it took (bench/snapshot-memory.sh).
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../shared/peer-bench/', import.meta.url));
const WebSocket = require('ws');
const port = process.argv[2];
const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/realtime`);
let rows = 0; const t0 = Date.now();
ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', ref: 's', topic: 'big', snapshot: true })));
ws.on('message', (d) => {
  const m = JSON.parse(d.toString());
  if (m.type === 'snapshot') rows += m.rows.length;
  if (m.type === 'reply') { console.log(JSON.stringify({ ok: m.ok, rows, ms: Date.now() - t0, error: m.error })); ws.close(); }
});
ws.on('close', (c) => { if (rows === 0) console.log('closed', c); });
