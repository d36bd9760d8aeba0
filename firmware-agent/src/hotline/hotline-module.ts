// The hotline module: IVR / queue documents (validated, stored), prompts, callback tasks
// (SeatBoxCallback UserEvents and manual entry, one-click dial by AMI Originate from the
// agent's seat through the outbound routes), survey scores (SeatBoxSurvey), monitoring
// sessions of team leads (SeatBoxMonitor) and transfers per call (BlindTransfer /
// AttendedTransfer). Copies the AgentsModule pattern: one AMI 'event' listener.
import type { AmiClient, AmiMessage } from '../ami/types.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Module } from '../core/module.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../logging.js';
import { CONTEXTS } from '../pbx-config/model.js';
import { PromptStore } from '../prompts/prompt-store.js';
import type { ConvertOptions } from '../prompts/convert.js';
import type { ConfigChangeRunner } from '../pbx-model/change-runner.js';
import { defaultIvr, defaultQueues, type IvrDoc, type MonitoringDoc, type QueuesDoc } from './types.js';
import { HotlineValidationError, validateIvr, validateQueues } from './validate.js';

export const CALLBACK_EVENT = 'SeatBoxCallback';
export const SURVEY_EVENT = 'SeatBoxSurvey';
export const MONITOR_EVENT = 'SeatBoxMonitor';
/** The PBX side's ChanSpy context (pbx-config/hotline-render.ts): Channel PJSIP/<lead seat>, Exten <mode>-<target seat>. */
export const MONITOR_CONTEXT = 'seatbox-monitor';
export const MONITOR_MODES = ['listen', 'whisper', 'barge'] as const;
export type MonitorMode = (typeof MONITOR_MODES)[number];
export const CALLBACK_OUTCOMES = ['reached', 'no_answer', 'busy', 'wrong_number', 'cancelled'] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];

export interface HotlineActor {
  userId?: number | null;
  username?: string | null;
  ip?: string | null;
}

export class HotlineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'HotlineError';
  }
}

export interface Callback {
  id: number;
  number: string;
  queue: string | null;
  linkedid: string | null;
  source: 'ivr' | 'manual';
  requestedFor: string | null;
  note: string | null;
  status: 'open' | 'dialing' | 'done';
  outcome: CallbackOutcome | null;
  attempts: number;
  lastDialedAt: string | null;
  lastDialedBy: string | null;
  lastSeat: string | null;
  createdAt: string;
  closedAt: string | null;
}

export interface MonitorSession {
  id: number;
  leadSeat: string;
  targetSeat: string;
  mode: MonitorMode;
  username: string | null;
  startedAt: string;
  endedAt: string | null;
}

export interface HotlineModuleOptions {
  db: Db;
  ami: AmiClient;
  audit: AuditLog;
  logger: Logger;
  /** Host directory of the prompt WAV files: the instance's lib/sounds/custom (<dataDir>/asterisk/lib/sounds/custom). */
  promptDir: string;
  /** Asterisk's astvarlibdir as Asterisk sees it (model paths.varlib; default /seatbox/lib). */
  promptVarlib?: string;
  convert?: ConvertOptions;
  /** Seat extensions that exist (validation of members, overflow, destinations). */
  seats: () => string[];
  /** Config changes: dry run, model validation, apply to Asterisk, then commit (absent in API-only tests: saved directly). */
  changes?: () => ConfigChangeRunner | undefined;
  /** The outbound prefix of the dialing plan (model.dialing.outsidePrefix). */
  outsidePrefix: () => string;
  now?: () => Date;
}

const CALLBACK_COLS = `id, number, queue, linkedid, source, requested_for AS requestedFor, note, status, outcome, attempts,
  last_dialed_at AS lastDialedAt, last_dialed_by AS lastDialedBy, last_seat AS lastSeat, created_at AS createdAt, closed_at AS closedAt`;

export class HotlineModule implements Module {
  readonly name = 'hotline';
  readonly prompts: PromptStore;
  private readonly db: Db;
  private readonly log: Logger;
  private readonly now: () => Date;
  /** Who asked for monitoring from a seat (the dialplan's event does not know the user). */
  private readonly pendingMonitor = new Map<string, string | null>();
  private readonly onEvent = (msg: AmiMessage): void => {
    try {
      this.handleEvent(msg);
    } catch (err) {
      this.log.error({ err, event: msg.event }, 'hotline event handling failed');
    }
  };

