// The child protocol (harness/child.cpp) in Node.js: the flags in, the tally, one JSON
// line out. Plumbing only; node.js shows the idiom.
'use strict';
const fs = require('node:fs');
const { parseArgs } = require('node:util');

const usage = (message) => {
  process.stderr.write(`node: ${message}\n`); // one line and exit 2, like hammertime child
  process.exit(2);
};

function parseArguments() {
  if (process.argv.includes('--version')) { console.log(process.version); process.exit(0); }
  const names = ['model', 'workload', 'items', 'concurrency', 'delay-ms', 'timeout-ms',
    'host', 'port'];
  let given;
  try {
    const options = Object.fromEntries(names.map((name) => [name, { type: 'string' }]));
    given = parseArgs({ options }).values;
  } catch (error) { usage(error.message); }
  const whole = (name, least, most, otherwise) => {
    const text = given[name] ?? otherwise;
    if (text === undefined) usage(`--${name} is missing`);
    if (!/^[0-9]+$/.test(text) || +text < least || +text > most)
      usage(`bad --${name} '${text}': expected a whole number ${least}..${most}`);
    return +text;
  };
  if (!['flags', 'sleep'].includes(given.workload))
    usage(`unknown --workload '${given.workload}'`);
  return {
    workload: given.workload, items: whole('items', 1, 1e9),
    concurrency: whole('concurrency', 1, 1e9), delayMs: whole('delay-ms', 0, 600000),
    timeoutMs: whole('timeout-ms', 1, 3600000), host: given.host ?? '127.0.0.1',
    port: whole('port', 0, 65535, '0'),
  };
}

// ok + not_found + failed = N, one latency slot an item (written before the baseline,
// as the C++ child's are), and every stride-th finished item's [index, start, end] for
// the timeline (stride = ceil(N / 2000)).
class Tally {
  constructor(items) {
    Object.assign(this, { ok: 0, not_found: 0, failed: 0, bytes: 0, finished: 0 });
    this.latencies = new Float32Array(items).fill(-1);
    this.stride = Math.max(1, Math.ceil(items / 2000));
    this.times = new Float64Array(3 * Math.ceil(items / this.stride));
    this.clockStart = performance.now();
  }

  // [index, start_us, end_us], µs from the work's clock start (the C++ child's).
  itemTimes() {
    const rows = [];
    for (let slot = 0; slot < this.finished; slot += this.stride) {
      const at = 3 * (slot / this.stride), us = (ms) => Math.round((ms - this.clockStart) * 1000);
      rows.push([this.times[at], us(this.times[at + 1]), us(this.times[at + 2])]);
    }
    return rows;
  }

  count(status, bytes, started) { // status: 200, 404, or anything else for a failure
    this.bytes += bytes; // every answer's body, as the C++ tally counts
    if (status === 200) this.ok++;
    else if (status === 404) this.not_found++;
    else this.failed++;
    const ended = performance.now();
    if (this.finished % this.stride === 0) {
      this.times.set([this.finished, started, ended], 3 * (this.finished / this.stride));
    }
    this.latencies[this.finished++] = ended - started;
  }
}

const procBytes = (path, key) => {
  const line = fs.readFileSync(path, 'utf8').split('\n').find((l) => l.startsWith(key));
  return line ? parseInt(line.split(/\s+/)[1], 10) * 1024 : 0;
};

// Sockets this process holds: more after the clock than before it means the row stopped
// its clock before closing its connections.
const openSockets = () => fs.readdirSync('/proc/self/fd').filter((fd) => {
  try { return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:'); }
  catch (error) { return false; }
}).length;

// The page cache charged to the cgroup: memory.stat's file (v2) or total_cache (v1).
const fileCacheBytes = (folder) => {
  try {
    const fields = Object.fromEntries(fs.readFileSync(`${folder}/memory.stat`, 'utf8')
      .split('\n').map((line) => line.split(' ')));
    return parseInt(fields.file ?? fields.total_cache ?? '0', 10) || 0;
  } catch (error) { return 0; }
};

// What the memory cgroup the harness made for this cell holds now, if it made one, less
// its file cache (as the harness's memory_cgroup.cpp reads it).
const cgroupBytes = () => {
  const folder = process.env.HAMMERTIME_MEMORY_CGROUP;
  for (const name of ['memory.usage_in_bytes', 'memory.current']) {
    try {
      if (folder) {
        const usage = parseInt(fs.readFileSync(`${folder}/${name}`, 'utf8'), 10);
        return Math.max(0, usage - fileCacheBytes(folder));
      }
    } catch (error) { /* the other name, or none */ }
  }
  return undefined;
};

// Runs work(tally) once around the measurements and prints the child's JSON line;
// tasksHeld: the promises it holds at once.
async function report(args, tasksHeld, work) {
  const tally = new Tally(args.items);
  const baselinePss = procBytes('/proc/self/smaps_rollup', 'Pss:');
  const baselineRss = procBytes('/proc/self/status', 'VmRSS:');
  const baselineCgroup = cgroupBytes();
  const sockets = openSockets();
  const cpuBefore = process.cpuUsage(), started = performance.now();
  tally.clockStart = started;
  await work(tally);
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore); // the process's own: it starts no children
  const sorted = tally.latencies.subarray(0, tally.finished).sort(), n = sorted.length;
  const percentile = (f) => (n ? sorted[Math.min(Math.max(Math.ceil(f * n), 1), n) - 1] : 0);
  const { ok, not_found, failed, bytes } = tally;
  console.log(JSON.stringify({
    model: 'node', workload: args.workload, items: args.items,
    concurrency: args.concurrency, delay_ms: args.delayMs, timeout_ms: args.timeoutMs,
    wall_seconds: wallSeconds, ok, not_found, failed, bytes, p50_ms: percentile(0.5),
    p99_ms: percentile(0.99), max_ms: percentile(1), baseline_pss_bytes: baselinePss,
    baseline_rss_bytes: baselineRss, vm_hwm_bytes: procBytes('/proc/self/status', 'VmHWM:'),
    cpu_user_seconds: cpu.user / 1e6, cpu_system_seconds: cpu.system / 1e6,
    runtime_threads: 1, tasks_held: tasksHeld, sockets_left_open: openSockets() - sockets,
    ...(baselineCgroup === undefined ? {} : { baseline_cgroup_bytes: baselineCgroup }),
    item_times: tally.itemTimes(),
  }));
}

module.exports = { parseArguments, report };
