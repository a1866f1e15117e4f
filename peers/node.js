// node: Node.js's http module with a keep-alive Agent of C sockets, and C promises in
// flight, each a worker that takes the next item when its last one is done. Sleep:
// setTimeout (timers/promises), N timers at once. node_protocol.js speaks
// harness/child.cpp's protocol.
'use strict';
const http = require('node:http');
const { setTimeout: sleep } = require('node:timers/promises');
const { parseArguments, report } = require('./node_protocol.js');

const args = parseArguments();
const agent = new http.Agent({ keepAlive: true, maxSockets: args.concurrency });

// One flag: [status, body bytes], or [0, 0] when it failed or outran the timeout.
const fetchFlag = (index) => new Promise((resolve) => {
  const cc = String.fromCharCode(97 + Math.floor(index / 26) % 26, 97 + index % 26);
  const path = `/flags/${cc}/${cc}.gif?delay_ms=${args.delayMs}`;
  const signal = AbortSignal.timeout(args.timeoutMs); // the whole request
  const request = http.get({ host: args.host, port: args.port, path, agent, signal },
    (response) => {
      let bytes = 0;
      response.on('data', (chunk) => { bytes += chunk.length; });
      response.on('close', () => resolve(response.complete ? [response.statusCode, bytes]
        : [0, 0])); // cut short: a reset, a short body, the timeout
      response.on('error', () => resolve([0, 0]));
    });
  request.on('error', () => resolve([0, 0]));
});

const workers = Math.min(args.concurrency, args.items);
report(args, workers, async (tally) => {
  let next = 0;
  async function worker() {
    for (let index; (index = next++) < args.items;) {
      const started = performance.now();
      if (args.workload === 'sleep') {
        await sleep(args.delayMs);
        tally.count(200, 0, started);
      } else {
        const [status, bytes] = await fetchFlag(index);
        tally.count(status, bytes, started);
      }
    }
  }
  await Promise.all(Array.from({ length: workers }, worker));
  agent.destroy(); // its sockets closed inside the clock
});