  constructor(private readonly opts: HotlineModuleOptions) {
    this.db = opts.db;
    this.log = opts.logger;
    this.now = opts.now ?? (() => new Date());
    this.prompts = new PromptStore(opts.db, opts.promptDir, opts.convert, opts.promptVarlib);
  }

  async start(): Promise<void> {
    this.opts.ami.on('event', this.onEvent);
  }

  async stop(): Promise<void> {
    this.opts.ami.off('event', this.onEvent as never);
  }

  private iso(): string {
    return this.now().toISOString();
  }

  // ---- documents ----------------------------------------------------------------------

  private readDoc<T>(kind: 'ivr' | 'queues' | 'monitoring', fallback: () => T): T {
    const r = this.db.prepare('SELECT json FROM hotline_documents WHERE kind = ?').get(kind) as { json: string } | undefined;
    return r ? (JSON.parse(r.json) as T) : fallback();
  }

  ivr(): IvrDoc {
    return this.readDoc('ivr', defaultIvr);
  }

  queues(): QueuesDoc {
    return this.readDoc('queues', defaultQueues);
  }

  private context() {
    return { seats: new Set(this.opts.seats()), prompts: this.prompts.names(), queues: new Set(this.queues().queues.map((q) => q.name)) };
  }

  /** Validates without saving (the editor's "check"). */
  checkIvr(doc: unknown): ReturnType<typeof validateIvr> {
    return validateIvr(doc, this.context());
  }

  /** Stores a document through the config-change flow: the PBX gets it before the table does. */
  private async store(kind: 'ivr' | 'queues' | 'monitoring', json: string, action: string, detail: unknown, actor: HotlineActor): Promise<void> {
    const write = (db: Db) => {
      db.prepare(`INSERT INTO hotline_documents (kind, json, updated_by) VALUES (?, ?, ?) ON CONFLICT(kind) DO UPDATE SET json = excluded.json, updated_by = excluded.updated_by, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`).run(kind, json, actor.username ?? null);
    };
    const runner = this.opts.changes?.();
    const a = { ...(actor.userId != null ? { userId: actor.userId } : {}), ...(actor.username != null ? { username: actor.username } : {}), ...(actor.ip != null ? { ip: actor.ip } : {}) };
    if (runner) {
      await runner.run({ actor: a, action, target: `hotline:${kind}`, detail, mutate: write });
    } else {
      write(this.db);
      this.opts.audit.write({ ...actor, action, target: `hotline:${kind}`, detail });
    }
  }

  async saveIvr(doc: unknown, actor: HotlineActor): Promise<IvrDoc> {
    const v = this.checkIvr(doc);
    if (!v.ok) throw new HotlineValidationError(v.issues);
    await this.store('ivr', JSON.stringify(v.doc), 'hotline.ivr_saved', { menus: v.doc.menus.length, did: v.doc.did }, actor);
    return v.doc;
  }

  checkQueues(doc: unknown): ReturnType<typeof validateQueues> {
    return validateQueues(doc, { seats: new Set(this.opts.seats()), prompts: this.prompts.names() });
  }

  async saveQueues(doc: unknown, actor: HotlineActor): Promise<QueuesDoc> {
    const v = this.checkQueues(doc);
    if (!v.ok) throw new HotlineValidationError(v.issues);
    // Queues the IVR still sends callers to cannot disappear.
    const ivr = this.ivr();
    const names = new Set(v.doc.queues.map((q) => q.name));
    const gone = [...ivr.menus.flatMap((m) => [...m.options.map((o) => o.destination), m.fallback]), ivr.hours.closedDestination].find((d) => (d.kind === 'queue' || d.kind === 'callback') && !names.has(d.target ?? ''));
    if (gone) throw new HotlineValidationError([{ path: 'queues', code: 'unknown_target', message: `the IVR still sends callers to queue "${gone.target}"; change the IVR first` }]);
    await this.store('queues', JSON.stringify(v.doc), 'hotline.queues_saved', { queues: v.doc.queues.map((q) => q.name) }, actor);
    return v.doc;
  }

  monitoring(): MonitoringDoc {
    return this.readDoc('monitoring', () => ({ supervisorSeats: [] }));
  }

  async saveMonitoring(doc: MonitoringDoc, actor: HotlineActor): Promise<MonitoringDoc> {
    const seats = new Set(this.opts.seats());
    const unknown = doc.supervisorSeats.findIndex((s) => !seats.has(s));
    if (unknown >= 0) throw new HotlineValidationError([{ path: `supervisorSeats[${unknown}]`, code: 'unknown_target', message: `no seat ${doc.supervisorSeats[unknown]}` }]);
    const clean = { supervisorSeats: [...new Set(doc.supervisorSeats)] };
    await this.store('monitoring', JSON.stringify(clean), 'hotline.monitoring_saved', clean, actor);
    return clean;
  }

