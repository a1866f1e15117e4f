// node: Node.js's http module with a keep-alive Agent of C sockets, and C promises in
// flight, each a worker that takes the next item when its last one is done. Sleep:
// setTimeout (timers/promises), N timers at once. Speaks harness/child.cpp's protocol.
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const { parseArgs } = require('node:util');
const { setTimeout: sleep } = require('node:timers/promises');

const usage = (message) => { process.stderr.write(`node: ${message}\n`); process.exit(2); };
const names = ['model', 'workload', 'items', 'concurrency', 'delay-ms', 'timeout-ms', 'host', 'port'];
let given;
try {
  given = parseArgs({ options: Object.fromEntries(names.map((n) => [n, { type: 'string' }])) }).values;
} catch (error) { usage(error.message); }
const whole = (name, least, most, otherwise) => {
  const text = given[name] ?? otherwise;
  if (text === undefined) usage(`--${name} is missing`);
  if (!/^[0-9]+$/.test(text) || +text < least || +text > most)
    usage(`bad --${name} '${text}': expected a whole number ${least}..${most}`);
  return +text;
};
if (!['flags', 'sleep'].includes(given.workload)) usage(`unknown --workload '${given.workload}'`);
const items = whole('items', 1, 1e9), concurrency = whole('concurrency', 1, 1e9);
const delayMs = whole('delay-ms', 0, 600000), timeoutMs = whole('timeout-ms', 1, 3600000);
const host = given.host ?? '127.0.0.1', port = whole('port', 0, 65535, '0');

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
// One flag: [status, body bytes], or [0, 0] when it failed or outran the timeout.
const fetchFlag = (index) => new Promise((resolve) => {
  const cc = String.fromCharCode(97 + Math.floor(index / 26) % 26, 97 + index % 26);
  const path = `/flags/${cc}/${cc}.gif?delay_ms=${delayMs}`;
  const request = http.get({ host, port, path, agent, signal: AbortSignal.timeout(timeoutMs) }, (response) => {
    let bytes = 0;
    response.on('data', (chunk) => { bytes += chunk.length; });
    response.on('close', () => resolve(response.complete ? [response.statusCode, bytes] : [0, 0]));
    response.on('error', () => resolve([0, 0]));
  });
  request.on('error', () => resolve([0, 0]));
});

const counts = { ok: 0, not_found: 0, failed: 0, bytes: 0 };
const latencies = new Float32Array(items);
let next = 0, finished = 0;
async function worker() {
  for (let index; (index = next++) < items;) {
    const started = performance.now();
    const [status, bytes] = given.workload === 'sleep' ? (await sleep(delayMs), [200, 0]) : await fetchFlag(index);
    counts.bytes += bytes; // every answer's body, as the C++ tally counts
    if (status === 200) counts.ok++; else if (status === 404) counts.not_found++; else counts.failed++;
    latencies[finished++] = performance.now() - started;
  }
}

const procBytes = (path, key) => {
  const line = fs.readFileSync(path, 'utf8').split('\n').find((l) => l.startsWith(key));
  return line ? parseInt(line.split(/\s+/)[1], 10) * 1024 : 0;
};
const baselinePss = procBytes('/proc/self/smaps_rollup', 'Pss:'), baselineRss = procBytes('/proc/self/status', 'VmRSS:');
const cpuBefore = process.cpuUsage(), started = performance.now();
Promise.all(Array.from({ length: Math.min(concurrency, items) }, worker)).then(() => {
  const wallSeconds = (performance.now() - started) / 1000, cpu = process.cpuUsage(cpuBefore);
  latencies.sort();
  const percentile = (f) => (finished ? latencies[Math.min(Math.max(Math.ceil(f * finished), 1), finished) - 1] : 0);
  console.log(JSON.stringify({
    model: 'node', workload: given.workload, items, concurrency, delay_ms: delayMs, timeout_ms: timeoutMs,
    wall_seconds: wallSeconds, ...counts, p50_ms: percentile(0.5), p99_ms: percentile(0.99),
    max_ms: finished ? latencies[finished - 1] : 0, baseline_pss_bytes: baselinePss, baseline_rss_bytes: baselineRss,
    vm_hwm_bytes: procBytes('/proc/self/status', 'VmHWM:'),
    cpu_user_seconds: cpu.user / 1e6, cpu_system_seconds: cpu.system / 1e6,
  }));
  agent.destroy();
});
