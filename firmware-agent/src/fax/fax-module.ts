// Fax service (docs/fax.md): the inbox (ReceiveFAX → TIFF in the spool → PDF in the data dir →
// fax_inbox row + live frame) and the outbox (PDF uploads [+ cover] → TIFF → queue limited to
// the fax channel count → SendFAX over a trunk's generated subroutine, retried with backoff).
// In demo mode a simulated remote machine sends a small fax now and then, and the simulated
// PSTN has fax numbers that receive (fax/dialplan.ts).
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AmiClient, AmiMessage } from '../ami/types.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Module } from '../core/module.js';
import type { Db } from '../db/database.js';
import type { LiveFeed } from '../http/live.js';
import type { Logger } from '../logging.js';
import { SANDBOX_PATHS } from '../pbx-config/model.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { checkPdf, FAX_LIMITS, FaxFileError, faxTiffToPdf, pdfsToFaxTiff, samplePdf, type FaxConvertOptions } from './convert.js';
import { FAX_CONTEXTS, FAX_EVENTS, FAX_SPOOL, SIM_FAX_NUMBERS, SIM_TRUNK, faxDialContext } from './dialplan.js';
import { FaxQueue, type AttemptOutcome, type FaxSender } from './fax-queue.js';
import { FaxStore, type FaxInboxItem, type FaxJob } from './fax-store.js';

export interface FaxSettings {
  /** Simultaneous fax transfers (outbound queue limit). */
  channels: number;
  maxAttempts: number;
  /** First retry after this many seconds; doubles with each further attempt. */
  retryIntervalSeconds: number;
  /** T.30 station ID (TSI/CSI), e.g. "+86 21 5555 0100". */
  stationId: string;
  /** Page header text of sent faxes. */
  header: string;
  /** Demo: seconds between simulated incoming faxes (0 = off). */
  demoIntervalSeconds: number;
}

export const DEFAULT_FAX_SETTINGS: FaxSettings = { channels: 4, maxAttempts: 3, retryIntervalSeconds: 60, stationId: '', header: 'SeatBox', demoIntervalSeconds: 300 };
const SETTINGS_KEY = 'fax.settings';

/** The PBX model's fax part (station ID and page header in the generated dialplan). */
export function faxModelPart(settings: SettingsStore): { fax?: { stationId?: string; header?: string } } {
  const s = { ...DEFAULT_FAX_SETTINGS, ...settings.get<Partial<FaxSettings>>(SETTINGS_KEY) };
  const fax = { ...(s.stationId ? { stationId: s.stationId } : {}), ...(s.header ? { header: s.header } : {}) };
  return Object.keys(fax).length ? { fax } : {};
}

export class FaxError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface FaxActor {
  userId?: number | null;
  username?: string | null;
  ip?: string | null;
}

export interface FaxModuleOptions {
  db: Db;
  ami: AmiClient;
  settings: SettingsStore;
  audit: AuditLog;
  live: LiveFeed;
  logger: Logger;
  /** Host path of the Asterisk instance dir (its spool is <instanceDir>/spool). */
  instanceDir: string;
  /** Where PDFs of received faxes go (<dataDir>/fax). */
  faxDir: string;
  /** Asterisk's spool as it sees it (model paths.spool). */
  asteriskSpool?: string;
  convert: FaxConvertOptions;
  demo: boolean;
  /** Demo: the simulated remote machine sends a fax every demoIntervalSeconds (default: demo). */
  demoTraffic?: boolean;
  /** Trunk ids that exist (for validation of jobs). */
  trunks: () => string[];
  /** Seconds a fax call may ring (the dialing setting). */
  ringSeconds?: () => number;
  now?: () => Date;
}

interface PendingAttempt {
  jobId: number;
  attempt: number;
  channelId: string;
  channel?: string;
  startedAt: number;
  sendingAt?: number;
  onSending: () => void;
  resolve: (o: AttemptOutcome) => void;
  timer: NodeJS.Timeout;
  cancelled?: boolean;
}

interface IncomingStart {
  at: number;
}

/** What the trunk subroutine's status means for the job (fax/dialplan.ts SeatBoxFaxDial). */
/**
 * res_fax reports the resolution in pixels per metre ("8031x7700"); people know fax resolution
 * in dots per inch ("204×196 dpi" is "fine"). Anything else is kept as Asterisk said it.
 */