  // ---- callbacks ----------------------------------------------------------------------

  listCallbacks(filter: { status?: 'open' | 'done' | 'all' } = {}): Callback[] {
    const where = filter.status === 'done' ? "WHERE status = 'done'" : filter.status === 'all' ? '' : "WHERE status <> 'done'";
    return this.db.prepare(`SELECT ${CALLBACK_COLS} FROM callbacks ${where} ORDER BY COALESCE(requested_for, created_at), id LIMIT 500`).all() as Callback[];
  }

  getCallback(id: number): Callback {
    const c = this.db.prepare(`SELECT ${CALLBACK_COLS} FROM callbacks WHERE id = ?`).get(id) as Callback | undefined;
    if (!c) throw new HotlineError('not_found', `no callback ${id}`, 404);
    return c;
  }

  addCallback(input: { number: string; queue?: string | null; linkedid?: string | null; requestedFor?: string | null; note?: string | null; source: 'ivr' | 'manual' }, actor: HotlineActor): Callback {
    const number = input.number.replace(/[\s-]/g, '');
    if (!/^\+?[0-9]{3,19}$/.test(number)) throw new HotlineError('invalid_number', `not a phone number: ${input.number}`);
    if (input.linkedid) {
      const existing = this.db.prepare('SELECT id FROM callbacks WHERE linkedid = ?').get(input.linkedid) as { id: number } | undefined;
      if (existing) return this.getCallback(existing.id);
    }
    const id = Number(
      this.db
        .prepare('INSERT INTO callbacks (number, queue, linkedid, source, requested_for, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(number, input.queue ?? null, input.linkedid ?? null, input.source, input.requestedFor ?? null, input.note ?? null, this.iso()).lastInsertRowid,
    );
    this.opts.audit.write({ ...actor, action: 'hotline.callback_added', target: `callback:${id}`, detail: { number, source: input.source } });
    return this.getCallback(id);
  }

  /** One click: the agent's seat rings; when answered, the number is dialed through the outbound routes. */
  async dialCallback(id: number, seat: string, actor: HotlineActor): Promise<Callback> {
    const cb = this.getCallback(id);
    if (cb.status === 'done') throw new HotlineError('closed', `callback ${id} is closed (${cb.outcome})`, 409);
    if (!this.opts.seats().includes(seat)) throw new HotlineError('unknown_seat', `no seat ${seat}`);
    if (!this.opts.ami.connected) throw new HotlineError('pbx_down', 'the PBX is not connected', 503);
    const digits = cb.number.replace(/^\+86/, '0').replace(/^\+/, '00');
    await this.originate({
      Channel: `Local/${seat}@${CONTEXTS.seats}`,
      Context: CONTEXTS.internal,
      Exten: `${this.opts.outsidePrefix()}${digits}`,
      Priority: '1',
      CallerID: `"Callback ${cb.number}" <${seat}>`,
      Account: 'outbound',
      Timeout: '30000',
      Async: 'true',
      Variable: [`SEATBOX_SEAT=${seat}`, `SEATBOX_CALLBACK=${id}`],
    });
    this.db.prepare("UPDATE callbacks SET status = 'dialing', attempts = attempts + 1, last_dialed_at = ?, last_dialed_by = ?, last_seat = ? WHERE id = ?").run(this.iso(), actor.username ?? null, seat, id);
    this.opts.audit.write({ ...actor, action: 'hotline.callback_dialed', target: `callback:${id}`, detail: { seat, number: cb.number } });
    return this.getCallback(id);
  }

  setOutcome(id: number, outcome: CallbackOutcome, note: string | null | undefined, actor: HotlineActor): Callback {
    const cb = this.getCallback(id);
    // no_answer / busy keep the task open for another attempt.
    const done = outcome === 'reached' || outcome === 'wrong_number' || outcome === 'cancelled';
    this.db
      .prepare('UPDATE callbacks SET status = ?, outcome = ?, closed_at = ?, note = COALESCE(?, note) WHERE id = ?')
      .run(done ? 'done' : 'open', done ? outcome : null, done ? this.iso() : null, note ?? null, id);
    this.opts.audit.write({ ...actor, action: 'hotline.callback_outcome', target: `callback:${id}`, detail: { outcome, number: cb.number } });
    return this.getCallback(id);
  }

  private async originate(headers: Record<string, string | string[]>): Promise<void> {
    let r: AmiMessage;
    try {
      r = await this.opts.ami.action('Originate', headers as never);
    } catch (err) {
      throw new HotlineError('originate_failed', `Originate refused: ${(err as Error).message}`, 502);
    }
    if (r.response && r.response !== 'Success') throw new HotlineError('originate_failed', `Originate refused: ${r.get('Message') ?? r.response}`, 502);
  }

  // ---- monitoring ---------------------------------------------------------------------

  /** Rings the lead's seat; answered, it joins the PBX's ChanSpy context on the target seat. */
  async monitor(leadSeat: string, targetSeat: string, mode: MonitorMode, actor: HotlineActor): Promise<void> {
    const seats = this.opts.seats();
    if (!seats.includes(leadSeat)) throw new HotlineError('unknown_seat', `no seat ${leadSeat}`);
    if (!seats.includes(targetSeat)) throw new HotlineError('unknown_seat', `no seat ${targetSeat}`);
    if (leadSeat === targetSeat) throw new HotlineError('same_seat', 'a seat cannot monitor itself');
    if (!this.opts.ami.connected) throw new HotlineError('pbx_down', 'the PBX is not connected', 503);
    if (!this.monitoring().supervisorSeats.includes(leadSeat)) throw new HotlineError('not_supervisor', `seat ${leadSeat} is not a supervisor seat (Inbound → monitoring)`, 403);
    // The PBX reads the supervisor's seat from the channel name: a PJSIP channel to the seat.
    await this.originate({
      Channel: `PJSIP/${leadSeat}`,
      Context: MONITOR_CONTEXT,
      Exten: `${mode}-${targetSeat}`,
      Priority: '1',
      CallerID: `"${mode} ${targetSeat}" <${targetSeat}>`,
      Timeout: '30000',
      Async: 'true',
    });
    this.pendingMonitor.set(leadSeat, actor.username ?? null);
    this.opts.audit.write({ ...actor, action: 'hotline.monitor_requested', target: `seat:${targetSeat}`, detail: { leadSeat, mode } });
  }

  monitorSessions(limit = 200): MonitorSession[] {
    return this.db
      .prepare('SELECT id, lead_seat AS leadSeat, target_seat AS targetSeat, mode, username, started_at AS startedAt, ended_at AS endedAt FROM monitor_sessions ORDER BY started_at DESC, id DESC LIMIT ?')
      .all(limit) as MonitorSession[];
  }

  // ---- stats --------------------------------------------------------------------------

  /** Satisfaction (scores 4-5 over all scores) and transfer rate (calls with a transfer over calls) since `from`. */
  stats(from: string, to: string): { surveys: number; satisfied: number; satisfactionRate: number | null; averageScore: number | null; calls: number; transferredCalls: number; transferRate: number | null } {
    const s = this.db.prepare('SELECT COUNT(*) AS n, SUM(score >= 4) AS ok, AVG(score) AS avg FROM call_surveys WHERE at >= ? AND at < ?').get(from, to) as { n: number; ok: number | null; avg: number | null };
    const c = this.db.prepare('SELECT COUNT(*) AS n FROM calls WHERE created_at >= ? AND created_at < ?').get(from, to) as { n: number };
    const t = this.db.prepare('SELECT COUNT(DISTINCT t.linkedid) AS n FROM call_transfers t JOIN calls c ON c.linkedid = t.linkedid WHERE c.created_at >= ? AND c.created_at < ?').get(from, to) as { n: number };
    return {
      surveys: s.n,
      satisfied: s.ok ?? 0,
      satisfactionRate: s.n ? (s.ok ?? 0) / s.n : null,
      averageScore: s.avg,
      calls: c.n,
      transferredCalls: t.n,
      transferRate: c.n ? t.n / c.n : null,
    };
  }

  surveyOf(linkedid: string): number | null {
    const r = this.db.prepare('SELECT score FROM call_surveys WHERE linkedid = ?').get(linkedid) as { score: number } | undefined;
    return r?.score ?? null;
  }

  transfersOf(linkedid: string): Array<{ kind: string; result: string; transferer: string | null; target: string | null; at: string }> {
    return this.db.prepare('SELECT kind, result, transferer, target, at FROM call_transfers WHERE linkedid = ? ORDER BY id').all(linkedid) as never;
  }

  // ---- AMI events ---------------------------------------------------------------------

  handleEvent(msg: AmiMessage): void {
    const ev = msg.event;
    if (ev === 'UserEvent') {
      const name = msg.get('UserEvent');
      if (name === CALLBACK_EVENT) this.onCallbackEvent(msg);
      else if (name === SURVEY_EVENT) this.onSurveyEvent(msg);
      else if (name === MONITOR_EVENT) this.onMonitorEvent(msg);
    } else if (ev === 'BlindTransfer') {
      this.recordTransfer('blind', msg.get('TransfererLinkedid') ?? msg.get('TransfereeLinkedid'), msg.get('Result') ?? 'Unknown', msg.get('TransfererChannel'), msg.get('Extension'));
    } else if (ev === 'AttendedTransfer') {
      this.recordTransfer('attended', msg.get('OrigTransfererLinkedid') ?? msg.get('TransfereeLinkedid'), msg.get('Result') ?? 'Unknown', msg.get('OrigTransfererChannel'), msg.get('SecondTransfererConnectedLineNum') ?? msg.get('TransferTargetChannel'));
    }
  }

  private onCallbackEvent(msg: AmiMessage): void {
    const number = msg.get('Number') ?? '';
    try {
      const cb = this.addCallback({ number, queue: msg.get('Queue') || null, linkedid: msg.get('Linkedid') || msg.get('Linkedid'.toLowerCase()) || null, source: 'ivr', requestedFor: msg.get('When') || null }, { username: 'pbx' });
      this.log.info({ id: cb.id, number: cb.number, queue: cb.queue }, 'callback requested');
    } catch (err) {
      if (!(err instanceof HotlineError)) throw err;
      this.log.warn({ number, code: err.code }, `SeatBoxCallback ignored: ${err.message}`);
    }
  }

  private onSurveyEvent(msg: AmiMessage): void {
    const linkedid = msg.get('Linkedid') ?? '';
    const score = Number(msg.get('Score'));
    if (!linkedid || !Number.isInteger(score) || score < 1 || score > 5) {
      this.log.warn({ linkedid, score: msg.get('Score') }, 'SeatBoxSurvey ignored: needs Linkedid and Score 1-5');
      return;
    }
    this.db.prepare('INSERT INTO call_surveys (linkedid, score, at) VALUES (?, ?, ?) ON CONFLICT(linkedid) DO UPDATE SET score = excluded.score, at = excluded.at').run(linkedid, score, this.iso());
  }

  /** Phase=start|end, Mode, SpySeat, TargetSeat (pbx-config/hotline-render.ts). */
  private onMonitorEvent(msg: AmiMessage): void {
    const phase = (msg.get('Phase') ?? msg.get('Op') ?? '').toLowerCase();
    const lead = msg.get('SpySeat') ?? msg.get('Lead') ?? '';
    const target = msg.get('TargetSeat') ?? msg.get('Target') ?? '';
    const mode = (msg.get('Mode') ?? '').toLowerCase() as MonitorMode;
    const now = this.iso();
    if (phase === 'start') {
      if (!MONITOR_MODES.includes(mode) || !lead || !target) {
        this.log.warn({ lead, target, mode }, 'SeatBoxMonitor start ignored: needs SpySeat, TargetSeat and Mode');
        return;
      }
      // A lead monitors one seat at a time: a new start closes a left-over session.
      this.db.prepare('UPDATE monitor_sessions SET ended_at = ? WHERE lead_seat = ? AND ended_at IS NULL').run(now, lead);
      const username = msg.get('User') || this.pendingMonitor.get(lead) || null;
      this.pendingMonitor.delete(lead);
      this.db.prepare('INSERT INTO monitor_sessions (lead_seat, target_seat, mode, username, channel, started_at) VALUES (?, ?, ?, ?, ?, ?)').run(lead, target, mode, username, msg.get('Linkedid') ?? null, now);
    } else if (phase === 'end' || phase === 'stop') {
      this.db.prepare('UPDATE monitor_sessions SET ended_at = ? WHERE lead_seat = ? AND ended_at IS NULL').run(now, lead);
    } else {
      this.log.warn({ phase }, 'unknown SeatBoxMonitor Phase; ignored');
    }
  }

  private recordTransfer(kind: 'blind' | 'attended', linkedid: string | undefined, result: string, transferer: string | undefined, target: string | undefined): void {
    if (!linkedid) return;
    this.db.prepare('INSERT INTO call_transfers (linkedid, kind, result, transferer, target, at) VALUES (?, ?, ?, ?, ?, ?)').run(linkedid, kind, result, transferer ?? null, target ?? null, this.iso());
  }
}
