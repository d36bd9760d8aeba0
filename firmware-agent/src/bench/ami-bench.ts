import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AmiParser } from '../ami/parser.js';
import { measureAsteriskManagerBaseline } from '../ami/baseline.js';
import { openDatabase } from '../db/database.js';
import { CallModel } from '../telephony/call-model.js';
import { CallStore } from '../telephony/call-store.js';
import { capturedCall, multiplyCall } from './ami-stream.js';

export interface AmiBenchResult {
  /** Our parser + call model + SQLite writes, the stream replayed over TCP from another thread. */
  eventsPerSecond: number;
  /** asterisk-manager 0.2.0 parsing the same bytes over TCP (parse only, no model, no store). */
  baselineEventsPerSecond: number;
  /** Our parser alone on the same bytes in memory (upper bound of the read path). */
  parserOnlyEventsPerSecond: number;
  events: number;
  calls: number;
  bytes: number;
  rowsWritten: number;
  rssMiB: number;
  node: string;
}

/**
 * Serves `file` once to the first client from a worker thread, so sending costs the
 * measured (main) thread nothing — the main thread is the agent's one core.
 */
async function serveFileFromWorker(file: string): Promise<{ port: number; done: Promise<void> }> {
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const net = require('node:net');
    const fs = require('node:fs');
    const bytes = fs.readFileSync(workerData.file);
    const server = net.createServer((sock) => {
      sock.write('Asterisk Call Manager/9.0.0\\r\\n');
      sock.end(bytes);
      server.close();
    });
    server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
    `,
    { eval: true, workerData: { file } },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const done = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return { port, done };
}

export async function runAmiBench(opts: { calls?: number } = {}): Promise<AmiBenchResult> {
  const calls = opts.calls ?? 1500;
  const { bytes, events } = multiplyCall(capturedCall(), calls);
  const dir = mkdtempSync(join(tmpdir(), 'seatbox-bench-'));
  try {
    const file = join(dir, 'stream.raw');
    writeFileSync(file, bytes);

    // 1. Parser alone, in memory, 64 KiB chunks.
    let parsed = 0;
    const p = new AmiParser(() => {
      parsed++;
    });
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < bytes.length; i += 65536) p.push(bytes.subarray(i, i + 65536));
    const parserOnly = parsed / (Number(process.hrtime.bigint() - t0) / 1e9);

    // 2. End to end: TCP → parser → call model → SQLite (coalesced writes, as in the agent).
    const db = openDatabase(join(dir, 'data'));
    const store = new CallStore(db);
    const model = new CallModel({ sink: store });
    let seen = 0;
    const parser = new AmiParser((msg) => {
      if (msg.event) {
        seen++;
        model.handleEvent(msg);
      }
    });
    const { port, done } = await serveFileFromWorker(file);
    t0 = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      const sock = createConnection({ host: '127.0.0.1', port });
      sock.on('data', (chunk) => parser.push(chunk));
      sock.on('end', resolve);
      sock.on('error', reject);
    });
    store.flush();
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    await done;
    const openRows = (db.prepare("SELECT COUNT(*) AS n FROM calls WHERE state <> 'ended'").get() as { n: number }).n;
    const endedRows = (db.prepare("SELECT COUNT(*) AS n FROM calls WHERE state = 'ended'").get() as { n: number }).n;
    db.close();
    if (seen !== events || endedRows !== calls || openRows !== 0) {
      throw new Error(`bench stream not processed whole: ${seen}/${events} events, ${endedRows}/${calls} calls ended, ${openRows} open`);
    }

    // 3. Baseline: asterisk-manager's own parser on the same bytes over TCP.
    const baseline = await measureAsteriskManagerBaseline(bytes);

    return {
      eventsPerSecond: Math.round(seen / elapsed),
      baselineEventsPerSecond: Math.round(baseline.eventsPerSecond),
      parserOnlyEventsPerSecond: Math.round(parserOnly),
      events,
      calls,
      bytes: bytes.length,
      rowsWritten: store.written,
      rssMiB: Math.round(process.memoryUsage.rss() / 1048576),
      node: process.version,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