export function faxResolution(raw: string | undefined): string | null {
  if (!raw) return null;
  const m = /^(\d+)x(\d+)$/.exec(raw.trim());
  if (!m) return raw.trim() || null;
  const dpi = (ppm: string) => Math.round(Number(ppm) * 0.0254);
  return `${dpi(m[1]!)}×${dpi(m[2]!)} dpi`;
}

function dialResult(status: string): string {
  const s = status.toUpperCase();
  return ['BUSY', 'NOANSWER', 'CONGESTION', 'CHANUNAVAIL', 'LIMIT', 'DOWN', 'INVALID', 'CANCEL'].includes(s) ? s : s || 'FAILED';
}

/** OriginateResponse Reason codes (enum ast_control_frame_type of the outgoing call). */
const ORIGINATE_REASON: Record<string, string> = { '0': 'FAILED', '1': 'FAILED', '3': 'NOANSWER', '5': 'BUSY', '8': 'CONGESTION' };

const num = (v: string | undefined): number | undefined => (v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

export class FaxModule implements Module {
  readonly name = 'fax';
  readonly store: FaxStore;
  readonly queue: FaxQueue;
  private readonly log: Logger;
  private readonly pending = new Map<number, PendingAttempt>();
  private readonly incoming = new Map<string, IncomingStart>();
  private readonly spoolHost: string;
  private readonly spoolAst: string;
  private demoTimer?: NodeJS.Timeout;
  private stopped = false;
  private readonly now: () => Date;
  /** Received-fax conversions in flight (stop() waits for them). */
  private readonly work = new Set<Promise<unknown>>();
  private readonly onEvent = (msg: AmiMessage): void => {
    try {
      this.handleEvent(msg);
    } catch (err) {
      this.log.error({ err, event: msg.event }, 'fax event handling failed');
    }
  };

  constructor(private readonly o: FaxModuleOptions) {
    this.log = o.logger;
    this.now = o.now ?? (() => new Date());
    this.store = new FaxStore(o.db, this.now);
    this.spoolHost = join(o.instanceDir, 'spool');
    this.spoolAst = o.asteriskSpool ?? SANDBOX_PATHS.spool;
    const sender: FaxSender = { send: (j, a, s) => this.sendAttempt(j, a, s), cancel: (id) => this.cancelAttempt(id) };
    this.queue = new FaxQueue({ store: this.store, sender, channels: () => this.settings().channels, onChange: (j) => this.publishJob(j), logger: o.logger, now: this.now });
  }

  settings(): FaxSettings {
    return { ...DEFAULT_FAX_SETTINGS, ...this.o.settings.get<Partial<FaxSettings>>(SETTINGS_KEY) };
  }

  saveSettings(s: FaxSettings, actor: FaxActor): FaxSettings {
    this.o.settings.set(SETTINGS_KEY, s);
    this.o.audit.write({ ...actor, action: 'fax.settings_saved', target: 'fax', detail: s });
    this.queue.pump();
    return this.settings();
  }

  async start(): Promise<void> {
    for (const d of Object.values(FAX_SPOOL)) mkdirSync(join(this.spoolHost, d), { recursive: true });
    mkdirSync(join(this.o.faxDir, 'in'), { recursive: true });
    this.o.ami.on('event', this.onEvent);
    this.queue.start();
    if (this.o.demo && this.o.demoTraffic !== false) {
      await this.ensureDemoDocument().catch((err: unknown) => this.log.warn({ err }, 'demo fax document not made'));
      // The interval is read at every turn, so a settings change (0 = off) applies at once.
      const next = (first: boolean) => {
        const every = this.settings().demoIntervalSeconds;
        this.demoTimer = setTimeout(
          () => {
            if (this.settings().demoIntervalSeconds > 0) void this.sendDemoFax().catch((err: unknown) => this.log.warn({ err }, 'demo fax not sent'));
            if (!this.stopped) next(false);
          },
          (first ? 60 : every > 0 ? every : 60) * 1000,
        );
        this.demoTimer.unref();
      };
      next(true);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.demoTimer);
    await this.queue.stop();
    this.o.ami.off('event', this.onEvent as never);
    await Promise.allSettled([...this.work]);
  }

  // ---- outbox -------------------------------------------------------------------------

  trunkChoices(): string[] {
    return [...(this.o.demo ? [SIM_TRUNK] : []), ...this.o.trunks()];
  }

  /**
   * Checks the uploads (magic bytes + ghostscript), stores the job as "converting" and converts
   * in the background; refuses bad input with a FaxFileError / FaxError (400).
   */
  async submit(input: { number: string; trunk: string; files: Array<{ name: string; data: Buffer }>; cover?: { from: string; to: string; note: string } | null }, actor: FaxActor): Promise<FaxJob> {
    if (!/^\+?[0-9]{3,20}$/.test(input.number)) throw new FaxError('invalid_number', 'the fax number must be 3-20 digits (optional leading +)');
    if (!this.trunkChoices().includes(input.trunk)) throw new FaxError('unknown_trunk', `unknown trunk "${input.trunk}" (choices: ${this.trunkChoices().join(', ') || 'none'})`);
    if (!input.files.length && !input.cover) throw new FaxError('no_pages', 'attach at least one PDF or add a cover page');
    if (input.files.length > FAX_LIMITS.maxFiles) throw new FaxError('too_many_files', `at most ${FAX_LIMITS.maxFiles} files per fax`);
    let pages = 0;
    for (const f of input.files) pages += (await checkPdf(f.name, f.data, this.o.convert)).pages;
    if (pages > FAX_LIMITS.maxPages) throw new FaxFileError(`the files have ${pages} pages together; a fax may have at most ${FAX_LIMITS.maxPages}`);
    const s = this.settings();
    const job = this.store.addJob({ createdBy: actor.username ?? null, number: input.number, trunk: input.trunk, files: input.files.map((f) => f.name), cover: input.cover ?? null, maxAttempts: s.maxAttempts, retryIntervalSeconds: s.retryIntervalSeconds });
    this.o.audit.write({ ...actor, action: 'fax.queued', target: `fax-job:${job.id}`, detail: { number: job.number, trunk: job.trunk, files: job.files, pages, cover: !!input.cover } });
    this.publishJob(job);
    const conv = this.convertJob(job.id, input.files, input.cover ?? null, pages);
    this.track(conv);
    return job;
  }

  private track(p: Promise<unknown>): void {
    this.work.add(p);
    void p.finally(() => this.work.delete(p));
  }

  private async convertJob(id: number, files: Array<{ name: string; data: Buffer }>, cover: { from: string; to: string; note: string } | null, pages: number): Promise<void> {
    try {
      const { tiff, pages: total } = await pdfsToFaxTiff(files, cover ? { ...cover, pages, date: this.now().toISOString().slice(0, 10) } : undefined, this.o.convert);
      const rel = `${FAX_SPOOL.out}/job-${id}.tif`;
      atomicWrite(join(this.spoolHost, rel), tiff);
      if (this.store.job(id)?.status !== 'converting') return; // cancelled meanwhile
      this.queue.ready(id, total, rel);
    } catch (err) {
      this.log.warn({ err, job: id }, 'fax conversion failed');
      this.publishJob(this.store.update(id, { status: 'failed', error: `conversion failed: ${(err as Error).message}`, finished_at: this.now().toISOString() }));
    }
  }

  cancel(id: number, actor: FaxActor): FaxJob {
    const j = this.queue.cancel(id);
    if (!j) throw new FaxError('not_found', `no fax job ${id}`, 404);
    this.o.audit.write({ ...actor, action: 'fax.cancelled', target: `fax-job:${id}`, detail: { status: j.status } });
    return this.store.job(id)!;
  }

  private publishJob(j: FaxJob): void {
    this.o.live.publish({ type: 'fax.job', data: j });
  }

  private sendAttempt(job: FaxJob, attempt: number, onSending: () => void): Promise<AttemptOutcome> {
    const tiff = this.store.tiffFile(job.id);
    if (!tiff || !existsSync(join(this.spoolHost, tiff))) return Promise.resolve({ ok: false, result: 'FAILED', error: 'the fax image is missing' });
    const channelId = `seatbox-fax-${job.id}-${attempt}-${Date.now().toString(36)}`;
    const ring = this.o.ringSeconds?.() ?? 60;
    return new Promise<AttemptOutcome>((resolve) => {
      const p: PendingAttempt = {
        jobId: job.id,
        attempt,
        channelId,
        startedAt: Date.now(),
        onSending,
        resolve: (out) => {
          clearTimeout(p.timer);
          if (this.pending.get(job.id) === p) this.pending.delete(job.id);
          resolve(p.cancelled && !out.ok ? { ...out, result: 'CANCELLED' } : out);
        },
        // No event at all (Asterisk restarted mid-call …): give up on this attempt.
        timer: setTimeout(() => p.resolve({ ok: false, result: 'TIMEOUT', error: 'no result from Asterisk' }), (ring + 20 * 60) * 1000),
      };
      p.timer.unref();
      this.pending.set(job.id, p);
      const s = this.settings();
      this.o.ami
        .action('Originate', [
          ['Channel', `Local/${job.number}@${faxDialContext(job.trunk)}/n`],
          ['Context', FAX_CONTEXTS.send],
          ['Exten', 's'],
          ['Priority', '1'],
          ['Async', 'true'],
          ['Timeout', String((ring + 15) * 1000)],
          ['ChannelId', channelId],
          ['OtherChannelId', `${channelId}-2`],
          ['CallerID', s.stationId ? `"${s.header || 'Fax'}" <${s.stationId.replace(/[^0-9+]/g, '')}>` : `"${s.header || 'Fax'}" <fax>`],
          ['Account', 'fax'],
          ['Variable', `__SEATBOX_FAX_JOB=${job.id}`],
          ['Variable', `__SEATBOX_FAX_ATTEMPT=${attempt}`],
          ['Variable', `SEATBOX_FAX_FILE=${this.spoolAst}/${tiff}`],
          // Fax calls are not recorded (docs/recording.md: SEATBOX_RECORDING set = nothing starts).
          ['Variable', '__SEATBOX_RECORDING=fax'],
        ])
        .then((r) => {
          if (r.response && r.response !== 'Success') p.resolve({ ok: false, result: 'FAILED', error: `Originate refused: ${r.get('Message') ?? r.response}` });
        })
        .catch((err: unknown) => p.resolve({ ok: false, result: 'FAILED', error: `Originate failed: ${(err as Error).message}` }));
    });
  }

  private cancelAttempt(jobId: number): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    p.cancelled = true;
    const channel = p.channel;
    if (channel) void this.o.ami.action('Hangup', { Channel: channel, Cause: '16' }).catch(() => undefined);
    // Not yet up (or the name never came): the attempt ends as cancelled right away.
    setTimeout(() => p.resolve({ ok: false, result: 'CANCELLED' }), channel ? 5000 : 0).unref();
  }

  // ---- AMI events ---------------------------------------------------------------------

  handleEvent(msg: AmiMessage): void {
    const ev = msg.event;
    if (ev === 'UserEvent') {
      const name = msg.get('UserEvent');
      if (name === FAX_EVENTS.in) this.onIncoming(msg);
      else if (name === FAX_EVENTS.dial || name === FAX_EVENTS.out) this.onOutgoing(name, msg);
    } else if (ev === 'Newchannel') {
      const uid = msg.get('Uniqueid');
      if (uid?.startsWith('seatbox-fax-')) for (const p of this.pending.values()) if (p.channelId === uid) p.channel = msg.get('Channel');
    } else if (ev === 'OriginateResponse') {
      const uid = msg.get('Uniqueid');
      if (msg.get('Response') === 'Failure' && uid?.startsWith('seatbox-fax-')) {
        for (const p of this.pending.values()) {
          if (p.channelId !== uid) continue;
          // The dial context's SeatBoxFaxDial (more precise) normally came first; this is the fallback.
          const reason = ORIGINATE_REASON[msg.get('Reason') ?? ''] ?? 'FAILED';
          setTimeout(() => p.resolve({ ok: false, result: reason }), 300).unref();
        }
      }
    }
  }

  private attemptOf(msg: AmiMessage): PendingAttempt | undefined {
    const job = Number(msg.get('Job'));
    const p = this.pending.get(job);
    return p && String(p.attempt) === msg.get('Attempt') ? p : undefined;
  }

  private onOutgoing(name: string, msg: AmiMessage): void {
    const p = this.attemptOf(msg);
    if (!p) return;
    if (name === FAX_EVENTS.dial) {
      const status = dialResult(msg.get('Status') ?? '');
      // ANSWER: the result comes from SendFAX (SeatBoxFaxOut end).
      if (status !== 'ANSWER' && p.sendingAt === undefined) p.resolve({ ok: false, result: status, ...(msg.get('Cause') ? { error: `hang-up cause ${msg.get('Cause')}` } : {}) });
      return;
    }
    const phase = msg.get('Phase');
    if (phase === 'start') {
      p.sendingAt = Date.now();
      p.onSending();
    } else if (phase === 'end') {
      const ok = msg.get('Status') === 'SUCCESS';
      const error = msg.get('Error');
      p.resolve({
        ok,
        result: ok ? 'SUCCESS' : 'FAILED',
        ...(!ok && error ? { error } : {}),
        ...(num(msg.get('Pages')) !== undefined ? { pages: num(msg.get('Pages'))! } : {}),
        ...(num(msg.get('Rate')) !== undefined ? { rate: num(msg.get('Rate'))! } : {}),
        ...(msg.get('RemoteStation') ? { remoteStation: msg.get('RemoteStation')!.trim() } : {}),
        durationSeconds: Math.round((Date.now() - (p.sendingAt ?? p.startedAt)) / 1000),
      });
    }
  }

  private onIncoming(msg: AmiMessage): void {
    const uid = msg.get('Uniqueid') ?? '';
    if (!uid) return;
    const phase = msg.get('Phase');
    if (phase === 'start') {
      this.incoming.set(uid, { at: Date.now() });
      this.o.live.publish({ type: 'fax.incoming', data: { callerNumber: msg.get('CallerId') || null, did: msg.get('Did') || null, route: msg.get('Route') || 'did', at: this.now().toISOString() } });
    } else if (phase === 'end') {
      const start = this.incoming.get(uid);
      this.incoming.delete(uid);
      this.track(this.storeIncoming(msg, uid, start ? Math.round((Date.now() - start.at) / 1000) : null));
    }
  }

  /** The TIFF Asterisk wrote → PDF → inbox row (also for a failed fax: the operator sees it). */
  private async storeIncoming(msg: AmiMessage, uid: string, durationSeconds: number | null): Promise<FaxInboxItem | undefined> {
    if (this.store.hasInbox(uid)) return undefined;
    const rel = `${FAX_SPOOL.in}/${uid}.tif`;
    const tiffHost = join(this.spoolHost, rel);
    const status = msg.get('Status') ?? '';
    let error: string | null = status === 'SUCCESS' ? null : msg.get('Error') || status || 'no fax received';
    let pages = num(msg.get('Pages')) ?? 0;
    let pdfRel: string | null = null;
    const haveTiff = existsSync(tiffHost) && statSync(tiffHost).size > 0;
    if (haveTiff && (status === 'SUCCESS' || pages > 0)) {
      try {
        const { pdf, pages: pdfPages } = await faxTiffToPdf(readFileSync(tiffHost), this.o.convert);
        const day = this.now().toISOString().slice(0, 10);
        pdfRel = `in/${day}/${uid}.pdf`;
        atomicWrite(join(this.o.faxDir, pdfRel), pdf);
        pages = pdfPages;
      } catch (err) {
        error = `PDF conversion failed: ${(err as Error).message}`;
      }
    }
    const route = msg.get('Route') || 'did';
    const item = this.store.addInbox({
      receivedAt: this.now().toISOString(),
      status: pdfRel && status === 'SUCCESS' ? 'received' : 'failed',
      error,
      remoteStation: msg.get('RemoteStation')?.trim() || null,
      pages,
      rate: num(msg.get('Rate')) ?? null,
      resolution: faxResolution(msg.get('Resolution')),
      durationSeconds,
      callerNumber: msg.get('CallerId') || null,
      did: msg.get('Did') || null,
      route,
      trunk: msg.get('Trunk') || null,
      linkedid: msg.get('Linkedid') || null,
      uniqueid: uid,
      tiffFile: haveTiff ? rel : null,
      pdfFile: pdfRel,
    });
    this.log.info({ id: item.id, pages: item.pages, status: item.status, route }, 'fax received');
    this.o.live.publish({ type: 'fax.received', data: { item, unread: this.store.unreadCount() } });
    return item;
  }

  /** Host path of a received fax's PDF (for the download route). */
  pdfPath(id: number): string | undefined {
    const rel = this.store.inboxPdf(id);
    const p = rel ? join(this.o.faxDir, rel) : undefined;
    return p && existsSync(p) ? p : undefined;
  }

  markRead(id: number, read: boolean, actor: FaxActor): FaxInboxItem {
    const item = this.store.markRead(id, actor.username ?? null, read);
    if (!item) throw new FaxError('not_found', `no received fax ${id}`, 404);
    this.o.audit.write({ ...actor, action: read ? 'fax.marked_read' : 'fax.marked_unread', target: `fax-in:${id}` });
    return item;
  }

  // ---- simulated remote machine (demo, tests, benchmark) ------------------------------

  /** The demo document (3 pages) in the spool, made once. */
  async ensureDemoDocument(): Promise<string> {
    const rel = `${FAX_SPOOL.demo}/demo.tif`;
    const host = join(this.spoolHost, rel);
    if (!existsSync(host)) {
      const pdf = await samplePdf('SeatBox demo fax', 3, this.o.convert);
      const { tiff } = await pdfsToFaxTiff([{ name: 'demo.pdf', data: pdf }], undefined, this.o.convert);
      atomicWrite(host, tiff);
    }
    return `${this.spoolAst}/${rel}`;
  }

  /** Puts a TIFF into the spool for the simulated sender; returns the path Asterisk sees. */
  stageSimDocument(name: string, tiff: Buffer): string {
    const rel = `${FAX_SPOOL.demo}/${name.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
    atomicWrite(join(this.spoolHost, rel), tiff);
    return `${this.spoolAst}/${rel}`;
  }

  /**
   * A simulated remote machine sends a fax to the box: Local/<did>@seatbox-from-trunk/n (the
   * real inbound route of that DID) or Local/s@seatbox-fax-in/n (straight to the receiver).
   * Both ends are real res_fax_spandsp T.30 over the Local pair. Resolves when queued.
   */
  async sendSimulatedFax(opts: { did?: string; file?: string; callerNumber?: string; route?: string } = {}): Promise<void> {
    if (!this.o.demo) throw new FaxError('not_demo', 'the simulated fax machine exists only in demo mode', 409);
    const file = opts.file ?? (await this.ensureDemoDocument());
    const caller = opts.callerNumber ?? SIM_FAX_NUMBERS[0];
    const vars: Array<[string, string]> = [['Variable', `SEATBOX_FAX_SIM_FILE=${file}`]];
    if (!opts.did) vars.push(['Variable', `__SEATBOX_FAX_ROUTE=${opts.route ?? 'demo'}`]);
    const r = await this.o.ami.action('Originate', [
      ['Channel', opts.did ? `Local/${opts.did}@seatbox-from-trunk/n` : `Local/s@${FAX_CONTEXTS.in}/n`],
      ['Context', FAX_CONTEXTS.simSender],
      ['Exten', 's'],
      ['Priority', '1'],
      ['Async', 'true'],
      ['Timeout', '30000'],
      ['CallerID', `"Remote fax" <${caller}>`],
      ...vars,
    ]);
    if (r.response && r.response !== 'Success') throw new FaxError('originate_failed', `Originate refused: ${r.get('Message') ?? r.response}`, 502);
  }

  /**
   * Benchmark / load helper: N simultaneous real T.30 transfers from the simulated remote
   * machine into the box (each a Local channel pair: SendFAX ↔ ReceiveFAX), of a `pages`-page
   * document. Resolves when all N have landed in the inbox (or the timeout passed) with
   * what each took. Demo mode only (the sender context exists only there).
   */
  async runSimulatedTransfers(n: number, opts: { pages?: number; timeoutMs?: number } = {}): Promise<{ ok: number; failed: number; seconds: number[]; wallSeconds: number }> {
    const pages = opts.pages ?? 2;
    const pdf = await samplePdf('SeatBox fax benchmark', pages, this.o.convert);
    const { tiff } = await pdfsToFaxTiff([{ name: 'bench.pdf', data: pdf }], undefined, this.o.convert);
    const file = this.stageSimDocument(`bench-${pages}p.tif`, tiff);
    const before = (this.o.db.prepare('SELECT coalesce(max(id), 0) AS id FROM fax_inbox').get() as { id: number }).id;
    const started = Date.now();
    await Promise.all(Array.from({ length: n }, (_, i) => this.sendSimulatedFax({ file, route: 'demo', callerNumber: `0215000${String(2000 + i)}` })));
    const deadline = started + (opts.timeoutMs ?? 180_000);
    for (;;) {
      const rows = this.o.db.prepare('SELECT status, duration_s FROM fax_inbox WHERE id > ? ORDER BY id').all(before) as Array<{ status: string; duration_s: number | null }>;
      if (rows.length >= n || Date.now() > deadline) {
        return {
          ok: rows.filter((r) => r.status === 'received').length,
          failed: n - rows.filter((r) => r.status === 'received').length,
          seconds: rows.map((r) => r.duration_s ?? 0),
          wallSeconds: Math.round((Date.now() - started) / 100) / 10,
        };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private async sendDemoFax(): Promise<void> {
    if (!this.o.ami.connected) return;
    await this.sendSimulatedFax();
  }
}

function atomicWrite(path: string, data: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

