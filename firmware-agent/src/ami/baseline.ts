// Benchmark baseline: how fast asterisk-manager 0.2.0 parses an AMI byte stream over TCP.
//
// A worker thread plays Asterisk: greeting line, answers the Login action, then writes `bytes` and
// closes. The worker does the sending so the measured (main) thread only runs the client, as the
// agent's single core would. The same replay can drive our AsteriskAmiClient for comparison.
// Used by `seatbox bench ami` (firmware-agent/src/bench/ami-bench.ts) and the numbers in docs/ami.md.

import { Worker } from 'node:worker_threads';
import { loadAsteriskManager } from './asterisk-manager.js';
import { AsteriskAmiClient } from './client.js';
import { AmiParser } from './parser.js';

export interface AmiReplayResult {
  /** Events delivered to the client's event listener. */
  events: number;
  /** Events in the input (counted with our parser). */
  expected: number;
  /** true when every expected event arrived. */
  complete: boolean;
  /** From TCP connect to the last event delivered. */
  seconds: number;
  eventsPerSecond: number;
  bytes: number;
}

export interface AmiReplayOptions {
  /** Give up after this long (default 120 s); the result then has complete: false. */
  timeoutMs?: number;
}

const WORKER_SRC = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const bytes = Buffer.from(workerData.bytes);
const server = net.createServer((sock) => {
  server.close();
  sock.setNoDelay(true);
  sock.on('error', () => {});
  let buf = '';
  let sent = false;
  sock.write('Asterisk Call Manager/11.0.0\\r\\n');
  sock.on('data', (d) => {
    if (sent) return;
    buf += d.toString('latin1');
    const end = buf.indexOf('\\r\\n\\r\\n');
    if (end < 0) return;
    const m = /^ActionID: *([^\\r\\n]*)$/im.exec(buf.slice(0, end));
    sent = true;
    sock.write('Response: Success\\r\\n' + (m ? 'ActionID: ' + m[1] + '\\r\\n' : '') + 'Message: Authentication accepted\\r\\n\\r\\n');
    sock.end(bytes);
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

async function replayServer(bytes: Uint8Array): Promise<{ port: number; done: Promise<void>; stop(): Promise<void> }> {
  const worker = new Worker(WORKER_SRC, { eval: true, workerData: { bytes } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const done = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    port,
    done,
    stop: async () => {
      await worker.terminate();
    },
  };
}

/** Count the events in a byte stream with our parser. */
export function countEvents(bytes: Uint8Array): number {
  let n = 0;
  const p = new AmiParser((m) => {
    if (m.event !== undefined) n++;
  });
  p.push(bytes);
  return n;
}

function result(events: number, expected: number, t0: bigint, tLast: bigint, bytes: number): AmiReplayResult {
  const seconds = Number(tLast - t0) / 1e9;
  return {
    events,
    expected,
    complete: events >= expected,
    seconds,
    eventsPerSecond: seconds > 0 ? events / seconds : 0,
    bytes,
  };
}

/**
 * asterisk-manager 0.2.0's own parsing of `bytes` replayed over TCP from a local server (events/s).
 * Counts its 'managerevent' emissions (it emits every parsed event through process.nextTick).
 */
export async function measureAsteriskManagerBaseline(bytes: Uint8Array, opts: AmiReplayOptions = {}): Promise<AmiReplayResult> {
  const expected = countEvents(bytes);
  const server = await replayServer(bytes);
  const Manager = loadAsteriskManager();
  let events = 0;
  let t0 = process.hrtime.bigint();
  let tLast = t0;
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, opts.timeoutMs ?? 120_000);
      // Constructing with a port connects and logs in right away (events=true → it sends "Event: on").
      const ami = Manager(server.port, '127.0.0.1', 'bench', 'bench', true);
      ami.on('connect', () => {
        t0 = process.hrtime.bigint();
      });
      ami.on('managerevent', () => {
        events++;
        tLast = process.hrtime.bigint();
        if (events >= expected) finish();
      });
      // Its close handler fires before its queued nextTick emissions; give them a moment.
      ami.on('close', () => setTimeout(finish, 200));
      function finish(): void {
        clearTimeout(timer);
        ami.disconnect();
        resolve();
      }
    });
  } finally {
    await server.stop();
  }
  return result(events, expected, t0, tLast, bytes.length);
}

/** The same replay through our AsteriskAmiClient (parser + dispatch + 'event' emission). */
export async function measureAmiClientReplay(bytes: Uint8Array, opts: AmiReplayOptions = {}): Promise<AmiReplayResult> {
  const expected = countEvents(bytes);
  const server = await replayServer(bytes);
  let events = 0;
  let t0 = process.hrtime.bigint();
  let tLast = t0;
  const client = new AsteriskAmiClient({
    host: '127.0.0.1',
    port: server.port,
    username: 'bench',
    secret: 'bench',
    fetchVersion: false,
    reconnect: false,
    connectAttempts: 1,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(finish, opts.timeoutMs ?? 120_000);
      client.on('event', () => {
        events++;
        tLast = process.hrtime.bigint();
        if (events >= expected) finish();
      });
      client.on('disconnect', () => setTimeout(finish, 50));
      t0 = process.hrtime.bigint();
      client.connect().catch((err: unknown) => {
        clearTimeout(timer);
        reject(err as Error);
      });
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  } finally {
    await client.close();
    await server.stop();
  }
  return result(events, expected, t0, tLast, bytes.length);
}
