// The outbound fax queue on a real SQLite file with a fake sender (the real T.30 runs in
// tests/integration/fax-out.test.ts): never more attempts at once than fax channels, FIFO,
// retries with doubling backoff on busy, no retry on a wrong number, give-up after maxAttempts,
// cancel of queued and running jobs, jobs left mid-call by a previous run requeued.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FaxQueue, type AttemptOutcome, type FaxSender } from '../../firmware-agent/src/fax/fax-queue.js';
import { FaxStore, type FaxJob } from '../../firmware-agent/src/fax/fax-store.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { cleanupDbs, tempDb } from './agents-support.js';

afterAll(() => cleanupDbs());

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** A sender whose attempts the test finishes by hand; it records the concurrency it saw. */
class FakeSender implements FaxSender {
  running = new Map<number, { attempt: number; resolve: (o: AttemptOutcome) => void }>();
  peak = 0;
  order: number[] = [];
  cancelled: number[] = [];
  send(job: FaxJob, attempt: number, onSending: () => void): Promise<AttemptOutcome> {
    this.order.push(job.id);
    return new Promise((resolve) => {
      this.running.set(job.id, { attempt, resolve });
      this.peak = Math.max(this.peak, this.running.size);
      onSending();
    });
  }
  finish(id: number, o: AttemptOutcome): void {
    const r = this.running.get(id);
    if (!r) throw new Error(`job ${id} is not running`);
    this.running.delete(id);
    r.resolve(o);
  }
  cancel(id: number): void {
    this.cancelled.push(id);
    this.finish(id, { ok: false, result: 'CANCELLED' });
  }
}

function setup(channels: number, now: () => Date = () => new Date()) {
  const store = new FaxStore(tempDb(), now);
  const sender = new FakeSender();
  const changes: FaxJob[] = [];
  const queue = new FaxQueue({ store, sender, channels: () => channels, onChange: (j) => changes.push(j), logger: silentLogger(), now });
  const add = (n = 1, maxAttempts = 3, retry = 60) =>
    Array.from({ length: n }, () => {
      const j = store.addJob({ createdBy: 'u', number: '02150001000', trunk: 'pstn-sim', files: ['a.pdf'], cover: null, maxAttempts, retryIntervalSeconds: retry });
      queue.ready(j.id, 1, `fax-out/job-${j.id}.tif`);
      return j.id;
    });
  return { store, sender, queue, changes, add };
}

const OK: AttemptOutcome = { ok: true, result: 'SUCCESS', pages: 1, rate: 14400 };

describe('fax queue', () => {
  it('never runs more attempts at once than fax channels; FIFO; all get sent', async () => {
    const { sender, queue, store, add } = setup(4);
    queue.start();
    const ids = add(10);
    await tick();
    expect(sender.running.size).toBe(4);
    expect(sender.order).toEqual(ids.slice(0, 4));
    expect(store.byStatus('queued').map((j) => j.id)).toEqual(ids.slice(4));
    while (sender.running.size) {
      sender.finish([...sender.running.keys()][0]!, OK);
      await tick();
      expect(sender.running.size).toBeLessThanOrEqual(4);
    }
    expect(sender.peak).toBe(4);
    expect(queue.peak).toBe(4);
    expect(sender.order).toEqual(ids);
    expect(store.byStatus('sent').length).toBe(10);
    await queue.stop();
  });

  it('property: any channel count and completion order keeps the limit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 15 }), fc.array(fc.nat(), { minLength: 40, maxLength: 40 }), async (channels, jobs, picks) => {
        const { sender, queue, store, add } = setup(channels);
        queue.start();
        add(jobs);
        await tick();
        let i = 0;
        while (sender.running.size) {
          expect(sender.running.size).toBeLessThanOrEqual(channels);
          const keys = [...sender.running.keys()];
          sender.finish(keys[picks[i++ % picks.length]! % keys.length]!, OK);
          await tick();
        }
        expect(sender.peak).toBe(Math.min(channels, jobs));
        expect(store.byStatus('sent').length).toBe(jobs);
        await queue.stop();
      }),
      { numRuns: 25 },
    );
  });

  it('busy → queued with retry at +interval, then doubled; sent on a later attempt', async () => {
    let now = new Date('2026-11-23T10:00:00Z');
    const { sender, queue, store, add } = setup(4, () => now);
    queue.start();
    const [id] = add(1, 4, 30);
    await tick();
    sender.finish(id!, { ok: false, result: 'BUSY' });
    await tick();
    let j = store.job(id!)!;
    expect(j).toMatchObject({ status: 'queued', attempts: 1, lastResult: 'BUSY', error: 'BUSY', nextAttemptAt: '2026-11-23T10:00:30.000Z' });
    // Not due yet: nothing starts.
    queue.pump();
    await tick();
    expect(sender.running.size).toBe(0);
    now = new Date('2026-11-23T10:00:31Z');
    queue.pump();
    await tick();
    expect(sender.running.get(id!)?.attempt).toBe(2);
    sender.finish(id!, { ok: false, result: 'NOANSWER' });
    await tick();
    j = store.job(id!)!;
    expect(j.nextAttemptAt).toBe('2026-11-23T10:01:31.000Z'); // 30 s × 2
    now = new Date('2026-11-23T10:01:32Z');
    queue.pump();
    await tick();
    sender.finish(id!, OK);
    await tick();
    expect(store.job(id!)).toMatchObject({ status: 'sent', attempts: 3, lastResult: 'SUCCESS', error: null });
    await queue.stop();
  });

  it('gives up after maxAttempts; a wrong number is not retried', async () => {
    let now = new Date('2026-11-23T10:00:00Z');
    const { sender, queue, store, add } = setup(4, () => now);
    queue.start();
    const [a, b] = add(2, 2, 10);
    await tick();
    sender.finish(b!, { ok: false, result: 'INVALID' });
    sender.finish(a!, { ok: false, result: 'BUSY' });
    await tick();
    expect(store.job(b!)).toMatchObject({ status: 'failed', attempts: 1, error: 'INVALID' });
    now = new Date('2026-11-23T10:01:00Z');
    queue.pump();
    await tick();
    sender.finish(a!, { ok: false, result: 'FAILED', error: 'T.30 error' });
    await tick();
    expect(store.job(a!)).toMatchObject({ status: 'failed', attempts: 2, error: 'FAILED: T.30 error' });
    await queue.stop();
  });

  it('cancel: a queued job at once, a running one through the sender; others move up', async () => {
    const { sender, queue, store, add } = setup(1);
    queue.start();
    const [a, b, c] = add(3);
    await tick();
    expect(queue.cancel(c!)?.status).toBe('cancelled');
    queue.cancel(a!);
    await tick();
    expect(sender.cancelled).toEqual([a]);
    expect(store.job(a!)!.status).toBe('cancelled');
    expect(sender.running.has(b!)).toBe(true);
    await queue.stop();
  });

  it('jobs left dialing/sending by a previous run are queued again on start', async () => {
    const { sender, queue, store } = setup(2);
    const j = store.addJob({ createdBy: null, number: '123', trunk: 'pstn-sim', files: [], cover: null, maxAttempts: 3, retryIntervalSeconds: 60 });
    store.update(j.id, { status: 'sending', attempts: 1, tiff_file: 'x' });
    queue.start();
    await tick();
    expect(sender.running.get(j.id)?.attempt).toBe(2);
    expect(store.job(j.id)!.lastResult).toBe('INTERRUPTED');
    await queue.stop();
  });
});
