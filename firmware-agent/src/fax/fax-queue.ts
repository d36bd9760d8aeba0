// The outbound fax queue: at most `channels()` jobs dial/send at once (the box's fax channel
// count, default 4); the rest wait in FIFO order. A failed attempt (busy, no answer, trunk full,
// a T.30 failure …) is retried after retryInterval × 2^(attempt-1) until maxAttempts; a wrong
// number is not retried. The sender (AMI in production, a fake in unit tests) runs one attempt.
import type { Logger } from '../logging.js';
import type { FaxJob, FaxStore } from './fax-store.js';

export interface AttemptOutcome {
  ok: boolean;
  /** SUCCESS, BUSY, NOANSWER, CONGESTION, CHANUNAVAIL, LIMIT, DOWN, INVALID, FAILED, TIMEOUT, CANCELLED. */
  result: string;
  error?: string;
  pages?: number;
  rate?: number;
  remoteStation?: string;
  durationSeconds?: number;
}

export interface FaxSender {
  /** Runs one attempt; calls onSending when the far end answered and T.30 starts. */
  send(job: FaxJob, attempt: number, onSending: () => void): Promise<AttemptOutcome>;
  /** Hangs up a running attempt (its send() then resolves with CANCELLED). */
  cancel(jobId: number): void;
}

/** Outcomes that are not worth another attempt. */
const FINAL_RESULTS = new Set(['INVALID', 'CANCELLED']);
const MAX_BACKOFF_S = 3600;

export interface FaxQueueOptions {
  store: FaxStore;
  sender: FaxSender;
  channels: () => number;
  onChange: (job: FaxJob) => void;
  logger: Logger;
  now?: () => Date;
}

export class FaxQueue {
  private readonly running = new Map<number, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** Highest number of attempts that ran at once (benchmarks, tests). */
  peak = 0;
  private readonly now: () => Date;

  constructor(private readonly o: FaxQueueOptions) {
    this.now = o.now ?? (() => new Date());
  }

  get active(): number {
    return this.running.size;
  }

  /** Jobs a previous run left mid-call go back to the queue (the call is gone with that run). */
  start(): void {
    this.stopped = false;
    for (const j of this.o.store.byStatus('dialing', 'sending')) this.changed(this.o.store.update(j.id, { status: 'queued', next_attempt_at: null, last_result: 'INTERRUPTED' }));
    this.pump();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const id of this.running.keys()) this.o.sender.cancel(id);
    await Promise.allSettled([...this.running.values()]);
  }

  /** The job's fax image is ready: it may be sent. */
  ready(id: number, pages: number, tiffFile: string): void {
    this.changed(this.o.store.update(id, { status: 'queued', pages, tiff_file: tiffFile, next_attempt_at: null }));
    this.pump();
  }

  cancel(id: number): FaxJob | undefined {
    const j = this.o.store.job(id);
    if (!j) return undefined;
    if (j.status === 'dialing' || j.status === 'sending') {
      this.o.sender.cancel(id);
      return j;
    }
    if (j.status === 'queued' || j.status === 'converting') return this.changed(this.o.store.update(id, { status: 'cancelled', next_attempt_at: null, finished_at: this.now().toISOString() }));
    return j;
  }

  private changed(j: FaxJob): FaxJob {
    this.o.onChange(j);
    return j;
  }

  /** Starts due jobs up to the channel limit and sets a timer for the next retry. */
  pump(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const now = this.now();
    const queued = this.o.store.byStatus('queued');
    for (const j of queued) {
      if (this.running.size >= Math.max(1, this.o.channels())) break;
      if (this.running.has(j.id)) continue;
      if (j.nextAttemptAt && new Date(j.nextAttemptAt) > now) continue;
      this.run(j);
    }
    const next = this.o.store
      .byStatus('queued')
      .map((j) => (j.nextAttemptAt ? new Date(j.nextAttemptAt).getTime() : now.getTime()))
      .filter((t) => t > now.getTime())
      .sort((a, b) => a - b)[0];
    if (next !== undefined) {
      this.timer = setTimeout(() => this.pump(), Math.min(next - now.getTime() + 20, 2 ** 31 - 1));
      this.timer.unref();
    }
  }

  private run(j0: FaxJob): void {
    const attempt = j0.attempts + 1;
    const j = this.changed(this.o.store.update(j0.id, { status: 'dialing', attempts: attempt, next_attempt_at: null, error: null }));
    this.peak = Math.max(this.peak, this.running.size + 1);
    const p = this.o.sender
      .send(j, attempt, () => {
        if (this.o.store.job(j.id)?.status === 'dialing') this.changed(this.o.store.update(j.id, { status: 'sending' }));
      })
      .catch((err: unknown): AttemptOutcome => ({ ok: false, result: 'FAILED', error: (err as Error).message }))
      .then((out) => this.finish(j.id, attempt, out))
      .catch((err: unknown) => this.o.logger.error({ err, job: j.id }, 'fax attempt bookkeeping failed'))
      .finally(() => {
        this.running.delete(j.id);
        this.pump();
      });
    this.running.set(j.id, p);
  }

  private finish(id: number, attempt: number, out: AttemptOutcome): void {
    const cur = this.o.store.job(id);
    if (!cur) return;
    const at = this.now();
    const facts = {
      last_result: out.result,
      ...(out.remoteStation !== undefined ? { remote_station: out.remoteStation } : {}),
      ...(out.rate !== undefined ? { rate: out.rate } : {}),
      ...(out.pages !== undefined ? { pages_sent: out.pages } : {}),
      ...(out.durationSeconds !== undefined ? { duration_s: out.durationSeconds } : {}),
    };
    if (out.ok) {
      this.changed(this.o.store.update(id, { ...facts, status: 'sent', error: null, finished_at: at.toISOString() }));
      return;
    }
    const error = out.error ? `${out.result}: ${out.error}` : out.result;
    if (out.result === 'CANCELLED') {
      this.changed(this.o.store.update(id, { ...facts, status: 'cancelled', error: null, finished_at: at.toISOString() }));
    } else if (FINAL_RESULTS.has(out.result) || attempt >= cur.maxAttempts) {
      this.changed(this.o.store.update(id, { ...facts, status: 'failed', error, finished_at: at.toISOString() }));
    } else {
      const delay = Math.min(cur.retryIntervalSeconds * 2 ** (attempt - 1), MAX_BACKOFF_S);
      this.changed(this.o.store.update(id, { ...facts, status: 'queued', error, next_attempt_at: new Date(at.getTime() + delay * 1000).toISOString() }));
    }
    this.o.logger.info({ job: id, attempt, result: out.result }, 'fax attempt finished');
  }
}
